//! What a runtime crate links, as `cargo tree` reports its normal (non-dev, non-build) dependencies:
//! the sandbox is a server a user installs, so it must not carry the generator or its formatter,
//! and the product crates' runtime must not compile proc macros or crates nobody needs.

use std::path::Path;
use std::process::Command;

/// Every package in the normal dependency tree of `package`, one name per entry.
fn normal_dependencies(package: &str) -> Vec<String> {
    normal_tree(package).into_iter().filter_map(|(_, line)| line.split_whitespace().next().map(str::to_owned)).collect()
}

/// `cargo tree`'s lines for the normal dependencies of `package`: each package's depth, and its
/// `name vX.Y.Z` (maybe a path or `(*)` after).
fn normal_tree(package: &str) -> Vec<(usize, String)> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let output = Command::new(cargo)
        .current_dir(workspace)
        .args(["tree", "--offline", "-p", package, "-e", "normal", "--prefix", "depth", "--format", "{p}"])
        .output()
        .expect("cargo tree runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8(output.stdout).expect("utf-8");
    let split = |line: &str| {
        let name_at = line.find(|c: char| !c.is_ascii_digit()).unwrap_or(line.len());
        (line[..name_at].parse().unwrap_or(0), line[name_at..].to_owned())
    };
    text.lines().map(split).collect()
}

#[test]
fn the_sandbox_does_not_link_the_generator() {
    let found = normal_dependencies("sage-sandbox");
    assert!(found.iter().any(|name| name == "sage-schema"), "the tree was read: {found:?}");
    for generator in ["sage-codegen", "prettyplease"] {
        assert!(!found.iter().any(|name| name == generator), "sage-sandbox links {generator}");
    }
}

#[test]
fn the_runtime_compiles_no_tracing_attributes() {
    let found = normal_dependencies("sage-core");
    assert!(found.iter().any(|name| name == "tracing"), "the tree was read: {found:?}");
    assert!(!found.iter().any(|name| name == "tracing-attributes"));
}

#[test]
fn the_runtime_builds_no_crate_for_a_macro_or_a_call_it_can_get_elsewhere() {
    let found = normal_dependencies("sage-core");
    assert!(found.iter().any(|name| name == "futures-util"), "the tree was read: {found:?}");
    // futures-util's `select!`/`join!` (tokio's are used); rustix for `geteuid` (libc comes with tokio);
    // tokio-util, which only reqwest's `stream` feature (streaming bodies, unused) brings.
    for unneeded in ["futures-macro", "rustix", "tokio-util"] {
        assert!(!found.iter().any(|name| name == unneeded), "sage-core builds {unneeded}");
    }
    assert!(found.iter().any(|name| name == "libc"), "libc is no longer in the tree: {found:?}");
}

#[test]
fn oauth2_builds_beside_reqwest_and_shares_the_runtimes_thiserror() {
    let tree = normal_tree("sage-core");
    // Token requests go through sage-core's own client, so oauth2's reqwest integration is left
    // out: with it, oauth2 could start compiling only after reqwest.
    let at = tree.iter().position(|(_, line)| line.starts_with("oauth2 ")).expect("sage-core depends on oauth2");
    let depth = tree[at].0;
    let oauth2: Vec<_> = tree[at + 1..].iter().take_while(|(below, _)| *below > depth).collect();
    assert!(oauth2.iter().any(|(_, line)| line.starts_with("url ")), "oauth2's dependencies were read: {oauth2:?}");
    assert!(!oauth2.iter().any(|(_, line)| line.starts_with("reqwest ")), "oauth2 depends on reqwest");
    // One thiserror, the major oauth2 uses, so one derive macro (and one syn) is compiled for it.
    let majors: std::collections::BTreeSet<_> = tree
        .iter()
        .filter(|(_, line)| line.starts_with("thiserror "))
        .filter_map(|(_, line)| line.split_whitespace().nth(1)?.split('.').next().map(str::to_owned))
        .collect();
    assert_eq!(majors.len(), 1, "thiserror majors in sage-core's tree: {majors:?}");
}
