//! The finance model: the records every product maps onto, and the drafts written through it.
//!
//! Read records keep the product's typed record ([`raw`](Customer::raw)); drafts carry an `extra`
//! map merged into the product's create body. Both serialize with stable snake_case names
//! (`raw` is left out), one JSON object per record.

/// `raw()` for records without a type parameter.
macro_rules! impl_raw {
    ($($record:ident),*) => {$(
        impl $record {
            /// The product's own record, typed, for what the model leaves out.
            pub fn raw(&self) -> &$crate::raw::Raw {
                &self.raw
            }
        }
    )*};
}

mod bank;
mod common;
mod company;
mod document;
mod item;
mod ledger;
mod party;
mod payment;

pub use bank::{BankAccount, BankAccountKind};
pub use common::{Address, Coded, ContactPerson, DocumentStatus, Ref, Timestamps, Totals};
pub use company::Company;
pub use document::{
    AnalysisLine, Document, DocumentKind, ItemLine, ItemRef, NewAnalysisLine, NewDocument, NewItemLine,
    NewPurchaseCreditNote, NewPurchaseInvoice, NewSalesCreditNote, NewSalesInvoice, PurchaseCreditNote,
    PurchaseCreditNoteKind, PurchaseInvoice, PurchaseInvoiceKind, SalesCreditNote, SalesCreditNoteKind, SalesInvoice,
    SalesInvoiceKind, Tracking,
};
pub use item::{Item, ItemKind};
pub use ledger::{
    JournalEntry, JournalLine, LedgerAccount, TaxRate, TrackingCategory, TrackingKind, TrackingValue, Visibility,
};
pub use party::{Customer, CustomerRole, NewCustomer, NewParty, NewSupplier, Party, PartyRole, Supplier, SupplierRole};
pub use payment::{Allocation, NewAllocation, NewPayment, Payment, PaymentKind};

/// Product-specific fields of a draft, merged into the product's create body as they are.
pub type Extra = serde_json::Map<String, serde_json::Value>;
