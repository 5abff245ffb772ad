//! Which model types [`Books`](crate::Books) reads and writes: each read type names its resource
//! and comes out of a normalized record; each draft names what it creates.

// The sealed traits take the crate's own record and draft enums: only this crate implements or
// calls them, which is the point of sealing.
#![allow(private_interfaces)]

use crate::backend::{Draft, Record};
use crate::check::DraftFields;
use crate::model::*;
use crate::resource::Resource;

/// Kept out of the public traits so that only this crate's types implement them.
pub(crate) mod sealed {
    use crate::backend::{Draft, Record};

    /// Comes out of a normalized record.
    pub trait FromRecord: Sized {
        fn from_record(record: Record) -> Option<Self>;
    }

    /// Goes into a draft.
    pub trait IntoDraft {
        fn into_draft(self) -> Draft;
    }
}

use sealed::{FromRecord, IntoDraft};

/// A model type [`Books`](crate::Books) lists, gets and follows.
pub trait BooksRecord: FromRecord + Send + 'static {
    /// Its resource.
    const RESOURCE: Resource;
}

/// A draft [`Books::create`](crate::Books::create) writes.
pub trait BooksDraft: IntoDraft + DraftFields + Send + 'static {
    /// What the product answers with.
    type Output: BooksRecord;
}

macro_rules! records {
    ($($model:ty => $variant:ident,)*) => {$(
        impl BooksRecord for $model {
            const RESOURCE: Resource = Resource::$variant;
        }

        impl FromRecord for $model {
            fn from_record(record: Record) -> Option<Self> {
                match record {
                    Record::$variant(record) => Some(record),
                    _ => None,
                }
            }
        }
    )*};
}

records! {
    Company => Company,
    Customer => Customer,
    Supplier => Supplier,
    LedgerAccount => LedgerAccount,
    TaxRate => TaxRate,
    BankAccount => BankAccount,
    Item => Item,
    SalesInvoice => SalesInvoice,
    SalesCreditNote => SalesCreditNote,
    PurchaseInvoice => PurchaseInvoice,
    PurchaseCreditNote => PurchaseCreditNote,
    Payment => Payment,
    JournalEntry => JournalEntry,
    TrackingCategory => TrackingCategory,
}

macro_rules! drafts {
    ($($draft:ty => $variant:ident: $output:ty,)*) => {$(
        impl BooksDraft for $draft {
            type Output = $output;
        }

        impl IntoDraft for $draft {
            fn into_draft(self) -> Draft {
                Draft::$variant(self)
            }
        }
    )*};
}

drafts! {
    NewCustomer => Customer: Customer,
    NewSupplier => Supplier: Supplier,
    NewSalesInvoice => SalesInvoice: SalesInvoice,
    NewSalesCreditNote => SalesCreditNote: SalesCreditNote,
    NewPurchaseInvoice => PurchaseInvoice: PurchaseInvoice,
    NewPurchaseCreditNote => PurchaseCreditNote: PurchaseCreditNote,
    NewPayment => Payment: Payment,
}
