//! References between records, found by name as Sage names them: a field `X_id` (or a list `X_ids`)
//! points into the collection of `X`s next to the record's own collection (`ledger_account_id` →
//! `/ledger_accounts`, `currency_id` → `/currencies`). A reference into a collection the tenant holds
//! must name a record there; Accounting records then carry the link (`ledger_account: {id, displayed_as,
//! $path}`), as Sage's responses do.

use serde_json::{json, Map, Value};

use super::records;
use super::seed::Collections;
use super::validate::Invalid;

/// English plural of a snake_case resource name, as Sage's paths use them.
pub(crate) fn plural(stem: &str) -> String {
    if let Some(base) = stem.strip_suffix('y').filter(|base| !base.ends_with(['a', 'e', 'o', 'u'])) {
        format!("{base}ies")
    } else if stem.ends_with(['s', 'x']) || stem.ends_with("ch") || stem.ends_with("sh") {
        format!("{stem}es")
    } else {
        format!("{stem}s")
    }
}

/// The collection a reference field points into, when the tenant has records there.
pub(crate) fn target<'a>(data: &'a Collections, prefix: &str, stem: &str) -> Option<&'a [Value]> {
    data.get(&format!("{prefix}/{}", plural(stem))).map(Vec::as_slice).filter(|records| !records.is_empty())
}

/// What a record shows of a record it points at.
pub(crate) fn link_to(record: &Value) -> Value {
    let mut link = json!({ "id": record["id"], "displayed_as": record["displayed_as"] });
    if let Some(path) = record.get("$path") {
        link["$path"] = path.clone();
    }
    link
}

fn id_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// Checks every reference in `body` (nested objects and lists too) and, with `embed`, adds the links.
pub(crate) fn resolve(body: &mut Value, data: &Collections, prefix: &str, embed: bool) -> Result<(), Invalid> {
    walk(body, data, prefix, embed, "")
}

fn walk(value: &mut Value, data: &Collections, prefix: &str, embed: bool, path: &str) -> Result<(), Invalid> {
    match value {
        Value::Array(items) => items
            .iter_mut()
            .enumerate()
            .try_for_each(|(index, item)| walk(item, data, prefix, embed, &format!("{path}[{index}]"))),
        Value::Object(fields) => {
            let mut links = Map::new();
            for (name, field) in fields.iter_mut() {
                let field_path = if path.is_empty() { name.clone() } else { format!("{path}.{name}") };
                if let Some(stem) = name.strip_suffix("_id") {
                    if let Some(link) = one(field, data, prefix, stem, &field_path)? {
                        links.insert(stem.to_owned(), link);
                    }
                } else if let (Some(stem), Value::Array(ids)) = (name.strip_suffix("_ids"), &*field) {
                    let found: Result<Vec<Option<Value>>, Invalid> = ids
                        .iter()
                        .enumerate()
                        .map(|(index, id)| one(id, data, prefix, stem, &format!("{field_path}[{index}]")))
                        .collect();
                    let found: Vec<Value> = found?.into_iter().flatten().collect();
                    if !found.is_empty() {
                        links.insert(plural(stem), Value::Array(found));
                    }
                } else {
                    walk(field, data, prefix, embed, &field_path)?;
                }
            }
            if embed {
                fields.extend(links);
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// The link for one id, `None` when the sandbox keeps no such collection.
fn one(id: &Value, data: &Collections, prefix: &str, stem: &str, path: &str) -> Result<Option<Value>, Invalid> {
    let (Some(records), Some(key)) = (target(data, prefix, stem), id_text(id)) else { return Ok(None) };
    match records::find(records, &key) {
        Some(record) => Ok(Some(link_to(record))),
        None => Err(Invalid {
            source: path.to_owned(),
            message: format!("no {} with id {key} exists", stem.replace('_', " ")),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals_follow_sage_paths() {
        assert_eq!(plural("ledger_account"), "ledger_accounts");
        assert_eq!(plural("currency"), "currencies");
        assert_eq!(plural("country"), "countries");
        assert_eq!(plural("address"), "addresses");
        assert_eq!(plural("journey"), "journeys");
    }

    #[test]
    fn links_known_references_and_refuses_unknown_ones() {
        let data = Collections::from([
            ("/tax_rates".to_owned(), vec![json!({"id": "GB_STANDARD", "displayed_as": "Standard 20.00%"})]),
            ("/contact_types".to_owned(), vec![json!({"id": "CUSTOMER", "displayed_as": "Customer"})]),
        ]);
        let mut body =
            json!({"contact_type_ids": ["CUSTOMER"], "lines": [{"tax_rate_id": "GB_STANDARD", "bank_id": "x"}]});
        resolve(&mut body, &data, "", true).unwrap();
        assert_eq!(body["lines"][0]["tax_rate"]["displayed_as"], "Standard 20.00%");
        assert_eq!(body["contact_types"][0]["id"], "CUSTOMER");
        assert!(body["lines"][0].get("bank").is_none(), "no bank collection: nothing to check");
        let mut wrong = json!({"lines": [{"tax_rate_id": "NOPE"}]});
        assert_eq!(resolve(&mut wrong, &data, "", true).unwrap_err().source, "lines[0].tax_rate_id");
    }
}
