//! The README's quick start is the `quickstart` example, which CI compiles: keep them the same.

use std::path::Path;

fn read(relative: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::fs::read_to_string(root.join(relative)).unwrap_or_else(|err| panic!("{relative}: {err}"))
}

#[test]
fn the_quick_start_is_the_compiled_example() {
    let readme = read("README.md");
    let start = readme.find("```rust,ignore\n").expect("the README has a quick start") + "```rust,ignore\n".len();
    let snippet = &readme[start..start + readme[start..].find("```").expect("closed code block")];
    let example = read("crates/sage/examples/quickstart.rs");
    assert!(example.contains(snippet.trim()), "README quick start differs from crates/sage/examples/quickstart.rs");
}

#[test]
fn the_readme_names_the_two_fresh_machine_commands() {
    let readme = read("README.md");
    assert!(readme.contains("cargo run -p sage-cli -- demo"));
    assert!(readme.contains("bash scripts/test"));
    let ci = read(".ci/run");
    assert!(ci.contains("scripts/test"), ".ci/run runs the README's test command");
}
