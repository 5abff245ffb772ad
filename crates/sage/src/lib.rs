//! sage-rs: typed clients for Sage's accounting APIs.
//!
//! Enable the products you use as cargo features; each product is its own crate, so a program
//! compiles only the generated code it needs.
//!
//! | feature | module | API |
//! |---|---|---|
//! | `accounting-v31` (default) | [`accounting_v31`] | Sage Business Cloud Accounting v3.1 |
//! | `sandbox` | [`sandbox`] | the local Sage look-alike used by examples and tests |
//!
//! The runtime types every product shares — [`Client`], [`Error`], [`HeaderPolicy`], [`auth`] —
//! are re-exported at the top level.
#![cfg_attr(docsrs, feature(doc_auto_cfg))]

pub use sage_core::{auth, types, Client, ClientBuilder, Error, HeaderPolicy, Page, Result, RetryPolicy};

/// The runtime itself, for what the top-level re-exports leave out.
pub use sage_core as core;

/// Sage Business Cloud Accounting v3.1.
#[cfg(feature = "accounting-v31")]
pub use sage_accounting_v31 as accounting_v31;

/// The local Sage look-alike.
#[cfg(feature = "sandbox")]
pub use sage_sandbox as sandbox;
