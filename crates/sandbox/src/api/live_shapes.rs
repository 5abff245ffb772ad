//! The forms the live APIs answer in where they differ from Sage's specs, in one place. By default the
//! sandbox speaks like the live APIs, so a client tested against it meets what production sends;
//! [`Shapes::Spec`] (`--spec-shapes`, `SandboxBuilder::spec_shapes`) keeps the shapes the specs give.
//!
//! The facts come from bodies other projects captured from live Accounting v3.1 and v3 (see the
//! project's notes on Sage's API). No Sage 200 body is public, so Sage 200 gets the same tolerance
//! exercise: decimals as strings, `""` for unset dates and fields in no spec.
//!
//! The quirks are applied where responses are rendered: records as they are answered ([`Shapes::record`],
//! before a list trims them to the asked attributes), the v3.1 directory routes ([`Shapes::user`],
//! [`Shapes::businesses`]) and every API response's JSON text ([`Shapes::finish`]). Stored data is never
//! changed, so a data file is the same whatever the shapes.

use std::borrow::Cow;

use axum::body::{to_bytes, Body};
use axum::http::{header, HeaderMap};
use axum::response::Response;
use rust_decimal::Decimal;
use sage_schema::ir::{self, ModelKind, Type};
use serde_json::{json, Map, Value};

use super::models::Models;
use super::paging::{self, Query};
use super::query;
use super::sage_error::SageError;

/// How deep decimals are looked for in nested records (the schemas have self-referencing models).
const MAX_DEPTH: usize = 8;

/// The page size `GET /businesses` reports on live v3.1: every business on one page.
const BUSINESSES_PAGE_SIZE: i64 = 2_147_483_647;

/// Which shapes API responses take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Shapes {
    /// As the live APIs send them (the default).
    #[default]
    Live,
    /// As Sage's specs describe them.
    Spec,
}

/// What a record is being rendered as.
#[derive(Clone, Copy)]
pub(crate) struct RecordKind<'a> {
    pub(crate) models: &'a Models<'a>,
    /// Accounting (v3, v3.1) rather than Sage 200.
    pub(crate) accounting: bool,
}

impl Shapes {
    /// A record of type `ty` as the live API answers it (an array of them: each one).
    pub(crate) fn record(self, kind: RecordKind<'_>, ty: &Type, record: &mut Value) {
        if self == Self::Spec {
            return;
        }
        if let (Type::Array(item), Value::Array(items)) = (ty, &mut *record) {
            items.iter_mut().for_each(|one| self.record(kind, item, one));
            return;
        }
        let Type::Model(name) = ty else { return };
        if let Value::Object(fields) = record {
            if kind.accounting {
                accounting_record(kind, name, fields);
            } else {
                sage200_record(kind, name, fields);
            }
        }
        decimals_as_text(kind.models, ty, record, 0);
    }

    /// The `attributes` a list is trimmed to. Live v3.1 answers an explicit list (other than `all`)
    /// with `created_at` too: `attributes=date` gives `id`, `displayed_as`, `$path`, `created_at`, `date`.
    pub(crate) fn attributes(self, wanted: Option<&str>) -> Option<Cow<'_, str>> {
        let wanted = wanted?;
        let all = wanted.split(',').any(|name| name.trim() == "all");
        Some(if self == Self::Spec || all { Cow::Borrowed(wanted) } else { Cow::Owned(format!("{wanted},created_at")) })
    }

    /// v3.1's `/user`: live answers without a `$path`, unlike every other record.
    pub(crate) fn user(self, mut user: Value) -> Value {
        if let (Self::Live, Value::Object(fields)) = (self, &mut user) {
            fields.remove("$path");
        }
        user
    }

    /// v3.1's `GET /businesses`. Live pages it unlike every other list: the page size is
    /// `$items_per_page` (snake case) set to 2147483647, all businesses on one page, and the items show
    /// only `id`, `displayed_as` and `$path` unless `attributes` asks for more.
    pub(crate) fn businesses(self, all: &[Value], query: &Query) -> Result<Value, SageError> {
        if self == Self::Spec {
            let refs: Vec<&Value> = all.iter().collect();
            return paging::envelope(&refs, query, "/businesses");
        }
        let wanted = self.attributes(paging::param(query, "attributes"));
        let items: Vec<Value> = all.iter().map(|business| query::attributes(business, wanted.as_deref())).collect();
        Ok(json!({
            "$total": items.len(),
            "$page": 1,
            "$next": null,
            "$back": null,
            "$items_per_page": BUSINESSES_PAGE_SIZE,
            "$items": items,
        }))
    }

    /// Every API response on its way out: the error items' `$source` and the JSON text's escapes.
    pub(crate) async fn finish(self, response: Response) -> Response {
        if self == Self::Spec {
            return response;
        }
        let (mut parts, body) = response.into_parts();
        let text = match parts.extensions.remove::<SageError>() {
            Some(error) => serde_json::to_vec(&live_error(error).items()).unwrap_or_default(),
            None if is_json(&parts.headers) => match to_bytes(body, usize::MAX).await {
                Ok(bytes) => bytes.to_vec(),
                Err(_) => return Response::from_parts(parts, Body::empty()),
            },
            None => return Response::from_parts(parts, body),
        };
        parts.headers.remove(header::CONTENT_LENGTH);
        Response::from_parts(parts, Body::from(escape_ampersands(text)))
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    headers.get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok()).is_some_and(|value| value.contains("json"))
}

/// Live error items carry `"$source": ""` where the sandbox would name something: a record that is not
/// found, a failed authorization, and a reference to a record that does not exist ("Couldn't find
/// Supplier."). Other invalid data keeps its field.
fn live_error(mut error: SageError) -> SageError {
    let blank = match error.data_code {
        "RecordNotFound" | "AuthorizationFailure" => true,
        "RecordInvalid" => error.missing_reference,
        _ => false,
    };
    if blank {
        error.source.clear();
    }
    error
}

/// Live Accounting's JSON encoder (Rails) writes `&` as `\u0026`, so a `$next` reads
/// `/products?page=2\u0026items_per_page=50`, and so does a name with an ampersand. In JSON text `&`
/// only occurs inside strings, so the escape is safe on the whole body.
fn escape_ampersands(text: Vec<u8>) -> Vec<u8> {
    if !text.contains(&b'&') {
        return text;
    }
    let mut escaped = Vec::with_capacity(text.len() + 16);
    for byte in text {
        match byte {
            b'&' => escaped.extend_from_slice(b"\\u0026"),
            other => escaped.push(other),
        }
    }
    escaped
}

/// The fields of a struct model.
fn fields_of<'a>(models: &Models<'a>, name: &str) -> &'a [ir::Field] {
    match models.get(name).map(|model| &model.kind) {
        Some(ModelKind::Struct { fields }) => fields,
        _ => &[],
    }
}

fn accounting_record(kind: RecordKind<'_>, name: &str, fields: &mut Map<String, Value>) {
    undocumented_accounting_fields(name, fields);
    nulls_for_unset(kind.models, name, fields);
    blank_unset_dates(fields);
    for field in fields_of(kind.models, name) {
        match (&field.ty, fields.get_mut(&field.json_name)) {
            // Lines are answered whole too, their unset fields `null`.
            (Type::Array(item), Some(Value::Array(lines))) if field.json_name.ends_with("_lines") => {
                if let Type::Model(line) = &**item {
                    for line_fields in lines.iter_mut().filter_map(Value::as_object_mut) {
                        nulls_for_unset(kind.models, line, line_fields);
                    }
                }
            }
            // A sales document's own copy of an address is no resource: live gives it `"$path": ""`.
            (Type::Model(model), Some(Value::Object(address))) if model == "SalesArtefactAddress" => {
                address.insert("$path".into(), Value::from(""));
            }
            _ => {}
        }
    }
}

/// Fields live Accounting sends that no spec has: contacts' direct-debit mandate, preferred address and
/// contact person, and statement settings; sales invoices' payment submission. A value the client
/// stored is kept.
fn undocumented_accounting_fields(model: &str, fields: &mut Map<String, Value>) {
    let mut add = |name: &str, value: Value| {
        fields.entry(name.to_owned()).or_insert(value);
    };
    match model {
        "Contact" => {
            add("mandate_active", Value::Bool(false));
            add("send_statements", Value::Bool(true));
            add("statement_run", json!({ "id": "statement_by_email", "name": "By email" }));
            let main_address = fields.get("main_address").cloned().unwrap_or(Value::Null);
            let main_person = fields.get("main_contact_person").cloned().unwrap_or(Value::Null);
            fields.entry("preferred_address").or_insert(main_address);
            fields.entry("preferred_contact_person").or_insert(main_person);
        }
        "SalesInvoice" => add("pas_payment_submission", Value::Null),
        _ => {}
    }
}

/// The two dates live Accounting blanks to `""` instead of `null`: `last_paid` on an invoice nothing
/// has been paid on, and `mtd_authenticated_date` while Making Tax Digital is not connected.
fn blank_unset_dates(fields: &mut Map<String, Value>) {
    if let Some(last_paid) = fields.get_mut("last_paid").filter(|value| value.is_null()) {
        *last_paid = Value::from("");
    }
    let connected = fields.get("mtd_connected").and_then(Value::as_bool).unwrap_or(false);
    if let Some(date) = fields.get_mut("mtd_authenticated_date") {
        if !connected || date.is_null() {
            *date = Value::from("");
        }
    }
}

/// Live Accounting answers a record with every field, `null` where unset, rather than leaving it out.
/// Lists are left out (live omits some it has nothing for), and so are fields the schema requires.
fn nulls_for_unset(models: &Models<'_>, name: &str, fields: &mut Map<String, Value>) {
    for field in fields_of(models, name) {
        if field.required || matches!(field.ty, Type::Array(_)) {
            continue;
        }
        fields.entry(field.json_name.clone()).or_insert(Value::Null);
    }
}

/// Sage 200 gets the tolerance Accounting needs: unset dates as `""`, and fields in no spec on
/// customers and suppliers (invented here, as no live Sage 200 body is public).
fn sage200_record(kind: RecordKind<'_>, name: &str, fields: &mut Map<String, Value>) {
    for field in fields_of(kind.models, name) {
        if matches!(field.ty, Type::Date | Type::DateTime) && fields.get(&field.json_name).is_none_or(Value::is_null) {
            fields.insert(field.json_name.clone(), Value::from(""));
        }
    }
    if matches!(name, "Customer" | "Supplier") {
        let exceeded =
            match (fields.get("balance").and_then(query::number), fields.get("credit_limit").and_then(query::number)) {
                (Some(balance), Some(limit)) => limit > Decimal::ZERO && balance > limit,
                _ => false,
            };
        fields.entry("credit_limit_exceeded").or_insert(Value::Bool(exceeded));
        fields.entry("date_of_last_transaction").or_insert(Value::from(""));
    }
}

/// Live Accounting writes money, quantities, rates, prices, percentages and exchange rates as strings,
/// in Ruby's decimal form: at least one decimal, no trailing zeros (`"-430035.84"`, `"6011.4"`,
/// `"1.0"`). Integers (`credit_days`, `nominal_code`) stay numbers. Sage 200 gets the same.
fn decimals_as_text(models: &Models<'_>, ty: &Type, value: &mut Value, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match (ty, value) {
        (Type::Decimal, value @ (Value::Number(_) | Value::String(_))) => {
            if let Some(amount) = query::number(value) {
                *value = Value::from(ruby_decimal(amount));
            }
        }
        (Type::Array(item), Value::Array(items)) => {
            items.iter_mut().for_each(|one| decimals_as_text(models, item, one, depth + 1));
        }
        (Type::Map(item), Value::Object(entries)) => {
            entries.values_mut().for_each(|one| decimals_as_text(models, item, one, depth + 1));
        }
        (Type::Model(name), Value::Object(fields)) => {
            for field in fields_of(models, name) {
                if let Some(one) = fields.get_mut(&field.json_name) {
                    decimals_as_text(models, &field.ty, one, depth + 1);
                }
            }
        }
        _ => {}
    }
}

/// `12.50` → `"12.5"`, `2` → `"2.0"`, `-0.00` → `"0.0"`.
fn ruby_decimal(amount: Decimal) -> String {
    let text = amount.normalize().to_string();
    if text.contains('.') {
        text
    } else {
        format!("{text}.0")
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    #[test]
    fn decimals_read_as_ruby_writes_them() {
        let cases =
            [("12.50", "12.5"), ("2", "2.0"), ("-0.00", "0.0"), ("-430035.84", "-430035.84"), ("1.170", "1.17")];
        for (given, live) in cases {
            assert_eq!(ruby_decimal(Decimal::from_str(given).unwrap()), live);
        }
        assert_eq!(query::number(&json!(4000.0)).map(ruby_decimal).as_deref(), Some("4000.0"));
    }

    #[test]
    fn ampersands_are_escaped_and_the_rest_kept() {
        let text = br#"{"$next":"/c?page=2&items_per_page=1","n":"A & B"}"#.to_vec();
        let escaped = String::from_utf8(escape_ampersands(text)).unwrap();
        assert_eq!(escaped, r#"{"$next":"/c?page=2\u0026items_per_page=1","n":"A \u0026 B"}"#);
        let parsed: Value = serde_json::from_str(&escaped).unwrap();
        assert_eq!(parsed["n"], "A & B");
    }

    #[test]
    fn attributes_gain_created_at_unless_all() {
        assert_eq!(Shapes::Live.attributes(Some("date")).as_deref(), Some("date,created_at"));
        assert_eq!(Shapes::Live.attributes(Some("all")).as_deref(), Some("all"));
        assert_eq!(Shapes::Live.attributes(None), None);
        assert_eq!(Shapes::Spec.attributes(Some("date")).as_deref(), Some("date"));
    }
}
