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

/// The code block of the README section headed `heading`.
fn snippet_under(readme: &str, heading: &str) -> String {
    let section = &readme[readme.find(heading).unwrap_or_else(|| panic!("the README has {heading}"))..];
    let start = section.find("```rust").expect("a rust block");
    let body = &section[start + section[start..].find('\n').unwrap() + 1..];
    body[..body.find("```").expect("closed code block")].trim().to_owned()
}

#[test]
fn the_change_feed_snippet_is_the_compiled_example_with_its_imports() {
    let snippet = snippet_under(&read("README.md"), "### Incremental sync (change feeds)");
    assert!(snippet.starts_with("use "), "the snippet shows its imports");
    let example = read("crates/sage/examples/change_feed.rs");
    assert!(example.contains(&snippet), "README change-feed snippet differs from crates/sage/examples/change_feed.rs");
}

#[test]
fn the_sage200_site_snippet_is_the_compiled_example() {
    let snippet = snippet_under(&read("README.md"), "### Choosing a Sage 200 company and site");
    assert!(snippet.contains("ListSites") && snippet.contains("with_headers"), "{snippet}");
    // The snippet is the body of the example's `main`, one indentation level in.
    let unindented = |text: &str| text.lines().map(str::trim).collect::<Vec<_>>().join("\n");
    let example = unindented(&read("crates/sage/examples/cli_login.rs"));
    assert!(example.contains(&unindented(&snippet)), "README Sage 200 site snippet differs from examples/cli_login.rs");
}

/// Every Rust block of the README is compiled code: its lines, trimmed, stand in that order in an example
/// or a test of the workspace, which CI builds (and mostly runs).
#[test]
fn every_rust_snippet_is_compiled_code() {
    let trimmed =
        |text: &str| text.lines().map(str::trim).filter(|line| !line.is_empty()).collect::<Vec<_>>().join("\n");
    let mut compiled = Vec::new();
    for dir in ["crates/sage/examples", "crates/sage/tests", "tests/tests"] {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(dir);
        for entry in std::fs::read_dir(&root).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|ext| ext == "rs") {
                compiled.push(trimmed(&std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    let readme = read("README.md");
    let mut blocks = 0;
    for block in readme.split("```rust").skip(1) {
        let body = &block[block.find('\n').unwrap() + 1..];
        let snippet = trimmed(&body[..body.find("```").expect("closed code block")]);
        assert!(
            compiled.iter().any(|code| code.contains(&snippet)),
            "README snippet is in no example or test:\n{snippet}"
        );
        blocks += 1;
    }
    assert!(blocks >= 6, "found {blocks} Rust blocks");
}
