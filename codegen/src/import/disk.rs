//! The disk side of an import: read the specs and the product's hand-written files, write the area
//! files, remove area files the specs no longer produce. Hand-written files are never touched.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{import_with_twins, ImportOutput, Overrides, ProductConfig, SpecFile, Twins};

const PRODUCT_FILE: &str = "product.json";
const OVERRIDES_FILE: &str = "overrides.json";

/// Why an import could not read or write its files.
#[derive(Debug)]
pub enum DiskError {
    /// Reading or writing a file failed.
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A file is not the JSON it should be.
    Json {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

impl fmt::Display for DiskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DiskError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            DiskError::Json { path, message } => write!(f, "{}: {message}", path.display()),
        }
    }
}

impl std::error::Error for DiskError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DiskError::Io { source, .. } => Some(source),
            DiskError::Json { .. } => None,
        }
    }
}

/// Imports `spec_paths` (read in sorted order) into `product_dir`, which must hold `product.json`
/// and may hold `overrides.json`. Returns what [`import`](super::import()) returned.
pub fn import_to_dir(spec_paths: &[PathBuf], product_dir: &Path) -> Result<ImportOutput, DiskError> {
    let (output, overrides) = read_and_import(spec_paths, product_dir)?;
    let protected = |name: &str| {
        let stem = name.strip_suffix(".json").unwrap_or(name);
        name == PRODUCT_FILE || name == OVERRIDES_FILE || overrides.hand_written.iter().any(|h| h == stem)
    };
    for (relative, text) in &output.files {
        let name = relative.to_string_lossy();
        if protected(&name) {
            continue;
        }
        let path = product_dir.join(relative);
        if fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            fs::write(&path, text).map_err(|source| DiskError::Io { path: path.clone(), source })?;
        }
    }
    let entries = fs::read_dir(product_dir).map_err(|source| DiskError::Io { path: product_dir.into(), source })?;
    for entry in entries {
        let path = entry.map_err(|source| DiskError::Io { path: product_dir.into(), source })?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else { continue };
        let stale = name.ends_with(".json") && !protected(name) && !output.files.contains_key(Path::new(name));
        if stale {
            fs::remove_file(&path).map_err(|source| DiskError::Io { path: path.clone(), source })?;
        }
    }
    Ok(output)
}

/// What importing `spec_paths` into `product_dir` would produce, writing nothing (for coverage
/// reports and dry runs).
pub fn import_preview(spec_paths: &[PathBuf], product_dir: &Path) -> Result<ImportOutput, DiskError> {
    read_and_import(spec_paths, product_dir).map(|(output, _)| output)
}

fn read_and_import(spec_paths: &[PathBuf], product_dir: &Path) -> Result<(ImportOutput, Overrides), DiskError> {
    let product: ProductConfig = read_json(&product_dir.join(PRODUCT_FILE))?;
    let overrides_path = product_dir.join(OVERRIDES_FILE);
    let overrides: Overrides = if overrides_path.exists() { read_json(&overrides_path)? } else { Overrides::default() };
    let mut paths = spec_paths.to_vec();
    paths.sort();
    let specs = paths
        .iter()
        .map(|path| Ok(SpecFile { path: path.clone(), json: read_json(path)? }))
        .collect::<Result<Vec<_>, DiskError>>()?;
    let twins = match &overrides.superseded_by {
        Some(supersession) => read_twins(product_dir, &supersession.product)?,
        None => Twins::default(),
    };
    Ok((import_with_twins(&specs, &product, &overrides, &twins), overrides))
}

/// The operations of the sibling product directory `product` (its area files, sorted).
fn read_twins(product_dir: &Path, product: &str) -> Result<Twins, DiskError> {
    let dir = product_dir.parent().unwrap_or(Path::new(".")).join(product);
    let entries = fs::read_dir(&dir).map_err(|source| DiskError::Io { path: dir.clone(), source })?;
    let mut paths = Vec::new();
    for entry in entries {
        let path = entry.map_err(|source| DiskError::Io { path: dir.clone(), source })?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if name.ends_with(".json") && name != PRODUCT_FILE && name != OVERRIDES_FILE {
            paths.push(path);
        }
    }
    paths.sort();
    let areas = paths.iter().map(|path| read_json::<Value>(path)).collect::<Result<Vec<_>, _>>()?;
    Ok(Twins::from_area_files(product, &areas))
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, DiskError> {
    let text = fs::read_to_string(path).map_err(|source| DiskError::Io { path: path.into(), source })?;
    serde_json::from_str(&text).map_err(|err| DiskError::Json { path: path.into(), message: err.to_string() })
}
