//! Emitting a product crate from the IR: Rust source formatted by `prettyplease`, plus `Cargo.toml`.
//!
//! Output is a map from crate-relative path to contents, deterministic byte for byte: the IR is
//! sorted, and nothing here depends on hash order, time or the environment.
//!
//! Every function the generated code defines is `#[inline]`: rustc then compiles it only in the
//! crate that calls it, so a program pays for the operations and models it uses, not for all of
//! them (what Cargo's unstable `hints.mostly-unused` does for a whole crate).

mod cargo;
pub(crate) mod changes;
mod convert;
mod doc_text;
mod drift;
mod fields;
mod gates;
mod ids;
mod layout;
mod model;
mod operation;
pub(crate) mod parallel;
mod sandbox;
pub(crate) mod scope;
mod shared;
mod table;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{Area, Pagination, Product};
use crate::names::{ident, type_name};
pub use drift::{DRIFT_MODELS, DRIFT_TEST};
use layout::Layout;
pub use layout::AREAS_DIR;
pub use sandbox::{sandbox_files, SANDBOX_CRATE};
use scope::Scope;
pub use shared::{emit_edition, emit_shared_crate, SharedGroup};

/// The generator produced tokens that do not parse: a bug in the emitter, not in the schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmitError {
    /// The file being generated.
    pub file: String,
    /// What `syn` said.
    pub reason: String,
}

impl fmt::Display for EmitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "emitting {} produced invalid Rust (generator bug): {}", self.file, self.reason)
    }
}

impl std::error::Error for EmitError {}

/// Where the generated Rust sources live inside a product crate.
pub const GENERATED_DIR: &str = "src/generated";

/// The area of models several areas use: always compiled, no cargo feature of its own.
pub(crate) const COMMON: &str = "common";

/// Every generated file of a product crate, keyed by path relative to the crate directory.
///
/// A deprecation's replacement is named by its `product:operation` id; [`emit_product_among`]
/// names it by its Rust path instead.
pub fn emit_product(product: &Product) -> Result<BTreeMap<String, String>, EmitError> {
    emit_product_among(product, &BTreeMap::new())
}

/// The schema directory a product is generated from, as header lines name it (`schemas/sage200/`).
pub(crate) fn source_dir(product: &Product) -> String {
    format!("schemas/{}/", product.schema_dir)
}

/// [`emit_product`], with deprecation notes naming their replacement by the Rust path a user
/// writes (`sage::accounting_v31::contacts::ListContacts`), looked up in `facade_paths`
/// (see [`facade_paths`]).
pub fn emit_product_among(
    product: &Product,
    facade_paths: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, EmitError> {
    let scope = Scope::new(product).with_facade_paths(facade_paths);
    let schema_dir = source_dir(product);
    let layout = Layout::new(&product.crate_name, product);
    let mut files = layout.area_crates(&schema_dir)?;
    files.insert("Cargo.toml".to_owned(), cargo::manifest(product));
    let path = format!("{GENERATED_DIR}/mod.rs");
    files.insert(path.clone(), render(&path, &schema_dir, root_module(product, layout.modules()))?);
    let path = layout.ids_path();
    files.insert(path.clone(), render(&path, &schema_dir, ids::ids_module(&scope.ids))?);
    let path = format!("{GENERATED_DIR}/operations.rs");
    files.insert(path.clone(), render_chunks(&path, &schema_dir, [Chunk::Text(table::operations_table(product))])?);
    let path = format!("{GENERATED_DIR}/changes.rs");
    files.insert(path.clone(), render(&path, &schema_dir, changes::feeds_table(product))?);
    files.extend(drift::drift_test(product, &product.crate_name, &schema_dir));
    let conversions = convert::plan(product, &scope);
    let areas = parallel::map(&product.areas, |area| {
        let scope = Scope::new(product).with_facade_paths(facade_paths);
        let path = layout.area_path(&area.name);
        let source = format!("{schema_dir}{}.json", area.name);
        let pairs = conversions.get(&area.name).map(Vec::as_slice).unwrap_or_default();
        let module = area_module(area, area, pairs, &scope.in_area(&area.name), Part::Whole);
        render_chunks(&path, &source, module).map(|contents| (path, contents))
    });
    for area in areas {
        let (path, contents) = area?;
        files.insert(path, contents);
    }
    Ok(files)
}

/// Which part of a product's code a crate holds.
#[derive(Clone, Copy)]
pub(crate) enum Part<'a> {
    /// All of it.
    Whole,
    /// What several products have in common: every model and conversion, and these operations.
    Shared(&'a BTreeSet<String>),
    /// One product on top of its shared crate: these operations, beside the shared crate's area.
    Own {
        /// The shared crate's name as a Rust path segment.
        shared_crate: &'a str,
        /// The operations only this product has.
        operations: &'a BTreeSet<String>,
    },
}

impl Part<'_> {
    fn has_models(self) -> bool {
        !matches!(self, Part::Own { .. })
    }

    fn has_operation(self, name: &str) -> bool {
        match self {
            Part::Whole => true,
            Part::Shared(operations) | Part::Own { operations, .. } => operations.contains(name),
        }
    }
}

/// The path through the `sage` facade of every operation of `products`, keyed `product:operation`
/// as a deprecation's `replacement` names it: `sage::<product module>::<area>::<TypeName>`.
pub fn facade_paths<'a>(products: impl IntoIterator<Item = &'a Product>) -> BTreeMap<String, String> {
    let mut paths = BTreeMap::new();
    for product in products {
        let module = product.name.replace('-', "_");
        for area in &product.areas {
            for op in area.resources.iter().flat_map(|resource| &resource.operations) {
                let Some(type_name) = type_name(&op.name) else { continue };
                let path = format!("sage::{module}::{}::{type_name}", area.name);
                paths.insert(format!("{}:{}", product.name, op.name), path);
            }
        }
    }
    paths
}

/// The first line of every generated file.
pub fn header_line(comment: &str, source: &str) -> String {
    format!("{comment} Generated by `cargo xtask codegen` from {source}; do not edit.\n")
}

pub(crate) fn render(path: &str, source: &str, tokens: TokenStream) -> Result<String, EmitError> {
    render_chunks(path, source, [Chunk::Tokens(tokens)])
}

/// A piece of a generated file.
pub(crate) enum Chunk {
    /// Items, parsed and printed by `prettyplease`.
    Tokens(TokenStream),
    /// An item printed as it is: a macro call, whose body `prettyplease` prints as a few long lines.
    Text(String),
}

/// A file whose items come in chunks (a model with its impls, an operation…), each parsed and
/// printed on its own: the same text as one stream, without ever holding a whole large file's
/// tokens and syntax tree at once, which was most of the generator's memory and page faults.
pub(crate) fn render_chunks(
    path: &str,
    source: &str,
    chunks: impl IntoIterator<Item = Chunk>,
) -> Result<String, EmitError> {
    let mut text = String::new();
    for chunk in chunks {
        match chunk {
            Chunk::Tokens(tokens) => {
                let file = syn::parse2::<syn::File>(tokens)
                    .map_err(|err| EmitError { file: path.to_owned(), reason: err.to_string() })?;
                text.push_str(&prettyplease::unparse(&file));
            }
            Chunk::Text(item) => text.push_str(&item),
        }
    }
    Ok(format!("{}{}", header_line("//", source), space_items(&text)))
}

/// Puts a blank line between items (and between methods of an impl), which `prettyplease` omits,
/// and after the module docs.
fn space_items(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        out.push_str(line);
        out.push('\n');
        let Some(next) = lines.peek() else { break };
        let is_comment = line.trim_start().starts_with("//");
        let ends_item = ["}", "};", "];", "    }"].contains(&line)
            || (!line.starts_with(' ') && !is_comment && (line.ends_with(';') || line.ends_with("{}")));
        let indent = line.len() - line.trim_start().len();
        let next_indent = next.len() - next.trim_start().len();
        let next_starts_item = !next.trim().is_empty() && !next.trim_start().starts_with('}') && next_indent == indent;
        let ends_docs = line.starts_with("//!") && !next.starts_with("//!");
        if (ends_item && next_starts_item) || ends_docs {
            out.push('\n');
        }
    }
    out
}

/// `mod.rs`: the product constant and the crate's `modules` (see [`Layout::modules`]).
pub(crate) fn root_module(product: &Product, modules: TokenStream) -> TokenStream {
    let name = &product.name;
    let title = &product.title;
    let base_url = &product.base_url;
    let api = ident(match product.auth_profile {
        crate::ir::AuthProfile::Sage200 => "Sage200",
        crate::ir::AuthProfile::AccountingV3 => "AccountingV3",
        crate::ir::AuthProfile::AccountingV31 => "AccountingV31",
    });
    let headers = ident(match product.header_policy {
        crate::ir::HeaderPolicy::Sage200 => "Sage200",
        crate::ir::HeaderPolicy::AccountingV3 => "AccountingV3",
        crate::ir::HeaderPolicy::AccountingV31 => "AccountingV31",
    });
    let paging = ident(match product.pagination {
        Pagination::Envelope => "Envelope",
        Pagination::OData => "OData",
    });
    let description = doc_lines(&product.description);
    quote! {
        #modules

        #description
        #[doc = ""]
        #[doc = " What the runtime needs to know about this API: base URL, OAuth profile, headers, paging."]
        pub const PRODUCT: sage_core::Product = sage_core::Product {
            name: #name,
            title: #title,
            base_url: #base_url,
            api: sage_core::auth::SageApi::#api,
            headers: sage_core::HeaderStyle::#headers,
            paging: sage_core::PagingStyle::#paging,
        };
    }
}

/// The modules of a crate that declares its areas: one per area, the catalog's and `ids`.
pub(crate) fn declared_modules(product: &Product) -> TokenStream {
    let (areas, catalog) = (area_modules(product), catalog_modules());
    quote!(#areas #catalog pub mod ids;)
}

/// `pub mod <area>;` for each area, behind its feature except `common`.
fn area_modules(product: &Product) -> TokenStream {
    let modules = product.areas.iter().map(|area| {
        let module = ident(&area.name);
        let feature = &area.name;
        let gate = (area.name != COMMON).then(|| quote!(#[cfg(feature = #feature)]));
        let docs = doc_lines(first_line(&area.description));
        quote!(#docs #gate pub mod #module;)
    });
    quote!(#(#modules)*)
}

/// The tables of operations and feeds, for tools that call operations by name: compiled only with
/// the `catalog` feature, so a program using one area does not build descriptions of all of them.
pub(crate) fn catalog_modules() -> TokenStream {
    quote! {
        #[cfg(feature = "catalog")]
        pub mod changes;
        #[cfg(feature = "catalog")]
        pub mod operations;
    }
}

/// One area's module: its models, conversions from read models to update bodies, then its
/// operations, resource by resource. The docs describe `documented`, the area as the crate's own
/// product sees it; the code comes from `area` (the product the shared crate is generated from).
fn area_module(
    documented: &Area,
    area: &Area,
    conversions: &[(String, String)],
    scope: &Scope<'_>,
    part: Part<'_>,
) -> Vec<Chunk> {
    let mut docs = documented.description.clone();
    if !documented.resources.is_empty() {
        docs.push_str("\n\n# Resources\n");
        for resource in &documented.resources {
            docs.push_str(&format!("\n- `{}`: {}", resource.name, first_line(&resource.description)));
        }
    }
    let inner_docs = docs.trim().lines().map(|line| {
        let line = if line.is_empty() { String::new() } else { format!(" {line}") };
        quote!(#![doc = #line])
    });
    // Shared models are compiled only with an area that needs them.
    let gates =
        if area.name == COMMON && part.has_models() { gates::common_gates(scope.product) } else { BTreeMap::new() };
    let needs = |name: &str| gates.get(name).map(gates::any_feature);
    let models =
        area.models.iter().filter(|model| part.has_models() && !scope.is_envelope(&model.name)).flat_map(|model| {
            let chunks = model::model(model, scope).into_iter().chain(fields::fields(model, scope));
            gates::gated(chunks.collect(), needs(&model.name))
        });
    let conversions = conversions.iter().filter(|_| part.has_models()).flat_map(|(read, write)| {
        let condition = match (needs(read), needs(write)) {
            (None, None) => None,
            (Some(one), None) | (None, Some(one)) => Some(one),
            (Some(read), Some(write)) => Some(format!("all({read}, {write})")),
        };
        gates::gated(vec![Chunk::Tokens(convert::conversion(read, write, scope))], condition)
    });
    let included =
        || area.resources.iter().flat_map(|resource| &resource.operations).filter(|op| part.has_operation(&op.name));
    let operations = included().flat_map(|op| operation::operation(op, scope));
    let feeds = Chunk::Tokens(changes::impls(included(), scope));
    let shared = match part {
        Part::Own { shared_crate, .. } => {
            let (shared_crate, module) = (ident(shared_crate), ident(&area.name));
            // Shared models compile only with the areas that use them: with none enabled, the
            // shared crate's `common` has nothing to re-export.
            let allow = (area.name == COMMON).then(|| quote!(#[allow(unused_imports)]));
            Some(quote!(#allow pub use #shared_crate::#module::*;))
        }
        _ => None,
    };
    let head = Chunk::Tokens(quote! {
        #(#inner_docs)*
        #shared
    });
    std::iter::once(head).chain(models).chain(conversions).chain(operations).chain([feeds]).collect()
}

/// `#[doc]` attributes for each line of `text` (none when it is empty).
pub(crate) fn doc_lines(text: &str) -> TokenStream {
    let lines = doc_values(text).into_iter().map(|line| quote!(#[doc = #line]));
    quote!(#(#lines)*)
}

/// The same docs as [`doc_lines`], as `///` comments indented by `indent`, for items printed as text.
pub(crate) fn doc_comment(text: &str, indent: &str) -> String {
    doc_values(text).into_iter().map(|line| format!("{indent}///{line}\n")).collect()
}

/// Each line of `text` as a doc attribute's value: Markdown, a leading space unless blank, and no
/// carriage return (a bare one is not allowed in a doc comment).
fn doc_values(text: &str) -> Vec<String> {
    let text = doc_text::markdown(text).replace('\r', "");
    text.trim()
        .lines()
        .map(|line| if line.trim().is_empty() { String::new() } else { format!(" {}", line.trim_end()) })
        .collect()
}

fn first_line(text: &str) -> &str {
    text.trim().lines().next().unwrap_or_default()
}
