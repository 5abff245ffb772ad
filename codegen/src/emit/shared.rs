//! Products that name the same `shared_crate` (Sage 200's two editions) are generated once: the
//! shared crate holds every model and the operations all of them have; each product's crate
//! re-exports it area by area and adds only the operations it alone has. A product without an
//! operation has no way to name it: Sage 200 Standard cannot send a Professional-only call.

use std::collections::{BTreeMap, BTreeSet};

use quote::quote;

use super::layout::Layout;
use super::{area_module, declared_modules, scope::Scope};
use super::{
    cargo, changes, convert, ids, render, render_chunks, root_module, source_dir, table, Chunk, EmitError, Part,
    GENERATED_DIR,
};
use crate::ir::{Field, Model, ModelKind, Operation, Product};
use crate::names::ident;

/// Products generated over one shared crate, and what they have in common.
pub struct SharedGroup<'a> {
    /// The shared crate's package name.
    pub crate_name: &'a str,
    /// The products, in the order given.
    pub products: Vec<&'a Product>,
    /// The product the shared crate's code comes from: every other one's models and operations
    /// are among its own.
    pub source: &'a Product,
    /// The operations every product has.
    pub shared: BTreeSet<String>,
}

impl<'a> SharedGroup<'a> {
    /// Groups `products` that name `crate_name` as their shared crate. Fails, naming the product and
    /// the model or operation, unless one of them (the one with the most operations) holds every
    /// model field and operation the others have, as written there.
    pub fn new(crate_name: &'a str, products: Vec<&'a Product>) -> Result<Self, EmitError> {
        let source = *products
            .iter()
            .max_by_key(|product| operations(product).count())
            .ok_or_else(|| group_error(crate_name, "no product names it".into()))?;
        let source_models = models(source);
        let source_operations: BTreeMap<_, _> = operations(source).map(|op| (op.name.as_str(), op)).collect();
        let mut shared: BTreeSet<String> = source_operations.keys().map(|name| (*name).to_owned()).collect();
        for product in &products {
            let fail = |what: String| group_error(crate_name, format!("{} {what} as in {}", product.name, source.name));
            if (product.pagination, product.decimal_format) != (source.pagination, source.decimal_format) {
                return Err(fail("must page and write decimals".into()));
            }
            for model in models(product).values() {
                if !source_models.get(model.name.as_str()).is_some_and(|theirs| is_subset(model, theirs)) {
                    return Err(fail(format!("model {} must have its fields", model.name)));
                }
            }
            for op in operations(product) {
                if source_operations.get(op.name.as_str()) != Some(&op) {
                    return Err(fail(format!("operation {} must be", op.name)));
                }
            }
            let names: BTreeSet<_> = operations(product).map(|op| op.name.clone()).collect();
            shared.retain(|name| names.contains(name));
        }
        Ok(Self { crate_name, products, source, shared })
    }

    /// The products' names: the editions that have an operation naming no `editions`.
    pub(crate) fn editions(&self) -> Vec<String> {
        self.products.iter().map(|product| product.name.clone()).collect()
    }

    /// Where the shared crate comes from, for its header line.
    pub(crate) fn schema_dirs(&self) -> String {
        let mut dirs: Vec<_> = self.products.iter().map(|product| source_dir(product)).collect();
        dirs.dedup();
        dirs.join(", ")
    }
}

/// Every file of the shared crate, keyed by path relative to its directory.
pub fn emit_shared_crate(
    group: &SharedGroup<'_>,
    facade_paths: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, EmitError> {
    let source = group.source;
    let editions = group.editions();
    let scope = Scope::new(source).with_facade_paths(facade_paths).with_editions(&editions);
    let header = group.schema_dirs();
    let layout = Layout::new(group.crate_name, source);
    let mut files = layout.area_crates(&header)?;
    files.insert("Cargo.toml".to_owned(), cargo::shared_manifest(group));
    let path = format!("{GENERATED_DIR}/mod.rs");
    files.insert(path.clone(), render(&path, &header, layout.modules())?);
    let path = layout.ids_path();
    files.insert(path.clone(), render(&path, &header, ids::ids_module(&scope.ids))?);
    let path = format!("{GENERATED_DIR}/operations.rs");
    files.insert(path.clone(), render_chunks(&path, &header, [Chunk::Text(table::shared_specs(&scope))])?);
    let path = format!("{GENERATED_DIR}/changes.rs");
    files.insert(path.clone(), render(&path, &header, changes::shared_feeds(source))?);
    files.extend(super::drift::drift_test(source, group.crate_name, &header));
    let conversions = convert::plan(source, &scope);
    let areas = super::parallel::map(&source.areas, |area| {
        let scope = Scope::new(source).with_facade_paths(facade_paths).with_editions(&editions);
        let path = layout.area_path(&area.name);
        let pairs = conversions.get(&area.name).map(Vec::as_slice).unwrap_or_default();
        let module = area_module(area, area, pairs, &scope.in_area(&area.name), Part::Shared(&group.shared));
        render_chunks(&path, &header, module).map(|contents| (path, contents))
    });
    for area in areas {
        let (path, contents) = area?;
        files.insert(path, contents);
    }
    Ok(files)
}

/// Every file of `product`'s crate when it is built on `group`'s shared crate.
pub fn emit_edition(
    product: &Product,
    group: &SharedGroup<'_>,
    facade_paths: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, EmitError> {
    let source = group.source;
    let editions = group.editions();
    let scope = Scope::new(source).with_facade_paths(facade_paths).with_editions(&editions);
    let schema_dir = source_dir(product);
    let own: BTreeSet<String> =
        operations(product).map(|op| op.name.clone()).filter(|name| !group.shared.contains(name)).collect();
    let shared_crate = group.crate_name.replace('-', "_");
    let shared_ident = ident(&shared_crate);
    let mut files = BTreeMap::new();
    files.insert("Cargo.toml".to_owned(), cargo::edition_manifest(product, group));
    let path = format!("{GENERATED_DIR}/mod.rs");
    files.insert(
        path.clone(),
        render(&path, &schema_dir, root_module(product, declared_modules(&with_areas_of(product, source))))?,
    );
    let path = format!("{GENERATED_DIR}/ids.rs");
    let reexport = quote! {
        #![doc = " Resource id types, shared by both editions."]
        pub use #shared_ident::ids::*;
    };
    files.insert(path.clone(), render(&path, &schema_dir, reexport)?);
    let path = format!("{GENERATED_DIR}/operations.rs");
    files.insert(
        path.clone(),
        render_chunks(&path, &schema_dir, [Chunk::Text(table::edition_table(product, &shared_ident.to_string()))])?,
    );
    let path = format!("{GENERATED_DIR}/changes.rs");
    files.insert(path.clone(), render(&path, &schema_dir, changes::edition_feeds(product, source, &shared_ident))?);
    let part = Part::Own { shared_crate: &shared_crate, operations: &own };
    for area in &source.areas {
        let documented = product.areas.iter().find(|mine| mine.name == area.name).unwrap_or(area);
        let path = format!("{GENERATED_DIR}/{}.rs", area.name);
        let module = area_module(documented, area, &[], &scope.in_area(&area.name), part);
        files.insert(path.clone(), render_chunks(&path, &format!("{schema_dir}{}.json", area.name), module)?);
    }
    Ok(files)
}

/// `product` with the source's areas (each crate of a group has the same modules and features),
/// described as `product` describes them where it has them.
fn with_areas_of(product: &Product, source: &Product) -> Product {
    let areas = source
        .areas
        .iter()
        .map(|area| product.areas.iter().find(|mine| mine.name == area.name).unwrap_or(area).clone())
        .collect();
    Product { areas, ..product.clone() }
}

fn operations(product: &Product) -> impl Iterator<Item = &Operation> {
    product.areas.iter().flat_map(|area| &area.resources).flat_map(|resource| &resource.operations)
}

fn models(product: &Product) -> BTreeMap<&str, &Model> {
    product.areas.iter().flat_map(|area| &area.models).map(|model| (model.name.as_str(), model)).collect()
}

/// Whether `ours` is `theirs` or `theirs` less some fields.
fn is_subset(ours: &Model, theirs: &Model) -> bool {
    match (&ours.kind, &theirs.kind) {
        (ModelKind::Struct { fields: ours }, ModelKind::Struct { fields: theirs }) => {
            let find = |field: &Field| theirs.iter().find(|their| their.json_name == field.json_name);
            ours.iter().all(|field| find(field) == Some(field))
        }
        (ours, theirs) => ours == theirs,
    }
}

fn group_error(crate_name: &str, reason: String) -> EmitError {
    EmitError { file: format!("shared crate {crate_name}"), reason }
}
