//! The capability matrix of sage-books (product × resource × operation × field → supported,
//! read-only, not available), derived from a hand-written mapping spec in `schemas/books/` and
//! the product schemas, and written as Rust data for the crate and as a table for the docs.
//!
//! The spec says which product operation and field serve each model resource and field; the
//! schemas say whether the product has them (the rules are in `derive.rs`).

mod derive;
mod markdown;
mod matrix;
mod ordered;
mod paths;
mod rust;
mod spec;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use matrix::{FieldFact, Matrix, ModelOp, OperationFact, RequirementFact, Support};
pub use spec::BOOKS_DIR;

use crate::ir::Product;
use crate::load::{SchemaError, SchemaErrors, SourceFile};
use derive::ProductFile;

/// Where the Rust table goes, relative to the workspace.
pub const CAPABILITIES_RS: &str = "crates/books/src/generated/capabilities.rs";
/// Where the docs' table goes, relative to the workspace.
pub const CAPABILITIES_MD: &str = "docs/capabilities.md";

/// The matrix the spec files (`schemas/books/*.json`) and `products` (as codegen reads them,
/// write models derived) give, or every error, each naming its spec file and JSON pointer.
pub fn derive_matrix(spec_files: &[SourceFile], products: &[Product]) -> Result<Matrix, SchemaErrors> {
    let mut errors = Vec::new();
    let mut model = None;
    let mut files = Vec::new();
    for file in spec_files {
        let name = Path::new(&file.path).file_name().and_then(|name| name.to_str()).unwrap_or_default();
        let result = if name == spec::MODEL_FILE {
            spec::parse(file).map(|parsed| model = Some((file.path.clone(), parsed)))
        } else {
            let dir = name.strip_suffix(".json").unwrap_or(name).to_owned();
            spec::parse(file).map(|spec| files.push(ProductFile { path: file.path.clone(), dir, spec }))
        };
        if let Err(error) = result {
            errors.push(error);
        }
    }
    let Some((model_path, model)) = model else {
        let dir = spec_files.first().and_then(|file| Path::new(&file.path).parent()).unwrap_or(Path::new(""));
        let file = dir.join(spec::MODEL_FILE).display().to_string();
        errors.push(SchemaError {
            file,
            pointer: String::new(),
            reason: "missing: it lists the model's resources".into(),
        });
        return Err(SchemaErrors(errors));
    };
    if !errors.is_empty() {
        return Err(SchemaErrors(errors));
    }
    derive::derive(&model, &model_path, &files, products).map_err(SchemaErrors)
}

/// The generated files, keyed by workspace-relative path.
pub fn capability_files(
    spec_files: &[SourceFile],
    products: &[Product],
) -> Result<BTreeMap<PathBuf, String>, SchemaErrors> {
    let matrix = derive_matrix(spec_files, products)?;
    let source = format!("schemas/{BOOKS_DIR}/");
    Ok(BTreeMap::from([
        (PathBuf::from(CAPABILITIES_RS), rust::capabilities_rs(&matrix, &source)),
        (PathBuf::from(CAPABILITIES_MD), markdown::capabilities_md(&matrix, &source)),
    ]))
}
