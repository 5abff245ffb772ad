//! The sage-rs endpoint schema model.
//!
//! `schemas/<product>/*.json` describe each Sage API: its areas, resources, operations and models.
//! This crate reads them into the [`ir`], validating everything a consumer relies on and reporting
//! every problem with its file and JSON pointer. The generator (`sage-codegen`) and the sandbox
//! (`sage-sandbox`) both read schemas through it, so they cannot disagree on what a schema means.

#![warn(missing_docs)]

pub mod ir;
pub mod load;
pub mod names;

pub use ir::Product;
pub use load::{
    load_dir, load_product_dir, load_schemas, parse_product, parse_products, SchemaError, SchemaErrors, SourceFile,
};
