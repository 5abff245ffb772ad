//! Which of Sage's published API descriptions each schema directory is imported from. The specs live in the
//! repository, in `schemas/upstream/` (see its `PROVENANCE.md`); `SAGE_REFERENCE_SPECS` points elsewhere.

use std::path::{Path, PathBuf};

/// Schema directory → file-name prefixes of its spec files in the reference directory.
pub const REFERENCE_SPECS: &[(&str, &[&str])] = &[
    ("accounting-v3", &["sage-accounting-v3-uki"]),
    ("accounting-v31", &["sage-accounting-v3.1.synergitech", "sage-accounting-v3.1-user-business"]),
    ("sage200", &["sage200extra-v1."]),
];

/// The reference spec directory for a workspace at `root`.
pub fn reference_specs_dir(root: &Path) -> PathBuf {
    std::env::var_os("SAGE_REFERENCE_SPECS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("schemas").join(sage_schema::load::UPSTREAM_DIR))
}

/// The spec files schema directory `dir` is imported from, sorted; an error says what is missing.
pub fn reference_spec_paths(specs_dir: &Path, dir: &str) -> Result<Vec<PathBuf>, String> {
    let prefixes = REFERENCE_SPECS
        .iter()
        .find(|(name, _)| *name == dir)
        .map(|(_, prefixes)| *prefixes)
        .ok_or_else(|| format!("no reference specs are known for `{dir}`"))?;
    let entries = std::fs::read_dir(specs_dir)
        .map_err(|err| format!("cannot read the reference specs in {}: {err}", specs_dir.display()))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| {
            let name = path.file_name().and_then(|name| name.to_str()).unwrap_or_default();
            name.ends_with(".json") && prefixes.iter().any(|prefix| name.starts_with(prefix))
        })
        .collect();
    paths.sort();
    for prefix in prefixes {
        let found =
            paths.iter().any(|path| path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(prefix)));
        if !found {
            return Err(format!("no spec file starting with `{prefix}` in {}", specs_dir.display()));
        }
    }
    Ok(paths)
}
