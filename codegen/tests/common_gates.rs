//! A program with one area compiles only the `common` models that area reaches, so every shared
//! model some code names must be compiled whenever that code is. Checked on the committed
//! generated code (the freshness test keeps it equal to what codegen writes), by reading the
//! `#[cfg(any(feature = …))]` of each shared item and the identifiers each item names.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;

/// The features under which an item is compiled: `None` for always.
type Gate = Option<BTreeSet<String>>;

fn parse(path: &Path) -> syn::File {
    let text = std::fs::read_to_string(path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    syn::parse_file(&text).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

fn attrs(item: &syn::Item) -> &[syn::Attribute] {
    match item {
        syn::Item::Struct(item) => &item.attrs,
        syn::Item::Enum(item) => &item.attrs,
        syn::Item::Impl(item) => &item.attrs,
        syn::Item::Const(item) => &item.attrs,
        syn::Item::Use(item) => &item.attrs,
        syn::Item::Macro(item) => &item.attrs,
        _ => &[],
    }
}

/// The features a `#[cfg(any(feature = "a", …))]` names (`None` without a cfg).
fn gate(item: &syn::Item) -> Gate {
    let cfg = attrs(item).iter().find(|attr| attr.path().is_ident("cfg"))?;
    let mut features = BTreeSet::new();
    literals(cfg.meta.to_token_stream(), &mut features);
    Some(features)
}

fn literals(tokens: TokenStream, into: &mut BTreeSet<String>) {
    for token in tokens {
        match token {
            TokenTree::Literal(literal) => {
                into.insert(literal.to_string().trim_matches('"').to_owned());
            }
            TokenTree::Group(group) => literals(group.stream(), into),
            _ => {}
        }
    }
}

/// Every identifier an item's code names (doc text is a literal, so mentions in docs do not count).
fn idents(tokens: TokenStream, into: &mut BTreeSet<String>) {
    for token in tokens {
        match token {
            TokenTree::Ident(ident) => {
                into.insert(ident.to_string());
            }
            TokenTree::Group(group) => idents(group.stream(), into),
            _ => {}
        }
    }
}

fn declared(item: &syn::Item) -> Option<String> {
    match item {
        syn::Item::Struct(item) => Some(item.ident.to_string()),
        syn::Item::Enum(item) => Some(item.ident.to_string()),
        _ => None,
    }
}

/// The area modules of a generated crate, `common` included: in `src/generated/`, or, for a shared
/// crate, one per area crate (`areas/<area>/src/<area>.rs`).
fn area_files(dir: &Path) -> Vec<PathBuf> {
    let areas = dir.join("areas");
    if !areas.is_dir() {
        let files = std::fs::read_dir(dir.join("src/generated")).unwrap().map(|entry| entry.unwrap().path());
        let not_areas = ["mod", "ids", "operations", "changes"];
        return files.filter(|path| !not_areas.contains(&path.file_stem().unwrap().to_str().unwrap())).collect();
    }
    let names =
        std::fs::read_dir(areas).unwrap().map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned());
    names.map(|area| dir.join(format!("areas/{area}/src/{area}.rs"))).collect()
}

/// Failures for one generated crate: an item compiled under `available` naming a shared item
/// whose gate does not cover it.
fn check_crate(dir: &Path) -> (usize, Vec<String>) {
    let files = area_files(dir);
    let is_common = |path: &&PathBuf| path.file_stem().is_some_and(|stem| stem == "common");
    let common = parse(files.iter().find(is_common).expect("a common module"));
    let gates: BTreeMap<String, BTreeSet<String>> =
        common.items.iter().filter_map(|item| Some((declared(item)?, gate(item)?))).collect();
    let mut failures = Vec::new();
    let mut check = |file: &str, item: &syn::Item, available: &Gate| {
        let mut named = BTreeSet::new();
        idents(item.to_token_stream(), &mut named);
        for name in named.iter().filter(|name| Some(*name) != declared(item).as_ref()) {
            let Some(needed_by) = gates.get(name) else { continue };
            let covered = available.as_ref().is_some_and(|features| features.is_subset(needed_by));
            if !covered {
                failures.push(format!(
                    "{file}: an item compiled with {available:?} names `{name}`, compiled only with {needed_by:?}"
                ));
            }
        }
    };
    for item in &common.items {
        check("common.rs", item, &gate(item));
    }
    let mut areas = 0;
    for path in files.iter().filter(|path| !is_common(path)) {
        let area = path.file_stem().unwrap().to_string_lossy().into_owned();
        areas += 1;
        let available = Some(BTreeSet::from([area.clone()]));
        for item in &parse(path).items {
            check(&format!("{area}.rs"), item, &available);
        }
    }
    assert!(areas > 5, "{}: expected the area files", dir.display());
    (gates.len(), failures)
}

#[test]
fn every_shared_model_is_compiled_with_each_area_that_names_it() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates");
    let mut gated = 0;
    for name in ["accounting-v3", "accounting-v31", "sage200"] {
        let (count, failures) = check_crate(&crates.join(name));
        assert!(failures.is_empty(), "{name}:\n{}", failures.join("\n"));
        gated += count;
    }
    // Most shared models serve a few areas: a one-area program skips the rest.
    assert!(gated > 50, "only {gated} shared models are behind area features");
}
