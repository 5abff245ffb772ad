//! Request bodies checked against the operation's body type, as Sage checks them: required fields,
//! JSON types, dates, decimals, enum values and string lengths. The first problem found is reported, with the field's
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

/// Checks `body` against `ty`. `resource` is the type the write produces (the operation's response):
/// its fields' `max_length` apply to the same fields of the body too, because Accounting's specs put
/// the lengths on the resource (`Contact.name`), not on the request body (`NewContact.name`).
pub(crate) fn check(
    models: &Models<'_>,
    ty: &Type,
    body: &Value,
    completeness: Completeness,
    resource: Option<&Type>,
) -> Result<(), Invalid> {
    Checker { models, completeness }.value(ty, body, "", resource)
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
    fn value(&self, ty: &Type, value: &Value, path: &str, resource: Option<&Type>) -> Result<(), Invalid> {
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
                Value::Array(items) => {
                    let resource = match resource {
                        Some(Type::Array(stored)) => Some(&**stored),
                        _ => None,
                    };
                    items.iter().enumerate().try_for_each(|(index, element)| {
                        self.value(item, element, &format!("{path}[{index}]"), resource)
                    })
                }
                _ => fail(path, "must be a list"),
            },
            Type::Map(item) => match value {
                Value::Object(entries) => {
                    let resource = match resource {
                        Some(Type::Map(stored)) => Some(&**stored),
                        _ => None,
                    };
                    entries.iter().try_for_each(|(key, element)| self.value(item, element, &join(path, key), resource))
                }
                _ => fail(path, "must be an object"),
            },
            Type::Model(name) => match self.models.get(name).map(|model| &model.kind) {
                Some(ModelKind::Enum { values }) => one_of(values, value, path),
                Some(ModelKind::Struct { fields }) => self.object(fields, value, path, resource),
                None => Ok(()),
            },
        }
    }

    fn object(&self, fields: &[ir::Field], value: &Value, path: &str, resource: Option<&Type>) -> Result<(), Invalid> {
        let Value::Object(given) = value else { return fail(path, "must be an object") };
        let stored = self.struct_fields(resource);
        for field in fields {
            let field_path = join(path, &field.json_name);
            let twin = stored.iter().find(|stored| stored.json_name == field.json_name);
            // Accounting's wrapper key (`{"contact": {…}}`) holds the resource itself.
            let envelope = path.is_empty() && fields.len() == 1 && twin.is_none();
            let field_resource = if envelope { resource } else { twin.map(|twin| &twin.ty) };
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
                    self.value(&field.ty, present, &field_path, field_resource)?;
                    let max_length = field.max_length.or(twin.and_then(|twin| twin.max_length));
                    within_length(max_length, present, &field_path)?;
                }
            }
        }
        Ok(())
    }

    /// The fields of a struct model type, if `ty` is one.
    fn struct_fields(&self, ty: Option<&Type>) -> &[ir::Field] {
        match ty.and_then(|ty| match ty {
            Type::Model(name) => self.models.get(name),
            _ => None,
        }) {
            Some(ir::Model { kind: ModelKind::Struct { fields }, .. }) => fields,
            _ => &[],
        }
    }
}

/// A string no longer than the field's `max_length`, counted in characters as Sage counts them
/// (`"Müller"` is 6, not 7 bytes).
fn within_length(max_length: Option<u64>, value: &Value, path: &str) -> Result<(), Invalid> {
    match (max_length, value.as_str()) {
        (Some(max), Some(text)) if text.chars().count() as u64 > max => {
            fail(path, format!("is too long (maximum is {max} characters)"))
        }
        _ => Ok(()),
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
            max_length: None,
            description: String::new(),
            editions: Vec::new(),
        }
    }

    fn product(models: Vec<ir::Model>) -> ir::Product {
        ir::Product {
            name: "p".into(),
            schema_dir: "p".into(),
            title: String::new(),
            crate_name: String::new(),
            shared_crate: None,
            description: String::new(),
            base_url: "https://x/y".into(),
            auth_profile: ir::AuthProfile::AccountingV31,
            header_policy: ir::HeaderPolicy::AccountingV31,
            pagination: ir::Pagination::Envelope,
            area_crates: false,
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
        let check = |body: Value| check(&models, &ty, &body, Completeness::Whole, None).map_err(|e| e.source);
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

    #[test]
    fn strings_longer_than_the_maximum_are_refused_counting_characters() {
        let name = ir::Field { max_length: Some(3), ..field("name", Type::String, false) };
        let product = product(vec![model("Contact", vec![name])]);
        let models = Models::of(&product);
        let ty = Type::Model("Contact".into());
        let check = |body: Value| check(&models, &ty, &body, Completeness::Partial, None);
        assert_eq!(check(json!({"name": "ÄÖÜ"})), Ok(()), "three characters, six bytes");
        let too_long = check(json!({"name": "abcd"})).unwrap_err();
        assert_eq!(too_long.source, "name");
        assert!(too_long.message.contains("maximum is 3"), "{}", too_long.message);
    }

    #[test]
    fn the_written_resource_lends_its_lengths_to_the_body_through_the_wrapper_and_lists() {
        let stored_name = ir::Field { max_length: Some(3), ..field("name", Type::String, true) };
        let stored_line = ir::Field { max_length: Some(2), ..field("text", Type::String, false) };
        let lines = |model: &str| Type::Array(Box::new(Type::Model(model.into())));
        let product = product(vec![
            model("Contact", vec![stored_name, field("lines", lines("Line"), false)]),
            model("Line", vec![stored_line]),
            model("NewContact", vec![field("name", Type::String, true), field("lines", lines("NewLine"), false)]),
            model("NewLine", vec![field("text", Type::String, false)]),
            model("NewContactRequest", vec![field("contact", Type::Model("NewContact".into()), true)]),
        ]);
        let models = Models::of(&product);
        let (body, resource) = (Type::Model("NewContactRequest".into()), Type::Model("Contact".into()));
        let check = |value: Value| {
            check(&models, &body, &value, Completeness::Whole, Some(&resource)).map_err(|invalid| invalid.source)
        };
        assert_eq!(check(json!({"contact": {"name": "abc", "lines": [{"text": "éé"}]}})), Ok(()));
        assert_eq!(check(json!({"contact": {"name": "abcd"}})), Err("contact.name".into()));
        assert_eq!(
            check(json!({"contact": {"name": "a", "lines": [{"text": "abc"}]}})),
            Err("contact.lines[0].text".into())
        );
        let alone = check_partial(&models, &body, json!({"contact": {"name": "abcd"}}));
        assert_eq!(alone, Ok(()), "without the resource the body's own (absent) limits apply");
    }

    fn check_partial(models: &Models<'_>, ty: &Type, body: Value) -> Result<(), Invalid> {
        check(models, ty, &body, Completeness::Partial, None)
    }
}
