//! `cargo xtask coverage`: how much of each product's reference specs the generated crates cover.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::ExitCode;

use sage_codegen::import::{
    import_preview, is_hand_written_addition, reference_spec_paths, reference_specs_dir, REFERENCE_SPECS,
};
use sage_codegen::ir::Product;
use sage_codegen::load_dir;

pub fn coverage(root: &Path) -> Result<ExitCode, String> {
    let specs_dir = reference_specs_dir(root);
    println!("{:<18} {:>9} {:>9} {:>12} {:>9}", "product", "in specs", "imported", "hand-written", "left out");
    let mut left_out = Vec::new();
    let mut additions = Vec::new();
    for (dir, _) in REFERENCE_SPECS {
        let schema_dir = root.join("schemas").join(dir);
        let specs = reference_spec_paths(&specs_dir, dir)?;
        let preview = import_preview(&specs, &schema_dir).map_err(|err| err.to_string())?;
        let products = load_dir(&schema_dir).map_err(|err| err.to_string())?;
        let in_any: BTreeSet<&str> = products.iter().flat_map(operations).collect();
        for product in &products {
            let name = product.name.as_str();
            let own: BTreeSet<&str> = operations(product).collect();
            // What the specs gave to other editions only.
            let elsewhere: Vec<&str> = in_any.difference(&own).copied().collect();
            let stats = preview.stats;
            let imported = stats.operations_written - elsewhere.len();
            let hand_written = own.len().saturating_sub(imported);
            let missing = stats.operations_in_spec - imported;
            println!("{name:<18} {:>9} {imported:>9} {hand_written:>12} {missing:>9}", stats.operations_in_spec);
            left_out.extend(elsewhere.iter().map(|op| format!("  {name}: {op}: only in other editions")));
            // Every operation not written has a report entry pointing at it: `/paths/{path}/{method}`.
            left_out.extend(
                preview
                    .report
                    .iter()
                    .filter(|issue| issue.pointer.starts_with("/paths/") && issue.pointer.matches('/').count() == 3)
                    .map(|issue| format!("  {name}: {}#{}: {}", file_name(&issue.file), issue.pointer, issue.reason)),
            );
            // What overrides.json adds to what the specs say (e.g. `idempotency_id` on v3.1 creates).
            additions.extend(
                preview
                    .report
                    .iter()
                    .filter(|issue| is_hand_written_addition(issue))
                    .map(|issue| format!("  {name}: {}#{}: {}", file_name(&issue.file), issue.pointer, issue.reason)),
            );
        }
    }
    if !additions.is_empty() {
        println!("\nhand-written additions to the specs:");
        for line in additions {
            println!("{line}");
        }
    }
    if !left_out.is_empty() {
        println!("\nnot generated, and why:");
        for line in left_out {
            println!("{line}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default()
}

/// The names of a product's operations.
fn operations(product: &Product) -> impl Iterator<Item = &str> {
    product
        .areas
        .iter()
        .flat_map(|area| &area.resources)
        .flat_map(|resource| &resource.operations)
        .map(|op| op.name.as_str())
}
