//! The sage-rs generator: reads `schemas/<product>/*.json`, validates them into the [`ir`] (through `sage-schema`), and emits
//! the product crates.
//!
//! Everything here is a pure function over file contents except the few `load_*` / [`generate`]
//! helpers that read the disk, so the whole pipeline is testable without touching the file system.

#![warn(missing_docs)]

pub mod books;
pub mod emit;
pub mod generate;
pub mod import;
pub mod names;
pub mod postman;

pub use emit::{emit_product, emit_product_among, facade_paths, EmitError};
pub use generate::{apply, check, expected_files, Drift, GenerateError};
pub use sage_schema::load::{
    load_dir, load_product_dir, load_schemas, parse_product, parse_products, SchemaError, SchemaErrors, SourceFile,
};
pub use sage_schema::{ir, load};
