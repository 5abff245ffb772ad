//! The capability matrix as the generator derives it: product × resource × operation (× field)
//! → support, and the fields each create requires. Both outputs (Rust and Markdown) print this.

use std::fmt;

/// What the model does to a resource (`sage_books::Operation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ModelOp {
    /// Read every record.
    List,
    /// Read one record by id.
    Get,
    /// Write a new record.
    Create,
    /// Follow changes since a checkpoint.
    Changes,
}

impl ModelOp {
    /// Every operation, in table order.
    pub const ALL: [ModelOp; 4] = [Self::List, Self::Get, Self::Create, Self::Changes];

    /// The name the spec and the docs use.
    pub fn name(self) -> &'static str {
        match self {
            Self::List => "list",
            Self::Get => "get",
            Self::Create => "create",
            Self::Changes => "changes",
        }
    }

    /// The variant of `sage_books::Operation`.
    pub(crate) fn variant(self) -> &'static str {
        match self {
            Self::List => "List",
            Self::Get => "Get",
            Self::Create => "Create",
            Self::Changes => "Changes",
        }
    }
}

impl fmt::Display for ModelOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Whether a product does something (`sage_books::Support`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    /// Read and written.
    Supported,
    /// Read, but a write cannot set it.
    ReadOnly,
    /// The product does not have it.
    NotAvailable,
}

impl Support {
    /// The variant of `sage_books::Support`.
    pub(crate) fn variant(self) -> &'static str {
        match self {
            Self::Supported => "Supported",
            Self::ReadOnly => "ReadOnly",
            Self::NotAvailable => "NotAvailable",
        }
    }
}

/// Whether `product` does `operation` on `resource`, and through which of its operations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationFact {
    /// The product (`accounting-v31`).
    pub product: String,
    /// The model resource (`sales_invoice`).
    pub resource: String,
    /// The model operation.
    pub operation: ModelOp,
    /// Whether the product does it.
    pub support: Support,
    /// The product's operation that serves it, when supported (`list_sales_invoices`).
    pub product_operation: Option<String>,
}

/// Whether `product` gives (a read) or takes (a create) a model field, and from which of its fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldFact {
    /// The product.
    pub product: String,
    /// The model resource.
    pub resource: String,
    /// `List` or `Get` for a read field, `Create` for a draft field.
    pub operation: ModelOp,
    /// The model field (`item_lines[].account_id`).
    pub field: String,
    /// Whether the product has it there.
    pub support: Support,
    /// The product fields the spec maps it to (empty: none).
    pub paths: Vec<String>,
}

/// The model fields a create of `resource` on `product` must set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequirementFact {
    /// The product.
    pub product: String,
    /// The model resource.
    pub resource: String,
    /// Model draft fields, in the model's order.
    pub fields: Vec<String>,
}

/// Everything the generator learned, in the model's order (products, then resources).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Matrix {
    /// Products, in column order.
    pub products: Vec<String>,
    /// Resources, in row order.
    pub resources: Vec<String>,
    /// One fact per product × resource × operation.
    pub operations: Vec<OperationFact>,
    /// One fact per product × resource × available read or create × model field.
    pub fields: Vec<FieldFact>,
    /// One per product × resource it creates.
    pub requirements: Vec<RequirementFact>,
}

impl Matrix {
    /// The support of `operation` on `resource` for `product`.
    pub fn operation(&self, product: &str, resource: &str, operation: ModelOp) -> Option<&OperationFact> {
        self.operations
            .iter()
            .find(|fact| fact.product == product && fact.resource == resource && fact.operation == operation)
    }

    /// The fact about `field` of `operation` on `resource` for `product`.
    pub fn field(&self, product: &str, resource: &str, operation: ModelOp, field: &str) -> Option<&FieldFact> {
        self.fields.iter().find(|fact| {
            fact.product == product && fact.resource == resource && fact.operation == operation && fact.field == field
        })
    }

    /// The fields a create of `resource` on `product` requires.
    pub fn required(&self, product: &str, resource: &str) -> Option<&[String]> {
        self.requirements
            .iter()
            .find(|fact| fact.product == product && fact.resource == resource)
            .map(|fact| fact.fields.as_slice())
    }
}
