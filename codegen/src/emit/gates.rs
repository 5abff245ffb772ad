//! Which areas need each `common` model, so that a program using one area compiles only the
//! shared models that area reaches (directly, or through other shared models).

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::cargo::{model_references, referenced_models};
use super::{Chunk, COMMON};
use crate::ir::Product;

/// The areas that reach each `common` model. A model every area reaches, or none does (nothing
/// generated names it, but a user may), is left out: it is always compiled, with all it names.
pub(crate) fn common_gates(product: &Product) -> BTreeMap<String, BTreeSet<String>> {
    let Some(common) = product.areas.iter().find(|area| area.name == COMMON) else { return BTreeMap::new() };
    // The models each shared model names.
    let uses: BTreeMap<&str, BTreeSet<String>> = common
        .models
        .iter()
        .map(|model| {
            let mut found = BTreeSet::new();
            model_references(model, &mut found);
            (model.name.as_str(), found)
        })
        .collect();
    let areas: Vec<_> = product.areas.iter().filter(|area| area.name != COMMON).collect();
    let mut gates: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for area in &areas {
        for name in reach(referenced_models(area), &uses) {
            gates.entry(name).or_default().insert(area.name.clone());
        }
    }
    let unreached: Vec<String> =
        uses.keys().filter(|name| !gates.contains_key(**name)).map(|name| name.to_string()).collect();
    let always = reach(unreached, &uses);
    gates.retain(|name, needed_by| !always.contains(name) && needed_by.len() < areas.len());
    gates
}

/// The shared models among `names`, and every shared model they name in turn.
fn reach(names: impl IntoIterator<Item = String>, uses: &BTreeMap<&str, BTreeSet<String>>) -> BTreeSet<String> {
    let mut pending: Vec<String> = names.into_iter().collect();
    let mut reached = BTreeSet::new();
    while let Some(name) = pending.pop() {
        let Some(named) = uses.get(name.as_str()) else { continue };
        if reached.insert(name) {
            pending.extend(named.iter().cloned());
        }
    }
    reached
}

/// `any(feature = "a", …)`: the condition for a model the `areas` need.
pub(crate) fn any_feature(areas: &BTreeSet<String>) -> String {
    let features: Vec<String> = areas.iter().map(|area| format!("feature = {}", Literal::string(area))).collect();
    format!("any({})", features.join(", "))
}

/// Every item in `chunks` behind `#[cfg(condition)]`, or `chunks` as they are without one.
pub(crate) fn gated(chunks: Vec<Chunk>, condition: Option<String>) -> Vec<Chunk> {
    let Some(condition) = condition else { return chunks };
    let attribute: TokenStream = condition.parse().expect("a cfg condition built from feature names");
    let gate = |chunk| match chunk {
        Chunk::Tokens(items) => {
            let file =
                syn::parse2::<syn::File>(items).expect("a model's items parse (the whole file is checked again later)");
            let items = file.items.into_iter().map(|item| quote!(#[cfg(#attribute)] #item));
            Chunk::Tokens(quote!(#(#items)*))
        }
        Chunk::Text(item) => Chunk::Text(format!("#[cfg({condition})]\n{item}")),
    };
    chunks.into_iter().map(gate).collect()
}
