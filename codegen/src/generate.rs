//! What `cargo xtask codegen` writes, and how the tree on disk differs from it.
//!
//! Kept in the library so that a test can fail when committed generated code is stale.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::books;
use crate::emit::{
    emit_edition, emit_product_among, emit_shared_crate, facade_paths, header_line, parallel, sandbox_files, EmitError,
    SharedGroup, AREAS_DIR, DRIFT_MODELS, DRIFT_TEST, GENERATED_DIR, SANDBOX_CRATE,
};
use crate::ir::Product;
use crate::load::{parse_products, product_dirs, read_sources, SchemaErrors, SourceFile};

/// Why generation could not run.
#[derive(Debug)]
pub enum GenerateError {
    /// The schemas are invalid (every error is listed).
    Schema(SchemaErrors),
    /// The emitter produced invalid Rust.
    Emit(EmitError),
    /// Reading the tree failed.
    Io(PathBuf, std::io::Error),
}

impl fmt::Display for GenerateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Schema(errors) => errors.fmt(f),
            Self::Emit(error) => error.fmt(f),
            Self::Io(path, error) => write!(f, "{}: {error}", path.display()),
        }
    }
}

impl std::error::Error for GenerateError {}

/// One way the tree differs from what codegen would write. Paths are relative to the workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drift {
    /// Codegen would create this file.
    Missing {
        /// Where it belongs.
        path: PathBuf,
        /// What codegen would write.
        expected: String,
    },
    /// The file differs from what codegen would write.
    Stale {
        /// The file.
        path: PathBuf,
        /// What codegen would write.
        expected: String,
        /// What is on disk.
        actual: String,
    },
    /// A generated file codegen would no longer write.
    Extra {
        /// The file.
        path: PathBuf,
    },
}

impl Drift {
    /// The workspace-relative path concerned.
    pub fn path(&self) -> &Path {
        match self {
            Self::Missing { path, .. } | Self::Stale { path, .. } | Self::Extra { path } => path,
        }
    }
}

/// Every file codegen writes for the schemas under `<workspace>/schemas`, keyed by
/// workspace-relative path: the product crates (`crates/<product>/…`, one per edition of a directory
/// that lists editions, plus the crate they share), the sandbox's embedded schemas and sage-books'
/// capability matrix (from `schemas/books/`).
///
/// Products are read, and crates emitted, side by side on every core.
pub fn expected_files(workspace: &Path) -> Result<BTreeMap<PathBuf, String>, GenerateError> {
    let dirs = product_dirs(&workspace.join("schemas")).map_err(GenerateError::Schema)?;
    let parsed = parallel::map(&dirs, |dir| {
        let name = dir.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
        let sources = read_sources(dir, &format!("schemas/{name}"))?;
        parse_products(&sources).map(|products| (name, products, sources))
    });
    let mut errors = Vec::new();
    let mut products = Vec::new();
    let mut embedded = Vec::new();
    for result in parsed {
        match result {
            Ok((name, found, sources)) => {
                // Sage 200's creates and updates send the model its reads return: give them
                // `NewX` / `XUpdate` models of their own, as Accounting's are.
                products.extend(found.into_iter().map(|mut product| {
                    crate::import::derive_write_models(&mut product);
                    product
                }));
                embedded.push((name, sources));
            }
            Err(SchemaErrors(found)) => errors.extend(found),
        }
    }
    if !errors.is_empty() {
        return Err(GenerateError::Schema(SchemaErrors(errors)));
    }
    let capabilities = capability_files(workspace, &products)?;
    let facade_paths = facade_paths(&products);
    let mut groups: BTreeMap<&str, Vec<&Product>> = BTreeMap::new();
    for product in &products {
        if let Some(shared) = &product.shared_crate {
            groups.entry(shared).or_default().push(product);
        }
    }
    let groups = groups
        .into_iter()
        .map(|(name, members)| SharedGroup::new(name, members))
        .collect::<Result<Vec<_>, _>>()
        .map_err(GenerateError::Emit)?;
    let mut crates: Vec<Crate<'_>> = groups.iter().map(Crate::Shared).collect();
    for product in &products {
        crates.push(match groups.iter().find(|group| Some(group.crate_name) == product.shared_crate.as_deref()) {
            Some(group) => Crate::Edition(product, group),
            None => Crate::Alone(product),
        });
    }
    crates.push(Crate::Sandbox(&embedded));
    let mut files = BTreeMap::new();
    for emitted in parallel::map(&crates, |krate| krate.emit(&facade_paths)) {
        let (dir, emitted) = emitted.map_err(GenerateError::Emit)?;
        files.extend(emitted.into_iter().map(|(path, contents)| (dir.join(path), contents)));
    }
    files.extend(capabilities);
    Ok(files)
}

/// sage-books' capability matrix (Rust and docs), from `schemas/books/` when it is there.
fn capability_files(workspace: &Path, products: &[Product]) -> Result<BTreeMap<PathBuf, String>, GenerateError> {
    let dir = workspace.join("schemas").join(books::BOOKS_DIR);
    if !dir.is_dir() {
        return Ok(BTreeMap::new());
    }
    let sources = read_sources(&dir, &format!("schemas/{}", books::BOOKS_DIR)).map_err(GenerateError::Schema)?;
    books::capability_files(&sources, products).map_err(GenerateError::Schema)
}

/// One crate codegen writes.
enum Crate<'a> {
    /// The code several editions share.
    Shared(&'a SharedGroup<'a>),
    /// A product built on a shared crate.
    Edition(&'a Product, &'a SharedGroup<'a>),
    /// A product that stands alone.
    Alone(&'a Product),
    /// The sandbox's embedded schemas.
    Sandbox(&'a [(String, Vec<SourceFile>)]),
}

impl Crate<'_> {
    /// The crate's directory in the workspace and its files, keyed by path inside it.
    fn emit(&self, facade_paths: &BTreeMap<String, String>) -> Result<(PathBuf, BTreeMap<String, String>), EmitError> {
        let crates = Path::new("crates");
        Ok(match self {
            Self::Shared(group) => (crates.join(group.crate_name), emit_shared_crate(group, facade_paths)?),
            Self::Edition(product, group) => (crates.join(&product.name), emit_edition(product, group, facade_paths)?),
            Self::Alone(product) => (crates.join(&product.name), emit_product_among(product, facade_paths)?),
            Self::Sandbox(embedded) => (PathBuf::from(SANDBOX_CRATE), sandbox_files(embedded)?),
        })
    }
}

/// How the tree under `workspace` differs from `expected`, sorted by path.
pub fn check(workspace: &Path, expected: &BTreeMap<PathBuf, String>) -> Result<Vec<Drift>, GenerateError> {
    let mut drift = Vec::new();
    for (path, contents) in expected {
        match std::fs::read_to_string(workspace.join(path)) {
            Ok(actual) if actual == *contents => {}
            Ok(actual) => drift.push(Drift::Stale { path: path.clone(), expected: contents.clone(), actual }),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                drift.push(Drift::Missing { path: path.clone(), expected: contents.clone() })
            }
            Err(err) => return Err(GenerateError::Io(workspace.join(path), err)),
        }
    }
    for path in generated_on_disk(workspace)? {
        if !expected.contains_key(&path) {
            drift.push(Drift::Extra { path });
        }
    }
    drift.sort_by(|a, b| a.path().cmp(b.path()));
    Ok(drift)
}

/// Brings the tree in line: writes missing and stale files, removes extra ones.
pub fn apply(workspace: &Path, drift: &[Drift]) -> Result<(), GenerateError> {
    for item in drift {
        let path = workspace.join(item.path());
        let result = match item {
            Drift::Missing { expected, .. } | Drift::Stale { expected, .. } => {
                path.parent().map_or(Ok(()), std::fs::create_dir_all).and_then(|()| std::fs::write(&path, expected))
            }
            Drift::Extra { .. } => std::fs::remove_file(&path),
        };
        result.map_err(|err| GenerateError::Io(path, err))?;
    }
    Ok(())
}

/// Generated files present on disk: `src/generated/**`, `areas/**` (a shared crate's area crates)
/// and the manifest of every crate whose `Cargo.toml` carries the generated header, and the
/// sandbox's `src/generated/**`.
fn generated_on_disk(workspace: &Path) -> Result<Vec<PathBuf>, GenerateError> {
    let crates = workspace.join("crates");
    let mut found = Vec::new();
    let entries = match std::fs::read_dir(&crates) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(found),
        Err(err) => return Err(GenerateError::Io(crates, err)),
    };
    let marker = header_line("#", "");
    let marker = marker.split(" from ").next().unwrap_or_default();
    for entry in entries {
        let dir = entry.map_err(|err| GenerateError::Io(crates.clone(), err))?.path();
        let relative = Path::new("crates").join(dir.file_name().unwrap_or_default());
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap_or_default();
        if !manifest.starts_with(marker) {
            continue;
        }
        found.push(relative.join("Cargo.toml"));
        collect_files(workspace, &relative.join(GENERATED_DIR), &mut found)?;
        collect_files(workspace, &relative.join(AREAS_DIR), &mut found)?;
        for file in [DRIFT_TEST, DRIFT_MODELS] {
            if workspace.join(&relative).join(file).is_file() {
                found.push(relative.join(file));
            }
        }
    }
    collect_files(workspace, &Path::new(SANDBOX_CRATE).join(GENERATED_DIR), &mut found)?;
    for file in [books::CAPABILITIES_RS, books::CAPABILITIES_MD] {
        if workspace.join(file).is_file() {
            found.push(PathBuf::from(file));
        }
    }
    Ok(found)
}

fn collect_files(workspace: &Path, relative: &Path, found: &mut Vec<PathBuf>) -> Result<(), GenerateError> {
    let absolute = workspace.join(relative);
    let entries = match std::fs::read_dir(&absolute) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(err) => return Err(GenerateError::Io(absolute, err)),
    };
    for entry in entries {
        let entry = entry.map_err(|err| GenerateError::Io(absolute.clone(), err))?;
        let path = relative.join(entry.file_name());
        if entry.path().is_dir() {
            collect_files(workspace, &path, found)?;
        } else {
            found.push(path);
        }
    }
    Ok(())
}
