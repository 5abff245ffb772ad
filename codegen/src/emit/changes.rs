//! Change feeds: which list operations can be followed incrementally, found from the schemas.
//!
//! Accounting lists taking `updated_or_created_since` whose items carry `updated_at` (and, with
//! `deleted_since`, a `deleted_at`), and Sage 200 OData lists whose items carry
//! `date_time_updated`, get `impl sage_core::changes::Changes` and an entry in `FEEDS`.

use proc_macro2::TokenStream;
use quote::quote;

use super::scope::Scope;
use crate::ir::{Method, ModelKind, Operation, Pagination, Product, Response, Type};
use crate::names::{ident, type_name};

/// Accounting's change filter (inclusive of the timestamp).
const UPDATED_PARAM: &str = "updated_or_created_since";
/// Accounting's deletion filter (exclusive of the timestamp).
const DELETED_PARAM: &str = "deleted_since";

/// What the generator learned about one followable list.
struct Feed<'a> {
    filter: TokenStream,
    updated_field: &'a str,
    sort_param: Option<&'a str>,
    deleted: Option<(&'a str, &'a str)>,
    max_page_size: u32,
}

fn has_field(scope: &Scope<'_>, model: &str, name: &str) -> bool {
    scope.model(model).is_some_and(|model| match &model.kind {
        ModelKind::Struct { fields } => fields.iter().any(|field| field.json_name == name),
        ModelKind::Enum { .. } => false,
    })
}

fn param<'a>(op: &'a Operation, name: &str) -> Option<&'a crate::ir::Param> {
    op.params.iter().find(|param| param.name == name)
}

/// Whether the schema shows `op`'s list can be followed (what the capability matrix's `changes`
/// asks of an operation).
pub(crate) fn is_followable(op: &Operation, scope: &Scope<'_>) -> bool {
    feed(op, scope).is_some()
}

/// The feed of `op`, when the schema shows it can be followed.
fn feed<'a>(op: &'a Operation, scope: &Scope<'_>) -> Option<Feed<'a>> {
    let Response::List(Type::Model(item)) = &op.response else { return None };
    if op.method != Method::Get || !has_field(scope, item, "id") {
        return None;
    }
    match scope.product.pagination {
        Pagination::Envelope => {
            param(op, UPDATED_PARAM)?;
            if !has_field(scope, item, "updated_at") {
                return None;
            }
            // `sort` lists the attributes it accepts in its description.
            let sortable = param(op, "sort").is_some_and(|sort| sort.description.contains("updated_at"));
            let deleted = param(op, DELETED_PARAM)
                .filter(|_| has_field(scope, item, "deleted_at"))
                .map(|_| (DELETED_PARAM, "deleted_at"));
            Some(Feed {
                filter: quote!(sage_core::changes::UpdatedFilter::Param(#UPDATED_PARAM)),
                updated_field: "updated_at",
                sort_param: sortable.then_some("sort"),
                deleted,
                max_page_size: 200,
            })
        }
        Pagination::OData => {
            param(op, "$filter")?;
            if !has_field(scope, item, "date_time_updated") {
                return None;
            }
            Some(Feed {
                filter: quote!(sage_core::changes::UpdatedFilter::OData),
                updated_field: "date_time_updated",
                sort_param: param(op, "$orderby").map(|_| "$orderby"),
                deleted: None,
                max_page_size: 5000,
            })
        }
    }
}

fn spec_tokens(op: &Operation, feed: &Feed<'_>) -> TokenStream {
    let name = &op.name;
    let Feed { filter, updated_field, max_page_size, .. } = feed;
    let sort = match feed.sort_param {
        Some(sort) => quote!(Some(#sort)),
        None => quote!(None),
    };
    let deleted = match feed.deleted {
        Some((param, field)) => quote!(Some(sage_core::changes::DeletedFeed { param: #param, field: #field })),
        None => quote!(None),
    };
    quote! {
        sage_core::changes::FeedSpec {
            operation: #name,
            filter: #filter,
            id_field: "id",
            updated_field: #updated_field,
            sort_param: #sort,
            deleted: #deleted,
            max_page_size: #max_page_size,
        }
    }
}

/// `impl Changes` for the followable lists among `operations`.
pub(crate) fn impls<'a>(operations: impl Iterator<Item = &'a Operation>, scope: &Scope<'_>) -> TokenStream {
    let impls = operations.filter_map(|op| {
        let feed = feed(op, scope)?;
        let name = ident(&type_name(&op.name).unwrap_or_default());
        let spec = spec_tokens(op, &feed);
        let allow = op.deprecated.is_some().then(|| quote!(#[allow(deprecated)]));
        Some(quote! {
            #allow
            impl sage_core::changes::Changes for #name {
                const FEED: sage_core::changes::FeedSpec = #spec;
            }
        })
    });
    quote!(#(#impls)*)
}

/// `changes.rs`: every followable list of the product, for callers without types (the CLI).
pub(crate) fn feeds_table(product: &Product) -> TokenStream {
    let scope = Scope::new(product);
    let entries = followable(product, &scope).into_iter().map(|(op, feed)| spec_tokens(op, &feed));
    table(quote!(#(#entries),*))
}

/// A shared crate's `changes.rs`: the feed of each followable list of `product` as a `const` named
/// after the operation, for the tables of the products built on the crate.
pub(crate) fn shared_feeds(product: &Product) -> TokenStream {
    let scope = Scope::new(product);
    let feeds = followable(product, &scope).into_iter().map(|(op, feed)| {
        let name = ident(&super::table::spec_const(&op.name));
        let doc = format!(" `{}`", op.name);
        let spec = spec_tokens(op, &feed);
        quote!(#[doc = #doc] pub const #name: sage_core::changes::FeedSpec = #spec;)
    });
    quote! {
        //! The feed of every followable list of the API; each edition's `FEEDS` lists the ones it has.

        #(#feeds)*
    }
}

/// `changes.rs` of a product built on `shared_crate`: its feeds, named in the shared crate.
pub(crate) fn edition_feeds(product: &Product, source: &Product, shared_crate: &proc_macro2::Ident) -> TokenStream {
    let scope = Scope::new(source);
    let entries = followable(product, &scope).into_iter().map(|(op, _)| {
        let name = ident(&super::table::spec_const(&op.name));
        quote!(#shared_crate::changes::#name)
    });
    table(quote!(#(#entries),*))
}

/// The followable lists of `product`, sorted by operation name.
fn followable<'a>(product: &'a Product, scope: &Scope<'_>) -> Vec<(&'a Operation, Feed<'a>)> {
    let mut ops: Vec<&Operation> =
        product.areas.iter().flat_map(|area| &area.resources).flat_map(|resource| &resource.operations).collect();
    ops.sort_by(|a, b| a.name.cmp(&b.name));
    ops.into_iter().filter_map(|op| feed(op, scope).map(|feed| (op, feed))).collect()
}

fn table(entries: TokenStream) -> TokenStream {
    quote! {
        //! The list operations whose changes can be followed (see `sage_core::changes`), by name.

        /// Every followable list operation, sorted by operation name.
        pub const FEEDS: &[sage_core::changes::FeedSpec] = &[#entries];

        /// The feed of the list operation called `operation`, if it can be followed.
        pub fn feed(operation: &str) -> Option<&'static sage_core::changes::FeedSpec> {
            FEEDS.iter().find(|feed| feed.operation == operation)
        }
    }
}
