//! The one-pass reader against serde's derive with `#[serde(flatten)]`, which it replaces: the same
//! bodies must give the same values and the same errors.

use serde::Deserialize;
use serde_json::json;

use super::*;
use crate::types::{lenient, Date, Decimal};

/// Written as the generator writes a model with required fields.
#[derive(Debug, Clone, PartialEq)]
struct Line {
    count: i64,
    limit: Option<Decimal>,
    tags: Vec<String>,
    due: Option<Date>,
    child: Option<Box<Line>>,
    extra: Extra,
}

crate::json_model! {
    Line {
        count: "Count", lenient_value, field;
        limit: "Limit", lenient_option, optional_number;
        tags: "Tags", or_default, field;
        due: "Due", next_value, optional;
        child: "Child", next_value, optional;
    }
}

/// The same model as serde's derive reads it (what generated models used before).
#[derive(Debug, Deserialize, serde::Serialize)]
struct Derived {
    #[serde(rename = "Count", default, deserialize_with = "lenient::value")]
    count: i64,
    #[serde(
        rename = "Limit",
        default,
        deserialize_with = "lenient::option",
        serialize_with = "crate::types::decimal_number::option::serialize",
        skip_serializing_if = "Option::is_none"
    )]
    limit: Option<Decimal>,
    #[serde(rename = "Tags", default, deserialize_with = "lenient::or_default")]
    tags: Vec<String>,
    #[serde(rename = "Due", default, skip_serializing_if = "Option::is_none")]
    due: Option<Date>,
    #[serde(rename = "Child", default, skip_serializing_if = "Option::is_none")]
    child: Option<Box<Derived>>,
    #[serde(flatten)]
    extra: Extra,
}

impl From<Derived> for Line {
    fn from(derived: Derived) -> Self {
        Self {
            count: derived.count,
            limit: derived.limit,
            tags: derived.tags,
            due: derived.due,
            child: derived.child.map(|child| Box::new(Line::from(*child))),
            extra: derived.extra,
        }
    }
}

fn line(body: &str) -> Result<Line, String> {
    lenient::from_slice(body.as_bytes()).map_err(|error: serde_json::Error| error.to_string())
}

fn derived(body: &str) -> Result<Line, String> {
    let named_as_line = |error: serde_json::Error| error.to_string().replace("struct Derived", "struct Line");
    lenient::from_slice::<Derived>(body.as_bytes()).map(Line::from).map_err(named_as_line)
}

const BODIES: &[&str] = &[
    r#"{"Count":"42","Limit":" 12.50 ","Tags":null,"Due":"2024-03-01","Notes":"x"}"#,
    r#"{"Count":null,"Limit":"","Tags":["a"],"Due":null,"Child":null}"#,
    r#"{"Tags":[],"Count":1.0,"Child":{"Count":"7","Tags":[],"Deep":[1,{"b":null}]}}"#,
    r#"{"Count":1,"Tags":[],"Balance":98765432109876543.21,"Small":0.1,"Big":123456789012345678901234}"#,
    r#"{"Count":1,"Tags":[],"Zeta":1,"Alpha":2,"Zeta":3}"#,
    r#"{"\u0043ount":5,"Tags":[],"T\u00e4g":true}"#,
    r#"{"Limit":"1"}"#,
    r#"{"Count":1}"#,
    r#"{"Count":1,"Tags":[],"Count":2}"#,
    r#"{"Count":1,"Tags":[],"Limit":null,"Limit":"2"}"#,
    r#"{"Count":1,"Tags":[],"Child":{"Count":1,"Tags":[],"Child":{"Tags":[]}}}"#,
    r#"{"Count":"12abc","Tags":[]}"#,
    r#"{"Count":1,"Tags":[],"Limit":"1,50"}"#,
    r#"{"Count":1,"Tags":[],"Due":"yesterday"}"#,
    r#"{"Count":1,"Tags":"a"}"#,
    r#""not an object""#,
    r#"[1, 2]"#,
    r#"{"Count":1,"Tags":[],"Notes":"#,
];

#[test]
fn every_body_reads_as_serdes_flatten_derive_reads_it() {
    for body in BODIES {
        assert_eq!(line(body), derived(body), "{body}");
    }
}

#[test]
fn drifted_spellings_and_nulls_read_as_lenient_says() {
    let line = line(BODIES[0]).unwrap();
    assert_eq!((line.count, line.limit.unwrap().to_string()), (42, "12.50".to_owned()));
    assert!(line.tags.is_empty());
    assert_eq!(line.due, Date::from_ymd_opt(2024, 3, 1));
    let nulls = self::line(BODIES[1]).unwrap();
    assert_eq!((nulls.count, nulls.limit, nulls.due, nulls.child), (0, None, None, None));
}

#[test]
fn unknown_fields_are_kept_with_exact_numbers() {
    let line = line(BODIES[3]).unwrap();
    assert_eq!(line.extra.keys().collect::<Vec<_>>(), ["Balance", "Big", "Small"]);
    assert_eq!(line.extra["Balance"], json!("98765432109876543.21"));
    assert_eq!(line.extra["Small"], json!(0.1));
    assert_eq!(line.extra["Big"], json!("123456789012345678901234"));
    let nested = self::line(BODIES[2]).unwrap();
    assert_eq!(nested.child.unwrap().extra["Deep"], json!([1, {"b": null}]));
    let repeated = self::line(BODIES[4]).unwrap();
    assert_eq!(serde_json::to_value(&repeated.extra).unwrap(), json!({"Alpha": 2, "Zeta": 3}));
}

/// A model with a required nested model that has no default (a request wrapper).
#[derive(Debug, Clone, PartialEq)]
struct Wrapper {
    line: Line,
    extra: Extra,
}

crate::json_model! {
    Wrapper {
        line: "Line", next_value, field;
    }
}

#[test]
fn missing_required_fields_read_as_defaults_but_repeated_fields_are_serdes_errors() {
    // Sage leaves out what a `$select` or `attributes` did not ask for.
    let limit_only = line(BODIES[6]).unwrap();
    assert_eq!((limit_only.count, limit_only.tags.len(), limit_only.limit), (0, 0, Some(Decimal::ONE)));
    assert_eq!(line(BODIES[7]).unwrap().tags, Vec::<String>::new());
    // A nested model without a default cannot be made up.
    let wrapper = lenient::from_slice::<Wrapper>(br#"{"Other":1}"#).unwrap_err().to_string();
    assert!(wrapper.starts_with("missing field `Line`"), "{wrapper}");
    assert_eq!(lenient::from_slice::<Wrapper>(br#"{"Line":{"Count":3}}"#).unwrap().line.count, 3);
    assert!(line(BODIES[8]).unwrap_err().starts_with("duplicate field `Count`"));
    assert!(line(BODIES[9]).unwrap_err().starts_with("duplicate field `Limit`"));
    assert!(line(BODIES[15]).unwrap_err().contains("expected struct Line"));
}

#[test]
fn keys_are_borrowed_unless_escaped_and_escaped_keys_still_match() {
    let key: Key<'_> = serde_json::from_str(r#""Count""#).unwrap();
    assert!(key.is_borrowed());
    let escaped: Key<'_> = serde_json::from_str(r#""\u0043ount""#).unwrap();
    assert_eq!((escaped.as_str(), escaped.is_borrowed()), ("Count", false));
    let line = line(BODIES[5]).unwrap();
    assert_eq!(line.count, 5);
    assert_eq!(line.extra["Täg"], json!(true));
}

#[test]
fn errors_name_the_path_of_the_field_that_did_not_fit_as_before() {
    fn path<T: serde::de::DeserializeOwned + fmt::Debug>(body: &str) -> String {
        let error =
            serde_path_to_error::deserialize::<_, T>(&mut serde_json::Deserializer::from_str(body)).unwrap_err();
        error.path().to_string()
    }
    let body = r#"{"Count":1,"Tags":[],"Child":{"Count":1,"Tags":[],"Limit":"abc"}}"#;
    assert_eq!(path::<Line>(body), "Child.Limit");
    for body in
        [body, r#"{"Count":1,"Tags":[],"Extra":{"a":[1,}}"#, r#"{"Count":1,"Tags":[7]}"#, r#"{"Tags":[],"Due":"x"}"#]
    {
        assert_eq!(path::<Line>(body), path::<Derived>(body), "{body}");
    }
}

#[test]
fn models_write_back_what_serdes_flatten_derive_wrote() {
    for body in BODIES {
        let (Ok(ours), Ok(theirs)) =
            (lenient::from_slice::<Line>(body.as_bytes()), lenient::from_slice::<Derived>(body.as_bytes()))
        else {
            continue;
        };
        assert_eq!(serde_json::to_string(&ours).unwrap(), serde_json::to_string(&theirs).unwrap(), "{body}");
    }
    let body = r#"{"Count":1,"Limit":"12345678901234567.89","Tags":["a"],"Due":"2024-03-01","Big":123456789012345678901234,"Alpha":0.1}"#;
    let written = serde_json::to_string(&line(body).unwrap()).unwrap();
    assert_eq!(
        written,
        r#"{"Count":1,"Limit":12345678901234567.89,"Tags":["a"],"Due":"2024-03-01","Alpha":0.1,"Big":"123456789012345678901234"}"#
    );
}

/// A model whose fields are all optional, written as the generator writes one with a `Default`:
/// values are read straight into the fields.
#[derive(Debug, Clone, PartialEq, Default)]
struct Note {
    limit: Option<Decimal>,
    due: Option<Date>,
    child: Option<Box<Note>>,
    extra: Extra,
}

crate::json_model! {
    Note: Default {
        limit: "Limit", lenient_into, optional_number;
        due: "Due", option_into, optional;
        child: "Child", option_into, optional;
    }
}

#[derive(Debug, Deserialize)]
struct DerivedNote {
    #[serde(rename = "Limit", default, deserialize_with = "lenient::option")]
    limit: Option<Decimal>,
    #[serde(rename = "Due", default)]
    due: Option<Date>,
    #[serde(rename = "Child", default)]
    child: Option<Box<DerivedNote>>,
    #[serde(flatten)]
    extra: Extra,
}

impl From<DerivedNote> for Note {
    fn from(derived: DerivedNote) -> Self {
        let child = derived.child.map(|child| Box::new(Note::from(*child)));
        Self { limit: derived.limit, due: derived.due, child, extra: derived.extra }
    }
}

fn note(body: &str) -> Result<Note, String> {
    lenient::from_slice(body.as_bytes()).map_err(|error: serde_json::Error| error.to_string())
}

fn derived_note(body: &str) -> Result<Note, String> {
    let named_as_note = |error: serde_json::Error| error.to_string().replace("struct DerivedNote", "struct Note");
    lenient::from_slice::<DerivedNote>(body.as_bytes()).map(Note::from).map_err(named_as_note)
}

#[test]
fn a_model_with_only_optional_fields_reads_as_serdes_derive_reads_it() {
    for body in [
        r#"{}"#,
        r#"{"Limit":" 12.50 ","Due":"2024-03-01","Notes":"x"}"#,
        r#"{"Limit":"","Due":null,"Child":null}"#,
        r#"{"Child":{"Limit":98765432109876543.21,"Deep":[1,{"b":null}]},"Zeta":1}"#,
        r#"{"Limit":"1","Limit":"2"}"#,
        r#"{"Child":{},"Child":{}}"#,
        r#"{"Limit":"1,50"}"#,
        r#"{"Due":"yesterday"}"#,
        r#"[1]"#,
        r#"{"Limit":"#,
    ] {
        assert_eq!(note(body), derived_note(body), "{body}");
    }
    assert_eq!(note(r#"{"Child":{"Limit":"3"}}"#).unwrap().child.unwrap().limit, Some(Decimal::from(3)));
}

#[test]
fn in_an_all_optional_model_a_key_repeated_after_null_takes_the_later_value() {
    // serde's derive calls this a duplicate; the field itself is the only record of what was
    // seen, and a `null` leaves it unset. Sage does not repeat keys; this pins what happens if one does.
    assert_eq!(note(r#"{"Limit":null,"Limit":"2"}"#).unwrap().limit, Some(Decimal::from(2)));
    assert!(derived_note(r#"{"Limit":null,"Limit":"2"}"#).unwrap_err().starts_with("duplicate field `Limit`"));
    assert!(note(r#"{"Limit":"1","Limit":"2"}"#).unwrap_err().starts_with("duplicate field `Limit`"));
}

/// Fields named like the macro's own locals (`fields`, `key`, `model`, `map`) stay apart from them.
#[derive(Debug, Clone, PartialEq, Default)]
struct Clash {
    fields: Option<i64>,
    key: Option<String>,
    model: Option<bool>,
    map: Option<String>,
    extra: Extra,
}

crate::json_model! {
    Clash: Default {
        fields: "fields", lenient_into, optional;
        key: "key", lenient_into, optional;
        model: "model", lenient_into, optional;
        map: "map", lenient_into, optional;
    }
}

#[derive(Debug, Clone, PartialEq)]
struct RequiredClash {
    fields: i64,
    key: String,
    extra: Extra,
}

crate::json_model! {
    RequiredClash {
        fields: "fields", lenient_value, field;
        key: "key", lenient_value, field;
    }
}

#[test]
fn fields_named_like_the_macros_locals_read_and_write_as_any_other() {
    let body = r#"{"fields":"1","key":"k","model":true,"map":"m","other":2}"#;
    let clash: Clash = lenient::from_slice(body.as_bytes()).unwrap();
    assert_eq!(
        (clash.fields, clash.key.as_deref(), clash.model, clash.map.as_deref()),
        (Some(1), Some("k"), Some(true), Some("m"))
    );
    assert_eq!(serde_json::to_string(&clash).unwrap(), r#"{"fields":1,"key":"k","model":true,"map":"m","other":2}"#);
    let required: RequiredClash = lenient::from_slice(body.as_bytes()).unwrap();
    assert_eq!((required.fields, required.key.as_str(), required.extra.len()), (1, "k", 3));
    let missing = lenient::from_slice::<RequiredClash>(br#"{"fields":1}"#).unwrap();
    assert_eq!((missing.fields, missing.key.as_str()), (1, ""));
}

/// A value whose `Serialize` fails, counting how often it is asked to.
#[derive(Debug, Clone, PartialEq, Default)]
struct Unwritable;

thread_local! {
    static WRITES: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

impl serde::Serialize for Unwritable {
    fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        WRITES.with(|writes| writes.set(writes.get() + 1));
        Err(serde::ser::Error::custom("cannot write this"))
    }
}

impl<'de> Deserialize<'de> for Unwritable {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(deserializer).map(|_| Unwritable)
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
struct TwoUnwritable {
    first: Option<Unwritable>,
    second: Option<Unwritable>,
    extra: Extra,
}

crate::json_model! {
    TwoUnwritable: Default {
        first: "first", option_into, optional;
        second: "second", option_into, optional;
    }
}

#[test]
fn the_first_field_that_cannot_be_written_is_the_error_and_nothing_after_it_is_written() {
    let model = TwoUnwritable { first: Some(Unwritable), second: Some(Unwritable), extra: Extra::new() };
    WRITES.with(|writes| writes.set(0));
    let err = serde_json::to_string(&model).unwrap_err();
    assert!(err.to_string().contains("cannot write this"), "{err}");
    assert_eq!(WRITES.with(std::cell::Cell::get), 1, "the second field was written after the first failed");
}

#[test]
fn a_value_that_cannot_be_read_is_the_error_even_when_valid_fields_follow() {
    let err = lenient::from_slice::<Line>(br#"{"Count":"x","Limit":"1.5","Tags":[]}"#).unwrap_err();
    let derived = lenient::from_slice::<Derived>(br#"{"Count":"x","Limit":"1.5","Tags":[]}"#).unwrap_err();
    assert_eq!(err.to_string(), derived.to_string());
}
