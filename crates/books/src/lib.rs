//! One finance model over Sage's accounting products.
//!
//! Customers, suppliers, invoices, credit notes, payments, ledger accounts, tax rates, items,
//! journals and tracking categories read and written the same way whichever product a
//! [`sage_core::Client`] is for. The products differ, and the model says how rather than hiding it:
//! [`capability`] lists what each product does, writes are checked against it before sending, and
//! every read record keeps the product's own typed record ([`Raw`]).

#![warn(missing_docs)]

mod backend;
mod books;
pub mod capability;
mod check;
mod error;
mod feed;
mod map;
mod model;
pub mod raw;
mod records;
mod resource;

pub use books::Books;
pub use capability::Support;
pub use check::DraftFields;
pub use error::{Error, Result};
pub use feed::Feed;
pub use model::*;
pub use raw::Raw;
pub use records::{BooksDraft, BooksRecord};
pub use resource::{Operation, ProductKind, Resource, UnknownResource};

/// The value types the model's fields use.
pub mod types {
    pub use sage_core::types::{Date, DateTime, Decimal};
}
