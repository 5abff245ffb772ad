//! Field paths for typed queries: one `sage_core::fields!` call per struct model that a list
//! returns (what `$filter`, `$select` and `attributes` apply to), on one line for the
//! generated-lines budget (BENCHMARKS.md §4), each field with the kind that decides what it
//! compares with (`balance: Decimal, name: Text, status: Enum<super::common::AccountStatus>`).

use super::scope::Scope;
use super::Chunk;
use crate::ir::{Field, Model, ModelKind, Response, Type};
use crate::names::{ident, inline_enum_name};

/// The `fields!` call of `model`; nothing for an enum, a model without fields or one no list returns.
pub(crate) fn fields(model: &Model, scope: &Scope<'_>) -> Option<Chunk> {
    let ModelKind::Struct { fields } = &model.kind else { return None };
    if fields.is_empty() || !is_listed(model, scope) {
        return None;
    }
    let name = ident(&model.rust_name).to_string();
    let entries: Vec<String> = fields.iter().map(|field| entry(model, field, scope)).collect();
    let text = format!("sage_core::fields! {{ {name} => {name}Fields {{ {} }} }}\n", entries.join(", "));
    Some(Chunk::Text(text))
}

/// `member: Kind`, or `member as "wire": Kind` when the wire name is not the member's.
fn entry(model: &Model, field: &Field, scope: &Scope<'_>) -> String {
    let member = ident(&field.rust_name).to_string();
    let wire = if member == field.json_name { String::new() } else { format!(" as {:?}", field.json_name) };
    format!("{member}{wire}: {}", kind(model, field, scope))
}

/// The field's kind (`sage_core::query::kind`), from its schema type: a resource id compares as
/// the value it wraps.
fn kind(model: &Model, field: &Field, scope: &Scope<'_>) -> String {
    let path = |ty: &Type| {
        let inline = inline_enum_name(&model.rust_name, &field.rust_name);
        scope.rust_type(ty, &inline).to_string().replace(' ', "")
    };
    match &field.ty {
        Type::String => "Text".into(),
        Type::Integer => "Integer".into(),
        Type::Boolean => "Boolean".into(),
        Type::Decimal => "Decimal".into(),
        Type::Date => "Date".into(),
        Type::DateTime => "DateTime".into(),
        Type::Enum(_) => format!("Enum<{}>", path(&field.ty)),
        Type::Model(name) if scope.is_enum_model(name) => format!("Enum<{}>", path(&field.ty)),
        Type::Model(_) => format!("One<{}>", path(&field.ty)),
        Type::Array(item) => match item.as_ref() {
            Type::Model(name) if !scope.is_enum_model(name) => format!("Many<{}>", path(item)),
            _ => "Other".into(),
        },
        Type::Map(_) => "Object".into(),
        Type::Json => "Other".into(),
    }
}

/// Whether a list operation of the product returns `model`'s records.
fn is_listed(model: &Model, scope: &Scope<'_>) -> bool {
    let operations =
        scope.product.areas.iter().flat_map(|area| &area.resources).flat_map(|resource| &resource.operations);
    operations.into_iter().any(|op| matches!(&op.response, Response::List(Type::Model(name)) if *name == model.name))
}
