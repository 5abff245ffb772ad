//! What a runtime crate links, as `cargo tree` reports its normal (non-dev, non-build) dependencies:
//! the sandbox is a server a user installs, so it must not carry the generator or its formatter,
//! and the product crates' runtime must not compile proc macros or crates nobody needs.

use std::path::Path;
use std::process::Command;

/// Every package in the normal dependency tree of `package`, one name per entry.
fn normal_dependencies(package: &str) -> Vec<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let output = Command::new(cargo)
        .current_dir(workspace)
        .args(["tree", "--offline", "-p", package, "-e", "normal", "--prefix", "none", "--format", "{p}"])
        .output()
        .expect("cargo tree runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8(output.stdout).expect("utf-8");
    text.lines().filter_map(|line| line.split_whitespace().next()).map(str::to_owned).collect()
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
