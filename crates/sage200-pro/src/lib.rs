//! Client for Sage 200 Professional, generated from `schemas/sage200/`.
//!
//! Each API area is a module behind a cargo feature of the same name (`full` enables all);
//! `common` is always built. Every operation is a struct: build it with `new(..)` and the
//! setters, then `send(&client)` it, or stream a list's items with `items(&client)`.
//! With the `catalog` feature, `operations::OPERATIONS` lists every operation as data, whatever
//! areas are enabled.
//!
//! ```no_run
//! # #[cfg(feature = "sales")]
//! # async fn demo(client: &sage_core::Client) -> sage_core::Result<()> {
//! use sage200_pro::sales::ListCustomers;
//!
//! let page = ListCustomers::new().send(client).await?;
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
