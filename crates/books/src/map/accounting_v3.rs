//! Sage Business Cloud Accounting v3: the shared Accounting mapping. v3 has no analysis types
//! (no tracking) and no `idempotency_id`, so a create whose answer was lost is an
//! [`UncertainWrite`](crate::Error::UncertainWrite).

// Sage deprecated v3; mapping it is the point, for the businesses still on it.
#![allow(deprecated)]

super::accounting_backend::accounting_backend!(
    sage_accounting_v3, AccountingV3Record, AccountingV3, AccountingV3, idempotent_creates: false
);

/// v3 lines carry no tracking.
trait Tracked {
    fn tracking(&self) -> Vec<m::Tracking> {
        Vec::new()
    }
}

impl Tracked for sage_accounting_v3::sales::SalesInvoiceLineItem {}
impl Tracked for sage_accounting_v3::sales::SalesCreditNoteLineItem {}
impl Tracked for sage_accounting_v3::purchases::PurchaseInvoiceLineItem {}
impl Tracked for sage_accounting_v3::purchases::PurchaseCreditNoteLineItem {}
impl Tracked for sage_accounting_v3::ledger::JournalLine {}

/// v3 lines take no tracking; the capability check refuses drafts that set it.
trait TakesTracking {
    fn set_tracking(&mut self, _ids: Vec<String>) {}
}

impl TakesTracking for NewSalesInvoiceLine {}
impl TakesTracking for NewSalesCreditNoteLine {}
impl TakesTracking for NewPurchaseInvoiceLine {}
impl TakesTracking for NewPurchaseCreditNoteLine {}

/// v3 contacts do not say whether they are active.
fn contact_active(_: &Contact) -> Option<bool> {
    None
}

/// v3 bank accounts do not say their currency.
fn bank_currency(_: &BankAccount) -> Option<m::Ref> {
    None
}

/// Resources only other products have.
mod more {
    use super::*;

    pub(super) fn list(_: &Client, resource: Resource) -> Result<BoxStream<'static, Result<Normalized>>> {
        Err(unsupported(resource))
    }

    pub(super) async fn get(_: &Client, resource: Resource, _: &str) -> Result<Normalized> {
        Err(unsupported(resource))
    }

    pub(super) fn changes(_: &Client, resource: Resource, _: Checkpoint) -> Result<Box<dyn RecordFeed>> {
        Err(unsupported(resource))
    }

    fn unsupported(resource: Resource) -> Error {
        Error::Unsupported { product: PRODUCT, resource, field: None }
    }
}
