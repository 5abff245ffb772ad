//! Fails when committed generated code differs from what `cargo xtask codegen` would write.
//!
//! This covers sage-books' capability matrix (its Rust table and `docs/capabilities.md`) too.
//! Products whose crate directory does not exist yet (schemas imported but not adopted as a
//! workspace member) are left to `cargo xtask codegen --check`, which reports them as missing.

use std::path::Path;

use sage_codegen::{check, expected_files, Drift};

#[test]
fn committed_generated_code_is_fresh() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("codegen/ sits in the workspace");
    let mut expected = expected_files(workspace).unwrap_or_else(|err| panic!("{err}"));
    let adopted = |path: &Path| {
        !path.starts_with("crates")
            || path.iter().nth(1).is_some_and(|name| workspace.join("crates").join(name).is_dir())
    };
    expected.retain(|path, _| adopted(path));
    assert!(expected.keys().any(|path| path.starts_with("crates/accounting-v31")), "accounting-v31 is generated");
    assert!(
        expected.contains_key(Path::new(sage_codegen::books::CAPABILITIES_MD)),
        "the capability table is generated"
    );
    let drift = check(workspace, &expected).unwrap_or_else(|err| panic!("{err}"));
    let stale: Vec<String> = drift
        .iter()
        .map(|item| match item {
            Drift::Missing { path, .. } => format!("missing: {}", path.display()),
            Drift::Stale { path, .. } => format!("stale: {}", path.display()),
            Drift::Extra { path } => format!("extra: {}", path.display()),
        })
        .collect();
    assert!(stale.is_empty(), "generated code is out of date; run `cargo xtask codegen`:\n{}", stale.join("\n"));
}
