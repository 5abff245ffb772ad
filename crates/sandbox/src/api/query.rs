//! List query options other than paging: ordering (`$orderby`, `sort`), trimming (`$select`,
//! `attributes`) and expanding (`$expand`).

use std::cmp::Ordering;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::links;
use super::sage_error::SageError;
use super::seed::Collections;

/// Fields every Accounting list item keeps whatever `attributes` asks for.
const BASE_ATTRIBUTES: [&str; 3] = ["id", "displayed_as", "$path"];

/// One sort key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SortKey {
    field: String,
    descending: bool,
}

impl SortKey {
    /// The field sorted by.
    pub(crate) fn field(&self) -> &str {
        &self.field
    }
}

/// Sage 200's `$orderby`: `name`, `name desc`, `balance desc, name asc`.
pub(crate) fn orderby(text: &str) -> Result<Vec<SortKey>, SageError> {
    keys(text, ' ', "$orderby")
}

/// Accounting's `sort`: `name`, `created_at:desc`, `name:asc,date:desc`.
pub(crate) fn sort(text: &str) -> Result<Vec<SortKey>, SageError> {
    keys(text, ':', "sort")
}

fn keys(text: &str, separator: char, option: &str) -> Result<Vec<SortKey>, SageError> {
    text.split(',')
        .map(|part| {
            let part = part.trim();
            let (field, direction) = part.split_once(separator).map_or((part, ""), |(f, d)| (f.trim(), d.trim()));
            let descending = match direction.to_ascii_lowercase().as_str() {
                "" | "asc" => false,
                "desc" => true,
                _ => return Err(bad(option, format!("{option}: `{direction}` is not asc or desc"))),
            };
            if field.is_empty() || field.contains(char::is_whitespace) {
                return Err(bad(option, format!("{option}: `{part}` names no field")));
            }
            Ok(SortKey { field: field.to_owned(), descending })
        })
        .collect()
}

fn bad(option: &str, message: String) -> SageError {
    SageError::bad_request(message).with_source(option)
}

/// Sorts stably by the keys; numbers (and decimal strings) by value, text ignoring case, missing last.
pub(crate) fn order(records: &mut [&Value], keys: &[SortKey]) {
    records.sort_by(|a, b| {
        keys.iter()
            .map(|key| {
                let (x, y) = (&a[key.field.as_str()], &b[key.field.as_str()]);
                match (x.is_null(), y.is_null()) {
                    (true, true) => Ordering::Equal,
                    (true, false) => Ordering::Greater,
                    (false, true) => Ordering::Less,
                    _ if key.descending => compare(x, y).reverse(),
                    _ => compare(x, y),
                }
            })
            .find(|ordering| ordering.is_ne())
            .unwrap_or(Ordering::Equal)
    });
}

/// A decimal written as a JSON number (in scientific notation too) or a string.
pub(crate) fn number(value: &Value) -> Option<Decimal> {
    match value {
        Value::String(text) => Decimal::from_str(text).ok(),
        Value::Number(number) => {
            let text = number.to_string();
            Decimal::from_str(&text).or_else(|_| Decimal::from_scientific(&text)).ok()
        }
        _ => None,
    }
}

fn compare(a: &Value, b: &Value) -> Ordering {
    match (number(a), number(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        _ => text(a).to_lowercase().cmp(&text(b).to_lowercase()),
    }
}

fn text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn names(list: &str) -> impl Iterator<Item = &str> {
    list.split(',').map(str::trim).filter(|name| !name.is_empty())
}

/// Accounting's `attributes`: the base attributes, plus the listed ones, or everything with `all`.
pub(crate) fn attributes(record: &Value, wanted: Option<&str>) -> Value {
    match wanted {
        Some(list) if names(list).any(|name| name == "all") => record.clone(),
        _ => {
            let extra: Vec<&str> = wanted.map(|list| names(list).collect()).unwrap_or_default();
            keep(record, |name| BASE_ATTRIBUTES.contains(&name) || extra.contains(&name))
        }
    }
}

fn keep(record: &Value, wanted: impl Fn(&str) -> bool) -> Value {
    let Value::Object(fields) = record else { return record.clone() };
    Value::Object(fields.iter().filter(|(name, _)| wanted(name)).map(|(n, v)| (n.clone(), v.clone())).collect())
}

/// Sage 200's `$select`: only the listed fields; `customer.name` picks from an expanded record.
pub(crate) fn select(record: &Value, list: &str) -> Value {
    let mut picked = Map::new();
    for name in names(list) {
        match name.split_once('.') {
            Some((outer, inner)) => {
                if let Some(value) = record[outer].get(inner) {
                    let nested = picked.entry(outer.to_owned()).or_insert_with(|| Value::Object(Map::new()));
                    nested[inner] = value.clone();
                }
            }
            None => {
                if let Some(value) = record.get(name) {
                    picked.insert(name.to_owned(), value.clone());
                }
            }
        }
    }
    Value::Object(picked)
}

/// Sage 200's `$expand`, one level: `customer` adds the record `customer_id` names.
pub(crate) fn expand(record: &mut Value, list: &str, data: &Collections, prefix: &str) -> Result<(), SageError> {
    for name in names(list) {
        if name.contains(['.', '/']) {
            return Err(bad("$expand", format!("$expand: `{name}`: only one level can be expanded")));
        }
        let id = record.get(format!("{name}_id")).cloned().unwrap_or(Value::Null);
        let found = links::target(data, prefix, name)
            .and_then(|records| records.iter().find(|candidate| text(&candidate["id"]) == text(&id)));
        match found {
            Some(related) => record[name] = related.clone(),
            None if id.is_null() => return Err(bad("$expand", format!("$expand: `{name}` is not a related record"))),
            None => record[name] = Value::Null,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn orders_numbers_by_value_and_text_ignoring_case() {
        let records = [json!({"n": "b", "v": "100.5"}), json!({"n": "A", "v": "20"}), json!({"n": "c"})];
        let mut refs: Vec<&Value> = records.iter().collect();
        order(&mut refs, &sort("v:desc").unwrap());
        assert_eq!(refs[0]["v"], "100.5");
        assert_eq!(refs[2]["n"], "c", "missing values last");
        order(&mut refs, &orderby("n asc").unwrap());
        assert_eq!(refs[0]["n"], "A");
        assert!(orderby("n sideways").is_err());
    }

    #[test]
    fn trims_and_expands() {
        let record = json!({"id": "1", "displayed_as": "x", "$path": "/c/1", "name": "N", "email": "e"});
        assert_eq!(attributes(&record, None), json!({"id": "1", "displayed_as": "x", "$path": "/c/1"}));
        assert_eq!(attributes(&record, Some("email"))["email"], "e");
        assert!(attributes(&record, Some("email")).get("name").is_none());
        assert_eq!(attributes(&record, Some("all")), record);
        let data = Collections::from([("/customers".to_owned(), vec![json!({"id": 7, "name": "ABS"})])]);
        let mut order = json!({"id": 1, "customer_id": 7});
        expand(&mut order, "customer", &data, "").unwrap();
        assert_eq!(select(&order, "id,customer.name"), json!({"id": 1, "customer": {"name": "ABS"}}));
        assert!(expand(&mut order, "customer/lines", &data, "").is_err());
    }
}
