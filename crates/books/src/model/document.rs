//! Sales and purchase invoices and credit notes: one document shape, four kinds.
//!
//! Lines come in two kinds because the products do: item lines (quantity × unit price, as
//! Accounting's documents and Sage 200's orders have) and analysis lines (an amount posted to an
//! account with its tax, as Sage 200's posted transactions have, with no quantities).

use std::marker::PhantomData;

use serde::Serialize;

use super::common::{Coded, DocumentStatus, Ref, Timestamps, Totals};
use super::item::ItemKind;
use super::Extra;
use crate::raw::Raw;
use crate::resource::Resource;
use crate::types::{Date, Decimal};

/// Which of the four documents a [`Document`] is.
pub trait DocumentKind: Send + Sync + 'static {
    /// The model resource for documents of this kind.
    const RESOURCE: Resource;
}

macro_rules! document_kinds {
    ($($(#[$doc:meta])* $kind:ident => $resource:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $kind;

        impl DocumentKind for $kind {
            const RESOURCE: Resource = Resource::$resource;
        }
    )*};
}

document_kinds! {
    /// Marker: an invoice to a customer.
    SalesInvoiceKind => SalesInvoice;
    /// Marker: a credit note to a customer.
    SalesCreditNoteKind => SalesCreditNote;
    /// Marker: an invoice from a supplier.
    PurchaseInvoiceKind => PurchaseInvoice;
    /// Marker: a credit note from a supplier.
    PurchaseCreditNoteKind => PurchaseCreditNote;
}

/// A tracking value on a line: the category (analysis type, cost centre, department) and the
/// value chosen in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tracking {
    /// The category, when the product names it on the line.
    pub category: Option<Ref>,
    /// The value.
    pub value: Ref,
}

/// A line with a quantity and a unit price.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ItemLine {
    /// The line's id, where the product gives lines ids.
    pub id: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// The product or service sold or bought.
    pub item: Option<Ref>,
    /// Quantity.
    pub quantity: Option<Decimal>,
    /// Price of one unit, in the document's currency.
    pub unit_price: Option<Decimal>,
    /// Discount amount.
    pub discount: Option<Decimal>,
    /// The ledger (nominal) account the line posts to.
    pub account: Option<Ref>,
    /// The tax rate or code.
    pub tax_rate: Option<Ref>,
    /// Net amount.
    pub net: Option<Decimal>,
    /// Tax amount.
    pub tax: Option<Decimal>,
    /// Net plus tax.
    pub gross: Option<Decimal>,
    /// Tracking values.
    pub tracking: Vec<Tracking>,
}

/// A line that is only an amount posted to an account.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AnalysisLine {
    /// The line's id, where the product gives lines ids.
    pub id: Option<String>,
    /// Description (narrative).
    pub description: Option<String>,
    /// The ledger (nominal) account.
    pub account: Option<Ref>,
    /// Net amount.
    pub net: Option<Decimal>,
    /// Tax amount.
    pub tax: Option<Decimal>,
    /// The tax rate or code.
    pub tax_rate: Option<Ref>,
    /// Tracking values (cost centre, department, analysis categories).
    pub tracking: Vec<Tracking>,
}

/// An invoice or credit note, sales or purchase, as read from the product.
#[derive(Debug, Clone, Serialize)]
#[serde(bound = "")]
pub struct Document<K> {
    /// The product's id.
    pub id: String,
    /// The user-facing number (invoice or credit note number; the supplier's reference on purchases).
    pub number: Option<String>,
    /// The business's own reference.
    pub reference: Option<String>,
    /// The customer (sales) or supplier (purchases).
    pub party: Option<Ref>,
    /// Document date.
    pub date: Option<Date>,
    /// Due date.
    pub due_date: Option<Date>,
    /// Status, with the product's value.
    pub status: Option<Coded<DocumentStatus>>,
    /// Document currency.
    pub currency: Option<Ref>,
    /// Units of document currency per unit of base currency, as the product states it.
    pub exchange_rate: Option<Decimal>,
    /// Totals in the document's currency.
    pub totals: Totals,
    /// Totals in the business's base currency.
    pub base_totals: Totals,
    /// Quantity × price lines.
    pub item_lines: Vec<ItemLine>,
    /// Amount-only lines.
    pub analysis_lines: Vec<AnalysisLine>,
    /// Free notes.
    pub notes: Option<String>,
    /// Created, updated, deleted.
    #[serde(flatten)]
    pub timestamps: Timestamps,
    #[serde(skip)]
    pub(crate) raw: Raw,
    #[serde(skip)]
    pub(crate) kind: PhantomData<K>,
}

impl<K> Document<K> {
    /// The product's own record, typed, for what the model leaves out.
    pub fn raw(&self) -> &Raw {
        &self.raw
    }
}

/// An invoice to a customer.
pub type SalesInvoice = Document<SalesInvoiceKind>;
/// A credit note to a customer.
pub type SalesCreditNote = Document<SalesCreditNoteKind>;
/// An invoice from a supplier.
pub type PurchaseInvoice = Document<PurchaseInvoiceKind>;
/// A credit note from a supplier.
pub type PurchaseCreditNote = Document<PurchaseCreditNoteKind>;

/// A product or service a new line names: Accounting keeps products and services apart, so
/// the kind goes with the id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRef {
    /// Goods or service.
    pub kind: ItemKind,
    /// Its id.
    pub id: String,
}

/// An item line to write.
#[derive(Debug, Clone, PartialEq)]
pub struct NewItemLine {
    /// Description.
    pub description: String,
    /// Quantity.
    pub quantity: Decimal,
    /// Price of one unit, in the document's currency.
    pub unit_price: Decimal,
    /// The product or service sold or bought.
    pub item: Option<ItemRef>,
    /// Ledger (nominal) account id; Accounting requires one per line.
    pub account_id: Option<String>,
    /// Tax rate or code id.
    pub tax_rate_id: Option<String>,
    /// Discount amount.
    pub discount: Option<Decimal>,
    /// Tracking value ids (Accounting v3.1: analysis type category ids).
    pub tracking_ids: Vec<String>,
    /// Product-specific line fields, merged into the line as they are.
    pub extra: Extra,
}

impl NewItemLine {
    /// A line of `quantity` × `unit_price`.
    pub fn new(description: impl Into<String>, quantity: Decimal, unit_price: Decimal) -> Self {
        Self {
            description: description.into(),
            quantity,
            unit_price,
            item: None,
            account_id: None,
            tax_rate_id: None,
            discount: None,
            tracking_ids: Vec::new(),
            extra: Extra::new(),
        }
    }
}

/// An analysis line to write.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAnalysisLine {
    /// Description (narrative).
    pub description: Option<String>,
    /// Ledger (nominal) account id.
    pub account_id: String,
    /// Net amount.
    pub net: Decimal,
    /// Tax amount; the product computes it from the rate when unset, where it can.
    pub tax: Option<Decimal>,
    /// Tax rate or code id.
    pub tax_rate_id: Option<String>,
    /// Tracking value ids (Sage 200: cost centre and department).
    pub tracking_ids: Vec<String>,
    /// Product-specific line fields, merged into the line as they are.
    pub extra: Extra,
}

impl NewAnalysisLine {
    /// `net` posted to the account `account_id`.
    pub fn new(account_id: impl Into<String>, net: Decimal) -> Self {
        Self {
            description: None,
            account_id: account_id.into(),
            net,
            tax: None,
            tax_rate_id: None,
            tracking_ids: Vec::new(),
            extra: Extra::new(),
        }
    }
}

/// An invoice or credit note to create.
#[derive(Debug, Clone)]
pub struct NewDocument<K> {
    /// Customer (sales) or supplier (purchases) id.
    pub party_id: String,
    /// Document date.
    pub date: Date,
    /// Due date; the product derives one from the party's terms when unset.
    pub due_date: Option<Date>,
    /// The user-facing number, where the product lets the caller choose it (the supplier's
    /// invoice number on purchases).
    pub number: Option<String>,
    /// The business's own reference.
    pub reference: Option<String>,
    /// Currency id; the party's or the base currency when unset.
    pub currency_id: Option<String>,
    /// Exchange rate for a foreign-currency document.
    pub exchange_rate: Option<Decimal>,
    /// Free notes.
    pub notes: Option<String>,
    /// Quantity × price lines.
    pub item_lines: Vec<NewItemLine>,
    /// Amount-only lines.
    pub analysis_lines: Vec<NewAnalysisLine>,
    /// Product-specific document fields, merged into the create body as they are.
    pub extra: Extra,
    /// Which document; public only so that struct update syntax (`..NewSalesInvoice::new(..)`) works.
    #[doc(hidden)]
    pub kind: PhantomData<K>,
}

impl<K> NewDocument<K> {
    /// A document for `party_id` dated `date`, with no lines yet.
    pub fn new(party_id: impl Into<String>, date: Date) -> Self {
        Self {
            party_id: party_id.into(),
            date,
            due_date: None,
            number: None,
            reference: None,
            currency_id: None,
            exchange_rate: None,
            notes: None,
            item_lines: Vec::new(),
            analysis_lines: Vec::new(),
            extra: Extra::new(),
            kind: PhantomData,
        }
    }

    /// Adds an item line.
    #[must_use]
    pub fn item_line(mut self, line: NewItemLine) -> Self {
        self.item_lines.push(line);
        self
    }

    /// Adds an analysis line.
    #[must_use]
    pub fn analysis_line(mut self, line: NewAnalysisLine) -> Self {
        self.analysis_lines.push(line);
        self
    }
}

/// A sales invoice to create.
pub type NewSalesInvoice = NewDocument<SalesInvoiceKind>;
/// A sales credit note to create.
pub type NewSalesCreditNote = NewDocument<SalesCreditNoteKind>;
/// A purchase invoice to create.
pub type NewPurchaseInvoice = NewDocument<PurchaseInvoiceKind>;
/// A purchase credit note to create.
pub type NewPurchaseCreditNote = NewDocument<PurchaseCreditNoteKind>;
