//! `tests/drift.rs` of the crate that holds a product's models: every field of every model, with
//! the kind of value it holds, for `sage_tests::drift` to feed each field every form Sage has
//! been seen to send (`null`, `""`, numbers as text, unknown enum values, `{}`…) and check that
//! the tolerable ones decode and the others fail at the field's path.
//!
//! Text, not tokens: one line per field reads better than what `prettyplease` makes of a table.

use std::fmt::Write;

use super::header_line;
use super::scope::Scope;
use crate::ir::{ModelKind, Product, Type};

/// The test, relative to the crate; its table of models is [`DRIFT_MODELS`], which rustfmt skips.
pub const DRIFT_TEST: &str = "tests/drift.rs";
/// The table of models the test checks.
pub const DRIFT_MODELS: &str = "tests/drift/models.rs";

/// The test for the models of `product`, compiled into the crate `crate_name`: its two files,
/// keyed by path relative to the crate.
pub(crate) fn drift_test(product: &Product, crate_name: &str, source: &str) -> [(String, String); 2] {
    let test = format!(
        "{header}//! Every field of every model of `{crate_name}` fed every form Sage sends (see `sage_tests::drift`).\n\n\
         #![cfg(feature = \"full\")]\n\n\
         #[rustfmt::skip]\n\
         #[path = \"drift/models.rs\"]\n\
         mod models;\n\n\
         #[test]\n\
         fn every_field_reads_every_form_sage_sends() {{\n    \
             sage_tests::drift::check({crate_name:?}, models::MODELS);\n\
         }}\n",
        header = header_line("//", source),
    );
    [(DRIFT_TEST.to_owned(), test), (DRIFT_MODELS.to_owned(), models_table(product, crate_name, source))]
}

fn models_table(product: &Product, crate_name: &str, source: &str) -> String {
    let scope = Scope::new(product);
    let krate = crate_name.replace('-', "_");
    let mut out = format!(
        "{}use sage_tests::drift::{{model, Field, Kind::*, Model}};\n\npub const MODELS: &[Model] = &[\n",
        header_line("//", source)
    );
    for area in &product.areas {
        for model in &area.models {
            let ModelKind::Struct { fields } = &model.kind else { continue };
            if scope.is_envelope(&model.name) {
                continue;
            }
            let _ = writeln!(out, "    model::<{krate}::{}::{}>({:?}, &[", area.name, model.rust_name, model.name);
            for field in fields {
                let constructor = if field.required && !field.nullable { "required" } else { "optional" };
                let _ =
                    writeln!(out, "        Field::{constructor}({:?}, {}),", field.json_name, kind(&field.ty, &scope));
            }
            out.push_str("    ]),\n");
        }
    }
    out.push_str("];\n");
    out
}

/// The `sage_tests::drift::Kind` of a field's values.
fn kind(ty: &Type, scope: &Scope<'_>) -> String {
    match ty {
        Type::String => "Text".into(),
        Type::Integer => "Integer".into(),
        Type::Boolean => "Boolean".into(),
        Type::Decimal => "Decimal".into(),
        Type::Date => "Date".into(),
        Type::DateTime => "DateTime".into(),
        Type::Json => "Json".into(),
        Type::Array(_) => "List".into(),
        Type::Map(_) => "Map".into(),
        Type::Enum(values) => format!("Enum({:?})", values.first().map_or("", String::as_str)),
        Type::Model(name) => match scope.model(name).map(|model| &model.kind) {
            Some(ModelKind::Enum { values }) => format!("Enum({:?})", values.first().map_or("", String::as_str)),
            _ if scope.derives_default(name) => format!("Nested({name:?})"),
            _ => format!("Strict({name:?})"),
        },
    }
}
