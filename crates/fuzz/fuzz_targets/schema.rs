//! Schema loading: arbitrary file text gives a product or schema errors, never a panic.
//!
//! The first byte picks where the text goes: an area file next to a valid `product.json`, the
//! `product.json` itself next to a valid area, or several area files split at NUL bytes.

#![no_main]

use libfuzzer_sys::fuzz_target;
use sage_codegen::{emit_product, parse_product, SourceFile};

const PRODUCT: &str = include_str!("../../../schemas/accounting-v31/product.json");
const CONTACTS: &str = include_str!("../../../schemas/accounting-v31/contacts.json");

fuzz_target!(|data: &[u8]| {
    let Some((mode, text)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(text) else { return };
    let files = match mode % 3 {
        0 => vec![file("product.json", PRODUCT), file("contacts.json", text)],
        1 => vec![file("product.json", text), file("contacts.json", CONTACTS)],
        _ => std::iter::once(file("product.json", PRODUCT))
            .chain(text.split('\0').enumerate().map(|(index, part)| file(&format!("area_{index}.json"), part)))
            .collect(),
    };
    match parse_product(&files) {
        // A product that passed validation must also be emittable or refused cleanly.
        Ok(product) => drop(emit_product(&product)),
        Err(errors) => assert!(!errors.0.is_empty(), "a failure with no errors"),
    }
});

fn file(name: &str, text: &str) -> SourceFile {
    SourceFile { path: format!("schemas/accounting-v31/{name}"), text: text.to_owned() }
}
