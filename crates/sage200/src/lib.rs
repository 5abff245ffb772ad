//! The Sage 200 v1 API as both editions share it, generated once from `schemas/sage200/` (which
//! describes both editions): every model, and the operations Professional and Standard Online both
//! have.
//!
//! Depend on [`sage200-pro`](https://docs.rs/sage200-pro) or
//! [`sage200-standard`](https://docs.rs/sage200-standard) instead: they re-export this crate area by
//! area, carry the edition's base URL (`PRODUCT`), and `sage200-pro` adds the operations only
//! Professional has, which a Standard client therefore cannot name. Areas are features of the same
//! names; the edition crates turn them on.
//!
//! Each area is compiled as a crate of its own (`sage200-sales`, …, and `sage200-common` for the
//! shared models and ids), which this crate re-exports as its modules: rustc builds them side by
//! side and never holds the whole API in memory at once.

// Generated code is formatted by prettyplease; rustfmt would reflow it and `--check` would disagree.
#[rustfmt::skip]
mod generated;

pub use generated::*;
