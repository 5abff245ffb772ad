//! Products and services sold or bought.

use serde::Serialize;

use super::common::{Ref, Timestamps};
use crate::raw::Raw;
use crate::types::Decimal;

/// What an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// Goods (stock or not).
    Product,
    /// Work or time.
    Service,
}

/// A product or service.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    /// The product's id.
    pub id: String,
    /// Goods or service.
    pub kind: ItemKind,
    /// The user-facing code.
    pub code: Option<String>,
    /// Description (sales).
    pub description: Option<String>,
    /// Description on purchases.
    pub purchase_description: Option<String>,
    /// The first sales price (or rate) the product lists.
    pub sales_price: Option<Decimal>,
    /// Cost price.
    pub cost_price: Option<Decimal>,
    /// Ledger account sales post to.
    pub sales_account: Option<Ref>,
    /// Ledger account purchases post to.
    pub purchase_account: Option<Ref>,
    /// Tax rate on sales.
    pub sales_tax_rate: Option<Ref>,
    /// Tax rate on purchases.
    pub purchase_tax_rate: Option<Ref>,
    /// Whether it is offered for use.
    pub active: Option<bool>,
    /// Created, updated, deleted.
    #[serde(flatten)]
    pub timestamps: Timestamps,
    #[serde(skip)]
    pub(crate) raw: Raw,
}

impl_raw!(Item);
