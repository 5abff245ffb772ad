//! Property tests: generated Accounting v3.1 models read and write JSON without losing anything.
//!
//! Each case builds a JSON object from a model's known fields (valid values in Sage's canonical
//! form) plus arbitrary unknown fields, decodes it, encodes it again and expects the same JSON,
//! with the unknown fields kept in `extra`.

use proptest::prelude::*;
use sage_accounting_v31::contacts::GetContact;
use sage_accounting_v31::sales::GetSalesInvoice;
use sage_core::types::{DateTime, Decimal};
use sage_core::Operation;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

/// The models as the operations return them, whichever module the generator puts them in.
type Contact = <GetContact as Operation>::Output;
type SalesInvoice = <GetSalesInvoice as Operation>::Output;

/// What a known field holds, and so which valid values to generate for it.
#[derive(Clone, Copy)]
enum Kind {
    Text,
    Bool,
    Integer,
    Decimal,
    Date,
    Timestamp,
    /// A `Base` reference (`id`, `displayed_as`, `$path`).
    Reference,
    References,
    Links,
}

const BASE_FIELDS: &[(&str, Kind)] = &[("id", Kind::Text), ("displayed_as", Kind::Text), ("$path", Kind::Text)];

const LINK_FIELDS: &[(&str, Kind)] = &[("href", Kind::Text), ("rel", Kind::Text), ("type", Kind::Text)];

const CONTACT_FIELDS: &[(&str, Kind)] = &[
    ("id", Kind::Text),
    ("displayed_as", Kind::Text),
    ("$path", Kind::Text),
    ("created_at", Kind::Timestamp),
    ("updated_at", Kind::Timestamp),
    ("deleted_at", Kind::Timestamp),
    ("links", Kind::Links),
    ("contact_types", Kind::References),
    ("name", Kind::Text),
    ("reference", Kind::Text),
    ("email", Kind::Text),
    ("tax_number", Kind::Text),
    ("notes", Kind::Text),
    ("locale", Kind::Text),
    ("balance", Kind::Decimal),
    ("credit_limit", Kind::Decimal),
    ("credit_days", Kind::Integer),
    ("currency", Kind::Reference),
    ("deletable", Kind::Bool),
    ("system", Kind::Bool),
    ("is_active", Kind::Bool),
];

const INVOICE_FIELDS: &[(&str, Kind)] = &[
    ("id", Kind::Text),
    ("displayed_as", Kind::Text),
    ("$path", Kind::Text),
    ("created_at", Kind::Timestamp),
    ("updated_at", Kind::Timestamp),
    ("links", Kind::Links),
    ("contact_name", Kind::Text),
    ("contact_reference", Kind::Text),
    ("invoice_number", Kind::Text),
    ("date", Kind::Date),
    ("due_date", Kind::Date),
    ("reference", Kind::Text),
    ("notes", Kind::Text),
    ("status", Kind::Reference),
    ("currency", Kind::Reference),
    ("exchange_rate", Kind::Decimal),
    ("net_amount", Kind::Decimal),
    ("tax_amount", Kind::Decimal),
    ("total_amount", Kind::Decimal),
    ("outstanding_amount", Kind::Decimal),
    ("sent", Kind::Bool),
    ("editable", Kind::Bool),
];

/// A decimal as Sage writes it: a string keeping its scale, e.g. `"-12.50"`.
fn decimal_text() -> impl Strategy<Value = String> {
    (any::<i64>(), 0u32..=12).prop_map(|(mantissa, scale)| Decimal::new(mantissa, scale).to_string())
}

fn date_text() -> impl Strategy<Value = String> {
    (1900i32..2200, 1u32..=12, 1u32..=28).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}"))
}

/// A timestamp in either form Sage uses: RFC 3339 with an offset (`Z` for UTC) or local time,
/// with or without fractional seconds.
fn timestamp_text() -> impl Strategy<Value = String> {
    let fraction = prop_oneof![Just(String::new()), (1u32..1000).prop_map(|ms| format!(".{ms:03}"))];
    let offset = prop_oneof![
        Just(None),
        Just(Some("Z".to_owned())),
        (-23i32..=23, prop_oneof![Just(0), Just(30), Just(45)])
            .prop_filter("+00:00 is written as Z", |(h, m)| (*h, *m) != (0, 0))
            .prop_map(|(h, m)| Some(format!("{}{:02}:{m:02}", if h < 0 { '-' } else { '+' }, h.abs()))),
    ];
    (date_text(), 0u32..24, 0u32..60, 0u32..60, fraction, offset).prop_map(|(date, h, m, s, fraction, offset)| {
        format!("{date}T{h:02}:{m:02}:{s:02}{fraction}{}", offset.unwrap_or_default())
    })
}

/// Any JSON value (no floats: their text form is not what these tests are about).
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        ".*".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z]{1,6}", inner, 0..4)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// Fields no schema lists (the `x_` prefix keeps them apart from known names).
fn unknown_fields() -> impl Strategy<Value = Vec<(String, Value)>> {
    prop::collection::vec(("x_[a-z_$]{1,10}", any_json()), 0..4)
}

fn value_of(kind: Kind) -> BoxedStrategy<Value> {
    match kind {
        Kind::Text => ".{0,12}".prop_map(Value::from).boxed(),
        Kind::Bool => any::<bool>().prop_map(Value::from).boxed(),
        Kind::Integer => any::<i64>().prop_map(Value::from).boxed(),
        Kind::Decimal => decimal_text().prop_map(Value::from).boxed(),
        Kind::Date => date_text().prop_map(Value::from).boxed(),
        Kind::Timestamp => timestamp_text().prop_map(Value::from).boxed(),
        Kind::Reference => object(BASE_FIELDS),
        Kind::References => prop::collection::vec(object(BASE_FIELDS), 0..3).prop_map(Value::Array).boxed(),
        Kind::Links => prop::collection::vec(object(LINK_FIELDS), 0..3).prop_map(Value::Array).boxed(),
    }
}

/// An object with any subset of `fields` plus unknown ones.
fn object(fields: &'static [(&'static str, Kind)]) -> BoxedStrategy<Value> {
    let known: Vec<_> = fields
        .iter()
        .map(|(name, kind)| prop::option::of(value_of(*kind)).prop_map(move |value| (*name, value)))
        .collect();
    (known, unknown_fields())
        .prop_map(|(known, unknown)| {
            let mut map = Map::new();
            map.extend(known.into_iter().filter_map(|(name, value)| Some((name.to_owned(), value?))));
            map.extend(unknown);
            Value::Object(map)
        })
        .boxed()
}

/// Decodes `json` as `T` and encodes it again; returns the model for further checks.
fn assert_round_trip<T: DeserializeOwned + Serialize>(json: &Value) -> T {
    let model: T = serde_json::from_value(json.clone()).expect("valid JSON decodes");
    assert_eq!(&serde_json::to_value(&model).unwrap(), json, "encode(decode(json)) == json");
    model
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn contacts_round_trip_without_loss(json in object(CONTACT_FIELDS)) {
        let contact: Contact = assert_round_trip(&json);
        for (name, value) in json.as_object().unwrap().iter().filter(|(name, _)| name.starts_with("x_")) {
            prop_assert_eq!(contact.extra.get(name), Some(value), "unknown field kept in `extra`");
        }
        if let Some(text) = json.get("balance").and_then(Value::as_str) {
            prop_assert_eq!(contact.balance.unwrap().to_string(), text, "decimal exact, scale kept");
        }
    }

    #[test]
    fn sales_invoices_round_trip_without_loss(json in object(INVOICE_FIELDS)) {
        let invoice: SalesInvoice = assert_round_trip(&json);
        prop_assert_eq!(invoice.extra.len(), json.as_object().unwrap().keys().filter(|key| key.starts_with("x_")).count());
    }

    #[test]
    fn lists_of_contacts_round_trip_inside_a_page(items in prop::collection::vec(object(CONTACT_FIELDS), 0..4)) {
        let body = serde_json::json!({ "$items": items, "$total": items.len() });
        let page: sage_core::Page<Contact> = serde_json::from_value(body).unwrap();
        let written: Vec<Value> = page.items.iter().map(|item| serde_json::to_value(item).unwrap()).collect();
        prop_assert_eq!(written, items);
    }

    #[test]
    fn decimals_stay_exact(mantissa in any::<i64>(), scale in 0u32..=20) {
        let exact = Decimal::new(mantissa, scale);
        let from_string: Decimal = serde_json::from_value(Value::from(exact.to_string())).unwrap();
        prop_assert_eq!(from_string, exact);
        prop_assert_eq!(from_string.scale(), scale, "scale kept, so `1.50` stays `1.50`");
        prop_assert_eq!(serde_json::to_value(from_string).unwrap(), Value::from(exact.to_string()));
    }

    #[test]
    fn decimal_numbers_decode_to_the_written_value(mantissa in -1_000_000_000_000i64..1_000_000_000_000, scale in 0u32..=6) {
        let exact = Decimal::new(mantissa, scale);
        let number: Decimal = serde_json::from_str(&exact.to_string()).unwrap();
        prop_assert_eq!(number, exact, "a JSON number decodes without binary rounding");
    }

    #[test]
    fn timestamps_round_trip_in_the_form_they_arrived(text in timestamp_text()) {
        let value: DateTime = serde_json::from_value(Value::from(text.clone())).unwrap();
        prop_assert_eq!(value.offset().is_some(), text.ends_with('Z') || text[19..].contains(['+', '-']));
        prop_assert_eq!(serde_json::to_value(value).unwrap(), Value::from(text.clone()));
        let reparsed: DateTime = text.parse().unwrap();
        prop_assert_eq!(reparsed.to_utc(), value.to_utc());
    }
}
