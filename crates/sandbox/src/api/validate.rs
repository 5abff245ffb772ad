//! Request bodies checked against the operation's body type, as Sage checks them: required fields,
//! JSON types, dates, decimals and enum values. The first problem found is reported, with the field's
//! path (`invoice_lines[0].unit_price`) for `$source`.

use std::str::FromStr;

use rust_decimal::Decimal;
use sage_schema::ir::{self, ModelKind, Type};
use serde_json::Value;

use super::models::Models;

/// The first problem in a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Invalid {
    /// The field's path, e.g. `contact.name`.
    pub(crate) source: String,
    pub(crate) message: String,
}

/// How much of the body must be there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Completeness {
    /// A create: every required field.
    Whole,
    /// An update: only the fields sent are checked.
    Partial,
}

/// Checks `body` against `ty`.
pub(crate) fn check(models: &Models<'_>, ty: &Type, body: &Value, completeness: Completeness) -> Result<(), Invalid> {
    Checker { models, completeness }.value(ty, body, "")
}

struct Checker<'a, 'm> {
    models: &'a Models<'m>,
    completeness: Completeness,
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

fn fail(path: &str, message: impl Into<String>) -> Result<(), Invalid> {
    let source = if path.is_empty() { "body".to_owned() } else { path.to_owned() };
    Err(Invalid { source, message: message.into() })
}

impl Checker<'_, '_> {
    fn value(&self, ty: &Type, value: &Value, path: &str) -> Result<(), Invalid> {
        match ty {
            Type::Json => Ok(()),
            Type::String if value.is_string() => Ok(()),
            Type::String => fail(path, "must be a string"),
            Type::Integer if value.as_i64().is_some() => Ok(()),
            Type::Integer => fail(path, "must be a whole number"),
            Type::Boolean if value.is_boolean() => Ok(()),
            Type::Boolean => fail(path, "must be true or false"),
            Type::Decimal if is_decimal(value) => Ok(()),
            Type::Decimal => fail(path, "must be a decimal number"),
            Type::Date if value.as_str().is_some_and(is_date) => Ok(()),
            Type::Date => fail(path, "must be a date (YYYY-MM-DD)"),
            Type::DateTime if value.as_str().is_some_and(is_date_time) => Ok(()),
            Type::DateTime => fail(path, "must be a date and time (RFC 3339)"),
            Type::Enum(values) => one_of(values, value, path),
            Type::Array(item) => match value {
                Value::Array(items) => items
                    .iter()
                    .enumerate()
                    .try_for_each(|(index, element)| self.value(item, element, &format!("{path}[{index}]"))),
                _ => fail(path, "must be a list"),
            },
            Type::Map(item) => match value {
                Value::Object(entries) => {
                    entries.iter().try_for_each(|(key, element)| self.value(item, element, &join(path, key)))
                }
                _ => fail(path, "must be an object"),
            },
            Type::Model(name) => match self.models.get(name).map(|model| &model.kind) {
                Some(ModelKind::Enum { values }) => one_of(values, value, path),
                Some(ModelKind::Struct { fields }) => self.object(fields, value, path),
                None => Ok(()),
            },
        }
    }

    fn object(&self, fields: &[ir::Field], value: &Value, path: &str) -> Result<(), Invalid> {
        let Value::Object(given) = value else { return fail(path, "must be an object") };
        for field in fields {
            let field_path = join(path, &field.json_name);
            match given.get(&field.json_name) {
                None | Some(Value::Null) if field.required && self.completeness == Completeness::Whole => {
                    if !(field.nullable && given.contains_key(&field.json_name)) {
                        return fail(&field_path, "can't be blank");
                    }
                }
                None | Some(Value::Null) => {}
                Some(present) => {
                    if field.required && is_blank(present) {
                        return fail(&field_path, "can't be blank");
                    }
                    self.value(&field.ty, present, &field_path)?;
                }
            }
        }
        Ok(())
    }
}

fn one_of(values: &[String], value: &Value, path: &str) -> Result<(), Invalid> {
    match value.as_str() {
        Some(text) if values.iter().any(|allowed| allowed == text) => Ok(()),
        _ => fail(path, format!("must be one of {}", values.join(", "))),
    }
}

/// An empty string or list where a value is required.
fn is_blank(value: &Value) -> bool {
    match value {
        Value::String(text) => text.trim().is_empty(),
        Value::Array(items) => items.is_empty(),
        _ => false,
    }
}

fn is_decimal(value: &Value) -> bool {
    match value {
        Value::Number(_) => true,
        Value::String(text) => Decimal::from_str(text).is_ok(),
        _ => false,
    }
}

fn is_date(text: &str) -> bool {
    text.len() == 10 && chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok()
}

/// RFC 3339, or Sage 200's zone-less `2024-04-01T00:00:00`.
fn is_date_time(text: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(text).is_ok()
        || chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(name: &str, ty: Type, required: bool) -> ir::Field {
        ir::Field {
            json_name: name.into(),
            rust_name: name.into(),
            ty,
            required,
            nullable: false,
            description: String::new(),
        }
    }

    fn product(models: Vec<ir::Model>) -> ir::Product {
        ir::Product {
            name: "p".into(),
            title: String::new(),
            crate_name: String::new(),
            shared_crate: None,
            description: String::new(),
            base_url: "https://x/y".into(),
            auth_profile: ir::AuthProfile::AccountingV31,
            header_policy: ir::HeaderPolicy::AccountingV31,
            pagination: ir::Pagination::Envelope,
            decimal_format: ir::DecimalFormat::String,
            areas: vec![ir::Area { name: "a".into(), description: String::new(), resources: vec![], models }],
        }
    }

    fn model(name: &str, fields: Vec<ir::Field>) -> ir::Model {
        ir::Model {
            name: name.into(),
            rust_name: name.into(),
            description: String::new(),
            kind: ModelKind::Struct { fields },
        }
    }

    #[test]
    fn reports_the_first_problem_with_its_path() {
        let line = model("Line", vec![field("unit_price", Type::Decimal, true), field("date", Type::Date, false)]);
        let invoice = model(
            "Invoice",
            vec![
                field("contact_id", Type::String, true),
                field("lines", Type::Array(Box::new(Type::Model("Line".into()))), true),
                field("status", Type::Enum(vec!["DRAFT".into()]), false),
            ],
        );
        let product = product(vec![line, invoice]);
        let models = Models::of(&product);
        let ty = Type::Model("Invoice".into());
        let check = |body: Value| check(&models, &ty, &body, Completeness::Whole).map_err(|e| e.source);
        assert_eq!(check(json!({"contact_id": "c", "lines": [{"unit_price": "1.50"}]})), Ok(()));
        assert_eq!(check(json!({"lines": [{"unit_price": "1"}]})), Err("contact_id".into()));
        assert_eq!(check(json!({"contact_id": "c", "lines": []})), Err("lines".into()));
        assert_eq!(
            check(json!({"contact_id": "c", "lines": [{"unit_price": "x"}]})),
            Err("lines[0].unit_price".into())
        );
        assert_eq!(
            check(json!({"contact_id": "c", "lines": [{"unit_price": 1, "date": "2024-13-01"}]})),
            Err("lines[0].date".into())
        );
        assert_eq!(
            check(json!({"contact_id": "c", "lines": [{"unit_price": 1}], "status": "X"})),
            Err("status".into())
        );
        assert_eq!(check(json!([])), Err("body".into()));
        let partial = check_partial(&models, &ty, json!({"status": "DRAFT"}));
        assert_eq!(partial, Ok(()), "an update checks only what it sends");
    }

    fn check_partial(models: &Models<'_>, ty: &Type, body: Value) -> Result<(), Invalid> {
        check(models, ty, &body, Completeness::Partial)
    }
}
