//! What the emitter needs to know about the whole product while writing one area: where each
//! model lives, which ones are enums, which must be boxed and which can derive `Default`.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::quote;

use super::ids::Ids;
use crate::ir::{DecimalFormat, Field, Model, ModelKind, Product, Response, Type};
use crate::names::ident;

/// Product-wide facts plus the area being written.
#[derive(Clone)]
pub(crate) struct Scope<'p> {
    pub(crate) product: &'p Product,
    models: BTreeMap<&'p str, (&'p str, &'p Model)>,
    /// Structs that cannot derive `Default`: a required field has no value to default to.
    no_default: BTreeSet<&'p str>,
    /// Body models that only wrap the resource (`{"contact": {…}}`): operations take the resource
    /// and wrap it themselves, so these are not generated.
    envelopes: BTreeSet<&'p str>,
    /// Which path parameters and fields are resource ids.
    pub(crate) ids: std::rc::Rc<Ids>,
    /// Area whose module is being written.
    area: &'p str,
    /// Facade paths of every product's operations (see [`super::facade_paths`]).
    facade_paths: Option<&'p BTreeMap<String, String>>,
    /// The products generated over one shared crate (Sage 200's editions), which have every
    /// operation that names no `editions`; empty for a product of its own.
    pub(crate) editions: std::rc::Rc<[String]>,
}

impl<'p> Scope<'p> {
    pub(crate) fn new(product: &'p Product) -> Self {
        let models = product
            .areas
            .iter()
            .flat_map(|area| area.models.iter().map(move |model| (model.name.as_str(), (area.name.as_str(), model))))
            .collect();
        let mut scope = Self {
            product,
            models,
            no_default: BTreeSet::new(),
            envelopes: BTreeSet::new(),
            ids: Default::default(),
            area: "",
            facade_paths: None,
            editions: std::rc::Rc::new([]),
        };
        scope.ids = std::rc::Rc::new(Ids::new(product));
        scope.no_default = scope.structs_without_default();
        scope.envelopes = scope.envelope_models();
        scope
    }

    /// The same scope, able to name other products' operations by their facade path.
    pub(crate) fn with_facade_paths(self, facade_paths: &'p BTreeMap<String, String>) -> Self {
        Self { facade_paths: Some(facade_paths), ..self }
    }

    /// The same scope for code shared by `editions` (see [`Scope::editions`](Self#structfield.editions)).
    pub(crate) fn with_editions(self, editions: &[String]) -> Self {
        Self { editions: editions.into(), ..self }
    }

    /// The facade path (`sage::accounting_v31::contacts::ListContacts`) of the operation that a
    /// deprecation names as `product:operation`, if that product was generated alongside.
    pub(crate) fn facade_path(&self, replacement: &str) -> Option<&'p str> {
        self.facade_paths?.get(replacement).map(String::as_str)
    }

    pub(crate) fn in_area(&self, area: &'p str) -> Self {
        Self { area, ..self.clone() }
    }

    pub(crate) fn model(&self, name: &str) -> Option<&'p Model> {
        self.models.get(name).map(|(_, model)| *model)
    }

    /// Whether the model named `name` is a string enum.
    pub(crate) fn is_enum_model(&self, name: &str) -> bool {
        self.model(name).is_some_and(|model| matches!(model.kind, ModelKind::Enum { .. }))
    }

    pub(crate) fn derives_default(&self, model: &str) -> bool {
        !self.no_default.contains(model)
    }

    /// Whether the model named `name` is a body envelope (not generated).
    pub(crate) fn is_envelope(&self, name: &str) -> bool {
        self.envelopes.contains(name)
    }

    /// The field an operation body wraps its resource in, when the body is an envelope.
    pub(crate) fn envelope_field(&self, body: &Type) -> Option<&'p Field> {
        let Type::Model(name) = body else { return None };
        if !self.is_envelope(name) {
            return None;
        }
        match &self.model(name)?.kind {
            ModelKind::Struct { fields } => fields.first(),
            ModelKind::Enum { .. } => None,
        }
    }

    pub(crate) fn decimals_as_numbers(&self) -> bool {
        self.product.decimal_format == DecimalFormat::Number
    }

    /// The Rust type for `ty`; `inline_enum` names an inline enum (see [`crate::names::inline_enum_name`]).
    pub(crate) fn rust_type(&self, ty: &Type, inline_enum: &str) -> TokenStream {
        match ty {
            Type::String => quote!(String),
            Type::Integer => quote!(i64),
            Type::Boolean => quote!(bool),
            Type::Decimal => quote!(sage_core::types::Decimal),
            Type::Date => quote!(sage_core::types::Date),
            Type::DateTime => quote!(sage_core::types::DateTime),
            Type::Json => quote!(sage_core::types::Json),
            Type::Model(name) => self.model_path(name),
            Type::Array(item) => {
                let item = self.rust_type(item, inline_enum);
                quote!(Vec<#item>)
            }
            Type::Map(item) => {
                let item = self.rust_type(item, inline_enum);
                quote!(std::collections::BTreeMap<String, #item>)
            }
            Type::Enum(_) => {
                let name = ident(inline_enum);
                quote!(#name)
            }
        }
    }

    /// The Rust type of a field of `model`: its id type when it is a resource id, else [`Self::rust_type`].
    pub(crate) fn field_type(&self, model: &Model, field: &Field) -> TokenStream {
        match self.ids.field(&model.name, field) {
            Some((id, false)) => id.path(),
            Some((id, true)) => {
                let id = id.path();
                quote!(Vec<#id>)
            }
            None => self.rust_type(&field.ty, &crate::names::inline_enum_name(&model.rust_name, &field.rust_name)),
        }
    }

    /// `Model` in its own area, `super::area::Model` elsewhere.
    fn model_path(&self, name: &str) -> TokenStream {
        let Some((area, model)) = self.models.get(name) else { return quote!(sage_core::types::Json) };
        let rust_name = ident(&model.rust_name);
        if *area == self.area {
            quote!(#rust_name)
        } else {
            let module = ident(area);
            quote!(super::#module::#rust_name)
        }
    }

    /// Whether a field of struct `owner` with type `ty` must be boxed: it holds (not via a
    /// `Vec`/map) a model that holds `owner` back, which would make the struct infinitely large.
    pub(crate) fn needs_box(&self, owner: &str, ty: &Type) -> bool {
        let Type::Model(target) = ty else { return false };
        let mut seen = BTreeSet::new();
        let mut pending = vec![target.as_str()];
        while let Some(name) = pending.pop() {
            if name == owner {
                return true;
            }
            if seen.insert(name) {
                pending.extend(self.inline_models(name));
            }
        }
        false
    }

    /// Models held directly (not behind a `Vec` or map) by the struct `name`.
    fn inline_models(&self, name: &str) -> Vec<&'p str> {
        let Some(Model { kind: ModelKind::Struct { fields }, .. }) = self.model(name) else { return Vec::new() };
        fields
            .iter()
            .filter_map(|field| match &field.ty {
                Type::Model(target) => Some(target.as_str()),
                _ => None,
            })
            .collect()
    }

    /// A struct has no `Default` when it has a plain (required, non-null) field: a default would
    /// send an empty value Sage never asked for instead of failing to compile.
    fn structs_without_default(&self) -> BTreeSet<&'p str> {
        self.models
            .iter()
            .filter(|(_, (_, model))| match &model.kind {
                ModelKind::Struct { fields } => fields.iter().any(|field| field.required && !field.nullable),
                ModelKind::Enum { .. } => false,
            })
            .map(|(name, _)| *name)
            .collect()
    }

    /// Bodies that are one field holding a struct model, used nowhere but as a body.
    fn envelope_models(&self) -> BTreeSet<&'p str> {
        let operations = || self.product.areas.iter().flat_map(|a| &a.resources).flat_map(|r| &r.operations);
        let mut used_elsewhere = BTreeSet::new();
        for (_, model) in self.models.values() {
            if let ModelKind::Struct { fields } = &model.kind {
                fields.iter().for_each(|field| collect_models(&field.ty, &mut used_elsewhere));
            }
        }
        for op in operations() {
            match &op.response {
                Response::One(ty) | Response::List(ty) => collect_models(ty, &mut used_elsewhere),
                Response::None => {}
            }
        }
        operations()
            .filter_map(|op| match &op.body {
                Some(Type::Model(name)) => Some(name.as_str()),
                _ => None,
            })
            .filter(|name| !used_elsewhere.contains(*name))
            .filter(|name| {
                let Some(Model { kind: ModelKind::Struct { fields }, .. }) = self.model(name) else { return false };
                let [field] = fields.as_slice() else { return false };
                let Type::Model(inner) = &field.ty else { return false };
                matches!(self.model(inner), Some(Model { kind: ModelKind::Struct { .. }, .. }))
            })
            .collect()
    }
}

/// Every model named in `ty`.
fn collect_models<'a>(ty: &'a Type, into: &mut BTreeSet<&'a str>) {
    match ty {
        Type::Model(name) => {
            into.insert(name);
        }
        Type::Array(item) | Type::Map(item) => collect_models(item, into),
        _ => {}
    }
}
