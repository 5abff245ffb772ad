//! The product schemas the APIs are served from: embedded in the crate by `cargo xtask codegen`, or read
//! from a directory the caller names.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use sage_schema::{ir, SourceFile};

use crate::StartError;

/// Products that loaded (each edition of a directory is one), and one message per directory that did not.
#[derive(Debug, Clone, Default)]
pub(crate) struct Loaded {
    pub(crate) products: Vec<ir::Product>,
    pub(crate) problems: Vec<String>,
}

/// The schemas embedded in this build, parsed once per process.
pub(crate) fn embedded() -> Loaded {
    static EMBEDDED: OnceLock<Loaded> = OnceLock::new();
    EMBEDDED
        .get_or_init(|| {
            let mut loaded = Loaded::default();
            for (dir, files) in crate::generated::SCHEMAS {
                let sources: Vec<SourceFile> = files
                    .iter()
                    .map(|(file, text)| SourceFile { path: format!("{dir}/{file}"), text: (*text).to_owned() })
                    .collect();
                match sage_schema::parse_products(&sources) {
                    Ok(products) => loaded.products.extend(products),
                    Err(errors) => loaded.problems.push(format!("embedded {dir}: {errors}")),
                }
            }
            loaded
        })
        .clone()
}

/// Schemas already read by this process, by directory: a test binary starting many sandboxes parses them once.
static CACHE: OnceLock<Mutex<HashMap<PathBuf, Loaded>>> = OnceLock::new();

/// [`load`], remembered per directory for the life of the process.
pub(crate) fn load_cached(dir: &Path) -> Result<Loaded, StartError> {
    let key = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let cache = CACHE.get_or_init(Mutex::default);
    if let Some(loaded) = crate::state::lock(cache).get(&key) {
        return Ok(loaded.clone());
    }
    let loaded = load(&key)?;
    crate::state::lock(cache).insert(key, loaded.clone());
    Ok(loaded)
}

/// Loads every schema directory (one holding `product.json`) under `dir`. A broken directory is skipped
/// and reported rather than failing the whole sandbox: the identity servers and other products still work.
fn load(dir: &Path) -> Result<Loaded, StartError> {
    let entries = std::fs::read_dir(dir).map_err(|error| StartError::Schemas(format!("{}: {error}", dir.display())))?;
    let mut product_dirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.join("product.json").is_file())
        .collect();
    product_dirs.sort();
    let mut loaded = Loaded::default();
    for product_dir in product_dirs {
        match sage_schema::load_dir(&product_dir) {
            Ok(products) => loaded.products.extend(products),
            Err(errors) => loaded.problems.push(format!("{}: {errors}", product_dir.display())),
        }
    }
    Ok(loaded)
}
