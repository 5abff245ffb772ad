//! The one interface each product's mapping implements ([`Backend`]), and the normalized records
//! and drafts that cross it. [`Books`](crate::Books) checks capabilities and requirements before
//! calling it, so a backend only maps and sends.

use std::time::Duration;

use async_trait::async_trait;
use futures_util::stream::BoxStream;
use sage_core::changes::{Batch, Checkpoint, Shutdown};
use sage_core::Client;

use crate::error::Result;
use crate::model::*;
use crate::resource::{ProductKind, Resource};

/// Any normalized record.
#[derive(Debug, Clone)]
#[allow(missing_docs)]
pub(crate) enum Record {
    Company(Company),
    Customer(Customer),
    Supplier(Supplier),
    LedgerAccount(LedgerAccount),
    TaxRate(TaxRate),
    BankAccount(BankAccount),
    Item(Item),
    SalesInvoice(SalesInvoice),
    SalesCreditNote(SalesCreditNote),
    PurchaseInvoice(PurchaseInvoice),
    PurchaseCreditNote(PurchaseCreditNote),
    Payment(Payment),
    JournalEntry(JournalEntry),
    TrackingCategory(TrackingCategory),
}

/// Any draft the model writes.
#[derive(Debug, Clone)]
pub(crate) enum Draft {
    Customer(NewCustomer),
    Supplier(NewSupplier),
    SalesInvoice(NewSalesInvoice),
    SalesCreditNote(NewSalesCreditNote),
    PurchaseInvoice(NewPurchaseInvoice),
    PurchaseCreditNote(NewPurchaseCreditNote),
    Payment(NewPayment),
}

/// A change feed over one product list, its records already normalized.
pub(crate) trait RecordFeed: Send {
    /// One pass since the checkpoint.
    fn poll(&self) -> BoxStream<'static, Result<Batch<Record>>>;
    /// Passes forever, about `interval` apart, until `shutdown` completes.
    fn follow(self: Box<Self>, interval: Duration, shutdown: Shutdown) -> BoxStream<'static, Result<Batch<Record>>>;
    /// Where the next pass starts.
    fn checkpoint(&self) -> &Checkpoint;
    /// Starts the next pass at `checkpoint`.
    fn set_checkpoint(&mut self, checkpoint: Checkpoint);
}

/// One product's mapping: reads through its typed crate into the model, drafts into its create
/// bodies. Called only for what [`capability`](crate::capability) says the product supports,
/// with the required fields present.
#[async_trait]
pub(crate) trait Backend: Send + Sync {
    /// The product it maps.
    fn product(&self) -> ProductKind;
    /// Every record of `resource`, page by page as the product pages.
    fn list(&self, client: &Client, resource: Resource) -> Result<BoxStream<'static, Result<Record>>>;
    /// One record by id.
    async fn get(&self, client: &Client, resource: Resource, id: &str) -> Result<Record>;
    /// Makes the record, and returns it as the product answered.
    async fn create(&self, client: &Client, draft: Draft) -> Result<Record>;
    /// Changes to `resource` from `checkpoint` on.
    fn changes(&self, client: &Client, resource: Resource, checkpoint: Checkpoint) -> Result<Box<dyn RecordFeed>>;
}

impl Draft {
    /// The product-specific fields it carries.
    pub(crate) fn extra_mut(&mut self) -> &mut Extra {
        match self {
            Self::Customer(party) => &mut party.extra,
            Self::Supplier(party) => &mut party.extra,
            Self::SalesInvoice(doc) => &mut doc.extra,
            Self::SalesCreditNote(doc) => &mut doc.extra,
            Self::PurchaseInvoice(doc) => &mut doc.extra,
            Self::PurchaseCreditNote(doc) => &mut doc.extra,
            Self::Payment(payment) => &mut payment.extra,
        }
    }

    /// The resource it creates.
    pub(crate) fn resource(&self) -> Resource {
        match self {
            Self::Customer(_) => Resource::Customer,
            Self::Supplier(_) => Resource::Supplier,
            Self::SalesInvoice(_) => Resource::SalesInvoice,
            Self::SalesCreditNote(_) => Resource::SalesCreditNote,
            Self::PurchaseInvoice(_) => Resource::PurchaseInvoice,
            Self::PurchaseCreditNote(_) => Resource::PurchaseCreditNote,
            Self::Payment(_) => Resource::Payment,
        }
    }
}
