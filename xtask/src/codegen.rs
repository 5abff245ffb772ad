//! `cargo xtask codegen [--check] [PRODUCT…]`: write or check the generated product crates.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use sage_codegen::{apply, check, expected_files, load_schemas, Drift};

/// Lines of diff shown per stale file before the rest is elided.
const DIFF_LINES: usize = 40;

pub fn codegen(root: &Path, check_only: bool, products: &[String]) -> Result<ExitCode, String> {
    let dirs = crate_dirs(root, products)?;
    let selected = |path: &Path| products.is_empty() || dirs.iter().any(|dir| path.starts_with(dir));
    let mut expected = expected_files(root).map_err(|err| err.to_string())?;
    expected.retain(|path, _| selected(path));
    let mut drift = check(root, &expected).map_err(|err| err.to_string())?;
    drift.retain(|item| selected(item.path()));
    if check_only {
        if drift.is_empty() {
            println!("generated code is up to date ({} files)", expected.len());
            return Ok(ExitCode::SUCCESS);
        }
        for item in &drift {
            report(item);
        }
        let command =
            std::iter::once("cargo xtask codegen").chain(products.iter().map(String::as_str)).collect::<Vec<_>>();
        eprintln!("\n{} generated file(s) out of date; run `{}` to update them.", drift.len(), command.join(" "));
        return Ok(ExitCode::FAILURE);
    }
    apply(root, &drift).map_err(|err| err.to_string())?;
    for item in &drift {
        let verb = match item {
            Drift::Missing { .. } => "created",
            Drift::Stale { .. } => "updated",
            Drift::Extra { .. } => "removed",
        };
        println!("{verb} {}", item.path().display());
    }
    println!("{} file(s) changed, {} generated in total", drift.len(), expected.len());
    Ok(ExitCode::SUCCESS)
}

/// The crate directories of `names` (schema directories or products): each product's crate and the
/// crate it shares with other editions.
fn crate_dirs(root: &Path, names: &[String]) -> Result<Vec<PathBuf>, String> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let all = load_schemas(&root.join("schemas")).map_err(|err| err.to_string())?;
    let mut dirs = Vec::new();
    for name in names {
        let matching: Vec<_> =
            all.iter().filter(|product| &product.name == name || &product.schema_dir == name).collect();
        if matching.is_empty() {
            let known: Vec<&str> = all.iter().map(|product| product.name.as_str()).collect();
            return Err(format!("unknown product `{name}`; known: {}", known.join(", ")));
        }
        for product in matching {
            dirs.extend(
                std::iter::once(&product.name).chain(&product.shared_crate).map(|dir| Path::new("crates").join(dir)),
            );
        }
    }
    Ok(dirs)
}

fn report(item: &Drift) {
    match item {
        Drift::Missing { path, .. } => eprintln!("missing: {}", path.display()),
        Drift::Extra { path } => eprintln!("extra (no longer generated): {}", path.display()),
        Drift::Stale { path, expected, actual } => {
            eprintln!("stale: {}", path.display());
            let diff = similar::TextDiff::from_lines(actual.as_str(), expected.as_str());
            let text = diff.unified_diff().context_radius(2).header("on disk", "codegen").to_string();
            let mut lines = text.lines();
            for line in lines.by_ref().take(DIFF_LINES) {
                eprintln!("    {line}");
            }
            let rest = lines.count();
            if rest > 0 {
                eprintln!("    … {rest} more diff lines");
            }
        }
    }
}
