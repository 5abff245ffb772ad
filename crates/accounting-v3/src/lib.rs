//! Client for Sage Business Cloud Accounting v3, generated from `schemas/accounting-v3/`.
//!
//! **Sage deprecated Accounting v3 on 31 July 2026** (announced on developer.sage.com on 21 July 2025).
//! This crate keeps working for existing apps; new work belongs on v3.1 (`sage-accounting-v31`).
//! `MIGRATING.md` in the sage-rs repository walks through the move, and every operation with a v3.1
//! successor is marked `#[deprecated]` with a note naming it.
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
//! use sage_accounting_v3::contacts::ListContacts;
//!
//! let page = ListContacts::new().search("Acme").send(client).await?;
//! for item in &page.items {
//!     println!("{item:?}");
//! }
//! # Ok(())
//! # }
//! ```

// Generated code is formatted by prettyplease; rustfmt would reflow it and `--check` would disagree.
#[rustfmt::skip]
mod generated;

pub use generated::*;
