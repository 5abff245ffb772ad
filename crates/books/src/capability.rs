//! What the model can do on each product: product × resource × operation (× model field) →
//! [`Support`]. Writes are checked against it before anything is sent: a field the product cannot
//! take fails with [`Error::Unsupported`](crate::Error::Unsupported), a required one left unset
//! with [`Error::Missing`](crate::Error::Missing).
//!
//! The table is generated (`cargo xtask codegen`) from the mapping spec in `schemas/books/`, which
//! says which product operation and field serve each model resource and field, and from the
//! product schemas, which say whether the product has them; `docs/capabilities.md` is the same
//! table for people.

use serde::Serialize;

use crate::resource::{Operation, ProductKind, Resource};

/// Whether a product does something through the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Support {
    /// Read and written.
    Supported,
    /// Read, but the product sets it: a write cannot.
    ReadOnly,
    /// The product does not have it.
    NotAvailable,
}

/// One fact of the table. A row without a field is about the operation; a row with one overrides
/// the operation's support for that model field (draft fields for creates, `item_lines[].x` for a
/// field of every line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Capability {
    /// The product.
    pub product: ProductKind,
    /// The resource.
    pub resource: Resource,
    /// The operation.
    pub operation: Operation,
    /// The model field; `None` for the operation itself.
    pub field: Option<&'static str>,
    /// Whether it is there.
    pub support: Support,
}

/// Fields a create must set on a product, by model field name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Requirement {
    /// The product.
    pub product: ProductKind,
    /// The resource created.
    pub resource: Resource,
    /// Model fields that must be set (`item_lines` non-empty, `item_lines[].account_id` on every line).
    pub fields: &'static [&'static str],
}

use Support::NotAvailable;

// Laid out by the generator, one row a line; rustfmt would reflow it.
#[rustfmt::skip]
#[path = "generated/capabilities.rs"]
mod generated;

/// Every fact: each product's support of each operation on each resource, and the model fields
/// whose support differs from their operation's. Products and operations without rows are not
/// available.
pub static CAPABILITIES: &[Capability] = generated::CAPABILITIES;

/// Which fields each product requires on a create: its create body's required fields, and those
/// the mapping itself needs.
pub static REQUIREMENTS: &[Requirement] = generated::REQUIREMENTS;

/// Whether `product` does `operation` on `resource` through the model, and takes (or gives)
/// `field` there. A field without a row of its own has its operation's support.
pub fn support(product: ProductKind, resource: Resource, operation: Operation, field: Option<&str>) -> Support {
    let find = |field: Option<&str>| {
        CAPABILITIES
            .iter()
            .find(|row| {
                row.product == product && row.resource == resource && row.operation == operation && row.field == field
            })
            .map(|row| row.support)
    };
    let operation_support = find(None).unwrap_or(NotAvailable);
    match field {
        Some(_) if operation_support == NotAvailable => NotAvailable,
        Some(name) => find(Some(name)).unwrap_or(operation_support),
        None => operation_support,
    }
}

/// The model fields `product` requires on a create of `resource` (empty when none are listed).
pub fn required(product: ProductKind, resource: Resource) -> &'static [&'static str] {
    REQUIREMENTS
        .iter()
        .find(|requirement| requirement.product == product && requirement.resource == resource)
        .map_or(&[], |requirement| requirement.fields)
}
