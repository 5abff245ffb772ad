//! Which values are resource ids, and of which resource.
//!
//! A resource is a collection addressed by a path parameter in a `GET` (`/contacts/{key}`): it gets
//! an id type named after the singular (`ContactId`), holding the parameter's type. That type is
//! used for every path parameter following the collection's segment, for fields named after the
//! resource (`contact_id`, `contact_ids`), and for the `id` of the model the `GET` returns.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

use crate::import::singular;
use crate::ir::{Field, Method, Param, ParamLocation, Product, Response, Type};
use crate::names::{ident, type_name};

/// One id type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IdType {
    /// Rust type name, e.g. `ContactId`.
    pub(crate) name: String,
    /// Sage 200's ids are integers, Accounting's strings.
    pub(crate) integer: bool,
    /// The collection it addresses, e.g. `contacts`.
    segment: String,
}

impl IdType {
    fn raw(&self) -> Type {
        if self.integer {
            Type::Integer
        } else {
            Type::String
        }
    }

    /// The path of the type from an area module.
    pub(crate) fn path(&self) -> TokenStream {
        let name = ident(&self.name);
        quote!(super::ids::#name)
    }
}

/// The id types of a product.
#[derive(Debug, Clone, Default)]
pub(crate) struct Ids {
    /// Collection segment (`contacts`) → id type.
    by_segment: BTreeMap<String, IdType>,
    /// Singular resource name (`contact`) → id type, for `contact_id` fields.
    by_singular: BTreeMap<String, IdType>,
    /// Model returned by a resource's `GET` → its id type, for the model's `id` field.
    by_model: BTreeMap<String, IdType>,
}

impl Ids {
    pub(crate) fn new(product: &Product) -> Self {
        let mut ids = Ids::default();
        let operations = || product.areas.iter().flat_map(|a| &a.resources).flat_map(|r| &r.operations);
        for op in operations().filter(|op| op.method == Method::Get) {
            for param in op.params.iter().filter(|p| p.location == ParamLocation::Path) {
                let Some(segment) = segment_before(&op.path, &param.name) else { continue };
                if !matches!(param.ty, Type::String | Type::Integer) || ids.by_segment.contains_key(segment) {
                    continue;
                }
                let singular = singular(&segment.replace('-', "_"));
                let Some(name) = type_name(&format!("{singular}_id")) else { continue };
                let id = IdType { name, integer: param.ty == Type::Integer, segment: segment.to_owned() };
                ids.by_singular.entry(singular).or_insert_with(|| id.clone());
                ids.by_segment.insert(segment.to_owned(), id);
            }
        }
        // A model read from one collection only (not a shared `Link`) has that collection's id.
        let mut read_from: BTreeMap<&String, Vec<&IdType>> = BTreeMap::new();
        for op in operations().filter(|op| op.method == Method::Get) {
            let (Response::One(Type::Model(model)) | Response::List(Type::Model(model))) = &op.response else {
                continue;
            };
            let last = op.path.trim_end_matches('/').rsplit('/').next().unwrap_or_default();
            let segment = if last.starts_with('{') {
                segment_before(&op.path, last.trim_matches(['{', '}']))
            } else {
                Some(last)
            };
            let id = segment.and_then(|segment| ids.by_segment.get(segment));
            read_from.entry(model).or_default().extend(id);
        }
        for (model, mut found) in read_from {
            found.dedup();
            if let [id] = found.as_slice() {
                ids.by_model.insert(model.clone(), (*id).clone());
            }
        }
        ids
    }

    /// Every id type, sorted by name.
    pub(crate) fn all(&self) -> Vec<&IdType> {
        let mut all: Vec<&IdType> = self.by_segment.values().collect();
        all.sort_by(|a, b| a.name.cmp(&b.name));
        all.dedup_by(|a, b| a.name == b.name);
        all
    }

    /// The id type of a path parameter.
    pub(crate) fn param(&self, path: &str, param: &Param) -> Option<&IdType> {
        if param.location != ParamLocation::Path {
            return None;
        }
        let id = self.by_segment.get(segment_before(path, &param.name)?)?;
        (id.raw() == param.ty).then_some(id)
    }

    /// The id type of a model field (`Vec` of it for `_ids` lists).
    pub(crate) fn field(&self, model: &str, field: &Field) -> Option<(&IdType, bool)> {
        if field.rust_name == "id" {
            let id = self.by_model.get(model)?;
            return (id.raw() == field.ty).then_some((id, false));
        }
        if let Some(stem) = field.rust_name.strip_suffix("_ids") {
            let id = self.by_singular.get(stem)?;
            return (field.ty == Type::Array(Box::new(id.raw()))).then_some((id, true));
        }
        let id = self.by_singular.get(field.rust_name.strip_suffix("_id")?)?;
        (id.raw() == field.ty).then_some((id, false))
    }
}

/// The path segment right before `{name}`, when it is a plain word (`/contacts/{key}` → `contacts`).
fn segment_before<'a>(path: &'a str, name: &str) -> Option<&'a str> {
    let placeholder = format!("{{{name}}}");
    let mut previous = None;
    for segment in path.split('/') {
        if segment == placeholder {
            return previous.filter(|s: &&str| !s.is_empty() && !s.contains(['{', '}', '$', '.']));
        }
        previous = Some(segment);
    }
    None
}

/// `ids.rs`: the id types, declared with `sage_core`'s macros.
pub(crate) fn ids_module(ids: &Ids) -> TokenStream {
    let declarations = ids.all().into_iter().map(|id| {
        let name = ident(&id.name);
        let doc = format!(" The id of one of `/{}`.", id.segment);
        if id.integer {
            quote!(sage_core::integer_id!(#[doc = #doc] #name);)
        } else {
            quote!(sage_core::string_id!(#[doc = #doc] #name);)
        }
    });
    quote! {
        #![doc = " Resource ids: one type per resource, so ids of different resources cannot be mixed up."]
        #(#declarations)*
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_segment_before_a_placeholder_names_the_collection() {
        assert_eq!(segment_before("/contacts/{key}", "key"), Some("contacts"));
        assert_eq!(segment_before("/customers/{id}/contacts/{contact}", "contact"), Some("contacts"));
        assert_eq!(segment_before("/{key}", "key"), None);
    }
}
