//! Read → write: `impl From<&Contact> for ContactUpdate`, so a read-modify-write is one line.
//!
//! An update body (the resource an envelope holds, or the body itself: Sage 200's `CustomerUpdate`)
//! is paired with the read model of the `GET` on the same path. Fields carry over
//! when the names match and the types do, or through a nested pair of their own; a write field
//! `contact_id` (or `contact_type_ids`) takes the `id` of the read model's `contact` link (or of
//! each `contact_types` link), as Accounting reads return links where writes take ids. Anything
//! else starts unset, which an update leaves unchanged.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::quote;

use super::operation::is_copy;
use super::scope::Scope;
use crate::ir::{Field, Method, ModelKind, Product, Response, Type};
use crate::names::ident;

/// (read model, write model) pairs to convert, by the area whose module gets the impls.
pub(crate) type Plan = BTreeMap<String, Vec<(String, String)>>;

/// Every conversion of the product, each once, in the area of the update operation.
pub(crate) fn plan(product: &Product, scope: &Scope<'_>) -> Plan {
    let mut plan = Plan::new();
    let mut done = BTreeSet::new();
    for area in &product.areas {
        let operations: Vec<_> = area.resources.iter().flat_map(|r| &r.operations).collect();
        for update in operations.iter().filter(|op| op.method == Method::Put) {
            // Accounting wraps the resource in an envelope; Sage 200 sends it bare.
            let body = update.body.as_ref().map(|b| scope.envelope_field(b).map_or(b, |f| &f.ty));
            let Some(Type::Model(write)) = body else {
                continue;
            };
            let read = operations.iter().find_map(|op| match (&op.method, &op.response) {
                (Method::Get, Response::One(Type::Model(read))) if op.path == update.path => Some(read),
                _ => None,
            });
            let Some(read) = read else { continue };
            let mut pending = vec![(read.clone(), write.clone())];
            while let Some(pair) = pending.pop() {
                if !scope.derives_default(&pair.1) || !done.insert(pair.clone()) {
                    continue;
                }
                pending.extend(nested_pairs(&pair.0, &pair.1, scope));
                plan.entry(area.name.clone()).or_default().push(pair);
            }
        }
    }
    plan
}

/// `impl From<&Read> for Write`.
pub(crate) fn conversion(read: &str, write: &str, scope: &Scope<'_>) -> TokenStream {
    let (read_fields, write_fields) = (fields(read, scope), fields(write, scope));
    let assignments = write_fields.iter().filter_map(|field| {
        let value = carried_value(read, write, field, read_fields, scope)?;
        let name = ident(&field.rust_name);
        Some(quote!(#name: #value,))
    });
    let read_type = scope.rust_type(&Type::Model(read.to_owned()), "");
    let write_type = scope.rust_type(&Type::Model(write.to_owned()), "");
    let doc = " The fields Sage lets you write, taken from what it returned; the rest start unset.";
    quote! {
        impl From<&#read_type> for #write_type {
            #[doc = #doc]
            #[inline]
            fn from(read: &#read_type) -> Self {
                Self {
                    #(#assignments)*
                    ..Self::default()
                }
            }
        }
    }
}

fn fields<'p>(model: &str, scope: &Scope<'p>) -> &'p [Field] {
    match scope.model(model).map(|model| &model.kind) {
        Some(ModelKind::Struct { fields }) => fields,
        _ => &[],
    }
}

/// Nested models of a pair that pair up in turn (same field name, both structs).
fn nested_pairs(read: &str, write: &str, scope: &Scope<'_>) -> Vec<(String, String)> {
    let read_fields = fields(read, scope);
    fields(write, scope)
        .iter()
        .filter_map(|field| {
            let other = read_fields.iter().find(|f| f.json_name == field.json_name)?;
            match (model_of(&other.ty), model_of(&field.ty)) {
                (Some(r), Some(w)) if r != w && is_struct(r, scope) && is_struct(w, scope) => {
                    Some((r.to_owned(), w.to_owned()))
                }
                _ => None,
            }
        })
        .collect()
}

/// The model a field holds, directly or as list items.
fn model_of(ty: &Type) -> Option<&str> {
    match ty {
        Type::Model(name) => Some(name),
        Type::Array(item) => match item.as_ref() {
            Type::Model(name) => Some(name),
            _ => None,
        },
        _ => None,
    }
}

fn is_struct(name: &str, scope: &Scope<'_>) -> bool {
    matches!(scope.model(name).map(|m| &m.kind), Some(ModelKind::Struct { .. }))
}

/// The expression giving the write field from `read`, if the read model has it.
fn carried_value(
    read: &str,
    write: &str,
    field: &Field,
    read_fields: &[Field],
    scope: &Scope<'_>,
) -> Option<TokenStream> {
    if scope.needs_box(write, &field.ty) {
        return None;
    }
    if let Some(other) = read_fields.iter().find(|f| f.json_name == field.json_name) {
        let id_types_differ =
            scope.ids.field(read, other).map(|(id, _)| id) != scope.ids.field(write, field).map(|(id, _)| id);
        if scope.needs_box(read, &other.ty) || id_types_differ {
            return None;
        }
        return same_field(other, field, scope);
    }
    link_ids(write, field, read_fields, scope)
}

/// A field of the same name: cloned when the types match, converted through a nested pair.
fn same_field(read: &Field, write: &Field, scope: &Scope<'_>) -> Option<TokenStream> {
    let name = ident(&read.rust_name);
    let read_optional = !read.required || read.nullable;
    let convert = match (&read.ty, &write.ty) {
        (r, w) if r == w && !matches!(r, Type::Enum(_)) => None,
        (Type::Model(r), Type::Model(w)) if scope.derives_default(w) && is_struct(r, scope) => {
            let ty = scope.rust_type(&write.ty, "");
            Some(quote!(#ty::from))
        }
        (Type::Array(r), Type::Array(w)) => match (r.as_ref(), w.as_ref()) {
            (Type::Model(r), Type::Model(w)) if scope.derives_default(w) && is_struct(r, scope) => {
                let ty = scope.rust_type(&Type::Model(w.clone()), "");
                return Some(if read_optional {
                    quote!(read.#name.as_ref().map(|items| items.iter().map(#ty::from).collect()))
                } else {
                    quote!(Some(read.#name.iter().map(#ty::from).collect()))
                });
            }
            _ => return None,
        },
        _ => return None,
    };
    let value = if is_copy(&read.ty) { quote!(read.#name) } else { quote!(read.#name.clone()) };
    Some(match (convert, read_optional) {
        (None, true) => value,
        (None, false) => quote!(Some(#value)),
        (Some(convert), true) => quote!(read.#name.as_ref().map(#convert)),
        (Some(convert), false) => quote!(Some(#convert(&read.#name))),
    })
}

/// `contact_id` from the `contact` link's id, `contact_type_ids` from the `contact_types` links.
fn link_ids(write_model: &str, write: &Field, read_fields: &[Field], scope: &Scope<'_>) -> Option<TokenStream> {
    let (stem, many) = match write.rust_name.strip_suffix("_ids") {
        Some(stem) => (stem, true),
        None => (write.rust_name.strip_suffix("_id")?, false),
    };
    let wanted = |field: &&Field| {
        if many {
            [format!("{stem}s"), format!("{stem}es")].contains(&field.rust_name)
        } else {
            field.rust_name == stem
        }
    };
    let link = read_fields.iter().find(wanted)?;
    let link_model = match (&link.ty, many) {
        (Type::Model(name), false) => name,
        (Type::Array(item), true) => match item.as_ref() {
            Type::Model(name) => name,
            _ => return None,
        },
        _ => return None,
    };
    let id = fields(link_model, scope).iter().find(|f| f.json_name == "id" && f.ty == Type::String)?;
    let expected = if many { Type::Array(Box::new(Type::String)) } else { Type::String };
    if write.ty != expected || scope.needs_box(link_model, &Type::String) {
        return None;
    }
    // The link's id and the write field may be typed differently (a `Link` carries plain strings,
    // a model read from one collection that collection's id): plain ↔ typed converts, two different
    // id types never do.
    let link_id = scope.ids.field(link_model, id).map(|(id, _)| id);
    let write_id = scope.ids.field(write_model, write).map(|(id, _)| id);
    let id_value = match (link_id, write_id) {
        (a, b) if a == b => quote!(link.id.clone()),
        (Some(_), Some(_)) => return None,
        _ => quote!(link.id.clone().map(Into::into)),
    };
    let plain_id = match (link_id, write_id) {
        (a, b) if a == b => quote!(link.id.clone()),
        _ => quote!(link.id.clone().into()),
    };
    let name = ident(&link.rust_name);
    let id_optional = !id.required || id.nullable;
    let link_optional = !link.required || link.nullable;
    Some(match (many, link_optional, id_optional) {
        (false, true, true) => quote!(read.#name.as_ref().and_then(|link| #id_value)),
        (false, true, false) => quote!(read.#name.as_ref().map(|link| #plain_id)),
        (false, false, true) => quote!(Some(&read.#name).and_then(|link| #id_value)),
        (false, false, false) => quote!(Some(&read.#name).map(|link| #plain_id)),
        (true, true, true) => {
            quote!(read.#name.as_ref().map(|links| links.iter().filter_map(|link| #id_value).collect()))
        }
        (true, true, false) => quote!(read.#name.as_ref().map(|links| links.iter().map(|link| #plain_id).collect())),
        (true, false, true) => quote!(Some(read.#name.iter().filter_map(|link| #id_value).collect())),
        (true, false, false) => quote!(Some(read.#name.iter().map(|link| #plain_id).collect())),
    })
}
