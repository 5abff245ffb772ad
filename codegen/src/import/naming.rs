//! Names: operation names from operationIds or from method + path, model names, Rust names.

use heck::{ToSnakeCase, ToUpperCamelCase};

/// The facts about an operation that its name is derived from.
pub struct NameInput<'a> {
    /// Lower-case HTTP method.
    pub method: &'a str,
    /// Spec path, e.g. `/contacts/{key}`.
    pub path: &'a str,
    /// The spec's operationId, if any.
    pub operation_id: Option<&'a str>,
    /// Whether the success response is an array (a GET of it is a list).
    pub returns_array: bool,
}

/// The operation name: the operationId when it says more than the path, else method + path.
pub fn operation_name(input: &NameInput) -> String {
    match input.operation_id.map(ToSnakeCase::to_snake_case) {
        Some(id) if is_sensible(&id, input) => rewrite_verb(&id, input),
        _ => from_path(input),
    }
}

/// An operationId worth keeping: an identifier that starts with a verb and says more than the path.
fn is_sensible(id: &str, input: &NameInput) -> bool {
    const VERBS: [&str; 8] = ["get", "list", "post", "create", "put", "update", "patch", "delete"];
    let verb = id.split('_').next().unwrap_or_default();
    is_identifier(id) && VERBS.contains(&verb) && id != path_echo(input.method, input.path)
}

/// The snake_case name an operationId gets when it merely repeats method and path
/// (`getCoaAccountsKey` for `GET /coa_accounts/{key}`): such ids carry no information.
fn path_echo(method: &str, path: &str) -> String {
    let words = path.split('/').filter(|s| !s.is_empty()).map(|s| s.trim_matches(|c| c == '{' || c == '}'));
    std::iter::once(method.to_string()).chain(words.map(|w| w.to_snake_case())).collect::<Vec<_>>().join("_")
}

/// Gives operationId verbs the SDK's CRUD vocabulary: `get_banks` (array) → `list_banks`,
/// `post_bank` → `create_bank`, `put_bank` → `update_bank`.
fn rewrite_verb(id: &str, input: &NameInput) -> String {
    let (verb, rest) = id.split_once('_').unwrap_or((id, ""));
    let new_verb = match (verb, input.method) {
        ("get", "get") if input.returns_array => "list",
        ("post", _) => "create",
        ("put" | "patch", _) => "update",
        _ => return id.to_string(),
    };
    if rest.is_empty() {
        new_verb.to_string()
    } else {
        format!("{new_verb}_{rest}")
    }
}

/// Derives `list_contacts`, `get_contact`, `create_contact`, `update_contact`, `delete_contact`,
/// `release_sales_invoice` (POST to an action under an item) from method and path.
fn from_path(input: &NameInput) -> String {
    let segments: Vec<&str> = input.path.split('/').filter(|s| !s.is_empty()).collect();
    let is_param = |s: &str| s.starts_with('{');
    let ends_with_param = segments.last().is_some_and(|s| is_param(s));
    let mut words: Vec<String> = Vec::new();
    for (index, segment) in segments.iter().enumerate() {
        if is_param(segment) {
            continue;
        }
        let followed_by_param = segments.get(index + 1).is_some_and(|s| is_param(s));
        let word = segment.to_snake_case();
        words.push(if followed_by_param { singular(&word) } else { word });
    }
    let action_after_item = !ends_with_param && segments.len() >= 3 && is_param(segments[segments.len() - 2]);
    let verb = match input.method {
        "get" if input.returns_array => "list",
        "get" => "get",
        "post" if action_after_item && !words.last().is_some_and(|w| w.contains('_')) => {
            // `POST /journals/{key}/reissue` → `reissue_journal`.
            let action = words.pop().unwrap_or_default();
            return join(&action, &words);
        }
        "post" => {
            if let Some(last) = words.last_mut() {
                *last = singular(last);
            }
            "create"
        }
        "put" | "patch" => "update",
        other => other,
    };
    join(verb, &words)
}

fn join(verb: &str, words: &[String]) -> String {
    std::iter::once(verb.to_string()).chain(words.iter().cloned()).collect::<Vec<_>>().join("_")
}

/// English singular of the last word of a snake_case name, for the plural forms Sage uses.
pub fn singular(name: &str) -> String {
    let (head, last) = match name.rsplit_once('_') {
        Some((head, last)) => (Some(head), last),
        None => (None, name),
    };
    let single = singular_word(last);
    match head {
        Some(head) => format!("{head}_{single}"),
        None => single,
    }
}

fn singular_word(word: &str) -> String {
    const SAME: [&str; 6] = ["settings", "details", "news", "status", "analysis", "series"];
    if SAME.contains(&word) || word.len() < 3 {
        return word.to_string();
    }
    if word == "people" {
        return "person".to_string();
    }
    if let Some(stem) = word.strip_suffix("ies") {
        return format!("{stem}y");
    }
    if word.ends_with("statuses") {
        return word[..word.len() - 2].to_string();
    }
    for suffix in ["sses", "xes", "ches", "shes"] {
        if word.ends_with(suffix) {
            return word[..word.len() - 2].to_string();
        }
    }
    match word.strip_suffix('s') {
        Some(stem) if !word.ends_with("ss") => stem.to_string(),
        _ => word.to_string(),
    }
}

/// A model name for a spec definition or a hoisted inline object: UpperCamelCase.
pub fn model_name(raw: &str) -> String {
    raw.to_upper_camel_case()
}

/// The Rust name to write for a wire name, or `None` when the wire name already is one.
pub fn rust_name_if_needed(wire: &str) -> Option<String> {
    let rust = wire.to_snake_case();
    let rust =
        if rust.is_empty() || rust.starts_with(|c: char| c.is_ascii_digit()) { format!("n_{rust}") } else { rust };
    (rust != wire).then_some(rust)
}

/// Whether a name is a plain snake_case identifier (what operation names must be).
pub fn is_identifier(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Area or resource name for a tag or module: `Contact People` → `contact_people`, `cash-book` → `cash_book`.
pub fn snake(raw: &str) -> String {
    raw.to_snake_case()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(method: &str, path: &str, id: Option<&str>, returns_array: bool) -> String {
        operation_name(&NameInput { method, path, operation_id: id, returns_array })
    }

    #[test]
    fn mechanical_ids_fall_back_to_the_path() {
        assert_eq!(name("get", "/coa_accounts", Some("getCoaAccounts"), true), "list_coa_accounts");
        assert_eq!(name("get", "/coa_accounts/{key}", Some("getCoaAccountsKey"), false), "get_coa_account");
        assert_eq!(name("post", "/sales_invoices", Some("postSalesInvoices"), false), "create_sales_invoice");
        assert_eq!(name("put", "/contact_persons/{key}", None, false), "update_contact_person");
        assert_eq!(name("delete", "/addresses/{key}", None, false), "delete_address");
        assert_eq!(name("post", "/journals/{key}/reissue", Some("postJournalsKeyReissue"), false), "reissue_journal");
        assert_eq!(name("get", "/business_settings", None, false), "get_business_settings");
    }

    #[test]
    fn meaningful_ids_keep_their_words() {
        assert_eq!(name("get", "/banks", Some("GetBanks"), true), "list_banks");
        assert_eq!(name("post", "/banks", Some("PostBank"), false), "create_bank");
        assert_eq!(name("get", "/banks/{Id}", Some("GetBank"), false), "get_bank");
        assert_eq!(name("get", "/sop_orders", Some("GetSOPOrders"), true), "list_sop_orders");
    }

    #[test]
    fn ids_without_a_verb_fall_back_to_the_path() {
        assert_eq!(name("get", "/licence", Some("Licence"), false), "get_licence");
    }

    #[test]
    fn singulars() {
        assert_eq!(singular("sales_invoices"), "sales_invoice");
        assert_eq!(singular("ledger_entries"), "ledger_entry");
        assert_eq!(singular("addresses"), "address");
        assert_eq!(singular("tax_types"), "tax_type");
        assert_eq!(singular("contact_people"), "contact_person");
        assert_eq!(singular("business_settings"), "business_settings");
    }

    #[test]
    fn rust_names_only_when_needed() {
        assert_eq!(rust_name_if_needed("$path"), Some("path".to_string()));
        assert_eq!(rust_name_if_needed("Id"), Some("id".to_string()));
        assert_eq!(rust_name_if_needed("contact_id"), None);
    }
}
