//! `max_length` on string fields: carried into the IR when it is a positive whole number on a
//! `string` field, reported with file and pointer otherwise.

use sage_schema::ir::{ModelKind, Product};
use sage_schema::{parse_product, SchemaError, SourceFile};

const PRODUCT: &str = r#"{
  "name": "demo", "title": "Demo", "crate": "sage-demo", "base_url": "https://example.com",
  "auth_profile": "sage200", "header_policy": "sage200", "pagination": "odata", "decimal_format": "number"
}"#;
const CONTACTS: &str = "schemas/demo/contacts.json";

fn parse(fields: &str) -> Result<Product, Vec<SchemaError>> {
    let area = format!(r#"{{"models": {{"Contact": {{"fields": {fields}}}}}}}"#);
    let files = [
        SourceFile { path: "schemas/demo/product.json".into(), text: PRODUCT.into() },
        SourceFile { path: CONTACTS.into(), text: area },
    ];
    parse_product(&files).map_err(|errors| errors.0)
}

/// `max_length` of each field of `Contact`, in schema order.
fn lengths(product: &Product) -> Vec<(String, Option<u64>)> {
    let model = product.areas.iter().flat_map(|area| &area.models).find(|model| model.name == "Contact").unwrap();
    let ModelKind::Struct { fields } = &model.kind else { panic!("Contact is a struct") };
    fields.iter().map(|field| (field.json_name.clone(), field.max_length)).collect()
}

#[test]
fn a_positive_length_on_a_string_field_reaches_the_ir() {
    let product = parse(r#"{"name": {"type": "string", "max_length": 60}, "code": {"type": "string"}}"#).unwrap();
    assert_eq!(lengths(&product), [("name".to_owned(), Some(60)), ("code".to_owned(), None)]);
}

#[test]
fn bad_lengths_are_reported_with_their_pointer() {
    let errors = parse(
        r#"{
        "zero": {"type": "string", "max_length": 0},
        "negative": {"type": "string", "max_length": -3},
        "fraction": {"type": "string", "max_length": 2.5},
        "text": {"type": "string", "max_length": "60"},
        "count": {"type": "integer", "max_length": 4}
    }"#,
    )
    .unwrap_err();
    let at = |field: &str| {
        let pointer = format!("/models/Contact/fields/{field}/max_length");
        let found = errors.iter().find(|error| error.file == CONTACTS && error.pointer == pointer);
        found.unwrap_or_else(|| panic!("no error at {pointer}: {errors:#?}")).reason.clone()
    };
    assert!(at("zero").contains("positive whole number, found 0"), "{}", at("zero"));
    assert!(at("negative").contains("found -3"), "{}", at("negative"));
    assert!(at("fraction").contains("found 2.5"), "{}", at("fraction"));
    assert!(at("text").contains("found a string"), "{}", at("text"));
    assert!(at("count").contains("`string` fields only"), "{}", at("count"));
    assert_eq!(errors.len(), 5, "{errors:#?}");
}
