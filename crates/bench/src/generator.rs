//! Generator: time to load every schema and emit every product crate, and the lines it writes.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

pub fn run() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let started = Instant::now();
    let files = sage_codegen::expected_files(&root).expect("schemas load");
    let elapsed = started.elapsed();
    let mut lines: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (path, text) in &files {
        let product = path.iter().nth(1).map(|part| part.to_string_lossy().into_owned()).unwrap_or_default();
        let entry = lines.entry(product).or_default();
        entry.0 += 1;
        entry.1 += text.lines().count();
    }
    println!(
        "generator: every product in {:.2} s (what `cargo xtask codegen` does before writing)",
        elapsed.as_secs_f64()
    );
    for (product, (count, total)) in lines {
        println!("  {product:<18} {count:>4} files {total:>8} lines");
    }
}
