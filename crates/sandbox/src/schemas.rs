//! Finding the product schemas the APIs are served from.

use std::path::{Path, PathBuf};

use sage_codegen::ir;

use crate::StartError;

/// The workspace's `schemas/` directory.
pub(crate) fn default_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../schemas"))
}

/// Products that loaded, and one message per product directory that did not.
#[derive(Debug, Default)]
pub(crate) struct Loaded {
    pub(crate) products: Vec<ir::Product>,
    pub(crate) problems: Vec<String>,
}

/// Loads every product directory (one holding `product.json`) under `dir`. A broken product is skipped
/// and reported rather than failing the whole sandbox: the identity servers and other products still work.
pub(crate) fn load(dir: &Path) -> Result<Loaded, StartError> {
    let entries = std::fs::read_dir(dir).map_err(|error| StartError::Schemas(format!("{}: {error}", dir.display())))?;
    let mut product_dirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.join("product.json").is_file())
        .collect();
    product_dirs.sort();
    let mut loaded = Loaded::default();
    for product_dir in product_dirs {
        match sage_codegen::load_product_dir(&product_dir) {
            Ok(product) => loaded.products.push(product),
            Err(errors) => loaded.problems.push(format!("{}: {errors}", product_dir.display())),
        }
    }
    Ok(loaded)
}
