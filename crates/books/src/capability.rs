//! What the model can do on each product: product × resource × operation (× model field) →
//! [`Support`]. Writes are checked against it before anything is sent: a field the product cannot
//! take fails with [`Error::Unsupported`](crate::Error::Unsupported), a required one left unset
//! with [`Error::Missing`](crate::Error::Missing).
//!
//! Hand-written for Accounting v3.1 and v3 and Sage 200 for now; a table generated from the schemas replaces
//! [`CAPABILITIES`] and [`REQUIREMENTS`] without changing how they are read.

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

use Operation::{Changes, Create, Get, List};
use ProductKind::{AccountingV3, AccountingV31, Sage200Pro, Sage200Standard};
use Resource::*;
use Support::{NotAvailable, ReadOnly, Supported};

const fn op(product: ProductKind, resource: Resource, operation: Operation) -> Capability {
    Capability { product, resource, operation, field: None, support: Supported }
}

const fn field(
    product: ProductKind,
    resource: Resource,
    operation: Operation,
    name: &'static str,
    support: Support,
) -> Capability {
    Capability { product, resource, operation, field: Some(name), support }
}

/// The rows for one Accounting version (v3.1 and v3 differ only where listed after).
macro_rules! accounting_rows {
    ($product:expr) => {
        [
            op($product, Customer, List),
            op($product, Customer, Get),
            op($product, Customer, Create),
            op($product, Customer, Changes),
            op($product, Supplier, List),
            op($product, Supplier, Get),
            op($product, Supplier, Create),
            op($product, Supplier, Changes),
            op($product, SalesInvoice, List),
            op($product, SalesInvoice, Get),
            op($product, SalesInvoice, Create),
            op($product, SalesInvoice, Changes),
            op($product, SalesCreditNote, List),
            op($product, SalesCreditNote, Get),
            op($product, SalesCreditNote, Create),
            op($product, SalesCreditNote, Changes),
            op($product, PurchaseInvoice, List),
            op($product, PurchaseInvoice, Get),
            op($product, PurchaseInvoice, Create),
            op($product, PurchaseInvoice, Changes),
            op($product, PurchaseCreditNote, List),
            op($product, PurchaseCreditNote, Get),
            op($product, PurchaseCreditNote, Create),
            op($product, PurchaseCreditNote, Changes),
            op($product, Payment, List),
            op($product, Payment, Get),
            op($product, Payment, Create),
            op($product, Payment, Changes),
            op($product, LedgerAccount, List),
            op($product, LedgerAccount, Get),
            op($product, LedgerAccount, Changes),
            op($product, TaxRate, List),
            op($product, TaxRate, Get),
            op($product, TaxRate, Changes),
            op($product, Item, List),
            op($product, Item, Get),
            op($product, JournalEntry, List),
            op($product, JournalEntry, Get),
            op($product, JournalEntry, Changes),
            // Accounting documents have quantity × price lines only.
            field($product, SalesInvoice, Create, "analysis_lines", NotAvailable),
            field($product, SalesCreditNote, Create, "analysis_lines", NotAvailable),
            field($product, PurchaseInvoice, Create, "analysis_lines", NotAvailable),
            field($product, PurchaseCreditNote, Create, "analysis_lines", NotAvailable),
            // Credit notes carry no due date.
            field($product, SalesCreditNote, Create, "due_date", NotAvailable),
            field($product, PurchaseCreditNote, Create, "due_date", NotAvailable),
            // The customer's balance is Sage's to compute.
            field($product, Customer, Get, "balance", ReadOnly),
            field($product, Supplier, Get, "balance", ReadOnly),
        ]
    };
}

const V31: [Capability; 47] = accounting_rows!(AccountingV31);
const V3: [Capability; 47] = accounting_rows!(AccountingV3);

/// Where v3.1 and v3 differ: analysis types (tracking) and the businesses list are v3.1's.
const DIFFERENCES: [Capability; 13] = [
    op(AccountingV31, Company, List),
    op(AccountingV31, Company, Get),
    op(AccountingV31, TrackingCategory, List),
    op(AccountingV31, TrackingCategory, Get),
    op(AccountingV31, TrackingCategory, Changes),
    field(AccountingV31, SalesInvoice, Create, "item_lines[].tracking_ids", Supported),
    field(AccountingV3, SalesInvoice, Create, "item_lines[].tracking_ids", NotAvailable),
    field(AccountingV3, SalesCreditNote, Create, "item_lines[].tracking_ids", NotAvailable),
    field(AccountingV3, PurchaseInvoice, Create, "item_lines[].tracking_ids", NotAvailable),
    field(AccountingV3, PurchaseCreditNote, Create, "item_lines[].tracking_ids", NotAvailable),
    field(AccountingV3, SalesInvoice, Get, "item_lines[].tracking", NotAvailable),
    field(AccountingV3, PurchaseInvoice, Get, "item_lines[].tracking", NotAvailable),
    field(AccountingV3, JournalEntry, Get, "lines[].tracking", NotAvailable),
];

// ---- Sage 200 (Professional and Standard Online) -------------------------------------------
// Kept apart so the generated table can be checked against them. The editions share every call
// the mapping makes, so their rows are the same.

/// The rows for one Sage 200 edition.
macro_rules! sage200_rows {
    ($product:expr) => {
        [
            op($product, Customer, List),
            op($product, Customer, Get),
            op($product, Customer, Create),
            op($product, Customer, Changes),
            op($product, Supplier, List),
            op($product, Supplier, Get),
            op($product, Supplier, Create),
            op($product, Supplier, Changes),
            // Documents are posted transactions: created by their own calls, read from the ledger.
            op($product, SalesInvoice, List),
            op($product, SalesInvoice, Get),
            op($product, SalesInvoice, Create),
            op($product, SalesInvoice, Changes),
            op($product, SalesCreditNote, List),
            op($product, SalesCreditNote, Get),
            op($product, SalesCreditNote, Create),
            op($product, SalesCreditNote, Changes),
            op($product, PurchaseInvoice, List),
            op($product, PurchaseInvoice, Get),
            op($product, PurchaseInvoice, Create),
            op($product, PurchaseInvoice, Changes),
            op($product, PurchaseCreditNote, List),
            op($product, PurchaseCreditNote, Get),
            op($product, PurchaseCreditNote, Create),
            op($product, PurchaseCreditNote, Changes),
            // Receipts and payments come from two ledgers: listed one after the other, no feed.
            op($product, Payment, List),
            op($product, Payment, Get),
            op($product, Payment, Create),
            op($product, LedgerAccount, List),
            op($product, LedgerAccount, Get),
            op($product, LedgerAccount, Changes),
            op($product, TaxRate, List),
            op($product, TaxRate, Get),
            op($product, TaxRate, Changes),
            op($product, TrackingCategory, List),
            op($product, TrackingCategory, Get),
            // Posted documents have analysis lines only: no quantity × price.
            field($product, SalesInvoice, Create, "item_lines", NotAvailable),
            field($product, SalesCreditNote, Create, "item_lines", NotAvailable),
            field($product, PurchaseInvoice, Create, "item_lines", NotAvailable),
            field($product, PurchaseCreditNote, Create, "item_lines", NotAvailable),
            field($product, SalesInvoice, Get, "item_lines", NotAvailable),
            field($product, SalesCreditNote, Get, "item_lines", NotAvailable),
            field($product, PurchaseInvoice, Get, "item_lines", NotAvailable),
            field($product, PurchaseCreditNote, Get, "item_lines", NotAvailable),
            // A nominal code is an account with its cost centre and department: they come with it.
            field($product, SalesInvoice, Create, "analysis_lines[].tracking_ids", NotAvailable),
            field($product, SalesCreditNote, Create, "analysis_lines[].tracking_ids", NotAvailable),
            field($product, PurchaseInvoice, Create, "analysis_lines[].tracking_ids", NotAvailable),
            field($product, PurchaseCreditNote, Create, "analysis_lines[].tracking_ids", NotAvailable),
            // Documents are in the trader's currency and carry no notes.
            field($product, SalesInvoice, Create, "currency_id", NotAvailable),
            field($product, SalesCreditNote, Create, "currency_id", NotAvailable),
            field($product, PurchaseInvoice, Create, "currency_id", NotAvailable),
            field($product, PurchaseCreditNote, Create, "currency_id", NotAvailable),
            field($product, SalesInvoice, Create, "notes", NotAvailable),
            field($product, SalesCreditNote, Create, "notes", NotAvailable),
            field($product, PurchaseInvoice, Create, "notes", NotAvailable),
            field($product, PurchaseCreditNote, Create, "notes", NotAvailable),
            field($product, SalesCreditNote, Create, "due_date", NotAvailable),
            field($product, PurchaseCreditNote, Create, "due_date", NotAvailable),
            // Sage 200 has no document status: the model's is read from the outstanding value.
            field($product, SalesInvoice, Get, "status", ReadOnly),
            field($product, PurchaseInvoice, Get, "status", ReadOnly),
            field($product, Customer, Create, "notes", NotAvailable),
            field($product, Supplier, Create, "notes", NotAvailable),
            field($product, Customer, Get, "balance", ReadOnly),
            field($product, Supplier, Get, "balance", ReadOnly),
            // Receipts name a bank and no payment method; allocations have no discount.
            field($product, Payment, Create, "payment_method_id", NotAvailable),
            field($product, Payment, Create, "currency_id", NotAvailable),
            field($product, Payment, Create, "allocations[].discount", NotAvailable),
        ]
    };
}

const SAGE200_PRO: [Capability; 66] = sage200_rows!(Sage200Pro);
const SAGE200_STANDARD: [Capability; 66] = sage200_rows!(Sage200Standard);

const fn concat<const N: usize, const M: usize>(parts: [&[Capability]; M]) -> [Capability; N] {
    let mut rows = [op(AccountingV31, Customer, List); N];
    let (mut part, mut at) = (0, 0);
    while part < parts.len() {
        let mut index = 0;
        while index < parts[part].len() {
            rows[at] = parts[part][index];
            at += 1;
            index += 1;
        }
        part += 1;
    }
    assert!(at == N, "the table's length is the sum of its parts");
    rows
}

const ALL_ROWS: [Capability; 239] = concat([&V31, &V3, &DIFFERENCES, &SAGE200_PRO, &SAGE200_STANDARD]);

/// Every fact, hand-written for now. Products and operations without rows are not available.
pub static CAPABILITIES: &[Capability] = &ALL_ROWS;

/// Which fields each product requires on a create.
pub static REQUIREMENTS: &[Requirement] = &[
    Requirement { product: AccountingV31, resource: Customer, fields: &["name"] },
    Requirement { product: AccountingV31, resource: Supplier, fields: &["name"] },
    Requirement { product: AccountingV31, resource: SalesInvoice, fields: DOCUMENT },
    Requirement { product: AccountingV31, resource: SalesCreditNote, fields: DOCUMENT },
    Requirement { product: AccountingV31, resource: PurchaseInvoice, fields: PURCHASE_INVOICE },
    Requirement { product: AccountingV31, resource: PurchaseCreditNote, fields: DOCUMENT },
    Requirement { product: AccountingV31, resource: Payment, fields: PAYMENT },
    Requirement { product: AccountingV3, resource: Customer, fields: &["name"] },
    Requirement { product: AccountingV3, resource: Supplier, fields: &["name"] },
    Requirement { product: AccountingV3, resource: SalesInvoice, fields: DOCUMENT },
    Requirement { product: AccountingV3, resource: SalesCreditNote, fields: DOCUMENT },
    Requirement { product: AccountingV3, resource: PurchaseInvoice, fields: PURCHASE_INVOICE },
    Requirement { product: AccountingV3, resource: PurchaseCreditNote, fields: DOCUMENT },
    Requirement { product: AccountingV3, resource: Payment, fields: PAYMENT },
    // Sage 200 (Professional and Standard Online).
    Requirement { product: Sage200Pro, resource: Customer, fields: SAGE200_PARTY },
    Requirement { product: Sage200Pro, resource: Supplier, fields: SAGE200_PARTY },
    Requirement { product: Sage200Pro, resource: SalesInvoice, fields: SAGE200_DOCUMENT },
    Requirement { product: Sage200Pro, resource: SalesCreditNote, fields: SAGE200_DOCUMENT },
    Requirement { product: Sage200Pro, resource: PurchaseInvoice, fields: SAGE200_DOCUMENT },
    Requirement { product: Sage200Pro, resource: PurchaseCreditNote, fields: SAGE200_DOCUMENT },
    Requirement { product: Sage200Pro, resource: Payment, fields: PAYMENT },
    Requirement { product: Sage200Standard, resource: Customer, fields: SAGE200_PARTY },
    Requirement { product: Sage200Standard, resource: Supplier, fields: SAGE200_PARTY },
    Requirement { product: Sage200Standard, resource: SalesInvoice, fields: SAGE200_DOCUMENT },
    Requirement { product: Sage200Standard, resource: SalesCreditNote, fields: SAGE200_DOCUMENT },
    Requirement { product: Sage200Standard, resource: PurchaseInvoice, fields: SAGE200_DOCUMENT },
    Requirement { product: Sage200Standard, resource: PurchaseCreditNote, fields: SAGE200_DOCUMENT },
    Requirement { product: Sage200Standard, resource: Payment, fields: PAYMENT },
];

/// Sage 200 customers and suppliers need their account reference (up to 8 characters).
const SAGE200_PARTY: &[&str] = &["name", "reference"];
/// Sage 200 documents: a trader, a date and analysis lines.
const SAGE200_DOCUMENT: &[&str] = &["party_id", "date", "analysis_lines"];

/// Accounting documents: a party, a date and lines, each with a description and an account.
const DOCUMENT: &[&str] = &["party_id", "date", "item_lines", "item_lines[].description", "item_lines[].account_id"];
/// Accounting purchase invoices also need their due date.
const PURCHASE_INVOICE: &[&str] =
    &["party_id", "date", "due_date", "item_lines", "item_lines[].description", "item_lines[].account_id"];
/// Accounting contact payments move money through a bank account.
const PAYMENT: &[&str] = &["party_id", "date", "amount", "bank_account_id"];

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
