//! `operations.rs`: every operation as data, so a CLI or test can call one by name without its type.

use proc_macro2::TokenStream;
use quote::quote;

use super::operation::method_variant;
use crate::ir::{ParamLocation, Product, Response};

pub(crate) fn operations_table(product: &Product) -> TokenStream {
    let mut operations: Vec<_> = product
        .areas
        .iter()
        .flat_map(|area| {
            area.resources.iter().flat_map(move |resource| resource.operations.iter().map(move |op| (area, op)))
        })
        .collect();
    operations.sort_by(|(_, a), (_, b)| a.name.cmp(&b.name));
    let entries = operations.iter().map(|(area, op)| {
        let name = &op.name;
        let area = &area.name;
        let method = method_variant(op.method);
        let path = &op.path;
        let summary = &op.summary;
        let params = op.params.iter().map(|param| {
            let wire = &param.name;
            let location = match param.location {
                ParamLocation::Path => quote!(ParamLocation::Path),
                ParamLocation::Query => quote!(ParamLocation::Query),
            };
            let required = param.required;
            quote!(ParamSpec { name: #wire, location: #location, required: #required })
        });
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
            },
        }
    });
    quote! {
        #![doc = " Every operation of this API as data, for tools that call operations by name (a CLI, tests)."]
        #![doc = ""]
        #![doc = " Build a call with `OperationSpec::request` from `name=value` pairs and send it with"]
        #![doc = " `sage_core::Client::execute`. The table is always compiled, whatever features are enabled."]

        pub use sage_core::catalog::{OperationSpec, ParamLocation, ParamSpec};

        #[doc = " Every operation, sorted by name."]
        pub const OPERATIONS: &[OperationSpec] = &[#(#entries)*];

        #[doc = " The operation called `name`, if there is one."]
        pub fn find(name: &str) -> Option<&'static OperationSpec> {
            sage_core::catalog::find(OPERATIONS, name).ok()
        }
    }
}
