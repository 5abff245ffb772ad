//! A product's models by name, and example values built from them (for singletons and reference data).

use std::collections::HashMap;

use sage_schema::ir::{self, ModelKind, Type};
use serde_json::{Map, Value};

/// How deep example values follow nested models (the schemas have self-referencing models).
const EXAMPLE_DEPTH: usize = 4;

/// The models of one product, looked up by their schema name.
pub(crate) struct Models<'a>(HashMap<&'a str, &'a ir::Model>);

impl<'a> Models<'a> {
    pub(crate) fn of(product: &'a ir::Product) -> Self {
        let models = product.areas.iter().flat_map(|area| &area.models);
        Self(models.map(|model| (model.name.as_str(), model)).collect())
    }

    pub(crate) fn get(&self, name: &str) -> Option<&'a ir::Model> {
        self.0.get(name).copied()
    }

    /// A value of `ty` that a client decoding the model accepts: every required field, and the optional
    /// scalar ones, with plain values (`money_as_text`: decimals as strings).
    pub(crate) fn example(&self, ty: &Type, money_as_text: bool) -> Value {
        self.example_at(ty, money_as_text, 0)
    }

    fn example_at(&self, ty: &Type, money_as_text: bool, depth: usize) -> Value {
        match ty {
            Type::String => Value::from(""),
            Type::Integer => Value::from(0),
            Type::Boolean => Value::from(false),
            Type::Decimal if money_as_text => Value::from("0.00"),
            Type::Decimal => Value::from(0),
            Type::Date => Value::from("2024-04-01"),
            Type::DateTime => Value::from("2024-04-01T00:00:00Z"),
            Type::Json | Type::Map(_) => Value::Object(Map::new()),
            Type::Array(_) => Value::Array(Vec::new()),
            Type::Enum(values) => values.first().map_or(Value::Null, |value| Value::from(value.as_str())),
            Type::Model(name) => match self.get(name).map(|model| &model.kind) {
                Some(ModelKind::Enum { values }) => values.first().map_or(Value::Null, |v| Value::from(v.as_str())),
                Some(ModelKind::Struct { fields }) if depth < EXAMPLE_DEPTH => {
                    let wanted = |field: &&ir::Field| field.required || is_scalar(&field.ty);
                    let object = fields
                        .iter()
                        .filter(wanted)
                        .map(|field| (field.json_name.clone(), self.example_at(&field.ty, money_as_text, depth + 1)))
                        .collect();
                    Value::Object(object)
                }
                _ => Value::Object(Map::new()),
            },
        }
    }
}

fn is_scalar(ty: &Type) -> bool {
    !matches!(ty, Type::Model(_) | Type::Array(_) | Type::Map(_) | Type::Json)
}
