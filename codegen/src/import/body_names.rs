//! Names for request bodies that a person would write.
//!
//! Accounting's specs name a body after the HTTP call that sends it: `POST /contacts` takes
//! `PostContacts`, an envelope whose one field `contact` holds a `PostContactsContact`, whose
//! `main_address` is a `PostContactsContactMainAddress`. Users think in resources, so the importer
//! renames each such family after the entity key and the role of the call:
//!
//! | role | envelope | entity | nested member |
//! |---|---|---|---|
//! | create (`POST`) | `NewContactRequest` | `NewContact` | `NewContactMainAddress` |
//! | update (`PUT`) | `ContactUpdateRequest` | `ContactUpdate` | `ContactMainAddressUpdate` |
//!
//! A member repeating the entity's last word loses it, and a member held in a list is singular:
//! `PostSalesInvoicesSalesInvoiceInvoiceLines` → `NewSalesInvoiceLine`. A name that would collide
//! with another model keeps the spec's name (and is reported), so renaming never merges two models.

use std::collections::{BTreeMap, BTreeSet};

use heck::{ToSnakeCase, ToUpperCamelCase};
use serde_json::Value;

use super::naming::singular;
use super::output::AreaOperation;

/// Renames every body family in `models` and every reference to it (in models and operations).
/// Returns the renames made (old → new) and the names kept because the new one was taken.
pub fn rename_bodies(
    models: &mut BTreeMap<String, Value>,
    operations: &mut [AreaOperation],
) -> (BTreeMap<String, String>, Vec<(String, String)>) {
    let mut renames = BTreeMap::new();
    let mut kept = Vec::new();
    let mut taken: BTreeSet<String> = models.keys().cloned().collect();
    for op in operations.iter() {
        let Some(plan) = family_of(&op.json, models) else { continue };
        for (old, candidates) in plan {
            if renames.contains_key(&old) {
                continue;
            }
            match candidates.iter().find(|name| !taken.contains(*name)) {
                Some(new) => {
                    taken.insert(new.clone());
                    renames.insert(old, new.clone());
                }
                None => kept.push((old, candidates[0].clone())),
            }
        }
    }
    let renamed: BTreeMap<String, Value> = std::mem::take(models)
        .into_iter()
        .map(|(name, mut model)| {
            rewrite_refs(&mut model, &renames);
            (renames.get(&name).cloned().unwrap_or(name), model)
        })
        .collect();
    *models = renamed;
    for op in operations {
        rewrite_refs(&mut op.json, &renames);
    }
    (renames, kept)
}

/// The renames for one operation's body family (envelope, entity and the entity's nested models),
/// each with its candidate names, best first.
fn family_of(operation: &Value, models: &BTreeMap<String, Value>) -> Option<Vec<(String, Vec<String>)>> {
    let role = match operation.get("method").and_then(Value::as_str)? {
        "POST" => Role::New,
        "PUT" => Role::Update,
        _ => return None,
    };
    let envelope = operation.get("body")?.get("ref")?.as_str()?;
    if !envelope.starts_with(role.spec_prefix()) {
        return None;
    }
    let fields = models.get(envelope)?.get("fields")?.as_object()?;
    let (key, field) = fields.iter().next().filter(|_| fields.len() == 1)?;
    let entity = field.get("type")?.get("ref")?.as_str()?;
    let base = key.to_upper_camel_case();
    let mut plan =
        vec![(envelope.to_owned(), vec![role.name(&base, true)]), (entity.to_owned(), vec![role.name(&base, false)])];
    let mut queue = vec![(entity.to_owned(), base.clone())];
    while let Some((model, stem)) = queue.pop() {
        let Some(fields) = models.get(&model).and_then(|m| m.get("fields")).and_then(Value::as_object) else {
            continue;
        };
        for (member, field) in fields {
            let Some((nested, in_list)) = nested_ref(field.get("type")) else { continue };
            let Some(rest) = nested.strip_prefix(model.as_str()) else { continue };
            if rest.is_empty() || plan.iter().any(|(old, _)| old == nested) {
                continue;
            }
            let short = member_stem(&stem, member, in_list, true);
            let long = member_stem(&stem, member, in_list, false);
            plan.push((nested.to_owned(), vec![role.name(&short, false), role.name(&long, false)]));
            queue.push((nested.to_owned(), short));
        }
    }
    Some(plan)
}

/// Create or update: where the role goes in the name.
#[derive(Clone, Copy)]
enum Role {
    New,
    Update,
}

impl Role {
    fn spec_prefix(self) -> &'static str {
        match self {
            Role::New => "Post",
            Role::Update => "Put",
        }
    }

    /// `New{stem}` or `{stem}Update`, followed by `Request` for an envelope.
    fn name(self, stem: &str, envelope: bool) -> String {
        let suffix = if envelope { "Request" } else { "" };
        match self {
            Role::New => format!("New{stem}{suffix}"),
            Role::Update => format!("{stem}Update{suffix}"),
        }
    }
}

/// A field type's model reference, and whether it sits in a list.
fn nested_ref(ty: Option<&Value>) -> Option<(&str, bool)> {
    let ty = ty?;
    if let Some(name) = ty.get("ref").and_then(Value::as_str) {
        return Some((name, false));
    }
    let item = ty.get("array")?;
    Some((item.get("ref")?.as_str()?, true))
}

/// `SalesInvoice` + `invoice_lines` (a list) → `SalesInvoiceLine`: a list member is made singular
/// and, when `short`, loses the words the stem ends with (`SalesCreditNote` + `credit_note_lines`
/// → `SalesCreditNoteLine`) (the long form is the fallback when the
/// short one is taken: `JournalCode` → `JournalJournalCode`).
fn member_stem(stem: &str, member: &str, in_list: bool, short: bool) -> String {
    let stem_snake = stem.to_snake_case();
    let stem_words: Vec<&str> = stem_snake.split('_').collect();
    let member_snake = member.to_snake_case();
    let member_words: Vec<&str> = member_snake.split('_').collect();
    // The longest run of words ending the stem and starting the member (leaving the member a word).
    let overlap = (1..member_words.len().min(stem_words.len() + 1))
        .rev()
        .find(|&n| short && stem_words[stem_words.len() - n..] == member_words[..n])
        .unwrap_or(0);
    let member_words = member_words[overlap..].join("_");
    let member_words = if in_list { singular(&member_words) } else { member_words };
    format!("{stem}{}", member_words.to_upper_camel_case())
}

fn rewrite_refs(value: &mut Value, renames: &BTreeMap<String, String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(name)) = map.get_mut("ref") {
                if let Some(new) = renames.get(name.as_str()) {
                    *name = new.clone();
                }
            }
            map.values_mut().for_each(|v| rewrite_refs(v, renames));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite_refs(v, renames)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn operation(method: &str, body: &str) -> AreaOperation {
        AreaOperation {
            area: "sales".into(),
            resource: "sales_invoices".into(),
            resource_description: String::new(),
            name: "op".into(),
            json: json!({ "method": method, "body": { "ref": body } }),
        }
    }

    fn models() -> BTreeMap<String, Value> {
        let model = |fields: Value| json!({ "description": "", "fields": fields });
        BTreeMap::from([
            (
                "PostSalesInvoices".into(),
                model(json!({ "sales_invoice": { "type": { "ref": "PostSalesInvoicesSalesInvoice" } } })),
            ),
            (
                "PostSalesInvoicesSalesInvoice".into(),
                model(json!({
                    "invoice_lines": { "type": { "array": { "ref": "PostSalesInvoicesSalesInvoiceInvoiceLines" } } },
                    "main_address": { "type": { "ref": "PostSalesInvoicesSalesInvoiceMainAddress" } },
                    "contact": { "type": { "ref": "Link" } },
                    "sales_invoice_notes": { "type": { "array": { "ref": "PostSalesInvoicesSalesInvoiceSalesInvoiceNotes" } } },
                })),
            ),
            ("PostSalesInvoicesSalesInvoiceInvoiceLines".into(), model(json!({}))),
            ("PostSalesInvoicesSalesInvoiceSalesInvoiceNotes".into(), model(json!({}))),
            ("PostSalesInvoicesSalesInvoiceMainAddress".into(), model(json!({}))),
            (
                "PutSalesInvoices".into(),
                model(json!({ "sales_invoice": { "type": { "ref": "PutSalesInvoicesSalesInvoice" } } })),
            ),
            ("PutSalesInvoicesSalesInvoice".into(), model(json!({}))),
            ("Link".into(), model(json!({}))),
        ])
    }

    #[test]
    fn body_families_are_named_after_the_resource_and_role() {
        let mut models = models();
        let mut operations = [operation("POST", "PostSalesInvoices"), operation("PUT", "PutSalesInvoices")];
        let (renames, kept) = rename_bodies(&mut models, &mut operations);
        assert!(kept.is_empty());
        let names: Vec<&str> = models.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            [
                "Link",
                "NewSalesInvoice",
                "NewSalesInvoiceLine",
                "NewSalesInvoiceMainAddress",
                "NewSalesInvoiceNote",
                "NewSalesInvoiceRequest",
                "SalesInvoiceUpdate",
                "SalesInvoiceUpdateRequest"
            ]
        );
        assert_eq!(renames.len(), 7, "the shared `Link` keeps its name");
        assert_eq!(operations[0].json["body"]["ref"], "NewSalesInvoiceRequest");
        assert_eq!(models["NewSalesInvoiceRequest"]["fields"]["sales_invoice"]["type"]["ref"], "NewSalesInvoice");
        assert_eq!(models["NewSalesInvoice"]["fields"]["invoice_lines"]["type"]["array"]["ref"], "NewSalesInvoiceLine");
    }

    #[test]
    fn a_taken_name_keeps_the_spec_name() {
        let mut models = models();
        models.insert("NewSalesInvoice".into(), json!({ "description": "", "fields": {} }));
        let mut operations = [operation("POST", "PostSalesInvoices")];
        let (renames, kept) = rename_bodies(&mut models, &mut operations);
        assert_eq!(kept, [("PostSalesInvoicesSalesInvoice".to_owned(), "NewSalesInvoice".to_owned())]);
        assert!(models.contains_key("PostSalesInvoicesSalesInvoice"));
        assert_eq!(renames["PostSalesInvoices"], "NewSalesInvoiceRequest");
    }

    #[test]
    fn a_shortened_member_name_that_is_taken_falls_back_to_the_long_form() {
        let mut models = models();
        models.insert("NewSalesInvoiceLine".into(), json!({ "description": "", "fields": {} }));
        let mut operations = [operation("POST", "PostSalesInvoices")];
        let (renames, kept) = rename_bodies(&mut models, &mut operations);
        assert!(kept.is_empty());
        assert_eq!(renames["PostSalesInvoicesSalesInvoiceInvoiceLines"], "NewSalesInvoiceInvoiceLine");
    }

    #[test]
    fn bodies_that_are_not_envelopes_keep_their_names() {
        let mut models = models();
        let mut operations = [operation("POST", "Link")];
        let (renames, _) = rename_bodies(&mut models, &mut operations);
        assert!(renames.is_empty());
    }
}
