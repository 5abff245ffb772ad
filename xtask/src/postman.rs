//! `cargo xtask postman [--out DIR] [PRODUCT…]`: write a Postman v2.1 collection per product.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use sage_codegen::{load_schemas, postman};

/// Writes `<out>/<product>.postman_collection.json` for the named products (all when none is named).
pub fn postman(root: &Path, out: Option<PathBuf>, products: &[String]) -> Result<ExitCode, String> {
    let all = load_schemas(&root.join("schemas")).map_err(|err| err.to_string())?;
    let unknown: Vec<&str> =
        products.iter().filter(|name| !all.iter().any(|product| &product.name == *name)).map(String::as_str).collect();
    if !unknown.is_empty() {
        let known: Vec<&str> = all.iter().map(|product| product.name.as_str()).collect();
        return Err(format!("unknown product(s): {}; known: {}", unknown.join(", "), known.join(", ")));
    }
    let out = out.unwrap_or_else(|| root.join("target").join("postman"));
    std::fs::create_dir_all(&out).map_err(|err| format!("{}: {err}", out.display()))?;
    for product in all.iter().filter(|product| products.is_empty() || products.contains(&product.name)) {
        let json = postman::collection_json(product);
        let path = out.join(postman::file_name(product));
        std::fs::write(&path, json).map_err(|err| format!("{}: {err}", path.display()))?;
        println!("wrote {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}
