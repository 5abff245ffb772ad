//! The chart of accounts, tax rates, journals and tracking categories.

use serde::Serialize;

use super::common::{Coded, Ref, Timestamps};
use super::document::Tracking;
use crate::raw::Raw;
use crate::types::{Date, Decimal};

/// Where a ledger account may be chosen. `None`: the product does not say.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Visibility {
    /// On sales documents.
    pub sales: Option<bool>,
    /// On purchase documents and expenses.
    pub purchases: Option<bool>,
    /// In banking.
    pub banking: Option<bool>,
    /// In journals.
    pub journals: Option<bool>,
    /// On other payments.
    pub other_payments: Option<bool>,
    /// On other receipts.
    pub other_receipts: Option<bool>,
    /// In reports.
    pub reporting: Option<bool>,
}

/// A ledger (nominal) account.
#[derive(Debug, Clone, Serialize)]
pub struct LedgerAccount {
    /// The product's id.
    pub id: String,
    /// The user-facing code (nominal code).
    pub code: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Account type (sales, expenses, bank, …), as the product names it.
    pub account_type: Option<Ref>,
    /// Default tax rate.
    pub tax_rate: Option<Ref>,
    /// Where it may be chosen.
    pub visibility: Visibility,
    /// Cost centre or department this account belongs to (Sage 200).
    pub tracking: Vec<Tracking>,
    /// Created, updated, deleted.
    #[serde(flatten)]
    pub timestamps: Timestamps,
    #[serde(skip)]
    pub(crate) raw: Raw,
}

/// A tax rate (Sage 200: tax code).
#[derive(Debug, Clone, Serialize)]
pub struct TaxRate {
    /// The product's id.
    pub id: String,
    /// The user-facing code, where there is one apart from the id.
    pub code: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Percentage (20 for 20 %).
    pub percentage: Option<Decimal>,
    /// Whether it is offered for use.
    pub active: Option<bool>,
    /// Created, updated, deleted.
    #[serde(flatten)]
    pub timestamps: Timestamps,
    #[serde(skip)]
    pub(crate) raw: Raw,
}

/// One side of a journal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JournalLine {
    /// The line's id.
    pub id: Option<String>,
    /// The ledger account.
    pub account: Option<Ref>,
    /// Debit amount.
    pub debit: Option<Decimal>,
    /// Credit amount.
    pub credit: Option<Decimal>,
    /// Narrative.
    pub details: Option<String>,
    /// Tracking values.
    pub tracking: Vec<Tracking>,
}

/// A journal entry.
#[derive(Debug, Clone, Serialize)]
pub struct JournalEntry {
    /// The product's id.
    pub id: String,
    /// Reference.
    pub reference: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Date.
    pub date: Option<Date>,
    /// Total of either side.
    pub total: Option<Decimal>,
    /// Lines.
    pub lines: Vec<JournalLine>,
    /// Created, updated, deleted.
    #[serde(flatten)]
    pub timestamps: Timestamps,
    #[serde(skip)]
    pub(crate) raw: Raw,
}

impl_raw!(LedgerAccount, TaxRate, JournalEntry, TrackingCategory);

/// What a tracking category is in its product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TrackingKind {
    /// Accounting v3.1 analysis type.
    AnalysisType,
    /// Sage 200 cost centre.
    CostCentre,
    /// Sage 200 department.
    Department,
    /// A value the model does not name; see [`Coded::code`].
    Other,
}

/// One value of a tracking category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrackingValue {
    /// The product's id (what lines refer to).
    pub id: String,
    /// Short code.
    pub code: Option<String>,
    /// Name.
    pub name: Option<String>,
}

/// A way of analysing postings beyond the ledger account.
#[derive(Debug, Clone, Serialize)]
pub struct TrackingCategory {
    /// The product's id.
    pub id: String,
    /// Name.
    pub name: Option<String>,
    /// What it is, with the product's value.
    pub kind: Coded<TrackingKind>,
    /// Its values.
    pub values: Vec<TrackingValue>,
    /// Created, updated, deleted.
    #[serde(flatten)]
    pub timestamps: Timestamps,
    #[serde(skip)]
    pub(crate) raw: Raw,
}
