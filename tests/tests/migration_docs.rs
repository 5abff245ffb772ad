//! MIGRATING.md shows code that compiles: every ```rust block in it must appear verbatim in the
//! example the workspace build compiles (`crates/sage/examples/migrate_v3_to_v31.rs`).

use std::path::Path;

fn read(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

/// The contents of every fenced block opened with ```rust.
fn rust_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```rust") => current = Some(Vec::new()),
            (Some(lines), "```") => {
                blocks.push(lines.join("\n"));
                current = None;
            }
            (Some(lines), _) => lines.push(line),
            (None, _) => {}
        }
    }
    assert!(current.is_none(), "a ```rust block is not closed");
    blocks
}

#[test]
fn every_rust_block_of_the_migration_guide_is_compiled_in_the_example() {
    let guide = read("MIGRATING.md");
    let example = read("crates/sage/examples/migrate_v3_to_v31.rs");
    let blocks = rust_blocks(&guide);
    assert!(blocks.len() >= 9, "one block per step at least, found {}", blocks.len());
    let stale: Vec<&str> = blocks
        .iter()
        .filter(|block| !example.contains(block.as_str()))
        .map(|block| block.lines().find(|line| line.contains("fn ")).unwrap_or(block))
        .collect();
    assert!(stale.is_empty(), "MIGRATING.md blocks not in the example (copy them over): {stale:#?}");
}

#[test]
fn the_guide_covers_all_nine_steps() {
    let guide = read("MIGRATING.md");
    for step in ["## 1–2.", "## 3.", "## 4.", "## 5.", "## 6.", "## 7.", "## 8.", "## 9."] {
        assert!(guide.contains(step), "no section `{step}`");
    }
}

#[test]
fn blocks_are_found_and_unclosed_fences_are_not_code() {
    let markdown = "text\n```rust\nfn a() {}\n```\n```sh\nls\n```\n```rust\nfn b() {}\n```\n";
    assert_eq!(rust_blocks(markdown), vec!["fn a() {}".to_string(), "fn b() {}".to_string()]);
}
