//! The generic record operations: list, get, create, update, delete over JSON objects keyed by `id`.

use axum::http::StatusCode;
use serde_json::{Map, Value};

use super::sage_error::SageError;
use crate::random;

/// How new records get their `id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IdStyle {
    /// 32 hex digits (Accounting).
    Hex,
    /// The next integer (Sage 200).
    Integer,
}

/// An id as text (Sage 200 ids are numbers, paths and bodies may carry them as strings).
pub(crate) fn id_text(id: &Value) -> String {
    match id {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Whether a record's `id` is `key` (numbers compare by their text).
fn has_id(record: &Value, key: &str) -> bool {
    match &record["id"] {
        Value::String(id) => id == key,
        Value::Number(id) => id.to_string() == key,
        _ => false,
    }
}

pub(crate) fn find<'a>(records: &'a [Value], key: &str) -> Option<&'a Value> {
    records.iter().find(|record| has_id(record, key))
}

fn not_found(key: &str) -> SageError {
    SageError::not_found(format!("No record with id {key} was found")).with_source("id")
}

pub(crate) fn get(records: &[Value], key: &str) -> Result<Value, SageError> {
    find(records, key).cloned().ok_or_else(|| not_found(key))
}

/// Accounting wraps bodies as `{"contact": {...}}`: take the inner object when that is the whole body.
pub(crate) fn unwrap_single_key(body: Value) -> Value {
    match body {
        Value::Object(outer) if outer.len() == 1 && outer.values().all(Value::is_object) => {
            outer.into_iter().next().map_or(Value::Null, |(_, inner)| inner)
        }
        other => other,
    }
}

fn object(body: Value) -> Result<Map<String, Value>, SageError> {
    match body {
        Value::Object(fields) => Ok(fields),
        _ => Err(SageError::invalid("The request body must be a JSON object").with_source("body")),
    }
}

/// The most records one collection holds by default, so a sandbox shared by a team cannot be filled
/// up (see `SandboxBuilder::max_records`).
pub(crate) const MAX_RECORDS: usize = 10_000;

/// Appends a record with a fresh id; `collection_path` gives Accounting records their `$path`.
pub(crate) fn create(
    records: &mut Vec<Value>,
    body: Value,
    style: IdStyle,
    collection_path: &str,
    limit: usize,
) -> Result<Value, SageError> {
    if records.len() >= limit {
        let message = format!("The sandbox keeps at most {limit} records per collection; delete some first");
        return Err(SageError::new(StatusCode::INSUFFICIENT_STORAGE, "RecordLimitReached", message));
    }
    let mut fields = object(body)?;
    let id = match style {
        IdStyle::Hex => Value::from(random::hex_id()),
        IdStyle::Integer => {
            let highest = records.iter().filter_map(|record| record["id"].as_u64()).max().unwrap_or(0);
            Value::from(highest.saturating_add(1))
        }
    };
    if style == IdStyle::Hex {
        let id_text = id.as_str().unwrap_or_default();
        fields.insert("$path".into(), format!("{collection_path}/{id_text}").into());
        let shown = displayed_as(collection_path, &fields).unwrap_or_else(|| id_text.to_owned());
        fields.insert("displayed_as".into(), Value::from(shown));
    }
    fields.insert("id".into(), id);
    let record = Value::Object(fields);
    records.push(record.clone());
    Ok(record)
}

/// What Sage shows for an Accounting record of the collection at `collection_path`, computed from its
/// fields as on every write (Sage's `displayed_as` is read-only): contacts "Name (REF)", ledger accounts
/// "Name (1200)", tax rates "Standard 20.00%", products and services their description, documents their
/// number; otherwise the name or reference. `None` when the record has none of these.
pub(crate) fn displayed_as(collection_path: &str, fields: &Map<String, Value>) -> Option<String> {
    let text = |name: &str| match fields.get(name) {
        Some(Value::String(text)) if !text.trim().is_empty() => Some(text.clone()),
        Some(Value::Number(number)) => Some(number.to_string()),
        _ => None,
    };
    let collection = collection_path.rsplit('/').next().unwrap_or_default();
    let with = |main: Option<String>, extra: Option<String>| match (main, extra) {
        (Some(main), Some(extra)) => Some(format!("{main} ({extra})")),
        (main, _) => main,
    };
    match collection {
        "contacts" => with(text("name"), text("reference")),
        "ledger_accounts" => with(text("name"), text("nominal_code")),
        "tax_rates" => text("name").map(|name| match text("percentage") {
            Some(percentage) => format!("{name} {percentage}%"),
            None => name,
        }),
        "products" | "services" | "stock_items" => text("description").or_else(|| text("item_code")),
        _ => ["name", "invoice_number", "credit_note_number", "quote_number", "estimate_number", "reference"]
            .iter()
            .find_map(|name| text(name)),
    }
}

/// Accounting v3.1's `idempotency_id` on a create: the record an earlier create with the same id
/// made (answered again as it was, 201 and all, instead of a duplicate), or `None` for a new one.
/// The id must be 32 hexadecimal characters, as Sage validates it; it stays on the record.
pub(crate) fn earlier_create(records: &[Value], body: &Value) -> Result<Option<Value>, String> {
    let Some(id) = body.get("idempotency_id").filter(|id| !id.is_null()) else { return Ok(None) };
    let valid = id.as_str().filter(|id| id.len() == 32 && id.bytes().all(|byte| byte.is_ascii_hexdigit()));
    let Some(id) = valid else {
        return Err(format!("idempotency_id {id} must be 32 hexadecimal characters without hyphens"));
    };
    Ok(records.iter().find(|record| record["idempotency_id"].as_str() == Some(id)).cloned())
}

/// Merges the body's fields into the record (its `id` stays).
pub(crate) fn update(records: &mut [Value], key: &str, body: Value) -> Result<Value, SageError> {
    let fields = object(body)?;
    let Some(Value::Object(record)) = records.iter_mut().find(|record| has_id(record, key)) else {
        return Err(not_found(key));
    };
    merge(record, fields);
    Ok(Value::Object(record.clone()))
}

/// Sets the body's fields on `record`, all but `id`.
pub(crate) fn merge(record: &mut Map<String, Value>, fields: Map<String, Value>) {
    for (name, value) in fields.into_iter().filter(|(name, _)| name != "id") {
        record.insert(name, value);
    }
}

/// Removes the record and returns it.
pub(crate) fn delete(records: &mut Vec<Value>, key: &str) -> Result<Value, SageError> {
    let index = records.iter().position(|record| has_id(record, key)).ok_or_else(|| not_found(key))?;
    Ok(records.remove(index))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unwraps_only_a_lone_object_valued_key() {
        assert_eq!(unwrap_single_key(json!({"contact": {"name": "A"}})), json!({"name": "A"}));
        assert_eq!(unwrap_single_key(json!({"name": "A"})), json!({"name": "A"}));
        assert_eq!(unwrap_single_key(json!({"a": {}, "b": {}})), json!({"a": {}, "b": {}}));
    }

    #[test]
    fn integer_ids_continue_after_the_highest() {
        let mut records = vec![json!({"id": 7})];
        create(&mut records, json!({"name": "B"}), IdStyle::Integer, "/customers", MAX_RECORDS).unwrap();
        assert_eq!(records[1]["id"], 8);
        assert!(records[1].get("$path").is_none());
    }

    #[test]
    fn a_full_collection_refuses_more_records() {
        let mut records = vec![json!({"id": 1}); MAX_RECORDS];
        let refused =
            create(&mut records, json!({"name": "one too many"}), IdStyle::Integer, "/customers", MAX_RECORDS);
        assert_eq!(refused.unwrap_err().status, StatusCode::INSUFFICIENT_STORAGE);
        assert_eq!(records.len(), MAX_RECORDS);
    }

    #[test]
    fn a_repeated_idempotency_id_finds_the_first_record() {
        let mut records = Vec::new();
        let body = json!({"name": "A", "idempotency_id": "0123456789abcdef0123456789ABCDEF"});
        assert_eq!(earlier_create(&records, &body), Ok(None));
        let created = create(&mut records, body.clone(), IdStyle::Hex, "/contacts", MAX_RECORDS).unwrap();
        assert_eq!(earlier_create(&records, &body), Ok(Some(created)));
        let other = json!({"name": "A", "idempotency_id": "f123456789abcdef0123456789abcdef"});
        assert_eq!(earlier_create(&records, &other), Ok(None));
        assert_eq!(earlier_create(&records, &json!({"name": "B"})), Ok(None));
        for bad in [json!("0123-4567"), json!("0123456789abcdef0123456789abcdeg"), json!(42)] {
            assert!(earlier_create(&records, &json!({"idempotency_id": bad})).is_err(), "{bad}");
        }
    }

    #[test]
    fn update_merges_but_keeps_the_id() {
        let mut records = vec![json!({"id": "a", "name": "A", "email": "x"})];
        update(&mut records, "a", json!({"id": "b", "name": "Z"})).unwrap();
        assert_eq!(records[0], json!({"id": "a", "name": "Z", "email": "x"}));
        assert_eq!(update(&mut records, "nope", json!({})).unwrap_err().status, StatusCode::NOT_FOUND);
    }
}
