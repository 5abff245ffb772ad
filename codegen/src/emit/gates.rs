//! Which areas need each `common` model, so that a program using one area compiles only the
//! shared models that area reaches (directly, or through other shared models).

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::quote;

use super::cargo::{collect, referenced_models};
use crate::ir::{ModelKind, Product};

/// The areas that reach each `common` model. A model every area reaches, or none does (nothing
/// generated names it, but a user may), is left out: it is always compiled, with all it names.
pub(crate) fn common_gates(product: &Product) -> BTreeMap<String, BTreeSet<String>> {
    let Some(common) = product.areas.iter().find(|area| area.name == "common") else { return BTreeMap::new() };
    let uses: BTreeMap<&str, BTreeSet<String>> = common
        .models
        .iter()
        .map(|model| {
            let mut found = BTreeSet::new();
            if let ModelKind::Struct { fields } = &model.kind {
                fields.iter().for_each(|field| collect(&field.ty, &mut found));
            }
            (model.name.as_str(), found)
        })
        .collect();
    let areas: Vec<_> = product.areas.iter().filter(|area| area.name != "common").collect();
    let mut gates: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for area in &areas {
        let mut pending: Vec<String> =
            referenced_models(area).into_iter().filter(|name| uses.contains_key(name.as_str())).collect();
        let mut reached = BTreeSet::new();
        while let Some(name) = pending.pop() {
            if reached.insert(name.clone()) {
                let next = uses[name.as_str()].iter().filter(|next| uses.contains_key(next.as_str()));
                pending.extend(next.cloned());
            }
        }
        for name in reached {
            gates.entry(name).or_default().insert(area.name.clone());
        }
    }
    // What no area reaches is always compiled, and so is everything it names.
    let mut pending: Vec<String> =
        uses.keys().filter(|name| !gates.contains_key(**name)).map(|name| name.to_string()).collect();
    while let Some(name) = pending.pop() {
        let next = uses[name.as_str()].iter().filter(|next| gates.contains_key(next.as_str()));
        let next: Vec<String> = next.cloned().collect();
        for name in &next {
            gates.remove(name);
        }
        pending.extend(next);
    }
    gates.retain(|_, needed_by| needed_by.len() < areas.len());
    gates
}

/// `any(feature = "a", …)`: the condition for a model the `areas` need.
pub(crate) fn any_feature(areas: &BTreeSet<String>) -> TokenStream {
    let features = areas.iter().map(|area| quote!(feature = #area));
    quote!(any(#(#features),*))
}

/// Every item in `items` behind `#[cfg(condition)]`, or `items` as they are without one.
pub(crate) fn gated(items: TokenStream, condition: Option<TokenStream>) -> TokenStream {
    let Some(condition) = condition else { return items };
    let file = syn::parse2::<syn::File>(items).expect("a model's items parse (the whole file is checked again later)");
    let items = file.items.into_iter().map(|item| quote!(#[cfg(#condition)] #item));
    quote!(#(#items)*)
}
