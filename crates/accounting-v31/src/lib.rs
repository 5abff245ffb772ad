//! Client for Sage Business Cloud Accounting v3.1, generated from `schemas/accounting-v31/`.
//!
//! Each API area is a module behind a cargo feature of the same name (`full` enables all);
//! `common` is always built. Every operation is a struct: build it with `new(..)` and the
//! setters, then `send(&client)` it, or stream a list's items with `items(&client)`.
//! With the `catalog` feature, `operations::OPERATIONS` lists every operation as data, whatever
//! areas are enabled.
//!
//! ```no_run
//! # #[cfg(feature = "contacts")]
//! # async fn demo(client: &sage_core::Client) -> sage_core::Result<()> {
//! use sage_accounting_v31::contacts::ListContacts;
//!
//! let page = ListContacts::new().search("Acme").items_per_page(50).send(client).await?;
//! for contact in &page.items {
//!     println!("{:?}", contact.name);
//! }
//! # Ok(())
//! # }
//! ```

// Generated code is formatted by prettyplease; rustfmt would reflow it and `--check` would disagree.
#[rustfmt::skip]
mod generated;

pub use generated::*;
