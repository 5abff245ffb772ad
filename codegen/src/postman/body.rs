//! Example request bodies: every field of the body model with a placeholder of its type.

use serde_json::{json, Map, Value};

use crate::ir::{DecimalFormat, Model, ModelKind, Product, Type};

/// How many models deep a skeleton goes; deeper models (and recursive ones) become `{}`.
const MAX_DEPTH: usize = 3;

/// A JSON value of type `ty` with every known field present, to be edited before sending.
pub(super) fn skeleton(product: &Product, ty: &Type) -> Value {
    value(product, ty, 0)
}

fn value(product: &Product, ty: &Type, depth: usize) -> Value {
    match ty {
        Type::String => json!(""),
        Type::Integer => json!(0),
        Type::Boolean => json!(false),
        Type::Decimal => match product.decimal_format {
            DecimalFormat::String => json!("0.00"),
            DecimalFormat::Number => json!(0.0),
        },
        Type::Date => json!("2024-01-31"),
        Type::DateTime => json!("2024-01-31T00:00:00Z"),
        Type::Json => Value::Null,
        Type::Enum(values) => json!(values.first().cloned().unwrap_or_default()),
        Type::Array(element) => json!([value(product, element, depth)]),
        Type::Map(_) => json!({}),
        Type::Model(name) => match find_model(product, name) {
            Some(model) => model_value(product, model, depth),
            None => json!({}),
        },
    }
}

fn model_value(product: &Product, model: &Model, depth: usize) -> Value {
    match &model.kind {
        ModelKind::Enum { values } => json!(values.first().cloned().unwrap_or_default()),
        ModelKind::Struct { .. } if depth >= MAX_DEPTH => json!({}),
        ModelKind::Struct { fields } => {
            let object: Map<String, Value> =
                fields.iter().map(|field| (field.json_name.clone(), value(product, &field.ty, depth + 1))).collect();
            Value::Object(object)
        }
    }
}

fn find_model<'p>(product: &'p Product, name: &str) -> Option<&'p Model> {
    product.areas.iter().flat_map(|area| &area.models).find(|model| model.name == name)
}
