//! Sage 200's documented value sets (which its specs leave as strings) are enums, and a value Sage
//! adds later is kept rather than failing the response.

use sage200_pro::common::{AccountStatus, LineType};
use sage200_pro::pop::PopOrderLine;
use sage_core::types::Decimal;

/// The field is the enum, not a string: this does not compile otherwise.
fn line_type(line: &PopOrderLine) -> &LineType {
    &line.line_type
}

#[test]
fn documented_values_decode_to_variants() {
    let known: LineType = serde_json::from_str(r#""EnumLineTypeFreeText""#).unwrap();
    assert_eq!(known, LineType::FreeText);
    assert_eq!(serde_json::to_string(&LineType::Charge).unwrap(), r#""EnumLineTypeCharge""#);
    assert_eq!(serde_json::from_str::<AccountStatus>(r#""AccountStatusHidden""#).unwrap(), AccountStatus::Hidden);
}

#[test]
fn a_value_sage_adds_later_is_kept_as_received() {
    let added: LineType = serde_json::from_str(r#""EnumLineTypeKit""#).unwrap();
    assert_eq!(added, LineType::Other("EnumLineTypeKit".into()));
    assert_eq!(serde_json::to_string(&added).unwrap(), r#""EnumLineTypeKit""#);
}

#[test]
fn an_order_line_carries_its_line_type_on_the_wire() {
    let line = PopOrderLine::new("", "Deliver to the back door", Decimal::ZERO, 0, 0, LineType::Comment);
    let json = serde_json::to_value(&line).unwrap();
    assert_eq!(json["line_type"], "EnumLineTypeComment");
    let back: PopOrderLine = serde_json::from_value(json).expect("decodes");
    assert_eq!(line_type(&back), &LineType::Comment);
}
