//! sage-rs: typed clients for Sage's accounting APIs.
//!
//! Enable the products you use as cargo features; each product is its own crate, so a program
//! compiles only the generated code it needs. Within a product, each API area (contacts, sales,
//! nominal, stock, …) is a cargo feature of the product crate; `<product>-full` enables them all.
//! The default is all of Accounting v3.1.
//!
//! | feature | module | API |
//! |---|---|---|
//! | `accounting-v31-full` (default), `accounting-v31` | `accounting_v31` | Sage Business Cloud Accounting v3.1 |
//! | `accounting-v3-full`, `accounting-v3` | `accounting_v3` | Sage Business Cloud Accounting v3 (deprecated by Sage on 31 July 2026) |
//! | `sage200-pro-full`, `sage200-pro` | `sage200_pro` | Sage 200 Professional |
//! | `sage200-standard-full`, `sage200-standard` | `sage200_standard` | Sage 200 Standard Online |
//! | `redis` | `redis` | token store shared by many app instances |
//! | `sandbox` | `sandbox` | the local Sage look-alike used by examples and tests |
//! | `record` | `record` | record exchanges to a cassette for offline tests (replay: `sandbox::replay`) |
//! | `books` | `books` | one finance model over the four products, with their capability table |
//!
//! A feature without `-full` brings the product's runtime facts (`PRODUCT`, the operation table) and
//! only the areas enabled on the product crate itself, e.g. `sage-accounting-v31 = { version = "0.1",
//! features = ["contacts"] }` beside `sage = { version = "0.1", default-features = false, features =
//! ["accounting-v31"] }`. A path such as `sage::accounting_v31::contacts` that does not resolve means
//! its area's feature is off.
//!
//! The runtime types every product shares — [`Client`], [`Error`], [`HeaderPolicy`], [`auth`] —
//! are re-exported at the top level.
//!
//! The value types that generated signatures use — [`types::Decimal`], [`types::Date`],
//! [`types::DateTime`] — and the [`types::dec!`] literal live in [`types`], so a program needs no
//! dependency on `rust_decimal` or `chrono` of its own:
//!
//! ```
//! use sage::types::{dec, Date, DateTime, Decimal};
//!
//! let net: Decimal = dec!(100.10);
//! let total = net + dec!(20.02);
//! assert_eq!(total.to_string(), "120.12");
//! let due: Date = "2024-03-31".parse().unwrap();
//! let stamped: DateTime = "2024-03-01T10:00:00Z".parse().unwrap();
//! assert!(stamped.to_utc().date_naive() < due);
//! ```
//!
//! ```no_run
//! # #[cfg(feature = "accounting-v31-full")]
//! # async fn demo(tokens: sage::auth::TokenSet, oauth: sage::auth::OAuthClient) -> sage::Result<()> {
//! use std::sync::Arc;
//!
//! use sage::accounting_v31::{contacts::ListContacts, PRODUCT};
//! use sage::auth::{Authenticator, MemoryTokenStore};
//!
//! let auth = Authenticator::new(oauth, Arc::new(MemoryTokenStore::with_tokens(tokens)));
//! let client = sage::Client::builder(PRODUCT).auth(auth).build()?;
//! let page = ListContacts::new().search("garage").send(&client).await?;
//! println!("{} contacts", page.items.len());
//! # Ok(())
//! # }
//! ```
//!
//! # Writes
//!
//! An operation that writes takes the resource itself (`NewContact`, `ContactUpdate`); Sage's
//! `{"contact": …}` envelope is added for you. A resource's required fields are the arguments of its
//! `new`, and it has no `Default`, so a missing one is a compile error rather than an empty value sent
//! to Sage. Optional fields start unset; an update body converts from what a read returned:
//!
//! ```no_run
//! # #[cfg(feature = "accounting-v31-full")]
//! # async fn demo(client: &sage::Client) -> sage::Result<()> {
//! use sage::accounting_v31::contacts::{ContactUpdate, CreateContact, GetContact, NewContact, UpdateContact};
//!
//! let contact = NewContact { notes: Some("Pays on time".into()), ..NewContact::new("Acme Ltd", ["CUSTOMER"]) };
//! let id = CreateContact::new(contact).send(client).await?.id.unwrap_or_default();
//! let read = GetContact::new(&id).attributes("all").send(client).await?;
//! let renamed = ContactUpdate { name: Some("Acme Group Ltd".into()), ..(&read).into() };
//! UpdateContact::new(&id, renamed).send(client).await?;
//! # Ok(())
//! # }
//! ```
//!
//! Paths in compiler messages (`sage::sage_accounting_v31::contacts::NewContact`) resolve too.
//!
//! Leaving out a required field does not compile:
//!
//! ```compile_fail,E0277
//! let contact = sage::accounting_v31::contacts::NewContact { name: "Acme Ltd".into(), ..Default::default() };
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]

pub use sage_core::{auth, types, Client, ClientBuilder, Error, HeaderPolicy, ODataQuery, Page, Result, RetryPolicy};

/// The runtime itself, for what the top-level re-exports leave out.
pub use sage_core as core;

/// Incremental sync: `Client::changes` over any list filterable by change time, checkpoints and their
/// stores (`Change`, `Batch`, `Checkpoint`, `CheckpointStore`, `FileCheckpointStore`, `Shutdown`, …).
pub use sage_core::changes;

/// Sage Business Cloud Accounting v3.1.
#[cfg(feature = "accounting-v31")]
#[cfg_attr(docsrs, doc(cfg(feature = "accounting-v31")))]
#[doc(inline)]
pub use sage_accounting_v31 as accounting_v31;

/// Sage Business Cloud Accounting v3.
#[cfg(feature = "accounting-v3")]
#[cfg_attr(docsrs, doc(cfg(feature = "accounting-v3")))]
#[doc(inline)]
pub use sage_accounting_v3 as accounting_v3;

// The crates under their own names too: rustc's messages name types by crate
// (`sage::sage_accounting_v31::contacts::NewContact`), and a path in a message should be one you can write.
#[cfg(feature = "accounting-v3")]
#[doc(hidden)]
pub use sage_accounting_v3;
#[cfg(feature = "accounting-v31")]
#[doc(hidden)]
pub use sage_accounting_v31;
// Both Sage 200 editions re-export the types they share from `sage200`, the name rustc prints.
#[cfg(any(feature = "sage200-pro", feature = "sage200-standard"))]
#[doc(hidden)]
pub use sage200;

/// Sage 200 Professional.
#[cfg(feature = "sage200-pro")]
#[cfg_attr(docsrs, doc(cfg(feature = "sage200-pro")))]
#[doc(inline)]
pub use sage200_pro;

/// Sage 200 Standard Online.
#[cfg(feature = "sage200-standard")]
#[cfg_attr(docsrs, doc(cfg(feature = "sage200-standard")))]
#[doc(inline)]
pub use sage200_standard;

/// Token store in Redis with a cluster-wide refresh lock.
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
#[doc(inline)]
pub use sage_redis_store as redis;

/// Recording exchanges with Sage to a cassette file, redacted, for offline tests.
#[cfg(feature = "record")]
#[cfg_attr(docsrs, doc(cfg(feature = "record")))]
#[doc(inline)]
pub use sage_core::record;

/// Many customers' Sage accounts in one app: connections kept by id, connected, and addressed.
#[cfg(feature = "connections")]
#[cfg_attr(docsrs, doc(cfg(feature = "connections")))]
#[doc(inline)]
pub use sage_connections as connections;

/// One finance model over the four products: customers, suppliers, invoices, credit notes, payments,
/// ledger accounts and tax rates read and written the same way, checked against what each product
/// can do ([`books::capability`]) before anything is sent.
#[cfg(feature = "books")]
#[cfg_attr(docsrs, doc(cfg(feature = "books")))]
#[doc(inline)]
pub use sage_books as books;

/// The local Sage look-alike.
#[cfg(feature = "sandbox")]
#[cfg_attr(docsrs, doc(cfg(feature = "sandbox")))]
#[doc(inline)]
pub use sage_sandbox as sandbox;
