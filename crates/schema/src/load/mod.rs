//! Loading schemas: JSON files in, a validated [`ir::Product`](crate::ir::Product) or every error out.
//!
//! [`parse_products`] is pure (file contents in, IR out); [`load_dir`] and [`load_schemas`] add the
//! reading of `schemas/<dir>/` from disk. A directory is one product, or, when its `product.json` lists
//! `editions`, one product per edition.

mod area;
mod editions;
mod error;
mod json;
mod model;
mod operation;
mod product;
mod reader;
mod sites;
mod types;
mod validate;

use std::path::Path;

pub use error::{SchemaError, SchemaErrors};

use crate::ir::Product;
use area::Reader;
use reader::Cx;
use sites::Sites;

/// One schema file: where it is (as shown in errors) and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Path as shown in errors, e.g. `schemas/accounting-v31/contacts.json`; its file stem names the area.
    pub path: String,
    /// The JSON text.
    pub text: String,
}

/// Files of a product directory the loader does not read as areas.
const PRODUCT_FILE: &str = "product.json";
const OVERRIDES_FILE: &str = "overrides.json";

/// Reads the products of one directory from its files (`product.json` plus area files; `overrides.json`
/// belongs to the importer and is skipped): the product, or each edition it lists. All errors of all
/// files are returned together.
pub fn parse_products(files: &[SourceFile]) -> Result<Vec<Product>, SchemaErrors> {
    let mut errors = Vec::new();
    let mut sites = Sites::default();
    let mut header = None;
    let mut areas = Vec::new();
    for file in files {
        let file_name = Path::new(&file.path).file_name().and_then(|name| name.to_str()).unwrap_or_default();
        if file_name == OVERRIDES_FILE {
            continue;
        }
        let mut cx = Cx::new(file.path.clone(), &mut errors);
        let node = match json::parse(&file.text) {
            Ok(node) => node,
            Err(err) => {
                cx.error("", format!("invalid JSON: {err}"));
                continue;
            }
        };
        if file_name == PRODUCT_FILE {
            let dir = Path::new(&file.path).parent().and_then(|dir| dir.file_name()).and_then(|dir| dir.to_str());
            header = product::parse_header(&mut cx, &node, dir);
            continue;
        }
        let stem = file_name.strip_suffix(".json").unwrap_or(file_name);
        if !area::is_area_name(stem) {
            cx.error("", format!("area file name `{stem}` must be a snake_case module and feature name"));
            continue;
        }
        areas.push(Reader::new(cx, stem, &mut sites).parse_area(&node));
    }
    let product_name = header.as_ref().map(|header| header.name.clone()).unwrap_or_default();
    if header.is_none() && !files.iter().any(|file| file.path.ends_with(PRODUCT_FILE)) {
        let dir = files.first().and_then(|file| Path::new(&file.path).parent()).unwrap_or(Path::new(""));
        let path = dir.join(PRODUCT_FILE).display().to_string();
        errors.push(SchemaError { file: path, pointer: String::new(), reason: "missing product.json".into() });
    }
    validate::validate(&product_name, &areas, &sites, &mut errors);
    editions::check_names(header.as_ref(), &sites.editions, &mut errors);
    match header {
        Some(header) if errors.is_empty() => {
            areas.sort_by(|a, b| a.name.cmp(&b.name));
            Ok(editions::products(header, areas))
        }
        _ => Err(SchemaErrors(errors)),
    }
}

/// Reads a directory that holds one product (no `editions`); see [`parse_products`].
pub fn parse_product(files: &[SourceFile]) -> Result<Product, SchemaErrors> {
    let mut products = parse_products(files)?;
    match products.len() {
        1 => Ok(products.remove(0)),
        _ => {
            let file = files.iter().find(|file| file.path.ends_with(PRODUCT_FILE)).map(|file| file.path.clone());
            let reason = "this directory lists editions, each a product: read it with `parse_products`".into();
            Err(SchemaErrors(vec![SchemaError { file: file.unwrap_or_default(), pointer: "/editions".into(), reason }]))
        }
    }
}

/// Reads a directory that holds one product (no `editions`); see [`load_dir`].
pub fn load_product_dir(dir: &Path) -> Result<Product, SchemaErrors> {
    parse_product(&read_sources(dir, &dir.display().to_string())?)
}

/// Reads and parses every `*.json` file of a schema directory (paths shown as `dir/file.json`): its
/// product, or its editions.
pub fn load_dir(dir: &Path) -> Result<Vec<Product>, SchemaErrors> {
    parse_products(&read_sources(dir, &dir.display().to_string())?)
}

/// Loads the products of every directory under `schemas_dir` (an edition is a product), sorted by
/// directory, reporting the errors of all of them together.
pub fn load_schemas(schemas_dir: &Path) -> Result<Vec<Product>, SchemaErrors> {
    let mut products = Vec::new();
    let mut errors = Vec::new();
    for dir in product_dirs(schemas_dir)? {
        match load_dir(&dir) {
            Ok(found) => products.extend(found),
            Err(SchemaErrors(found)) => errors.extend(found),
        }
    }
    if errors.is_empty() {
        Ok(products)
    } else {
        Err(SchemaErrors(errors))
    }
}

/// The folder of `schemas/` that holds Sage's own API descriptions (the importer's input), not a product.
pub const UPSTREAM_DIR: &str = "upstream";

/// The folder of `schemas/` that maps the finance model (sage-books) onto the products, read by
/// codegen for the capability matrix, not a product.
pub const BOOKS_DIR: &str = "books";

/// The product subdirectories of `schemas_dir` (all but [`UPSTREAM_DIR`] and [`BOOKS_DIR`]), sorted.
pub fn product_dirs(schemas_dir: &Path) -> Result<Vec<std::path::PathBuf>, SchemaErrors> {
    let entries = std::fs::read_dir(schemas_dir).map_err(|err| io_error(schemas_dir, err))?;
    let mut dirs = Vec::new();
    for entry in entries {
        let path = entry.map_err(|err| io_error(schemas_dir, err))?.path();
        if path.is_dir() && !path.ends_with(UPSTREAM_DIR) && !path.ends_with(BOOKS_DIR) {
            dirs.push(path);
        }
    }
    dirs.sort();
    Ok(dirs)
}

/// The `*.json` files of `dir`, sorted, with paths shown as `shown_dir/<file>`.
pub fn read_sources(dir: &Path, shown_dir: &str) -> Result<Vec<SourceFile>, SchemaErrors> {
    let entries = std::fs::read_dir(dir).map_err(|err| io_error(dir, err))?;
    let mut paths = Vec::new();
    for entry in entries {
        let path = entry.map_err(|err| io_error(dir, err))?.path();
        if path.extension().is_some_and(|ext| ext == "json") {
            paths.push(path);
        }
    }
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).map_err(|err| io_error(&path, err))?;
            let name = path.file_name().map(|name| name.to_string_lossy()).unwrap_or_default();
            Ok(SourceFile { path: format!("{shown_dir}/{name}"), text })
        })
        .collect()
}

fn io_error(path: &Path, err: std::io::Error) -> SchemaErrors {
    SchemaErrors(vec![SchemaError {
        file: path.display().to_string(),
        pointer: String::new(),
        reason: err.to_string(),
    }])
}
