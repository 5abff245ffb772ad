//! Operations: a struct of parameters with a constructor for the required ones, chainable setters
//! for the rest (from `sage_core::setters!`), the `sage_core::Operation` impl, and `send` (for
//! lists also `items` and `sage_core::ListOperation`) from `sage_core::send_methods!`.

use proc_macro2::TokenStream;
use quote::quote;

use super::model::{inline_enum_values, string_enum};
use super::scope::Scope;
use super::{doc_comment, doc_lines, Chunk};
use crate::ir::{Method, ModelKind, Operation, Param, ParamLocation, Response, Type};
use crate::names::{ident, inline_enum_name, type_name};

/// Above this many constructor arguments clippy objects; the generated `new` opts out explicitly.
const CLIPPY_MAX_ARGUMENTS: usize = 7;

/// Sage 200's OData options. An operation taking all of them holds a `sage_core::ODataQuery` and
/// gets its setters from `sage_core::odata_setters!` instead of seven fields and setters of its own.
const ODATA_OPTIONS: [&str; 7] = ["$count", "$expand", "$filter", "$orderby", "$select", "$skip", "$top"];

/// Whether the operation takes every OData option, each optional and in the query.
fn takes_odata(op: &Operation) -> bool {
    ODATA_OPTIONS.iter().all(|option| {
        op.params.iter().any(|param| param.name == *option && param.location == ParamLocation::Query && !param.required)
    })
}

/// The parameters the operation holds one by one: all of them but the OData options, when it
/// takes them as one (`odata`, from [`takes_odata`]).
fn own_params(op: &Operation, odata: bool) -> Vec<&Param> {
    op.params.iter().filter(|param| !(odata && ODATA_OPTIONS.contains(&param.name.as_str()))).collect()
}

pub(crate) fn operation(op: &Operation, scope: &Scope<'_>) -> Vec<Chunk> {
    let struct_name = type_name(&op.name).unwrap_or_default();
    let name = ident(&struct_name);
    let docs = doc_lines(&operation_docs(op));
    let deprecated = op.deprecated.as_ref().map(|deprecation| {
        let note = match &deprecation.replacement {
            Some(replacement) => {
                let target = scope.facade_path(replacement).unwrap_or(replacement);
                format!("{} Use `{target}` instead.", deprecation.note)
            }
            None => deprecation.note.clone(),
        };
        quote!(#[deprecated(note = #note)])
    });
    let allow_deprecated = op.deprecated.is_some().then(|| quote!(#[allow(deprecated)]));
    let odata = takes_odata(op);
    let params = own_params(op, odata);
    let required: Vec<&Param> = params.iter().copied().filter(|param| param.required).collect();
    let default = (required.is_empty() && op.body.is_none()).then(|| quote!(Default,));

    let fields = params.iter().map(|param| {
        let docs = doc_lines(&param.description);
        let param_name = ident(&param.rust_name);
        let ty = param_type(op, param, &struct_name, scope);
        quote!(#docs pub #param_name: #ty,)
    });
    let odata_field = odata.then(|| {
        quote! {
            #[doc = " The OData options (`$filter`, `$orderby`, `$top`, …); set them one by one with the methods below."]
            pub odata: sage_core::ODataQuery,
        }
    });
    let odata_setters = odata.then(|| quote!(sage_core::odata_setters!(#allow_deprecated #name);));
    let body_field = op.body.as_ref().map(|body| {
        let (name, ty, key) = body_member(op, body, scope);
        let doc = match key {
            Some(key) => format!(" What to send; it goes to Sage as `{{\"{key}\": …}}`."),
            None => " The JSON request body.".to_owned(),
        };
        quote!(#[doc = #doc] pub #name: #ty,)
    });
    let inline_enums = params.iter().filter_map(|param| {
        let values = inline_enum_values(&param.ty)?;
        let enum_name = inline_enum_name(&struct_name, &param.rust_name);
        Some(string_enum(&enum_name, &format!("Values of `{struct_name}::{}`.", param.rust_name), values))
    });

    let constructor = constructor(op, &params, odata, &struct_name, scope);
    let setters = setters(op, &params, &struct_name, scope);
    let output = output_type(&op.response, scope);
    let list_item = match &op.response {
        Response::List(item) => Some(scope.rust_type(item, "")),
        _ => None,
    };
    // `send` (and, for a list, `items` and `ListOperation`) come from a macro, printed as text:
    // prettyplease spaces out generics in a macro call's arguments.
    let allow = if op.deprecated.is_some() { "#[allow(deprecated)] " } else { "" };
    let returns = match &list_item {
        Some(item) => format!("Page<{}>", type_text(item)),
        None => type_text(&output),
    };
    let send_methods = format!("sage_core::send_methods!({allow}{struct_name} -> {returns});\n");
    let request = request_body(op, &params, odata, scope);

    let declaration = quote! {
        #docs
        #deprecated
        #[derive(Debug, Clone, PartialEq, #default)]
        pub struct #name {
            #(#fields)*
            #odata_field
            #body_field
        }
        #(#inline_enums)*

        #allow_deprecated
        impl #name {
            #constructor
        }
        #odata_setters
    };
    let operation_impl = quote! {
        #allow_deprecated
        impl sage_core::Operation for #name {
            type Output = #output;

            #[inline]
            fn request(&self) -> sage_core::Result<sage_core::Request> {
                #request
            }
        }
    };
    let mut chunks = vec![Chunk::Tokens(declaration)];
    chunks.extend(setters.map(Chunk::Text));
    chunks.extend([Chunk::Text(send_methods), Chunk::Tokens(operation_impl)]);
    chunks
}

/// A type as a person writes it (`super::common::Contact`, not `super :: common :: Contact`).
fn type_text(ty: &TokenStream) -> String {
    let file = syn::parse2::<syn::File>(quote!(type T = #ty;)).expect("the generator's own type tokens parse");
    let text = prettyplease::unparse(&file);
    text.trim().trim_start_matches("type T = ").trim_end_matches(';').to_owned()
}

/// Summary, description, then the HTTP method and path.
fn operation_docs(op: &Operation) -> String {
    let mut docs = op.summary.trim().to_owned();
    if !op.description.trim().is_empty() {
        docs.push_str("\n\n");
        docs.push_str(op.description.trim());
    }
    docs.push_str(&format!("\n\n`{} {}`", method_name(op.method), op.path));
    docs
}

fn method_name(method: Method) -> &'static str {
    match method {
        Method::Get => "GET",
        Method::Post => "POST",
        Method::Put => "PUT",
        Method::Patch => "PATCH",
        Method::Delete => "DELETE",
    }
}

/// The `sage_core::Method` variant's name.
pub(crate) fn method_variant(method: Method) -> &'static str {
    match method {
        Method::Get => "Get",
        Method::Post => "Post",
        Method::Put => "Put",
        Method::Patch => "Patch",
        Method::Delete => "Delete",
    }
}

/// The parameter's field type (its id type for a resource id): `Option<T>` unless required.
fn param_type(op: &Operation, param: &Param, struct_name: &str, scope: &Scope<'_>) -> TokenStream {
    let ty = match scope.ids.param(&op.path, param) {
        Some(id) => id.path(),
        None => scope.rust_type(&param.ty, &inline_enum_name(struct_name, &param.rust_name)),
    };
    if param.required {
        ty
    } else {
        quote!(Option<#ty>)
    }
}

/// An argument type and the expression turning the argument into the field value; strings take
/// `impl Into<String>` so callers can pass `&str`, ids `impl Into<ContactId>` (a raw value or the id).
fn argument(op: &Operation, param: &Param, struct_name: &str, scope: &Scope<'_>) -> (TokenStream, TokenStream) {
    let name = ident(&param.rust_name);
    if let Some(id) = scope.ids.param(&op.path, param) {
        let id = id.path();
        (quote!(impl Into<#id>), quote!(#name.into()))
    } else if param.ty == Type::String {
        (quote!(impl Into<String>), quote!(#name.into()))
    } else {
        (scope.rust_type(&param.ty, &inline_enum_name(struct_name, &param.rust_name)), quote!(#name))
    }
}

fn constructor(op: &Operation, params: &[&Param], odata: bool, struct_name: &str, scope: &Scope<'_>) -> TokenStream {
    let mut arguments = Vec::new();
    let mut inits = Vec::new();
    for param in params {
        let name = ident(&param.rust_name);
        if param.required {
            let (ty, value) = argument(op, param, struct_name, scope);
            arguments.push(quote!(#name: #ty));
            let converted = param.ty == Type::String || scope.ids.param(&op.path, param).is_some();
            inits.push(if converted { quote!(#name: #value) } else { quote!(#name) });
        } else {
            inits.push(quote!(#name: None));
        }
    }
    if odata {
        inits.push(quote!(odata: sage_core::ODataQuery::default()));
    }
    if let Some(body) = &op.body {
        let (name, ty, _) = body_member(op, body, scope);
        arguments.push(quote!(#name: #ty));
        inits.push(quote!(#name));
    }
    let allow = (arguments.len() > CLIPPY_MAX_ARGUMENTS).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    let no_required = params.iter().all(|param| !param.required);
    let doc = if op.params.is_empty() && op.body.is_none() {
        " The request; this operation has no parameters."
    } else if no_required && op.body.is_none() {
        " A request with no optional parameter set."
    } else {
        " A request with its required parameters; set optional ones with the methods below."
    };
    // Operations without required inputs derive `Default`: every optional parameter starts unset.
    let value =
        if arguments.is_empty() && !inits.is_empty() { quote!(Self::default()) } else { quote!(Self { #(#inits),* }) };
    quote! {
        #[doc = #doc]
        #allow
        #[inline]
        pub fn new(#(#arguments),*) -> Self {
            #value
        }
    }
}

/// `sage_core::setters! { … }` for the optional parameters, one line per parameter (after its
/// docs) giving its setter's argument type; none when every parameter is required.
fn setters(op: &Operation, params: &[&Param], struct_name: &str, scope: &Scope<'_>) -> Option<String> {
    let optional: Vec<&Param> = params.iter().copied().filter(|param| !param.required).collect();
    if optional.is_empty() {
        return None;
    }
    let allow = if op.deprecated.is_some() { "    #[allow(deprecated)]\n" } else { "" };
    let mut text = format!("sage_core::setters! {{\n{allow}    {struct_name} {{\n");
    for param in optional {
        let docs = if param.description.trim().is_empty() {
            format!("Sets `{}`.", param.name)
        } else {
            param.description.clone()
        };
        let (argument, _) = argument(op, param, struct_name, scope);
        text.push_str(&doc_comment(&docs, "        "));
        text.push_str(&format!("        {}: {},\n", ident(&param.rust_name), type_text(&argument)));
    }
    text.push_str("    }\n}\n");
    Some(text)
}

fn output_type(response: &Response, scope: &Scope<'_>) -> TokenStream {
    match response {
        Response::None => quote!(()),
        Response::One(ty) => scope.rust_type(ty, ""),
        Response::List(item) => {
            let item = scope.rust_type(item, "");
            quote!(sage_core::Page<#item>)
        }
    }
}

/// The body of `Operation::request`: path and query parameters, the body, idempotency.
fn request_body(op: &Operation, params: &[&Param], odata: bool, scope: &Scope<'_>) -> TokenStream {
    let name = &op.name;
    let method = ident(method_variant(op.method));
    let path = &op.path;
    let odata = odata.then(|| quote!(.odata(&self.odata)));
    let bindings = params.iter().map(|param| {
        let wire = &param.name;
        let field = ident(&param.rust_name);
        match param.location {
            ParamLocation::Path if is_copy(&param.ty) => quote!(.path(#wire, self.#field)),
            ParamLocation::Path => quote!(.path(#wire, &self.#field)),
            ParamLocation::Query => {
                let value = query_value(param, scope);
                quote!(.query(#wire, #value))
            }
        }
    });
    let default_idempotent = matches!(op.method, Method::Get | Method::Put | Method::Delete);
    let idempotent = (op.idempotent != default_idempotent).then(|| {
        let idempotent = op.idempotent;
        quote!(.idempotent(#idempotent))
    });
    let idempotency = idempotency_envelope(op, scope).map(|key| quote!(.idempotency_field(#key)));
    let products = operation_products(op, scope);
    let start = quote! {
        sage_core::Request::new(#name, sage_core::Method::#method, #path)
            .products(&[#(#products),*])
            #odata
            #(#bindings)*
            #idempotent
            #idempotency
    };
    match &op.body {
        Some(body) => match body_member(op, body, scope) {
            (name, _, Some(key)) => quote!(#start.json_enveloped(#key, &self.#name)),
            (name, _, None) => quote!(#start.json(&self.#name)),
        },
        None => quote!(Ok(#start)),
    }
}

/// The products that have `op`, so that a client of another refuses it: the editions it names
/// (`["sage200-pro"]` for a Professional-only one), else every product generated over the shared
/// crate (Sage 200's editions), else the product's own name.
pub(crate) fn operation_products<'s>(op: &'s Operation, scope: &'s Scope<'_>) -> Vec<&'s str> {
    let products = if op.editions.is_empty() { &scope.editions[..] } else { &op.editions[..] };
    match products {
        [] => vec![scope.product.name.as_str()],
        products => products.iter().map(String::as_str).collect(),
    }
}

/// The operation's body member: the resource itself, named after its key (`contact: NewContact`),
/// when the body only wraps it; otherwise `body`.
/// Returns the member's name and type and, for a resource, the envelope key.
fn body_member<'p>(op: &Operation, body: &Type, scope: &Scope<'p>) -> (syn::Ident, TokenStream, Option<&'p str>) {
    let taken = |name: &str| op.params.iter().any(|param| param.rust_name == name);
    match scope.envelope_field(body) {
        Some(field) => {
            let name = if taken(&field.rust_name) { "body" } else { field.rust_name.as_str() };
            (ident(name), scope.rust_type(&field.ty, ""), Some(field.json_name.as_str()))
        }
        None => (ident("body"), scope.rust_type(body, ""), None),
    }
}

/// For a POST whose body is an envelope (`{"contact": {…}}`) around an entity with an
/// `idempotency_id` field (added on import for Sage's idempotent creates): the envelope key, so
/// that the client can fill in the id and retry the create safely.
fn idempotency_envelope<'p>(op: &Operation, scope: &Scope<'p>) -> Option<&'p str> {
    let field = op.body.as_ref().filter(|_| op.method == Method::Post).and_then(|body| scope.envelope_field(body))?;
    let Type::Model(entity) = &field.ty else { return None };
    let ModelKind::Struct { fields } = &scope.model(entity)?.kind else { return None };
    fields.iter().any(|field| field.json_name == "idempotency_id").then_some(field.json_name.as_str())
}

/// Scalars that are `Copy` are passed to `Request::path` by value (clippy flags the borrow).
pub(crate) fn is_copy(ty: &Type) -> bool {
    matches!(ty, Type::Integer | Type::Boolean | Type::Decimal | Type::Date | Type::DateTime)
}

/// Query values: enums go as their wire string, everything else as itself.
fn query_value(param: &Param, scope: &Scope<'_>) -> TokenStream {
    let field = ident(&param.rust_name);
    let is_enum = |ty: &Type| match ty {
        Type::Enum(_) => true,
        Type::Model(name) => scope.is_enum_model(name),
        _ => false,
    };
    match (&param.ty, param.required) {
        (Type::Array(item), true) if is_enum(item) => {
            quote!(&self.#field.iter().map(|value| value.as_str()).collect::<Vec<_>>())
        }
        (Type::Array(item), false) if is_enum(item) => {
            quote!(&self.#field.as_ref().map(|values| values.iter().map(|value| value.as_str()).collect::<Vec<_>>()))
        }
        (ty, true) if is_enum(ty) => quote!(self.#field.as_str()),
        (ty, false) if is_enum(ty) => quote!(&self.#field.as_ref().map(|value| value.as_str())),
        _ => quote!(&self.#field),
    }
}
