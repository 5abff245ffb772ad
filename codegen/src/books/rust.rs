//! The matrix as Rust data for sage-books (`crates/books/src/generated/capabilities.rs`), read
//! by `sage_books::capability`. Printed as text, one row a line, so it reads like the hand-written
//! table it replaces.

use std::collections::BTreeSet;
use std::fmt::Write;

use heck::ToUpperCamelCase;

use super::matrix::{Matrix, Support};
use crate::emit::header_line;

/// The file, with its generated header naming `source`.
pub(crate) fn capabilities_rs(matrix: &Matrix, source: &str) -> String {
    let mut rows = String::new();
    let (mut products, mut supports) = (BTreeSet::new(), BTreeSet::new());
    for product in &matrix.products {
        for resource in &matrix.resources {
            let _ = writeln!(rows, "    // {product}: {resource}");
            let (p, r) = (variant(product), variant(resource));
            for fact in matrix.operations.iter().filter(|fact| &fact.product == product && &fact.resource == resource) {
                let served = fact.product_operation.as_deref().map(|op| format!(" // {op}")).unwrap_or_default();
                let (o, s) = (fact.operation.variant(), fact.support.variant());
                let _ = writeln!(rows, "    op({p}, {r}, {o}, {s}),{served}");
                products.insert(p.clone());
                supports.insert(s);
            }
            let differing = matrix.fields.iter().filter(|fact| {
                &fact.product == product && &fact.resource == resource && fact.support != Support::Supported
            });
            for fact in differing {
                let (o, s) = (fact.operation.variant(), fact.support.variant());
                let _ = writeln!(rows, "    field({p}, {r}, {o}, {:?}, {s}),", fact.field);
                supports.insert(s);
            }
        }
    }
    let mut requirements = String::new();
    for fact in &matrix.requirements {
        let fields: Vec<String> = fact.fields.iter().map(|field| format!("{field:?}")).collect();
        let _ = writeln!(
            requirements,
            "    Requirement {{\n        product: {},\n        resource: {},\n        fields: &[{}],\n    }},",
            variant(&fact.product),
            variant(&fact.resource),
            fields.join(", ")
        );
    }
    let products = products.into_iter().collect::<Vec<_>>().join(", ");
    let supports = supports.into_iter().collect::<Vec<_>>().join(", ");
    format!(
        "{header}{PREAMBLE}
use ProductKind::{{{products}}};
use Resource::*;
use Support::{{{supports}}};
{HELPERS}
/// Every operation of every product, then the model fields a product does not have, or only reads,
/// where it has the operation. Every other field of the model is supported there: the spec maps
/// each one.
pub(crate) const CAPABILITIES: &[Capability] = &[
{rows}];

/// The model fields a create must set on each product: the create body's required fields.
pub(crate) const REQUIREMENTS: &[Requirement] = &[
{requirements}];
",
        header = header_line("//", source),
    )
}

/// The Rust variant for a product or resource name (`sage200-pro` → `Sage200Pro`).
fn variant(name: &str) -> String {
    name.to_upper_camel_case()
}

const PREAMBLE: &str =
    "//! The capability matrix, derived by the generator from the mapping spec in `schemas/books/` and
//! the product schemas. Read it through [`crate::capability`].

use crate::capability::{Capability, Requirement};
use crate::resource::{Operation, ProductKind, Resource};
use crate::Support;

use Operation::{Changes, Create, Get, List};";

const HELPERS: &str = "
/// Whether a product does an operation.
const fn op(product: ProductKind, resource: Resource, operation: Operation, support: Support) -> Capability {
    Capability { product, resource, operation, field: None, support }
}

/// A model field that does not have its operation's support.
const fn field(
    product: ProductKind,
    resource: Resource,
    operation: Operation,
    name: &'static str,
    support: Support,
) -> Capability {
    Capability { product, resource, operation, field: Some(name), support }
}
";
