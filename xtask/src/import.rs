//! `cargo xtask import --product P [SPEC…]`: Sage's API descriptions → schemas/P/.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use sage_codegen::import::{import_to_dir, reference_spec_paths, reference_specs_dir};

pub fn import(root: &Path, product: &str, specs: Vec<PathBuf>) -> Result<ExitCode, String> {
    let specs = if specs.is_empty() { reference_spec_paths(&reference_specs_dir(root), product)? } else { specs };
    let product_dir = root.join("schemas").join(product);
    let output = import_to_dir(&specs, &product_dir).map_err(|err| err.to_string())?;
    for issue in &output.report {
        println!("{}: {}: {}", issue.file.display(), issue.pointer, issue.reason);
    }
    let stats = output.stats;
    println!(
        "{product}: {} operations in the specs, {} written, {} duplicates merged, {} left out; {} report entries",
        stats.operations_in_spec,
        stats.operations_written,
        stats.duplicates_merged,
        stats.operations_left_out,
        output.report.len()
    );
    println!("next: `cargo xtask codegen {product}`");
    Ok(ExitCode::SUCCESS)
}
