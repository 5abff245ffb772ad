//! One finance model over Sage's accounting products.
//!
//! Customers, suppliers, invoices, credit notes, payments, bank accounts, ledger accounts, tax rates, items,
//! journals and tracking categories read and written the same way whichever product a
//! [`sage_core::Client`] is for. The products differ, and the model says how rather than hiding it:
//! [`capability`] lists what each product does, writes are checked against it before sending, and
//! every read record keeps the product's own typed record ([`Raw`]).
//!
//! ```no_run
//! # async fn demo(client: sage_core::Client, sales_account: String, bank: String) -> sage_books::Result<()> {
//! use futures_util::TryStreamExt;
//! use sage_books::types::{Date, Decimal};
//! use sage_books::{Books, Customer, NewCustomer, NewItemLine, NewPayment, NewSalesInvoice, PaymentKind, SalesInvoice};
//!
//! let books = Books::new(client)?; // the product comes from the client
//! let customer = books.create(NewCustomer::new("Brake & Clutch Ltd")).await?;
//! let line = NewItemLine {
//!     account_id: Some(sales_account),
//!     ..NewItemLine::new("Brake pads, fitted", Decimal::from(2), Decimal::new(12550, 2))
//! };
//! let date = Date::from_ymd_opt(2026, 11, 25).unwrap_or_default();
//! let invoice = books.create(NewSalesInvoice::new(&customer.id, date).item_line(line)).await?;
//! let owed = invoice.totals.gross.unwrap_or_default();
//! let receipt = NewPayment {
//!     bank_account_id: Some(bank),
//!     ..NewPayment::new(PaymentKind::CustomerReceipt, &customer.id, date, owed).allocate(&invoice.id, owed)
//! };
//! books.create(receipt).await?;
//! let paid = books.get::<SalesInvoice>(&invoice.id).await?;
//! println!("{}", serde_json::to_string(&paid).unwrap_or_default()); // normalized JSON
//! let customers: Vec<Customer> = books.list().try_collect().await?;
//! # let _ = customers;
//! # Ok(())
//! # }
//! ```

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
