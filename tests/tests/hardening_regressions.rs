//! Minimal inputs from fuzzing that broke an invariant, kept as regression tests.
//!
//! Each test names the finding and the fix it guards.

use sage_accounting_v31::contacts::GetContact;
use sage_core::Operation;
use serde_json::Value;

/// The contact model, wherever the generator puts it.
type Contact = <GetContact as Operation>::Output;

/// Found by `decode_models`: a long integer outside `u64` in a field the schema does not know
/// changes in its last digit after a read-modify-write, because serde_json's default float
/// parsing is not correctly rounded. Fixed by serde_json's `float_roundtrip` feature, on for the
/// whole workspace.
#[test]
fn long_numbers_in_unknown_fields_survive_a_round_trip() {
    let body = br#"{"name":"Acme","x_score":1111111111111111441111111444}"#;
    let contact: Contact = serde_json::from_slice(body).unwrap();
    let written = serde_json::to_vec(&contact).unwrap();
    let again: Contact = serde_json::from_slice(&written).unwrap();
    assert_eq!(again, contact, "written back as {}", String::from_utf8_lossy(&written));
}

/// The same finding on a bare JSON value, the smallest form of the input.
#[test]
fn a_long_number_reads_back_as_itself() {
    let value: Value = serde_json::from_slice(b"1111111111111111441111111444").unwrap();
    let again: Value = serde_json::from_str(&value.to_string()).unwrap();
    assert_eq!(again, value);
}
