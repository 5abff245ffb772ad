//! Lists every generated model of the product crates, so `decode_models` covers new models
//! without anyone editing the fuzz target.

use std::fmt::Write as _;
use std::path::Path;

/// Product crates fuzzed: (crate name as a Rust path, directory of its generated code).
const PRODUCTS: &[(&str, &str)] = &[("sage_accounting_v31", "../accounting-v31/src/generated")];

fn main() {
    let mut calls = String::new();
    for (krate, dir) in PRODUCTS {
        println!("cargo:rerun-if-changed={dir}");
        let mut files: Vec<_> =
            std::fs::read_dir(dir).expect("generated code").map(|entry| entry.unwrap().path()).collect();
        files.sort();
        for file in files {
            let module = file.file_stem().and_then(|stem| stem.to_str()).expect("a file name").to_owned();
            let source = std::fs::read_to_string(&file).expect("readable source");
            for model in deserializable_structs(&source) {
                writeln!(calls, "check::<{krate}::{module}::{model}>(data);").unwrap();
            }
        }
    }
    let out = Path::new(&std::env::var("OUT_DIR").unwrap()).join("models.rs");
    std::fs::write(out, format!("{{\n{calls}}}\n")).unwrap();
}

/// Names of the structs whose derive list (the line before) includes `serde::Deserialize`.
fn deserializable_structs(source: &str) -> Vec<String> {
    let lines: Vec<&str> = source.lines().map(str::trim).collect();
    lines
        .windows(2)
        .filter(|pair| pair[0].starts_with("#[derive(") && pair[0].contains("Deserialize"))
        .filter_map(|pair| pair[1].strip_prefix("pub struct "))
        .map(|rest| rest.split(|c: char| !c.is_alphanumeric() && c != '_').next().unwrap_or_default().to_owned())
        .collect()
}
