//! The README's `[dependencies]` lines and quick start, in a new cargo project outside the workspace,
//! build: what a user copies works as it is. Published versions are swapped for paths into this checkout.

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").canonicalize().expect("the workspace root")
}

/// The text of the first fenced block of `lang` after `heading` in the README.
fn block_after(readme: &str, heading: &str, lang: &str) -> String {
    let from = readme.find(heading).unwrap_or_else(|| panic!("the README has `{heading}`"));
    let fence = format!("```{lang}\n");
    let start =
        from + readme[from..].find(&fence).unwrap_or_else(|| panic!("a {lang} block after {heading}")) + fence.len();
    readme[start..start + readme[start..].find("```").expect("a closed block")].to_owned()
}

/// `sage = "0.1"` → `sage = { path = "<checkout>/crates/sage" }`; other dependencies stay as written.
fn with_local_paths(dependencies: &str, root: &Path) -> String {
    let local = [("sage", "crates/sage")];
    dependencies
        .lines()
        .map(|line| {
            let name = line.split('=').next().unwrap_or_default().trim();
            match local.iter().find(|(crate_name, _)| *crate_name == name) {
                Some((_, dir)) => {
                    assert!(line.contains("= \"0.1\""), "a plain version requirement: {line}");
                    format!("{name} = {{ path = {:?} }}", root.join(dir))
                }
                None => line.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_readme_dependencies_and_quick_start_build_in_a_new_project() {
    let root = workspace();
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    let dependencies = block_after(&readme, "## Quick start", "toml");
    assert!(dependencies.starts_with("[dependencies]\n"), "{dependencies}");
    let main = block_after(&readme, "## Quick start", "rust,ignore");

    let project = tempfile::tempdir().expect("a temp dir");
    let manifest = format!(
        "[package]\nname = \"first-sage-program\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n{}\n",
        with_local_paths(&dependencies, &root)
    );
    std::fs::write(project.path().join("Cargo.toml"), manifest).unwrap();
    std::fs::create_dir(project.path().join("src")).unwrap();
    std::fs::write(project.path().join("src/main.rs"), main).unwrap();
    // The workspace's lock file pins what was fetched, so the build runs offline.
    std::fs::copy(root.join("Cargo.lock"), project.path().join("Cargo.lock")).unwrap();

    // A target directory of its own inside the workspace's, kept between runs.
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let output = Command::new(env!("CARGO"))
        .args(["build", "--offline", "--quiet"])
        .current_dir(project.path())
        .env("CARGO_TARGET_DIR", target.join("user-project"))
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "the README's program does not build in a new project:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
