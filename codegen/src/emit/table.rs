//! `operations.rs`: every operation as data, so a CLI or test can call one by name without its type.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

use super::operation::method_variant;
use super::scope::Scope;
use crate::ir::{Area, ModelKind, Operation, Param, ParamLocation, Product, Response, Type};

pub(crate) fn operations_table(product: &Product) -> TokenStream {
    let scope = Scope::new(product);
    let mut pool = ParamPool::default();
    let entries: Vec<_> =
        sorted_operations(product).iter().map(|(area, op)| spec(area, op, &mut pool, &scope)).collect();
    let shared = pool.consts();
    let lookup = lookup();
    quote! {
        #![doc = " Every operation of this API as data, for tools that call operations by name (a CLI, tests)."]
        #![doc = ""]
        #![doc = " Build a call with `OperationSpec::request` from `name=value` pairs and send it with"]
        #![doc = " `sage_core::Client::execute`. Compiled with the `catalog` feature, whatever areas are enabled."]

        pub use sage_core::catalog::{OperationSpec, ParamLocation, ParamSpec, ParamType};

        #[doc = " Every operation, sorted by name."]
        pub const OPERATIONS: &[OperationSpec] = &[#(#entries,)*];

        #(#shared)*

        #lookup
    }
}

/// A shared crate's `operations.rs`: each operation of `product` as a `const` named after it, for
/// the tables of the products built on the crate.
pub(crate) fn shared_specs(product: &Product) -> TokenStream {
    let scope = Scope::new(product);
    let mut pool = ParamPool::default();
    let specs: Vec<_> = sorted_operations(product)
        .iter()
        .map(|(area, op)| {
            let name = spec_const(&op.name);
            let doc = format!(" `{}`", op.name);
            let spec = spec(area, op, &mut pool, &scope);
            quote!(#[doc = #doc] pub const #name: OperationSpec = #spec;)
        })
        .collect();
    let shared = pool.consts();
    quote! {
        #![doc = " Every operation of the API as data; each edition's `OPERATIONS` lists the ones it has."]

        pub use sage_core::catalog::{OperationSpec, ParamLocation, ParamSpec, ParamType};

        #(#specs)*

        #(#shared)*
    }
}

/// `operations.rs` of a product built on `shared_crate`: its operations, named in the shared crate.
pub(crate) fn edition_table(product: &Product, shared_crate: &proc_macro2::Ident) -> TokenStream {
    let entries = sorted_operations(product).into_iter().map(|(_, op)| {
        let name = spec_const(&op.name);
        quote!(#shared_crate::operations::#name)
    });
    let lookup = lookup();
    quote! {
        #![doc = " Every operation of this API as data, for tools that call operations by name (a CLI, tests)."]
        #![doc = ""]
        #![doc = " Build a call with `OperationSpec::request` from `name=value` pairs and send it with"]
        #![doc = " `sage_core::Client::execute`. Compiled with the `catalog` feature, whatever areas are enabled."]

        pub use sage_core::catalog::{OperationSpec, ParamLocation, ParamSpec, ParamType};

        #[doc = " Every operation, sorted by name."]
        pub const OPERATIONS: &[OperationSpec] = &[#(#entries,)*];

        #lookup
    }
}

fn lookup() -> TokenStream {
    quote! {
        #[doc = " The operation called `name`, if there is one."]
        pub fn find(name: &str) -> Option<&'static OperationSpec> {
            sage_core::catalog::find(OPERATIONS, name).ok()
        }
    }
}

/// The const naming an operation's spec in a shared crate: `LIST_CUSTOMERS`.
pub(crate) fn spec_const(operation: &str) -> proc_macro2::Ident {
    proc_macro2::Ident::new(&operation.to_ascii_uppercase(), proc_macro2::Span::call_site())
}

fn sorted_operations(product: &Product) -> Vec<(&Area, &Operation)> {
    let mut operations: Vec<_> = product
        .areas
        .iter()
        .flat_map(|area| {
            area.resources.iter().flat_map(move |resource| resource.operations.iter().map(move |op| (area, op)))
        })
        .collect();
    operations.sort_by(|(_, a), (_, b)| a.name.cmp(&b.name));
    operations
}

fn spec(area: &Area, op: &Operation, pool: &mut ParamPool, scope: &Scope<'_>) -> TokenStream {
    let name = &op.name;
    let area = &area.name;
    let method = method_variant(op.method);
    let path = &op.path;
    let summary = &op.summary;
    let params: Vec<_> = op.params.iter().map(|param| pool.name(&param.rust_name, param_spec(param, scope))).collect();
    let body = op.body.is_some();
    let list = matches!(op.response, Response::List(_));
    let idempotent = op.idempotent;
    let deprecated = op.deprecated.is_some();
    quote! {
        OperationSpec {
            name: #name,
            area: #area,
            method: #method,
            path: #path,
            summary: #summary,
            params: &[#(#params),*],
            body: #body,
            list: #list,
            idempotent: #idempotent,
            deprecated: #deprecated,
        }
    }
}

fn param_spec(param: &Param, scope: &Scope<'_>) -> TokenStream {
    let wire = &param.name;
    let location = match param.location {
        ParamLocation::Path => quote!(ParamLocation::Path),
        ParamLocation::Query => quote!(ParamLocation::Query),
    };
    let required = param.required;
    let rust_name = &param.rust_name;
    let ty = param_type(&param.ty, scope);
    let description = first_sentence(&param.description);
    quote!(ParamSpec {
        name: #wire,
        rust_name: #rust_name,
        location: #location,
        required: #required,
        ty: #ty,
        description: #description,
    })
}

/// Parameters written once each as a `const` and named by operations that share them: list
/// operations repeat the same paging and OData parameters hundreds of times.
#[derive(Default)]
struct ParamPool {
    /// Const name and definition, in first-use order.
    specs: Vec<(String, TokenStream)>,
    by_tokens: BTreeMap<String, usize>,
}

impl ParamPool {
    /// The const holding `spec` (named after the parameter), added on first use.
    fn name(&mut self, rust_name: &str, spec: TokenStream) -> proc_macro2::Ident {
        let key = spec.to_string();
        let index = match self.by_tokens.get(&key) {
            Some(index) => *index,
            None => {
                let base = format!("P_{}", rust_name.trim_start_matches("r#").to_ascii_uppercase());
                let taken = |name: &str| self.specs.iter().any(|(taken, _)| taken == name);
                let name = (1..)
                    .map(|n| if n == 1 { base.clone() } else { format!("{base}_{n}") })
                    .find(|name| !taken(name))
                    .unwrap_or_default();
                self.by_tokens.insert(key, self.specs.len());
                self.specs.push((name, spec));
                self.specs.len() - 1
            }
        };
        proc_macro2::Ident::new(&self.specs[index].0, proc_macro2::Span::call_site())
    }

    fn consts(&self) -> Vec<TokenStream> {
        self.specs
            .iter()
            .map(|(name, spec)| {
                let name = proc_macro2::Ident::new(name, proc_macro2::Span::call_site());
                quote!(const #name: ParamSpec = #spec;)
            })
            .collect()
    }
}

/// The catalog's view of a parameter type: scalars, enums (inline or models) and lists of them.
fn param_type(ty: &Type, scope: &Scope<'_>) -> TokenStream {
    match ty {
        Type::Integer => quote!(ParamType::Integer),
        Type::Boolean => quote!(ParamType::Boolean),
        Type::Decimal => quote!(ParamType::Decimal),
        Type::Date => quote!(ParamType::Date),
        Type::DateTime => quote!(ParamType::DateTime),
        Type::Enum(values) => quote!(ParamType::Enum(&[#(#values),*])),
        Type::Model(name) => match scope.model(name).map(|model| &model.kind) {
            Some(ModelKind::Enum { values }) => quote!(ParamType::Enum(&[#(#values),*])),
            _ => quote!(ParamType::String),
        },
        Type::Array(item) => {
            let item = param_type(item, scope);
            quote!(ParamType::List(&#item))
        }
        Type::String | Type::Json | Type::Map(_) => quote!(ParamType::String),
    }
}

/// The first sentence (or line) of a description: enough for help text, and keeps the table small.
fn first_sentence(description: &str) -> &str {
    let line = description.lines().next().unwrap_or_default().trim();
    match line.find(". ") {
        Some(end) => &line[..=end],
        None => line,
    }
}
