//! Names for what the model covers: the products, the resources and the operations on them. The
//! capability table, the errors and the CLI all speak in these.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// A Sage product the model maps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProductKind {
    /// Sage Business Cloud Accounting v3.1.
    AccountingV31,
    /// Sage Business Cloud Accounting v3.
    AccountingV3,
    /// Sage 200 Professional.
    Sage200Pro,
    /// Sage 200 Standard Online.
    Sage200Standard,
}

impl ProductKind {
    /// Every product, in a stable order.
    pub const ALL: [ProductKind; 4] =
        [Self::AccountingV31, Self::AccountingV3, Self::Sage200Pro, Self::Sage200Standard];

    /// The product's name as sage-core spells it ([`sage_core::Product::name`]).
    pub fn name(self) -> &'static str {
        match self {
            Self::AccountingV31 => "accounting-v31",
            Self::AccountingV3 => "accounting-v3",
            Self::Sage200Pro => "sage200-pro",
            Self::Sage200Standard => "sage200-standard",
        }
    }

    /// The product called `name`, if the model knows it.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|product| product.name() == name)
    }
}

impl fmt::Display for ProductKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A kind of record in the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Resource {
    /// [`Company`](crate::Company).
    Company,
    /// [`Customer`](crate::Customer).
    Customer,
    /// [`Supplier`](crate::Supplier).
    Supplier,
    /// [`LedgerAccount`](crate::LedgerAccount).
    LedgerAccount,
    /// [`TaxRate`](crate::TaxRate).
    TaxRate,
    /// [`BankAccount`](crate::BankAccount).
    BankAccount,
    /// [`Item`](crate::Item).
    Item,
    /// [`SalesInvoice`](crate::SalesInvoice).
    SalesInvoice,
    /// [`SalesCreditNote`](crate::SalesCreditNote).
    SalesCreditNote,
    /// [`PurchaseInvoice`](crate::PurchaseInvoice).
    PurchaseInvoice,
    /// [`PurchaseCreditNote`](crate::PurchaseCreditNote).
    PurchaseCreditNote,
    /// [`Payment`](crate::Payment).
    Payment,
    /// [`JournalEntry`](crate::JournalEntry).
    JournalEntry,
    /// [`TrackingCategory`](crate::TrackingCategory).
    TrackingCategory,
}

impl Resource {
    /// Every resource, in a stable order.
    pub const ALL: [Resource; 14] = [
        Self::Company,
        Self::Customer,
        Self::Supplier,
        Self::LedgerAccount,
        Self::TaxRate,
        Self::BankAccount,
        Self::Item,
        Self::SalesInvoice,
        Self::SalesCreditNote,
        Self::PurchaseInvoice,
        Self::PurchaseCreditNote,
        Self::Payment,
        Self::JournalEntry,
        Self::TrackingCategory,
    ];

    /// The singular snake_case name (`sales_invoice`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Company => "company",
            Self::Customer => "customer",
            Self::Supplier => "supplier",
            Self::LedgerAccount => "ledger_account",
            Self::TaxRate => "tax_rate",
            Self::BankAccount => "bank_account",
            Self::Item => "item",
            Self::SalesInvoice => "sales_invoice",
            Self::SalesCreditNote => "sales_credit_note",
            Self::PurchaseInvoice => "purchase_invoice",
            Self::PurchaseCreditNote => "purchase_credit_note",
            Self::Payment => "payment",
            Self::JournalEntry => "journal_entry",
            Self::TrackingCategory => "tracking_category",
        }
    }

    /// The plural name a command line uses (`sales_invoices`, `companies`).
    pub fn plural(self) -> String {
        match self {
            Self::Company => "companies".into(),
            Self::JournalEntry => "journal_entries".into(),
            Self::TrackingCategory => "tracking_categories".into(),
            other => format!("{}s", other.name()),
        }
    }
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is no resource of the model.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a resource of the finance model")]
pub struct UnknownResource(pub String);

impl FromStr for Resource {
    type Err = UnknownResource;

    /// The singular or plural name, with `-` or `_` (`sales-invoices`, `sales_invoice`).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim().to_ascii_lowercase().replace('-', "_");
        Self::ALL
            .into_iter()
            .find(|resource| resource.name() == text || resource.plural() == text)
            .ok_or(UnknownResource(text))
    }
}

/// What is done to a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// Read every record, page by page.
    List,
    /// Read one record by id.
    Get,
    /// Write a new record.
    Create,
    /// Follow changes since a checkpoint.
    Changes,
}

impl Operation {
    /// Every operation, in a stable order.
    pub const ALL: [Operation; 4] = [Self::List, Self::Get, Self::Create, Self::Changes];

    /// The snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            Self::List => "list",
            Self::Get => "get",
            Self::Create => "create",
            Self::Changes => "changes",
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
