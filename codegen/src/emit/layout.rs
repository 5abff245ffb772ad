//! Where a crate's generated code goes: every area a module of the crate, or, with `area_crates`,
//! every area a crate of its own under `areas/` (`areas/common` holding the shared models and the
//! ids), which the crate re-exports as its modules. Area crates let rustc build the areas side by
//! side and never hold the whole API at once; the code inside them is the same, because each area
//! crate's root names the crates it uses as the modules that code refers to (`super::common`,
//! `super::ids`, `super::contacts`).

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::{cargo, catalog_modules, declared_modules, render, EmitError, COMMON, GENERATED_DIR};
use crate::ir::Product;
use crate::names::ident;

/// Where a crate's area crates live, relative to its directory.
pub const AREAS_DIR: &str = "areas";

/// The layout of the crate `package`, which holds the models of `product`.
pub(crate) struct Layout<'a> {
    pub(crate) package: &'a str,
    pub(crate) product: &'a Product,
    /// Each area except `common`, and the other areas whose models it uses (worked out once).
    pub(crate) needs: BTreeMap<&'a str, BTreeSet<String>>,
}

impl<'a> Layout<'a> {
    pub(crate) fn new(package: &'a str, product: &'a Product) -> Self {
        Self { package, product, needs: cargo::area_features(product) }
    }

    fn split(&self) -> bool {
        self.product.area_crates
    }

    /// The package holding `area`: `sage200-cash-book`.
    pub(crate) fn area_package(&self, area: &str) -> String {
        format!("{}-{}", self.package, area.replace('_', "-"))
    }

    fn area_crate(&self, area: &str) -> Ident {
        ident(&self.area_package(area).replace('-', "_"))
    }

    /// The file of `area`'s module.
    pub(crate) fn area_path(&self, area: &str) -> String {
        if self.split() {
            format!("{AREAS_DIR}/{area}/src/{area}.rs")
        } else {
            format!("{GENERATED_DIR}/{area}.rs")
        }
    }

    /// The file of the ids module.
    pub(crate) fn ids_path(&self) -> String {
        if self.split() {
            format!("{AREAS_DIR}/{COMMON}/src/ids.rs")
        } else {
            format!("{GENERATED_DIR}/ids.rs")
        }
    }

    /// The crate's modules for its `mod.rs`: the areas and `ids`, declared or re-exported from the
    /// area crates, and the catalog's.
    pub(crate) fn modules(&self) -> TokenStream {
        if !self.split() {
            return declared_modules(self.product);
        }
        let catalog = catalog_modules();
        let common = self.area_crate(COMMON);
        let shared = self.shared_modules();
        let areas = self.areas().map(|area| {
            let (module, package) = (ident(area), self.area_crate(area));
            quote!(#[cfg(feature = #area)] pub use #package::#module;)
        });
        quote! {
            pub use #common::#shared;
            #(#areas)*
            #catalog
        }
    }

    /// The crate's own dependencies on its area crates, as `Cargo.toml` lines, and what each area's
    /// feature turns on besides the features of the areas it uses.
    pub(crate) fn dependencies(&self) -> (Vec<String>, BTreeMap<String, String>) {
        if !self.split() {
            return (Vec::new(), BTreeMap::new());
        }
        let mut lines = vec![format!("{}.workspace = true", self.area_package(COMMON))];
        lines.extend(
            self.areas().map(|area| format!("{} = {{ workspace = true, optional = true }}", self.area_package(area))),
        );
        let features = self.areas().map(|area| (area.to_owned(), format!("dep:{}", self.area_package(area)))).collect();
        (lines, features)
    }

    /// The area crates' manifests and roots (none without `area_crates`), keyed by path relative to
    /// the crate's directory; `source` is what their header lines name.
    pub(crate) fn area_crates(&self, source: &str) -> Result<BTreeMap<String, String>, EmitError> {
        let mut files = BTreeMap::new();
        if !self.split() {
            return Ok(files);
        }
        let common_dir = format!("{AREAS_DIR}/{COMMON}");
        files.insert(format!("{common_dir}/Cargo.toml"), cargo::common_manifest(self, source));
        let path = format!("{common_dir}/src/lib.rs");
        files.insert(path.clone(), render(&path, source, self.common_root())?);
        for area in self.areas() {
            let dir = format!("{AREAS_DIR}/{area}");
            files.insert(format!("{dir}/Cargo.toml"), cargo::area_manifest(self, source, area));
            let path = format!("{dir}/src/lib.rs");
            files.insert(path.clone(), render(&path, source, self.area_root(area))?);
        }
        Ok(files)
    }

    /// Every area except `common`.
    fn areas(&self) -> impl Iterator<Item = &'a str> {
        self.product.areas.iter().map(|area| area.name.as_str()).filter(|area| *area != COMMON)
    }

    fn has_common(&self) -> bool {
        self.product.areas.iter().any(|area| area.name == COMMON)
    }

    /// What the common crate holds: `{common, ids}`, or `ids` when no model is shared.
    fn shared_modules(&self) -> TokenStream {
        if self.has_common() {
            quote!({ common, ids })
        } else {
            quote!(ids)
        }
    }

    /// `lib.rs` of the crate holding the shared models (`common`, when there are any) and the ids.
    fn common_root(&self) -> TokenStream {
        let doc =
            format!(" The models and ids every area of `{}` shares (generated): use them through it.", self.package);
        let common = self.has_common().then(|| {
            quote! {
                #[rustfmt::skip]
                pub mod common;
            }
        });
        quote! {
            #![doc = #doc]
            #common
            #[rustfmt::skip]
            pub mod ids;
        }
    }

    /// `lib.rs` of an area's crate: the area's module, beside the modules of the other crates it uses.
    fn area_root(&self, area: &str) -> TokenStream {
        let doc = format!(" The `{area}` area of `{}` (generated): use it through that crate.", self.package);
        let common = self.area_crate(COMMON);
        let shared = self.shared_modules();
        let needs = self.needs.get(area).into_iter().flatten().map(|other| {
            let (package, module) = (self.area_crate(other), ident(other));
            quote!(use #package::#module;)
        });
        let module = ident(area);
        quote! {
            #![doc = #doc]
            #[allow(unused_imports)]
            use #common::#shared;
            #(#needs)*
            #[rustfmt::skip]
            pub mod #module;
        }
    }
}
