//! `cargo xtask coverage`: how much of each product's reference specs the generated crates cover.

use std::path::Path;
use std::process::ExitCode;

use sage_codegen::import::{
    import_preview, is_hand_written_addition, reference_spec_paths, reference_specs_dir, REFERENCE_SPECS,
};
use sage_codegen::load_product_dir;

pub fn coverage(root: &Path) -> Result<ExitCode, String> {
    let specs_dir = reference_specs_dir(root);
    println!("{:<18} {:>9} {:>9} {:>12} {:>9}", "product", "in specs", "imported", "hand-written", "left out");
    let mut left_out = Vec::new();
    let mut additions = Vec::new();
    for (product, _) in REFERENCE_SPECS {
        let product_dir = root.join("schemas").join(product);
        let specs = reference_spec_paths(&specs_dir, product)?;
        let preview = import_preview(&specs, &product_dir).map_err(|err| err.to_string())?;
        let schema = load_product_dir(&product_dir).map_err(|err| err.to_string())?;
        let generated = schema.areas.iter().flat_map(|area| &area.resources).map(|r| r.operations.len()).sum::<usize>();
        let stats = preview.stats;
        let hand_written = generated.saturating_sub(stats.operations_written);
        let missing = stats.operations_in_spec - stats.operations_written;
        println!(
            "{product:<18} {:>9} {:>9} {:>12} {:>9}",
            stats.operations_in_spec, stats.operations_written, hand_written, missing
        );
        // Every operation not written has a report entry pointing at it: `/paths/{path}/{method}`.
        left_out.extend(
            preview
                .report
                .iter()
                .filter(|issue| issue.pointer.starts_with("/paths/") && issue.pointer.matches('/').count() == 3)
                .map(|issue| format!("  {product}: {}#{}: {}", file_name(&issue.file), issue.pointer, issue.reason)),
        );
        // What overrides.json adds to what the specs say (e.g. `idempotency_id` on v3.1 creates).
        additions.extend(
            preview
                .report
                .iter()
                .filter(|issue| is_hand_written_addition(issue))
                .map(|issue| format!("  {product}: {}#{}: {}", file_name(&issue.file), issue.pointer, issue.reason)),
        );
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
