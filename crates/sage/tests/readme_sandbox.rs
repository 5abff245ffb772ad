//! The README's "Rust against the sandbox" section is the `sandbox_client` example, and the example
//! works: a first run signs in, a second run (a new sandbox on the same data file) reuses the tokens.

use std::path::Path;

#[allow(dead_code)] // the example's own `main` is not called here
#[path = "../examples/sandbox_client.rs"]
mod example;

fn read(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

#[test]
fn the_readme_section_is_the_compiled_example_and_short() {
    let readme = read("README.md");
    let section = &readme[readme.find("## Rust against the sandbox").expect("the README has the section")..];
    let start = section.find("```rust\n").expect("a rust block") + "```rust\n".len();
    let block = &section[start..start + section[start..].find("```").expect("closed block")];
    assert!(block.lines().count() <= 15, "the section's code is at most 15 lines:\n{block}");
    let example = read("crates/sage/examples/sandbox_client.rs");
    let between = &example[example.find("// README start\n").unwrap() + 16..example.find("// README end").unwrap()];
    assert_eq!(block.trim(), between.trim(), "README block differs from crates/sage/examples/sandbox_client.rs");
}

#[tokio::test]
async fn a_second_run_reuses_the_stored_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let first = example::contact_names(dir.path()).await.expect("first run signs in");
    assert!(!first.is_empty(), "the sandbox has demo contacts");
    let tokens = std::fs::read(dir.path().join("tokens.json")).expect("tokens are stored");
    let second = example::contact_names(dir.path()).await.expect("second run uses the stored tokens");
    assert_eq!(first, second);
    let after = std::fs::read(dir.path().join("tokens.json")).unwrap();
    assert_eq!(tokens, after, "no new sign-in on the second run: the stored tokens were used as they were");
}
