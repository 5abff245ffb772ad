//! Models: structs that keep unknown fields (their `Serialize` and one-pass `Deserialize` written
//! by `sage_core::json_model!`), and string enums that keep unknown values.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::scope::Scope;
use super::{doc_lines, Chunk};
use crate::ir::{Field, Model, ModelKind, Type};
use crate::names::{ident, inline_enum_name, variant_names};

pub(crate) fn model(model: &Model, scope: &Scope<'_>) -> Vec<Chunk> {
    match &model.kind {
        ModelKind::Struct { fields } => struct_model(model, fields, scope),
        ModelKind::Enum { values } => vec![Chunk::Tokens(string_enum(&model.rust_name, &model.description, values))],
    }
}

fn struct_model(model: &Model, fields: &[Field], scope: &Scope<'_>) -> Vec<Chunk> {
    let name = ident(&model.rust_name);
    let docs = doc_lines(&model.description);
    let default = scope.derives_default(&model.name).then(|| quote!(, Default));
    let members = fields.iter().map(|field| struct_field(model, field, scope));
    let constructor = constructor(model, fields, scope);
    let inline_enums = fields.iter().filter_map(|field| {
        let values = inline_enum_values(&field.ty)?;
        let enum_name = inline_enum_name(&model.rust_name, &field.rust_name);
        Some(string_enum(&enum_name, &format!("Values of `{}::{}`.", model.rust_name, field.rust_name), values))
    });
    let items = quote! {
        #docs
        #[derive(Debug, Clone, PartialEq #default)]
        pub struct #name {
            #(#members)*
            #[doc = " Fields the schema does not list, kept so that a read-modify-write loses nothing."]
            pub extra: sage_core::types::Extra,
        }
        #constructor
    };
    let mut chunks = vec![Chunk::Tokens(items), Chunk::Text(json_impls(model, fields, scope))];
    // Most models have no inline enum: no empty chunk to parse and print for them.
    chunks.extend(inline_enums.map(Chunk::Tokens));
    chunks
}

/// `sage_core::json_model! { … }`: the model's `Serialize` (a JSON object of its fields under their
/// wire names, unset `Option`s left out, decimals as numbers where the product sends numbers, then
/// `extra`'s entries) and its one-pass `Deserialize` (see `sage_core::types::model`), one line per
/// field. serde's derive would need `#[serde(flatten)]` for `extra`, which buffers every value and
/// makes each model's impls several times larger and slower to compile.
///
/// Text, not tokens: `prettyplease` prints a macro's body as a few long lines.
fn json_impls(model: &Model, fields: &[Field], scope: &Scope<'_>) -> String {
    // A model whose fields are all optional has a `Default`: its fields are read straight into it.
    let into_default = scope.derives_default(&model.name);
    let mut text = format!(
        "sage_core::json_model! {{\n    {}{} {{\n",
        model.rust_name,
        if into_default { ": Default" } else { "" }
    );
    for field in fields {
        let read = match decoder(field, scope) {
            Decoder::LenientOption if into_default => "lenient_into",
            _ if into_default => "option_into",
            decoder => decoder.method(),
        };
        let number = field.ty == Type::Decimal && scope.decimals_as_numbers();
        let write = match (is_optional(field), number) {
            (false, false) => "field",
            (true, false) => "optional",
            (false, true) => "number",
            (true, true) => "optional_number",
        };
        let (member, wire) = (ident(&field.rust_name), Literal::string(&field.json_name));
        text.push_str(&format!("        {member}: {wire}, {read}, {write};\n"));
    }
    text.push_str("    }\n}\n");
    text
}

/// Whether a field is an `Option`: not required, or allowed to be `null`.
fn is_optional(field: &Field) -> bool {
    !field.required || field.nullable
}

/// `new(required…)` for a struct with required fields (it has no `Default`): the compiler, not
/// the server, reports a missing one. Optional fields start unset; set them with struct update
/// syntax (`NewContact { email: Some(…), ..NewContact::new(…) }`).
fn constructor(model: &Model, fields: &[Field], scope: &Scope<'_>) -> Option<TokenStream> {
    let is_plain = |field: &&Field| field.required && !field.nullable;
    let mut required: Vec<&Field> = fields.iter().filter(is_plain).collect();
    if required.is_empty() {
        return None;
    }
    // Names and references read first, lists and nested resources last: `NewContact::new("Acme", ["CUSTOMER"])`.
    required.sort_by_key(|field| argument_rank(&field.ty));
    let arguments = required.iter().map(|field| {
        let name = ident(&field.rust_name);
        let ty = argument_type(model, field, scope);
        quote!(#name: #ty)
    });
    let inits = fields.iter().map(|field| {
        let name = ident(&field.rust_name);
        if !is_plain(&field) {
            return quote!(#name: None);
        }
        let value = match (&field.ty, scope.ids.field(&model.name, field)) {
            (_, Some((_, false))) | (Type::String, None) => quote!(#name.into()),
            (_, Some((_, true))) => quote!(#name.into_iter().map(Into::into).collect()),
            (Type::Array(item), None) if **item == Type::String => quote!(#name.into_iter().map(Into::into).collect()),
            (Type::Array(_), None) => quote!(#name.into_iter().collect()),
            _ => quote!(#name),
        };
        let converted = name != value.to_string();
        if scope.needs_box(&model.name, &field.ty) {
            quote!(#name: Box::new(#value))
        } else if converted {
            quote!(#name: #value)
        } else {
            quote!(#name)
        }
    });
    let name = ident(&model.rust_name);
    let allow = (required.len() > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    Some(quote! {
        impl #name {
            #[doc = " A value with its required fields; the optional ones start unset."]
            #allow
            #[inline]
            pub fn new(#(#arguments),*) -> Self {
                Self { #(#inits,)* extra: sage_core::types::Extra::new() }
            }
        }
    })
}

fn argument_rank(ty: &Type) -> u8 {
    match ty {
        Type::String => 0,
        Type::Integer | Type::Boolean | Type::Decimal | Type::Date | Type::DateTime | Type::Enum(_) => 1,
        Type::Model(_) | Type::Json | Type::Map(_) => 2,
        Type::Array(_) => 3,
    }
}

/// Strings take `impl Into<String>` and lists any iterator, so literals and arrays work as they are.
fn argument_type(model: &Model, field: &Field, scope: &Scope<'_>) -> TokenStream {
    match scope.ids.field(&model.name, field) {
        Some((id, false)) => {
            let id = id.path();
            return quote!(impl Into<#id>);
        }
        Some((id, true)) => {
            let id = id.path();
            return quote!(impl IntoIterator<Item = impl Into<#id>>);
        }
        None => {}
    }
    match &field.ty {
        Type::String => quote!(impl Into<String>),
        Type::Array(item) if **item == Type::String => quote!(impl IntoIterator<Item = impl Into<String>>),
        Type::Array(item) => {
            let item = scope.rust_type(item, &inline_enum_name(&model.rust_name, &field.rust_name));
            quote!(impl IntoIterator<Item = #item>)
        }
        ty => scope.rust_type(ty, &inline_enum_name(&model.rust_name, &field.rust_name)),
    }
}

fn struct_field(model: &Model, field: &Field, scope: &Scope<'_>) -> TokenStream {
    let name = ident(&field.rust_name);
    let docs = doc_lines(&field.description);
    let mut ty = scope.field_type(model, field);
    if scope.needs_box(&model.name, &field.ty) {
        ty = quote!(Box<#ty>);
    }
    if is_optional(field) {
        ty = quote!(Option<#ty>);
    }
    quote! {
        #docs
        pub #name: #ty,
    }
}

/// How a field's value is read (a method of `sage_core::types::model::Fields`), so that drift
/// Sage's APIs show does not fail a whole response: scalars (strings, numbers, booleans, dates,
/// timestamps, ids and enums) accept any faithful spelling (`"42"`, `42`, `"true"`), `null`, and
/// `""` for a value that is not text; required lists, maps, JSON and models that have a default
/// read `null` as empty. Other models keep their own decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decoder {
    /// A required scalar: `null` is its default.
    LenientValue,
    /// An optional scalar: `null` and blanks are `None`.
    LenientOption,
    /// A required list, map or model with a default: `null` is empty.
    OrDefault,
    /// The type's own `Deserialize`.
    Plain,
}

impl Decoder {
    fn method(self) -> &'static str {
        match self {
            Self::LenientValue => "lenient_value",
            Self::LenientOption => "lenient_option",
            Self::OrDefault => "or_default",
            Self::Plain => "next_value",
        }
    }
}

fn decoder(field: &Field, scope: &Scope<'_>) -> Decoder {
    let scalar = match &field.ty {
        Type::String | Type::Integer | Type::Boolean | Type::Decimal | Type::Date | Type::DateTime | Type::Enum(_) => {
            true
        }
        Type::Model(name) => scope.is_enum_model(name),
        Type::Json | Type::Array(_) | Type::Map(_) => false,
    };
    let has_default = match &field.ty {
        Type::Array(_) | Type::Map(_) | Type::Json => true,
        Type::Model(name) => scope.derives_default(name),
        _ => false,
    };
    match (scalar, is_optional(field)) {
        (true, false) => Decoder::LenientValue,
        (true, true) => Decoder::LenientOption,
        (false, false) if has_default => Decoder::OrDefault,
        _ => Decoder::Plain,
    }
}

/// The values of an inline enum, if `ty` is one (or a list or map of one).
pub(crate) fn inline_enum_values(ty: &Type) -> Option<&[String]> {
    match ty {
        Type::Enum(values) => Some(values),
        Type::Array(item) | Type::Map(item) => inline_enum_values(item),
        _ => None,
    }
}

/// A string enum whose `Other` variant keeps values the schema does not list, so decoding never
/// fails on a new value and re-encoding gives back what was received. It reads as a lenient scalar
/// (a number is its text; an unlisted value is noted for a drift audit), and its default is the
/// empty `Other("")`: a required value Sage leaves out is not made up.
pub(crate) fn string_enum(rust_name: &str, description: &str, values: &[String]) -> TokenStream {
    let name = ident(rust_name);
    let docs = doc_lines(description);
    let variants: Vec<_> = variant_names(values).unwrap_or_default().iter().map(|name| ident(name)).collect();
    let declarations = values.iter().zip(&variants).map(|(value, variant)| {
        let doc = format!(" `{value}`");
        quote!(#[doc = #doc] #variant,)
    });
    let to_wire = values.iter().zip(&variants).map(|(value, variant)| quote!(Self::#variant => #value,));
    let from_wire = values.iter().zip(&variants).map(|(value, variant)| quote!(#value => Self::#variant,));
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum #name {
            #(#declarations)*
            #[doc = " A value this version of the schema does not list, kept as received."]
            Other(String),
        }

        impl #name {
            #[doc = " The value as written on the wire."]
            #[inline]
            pub fn as_str(&self) -> &str {
                match self {
                    #(#to_wire)*
                    Self::Other(value) => value,
                }
            }
        }

        #[doc = " `Other(\"\")`: no value (what a required field Sage leaves out reads as)."]
        impl Default for #name {
            #[inline]
            fn default() -> Self {
                Self::Other(String::new())
            }
        }

        impl From<String> for #name {
            #[inline]
            fn from(value: String) -> Self {
                match value.as_str() {
                    #(#from_wire)*
                    _ => Self::Other(value),
                }
            }
        }

        impl From<&str> for #name {
            #[inline]
            fn from(value: &str) -> Self {
                Self::from(value.to_owned())
            }
        }

        impl std::fmt::Display for #name {
            #[inline]
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl sage_core::types::lenient::LenientNewtype for #name {
            type Raw = String;
            #[inline]
            fn from_raw_value(raw: String) -> Self {
                Self::from(raw)
            }
            #[inline]
            fn unlisted(&self) -> Option<&str> {
                match self {
                    Self::Other(value) => Some(value),
                    _ => None,
                }
            }
        }

        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                sage_core::types::lenient::value::<D, Self>(deserializer)
            }
        }
    }
}
