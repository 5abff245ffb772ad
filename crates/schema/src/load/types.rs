//! TYPE values: scalar names, `{"ref"}`, `{"array"}`, `{"map"}` and inline `{"enum"}`.

use super::area::Reader;
use super::error::child;
use super::json::Node;
use super::sites::RefUse;
use crate::ir::Type;
use crate::names::variant_name;

/// Where a type appears, which decides what it may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TypeUse {
    /// A model field: anything goes.
    Field,
    /// A parameter: scalars, enums and (for query parameters) arrays of them.
    Param,
    /// A body or response: anything except inline enums, which would have no owner to be named after.
    Payload,
}

const SCALARS: &[(&str, Type)] = &[
    ("string", Type::String),
    ("integer", Type::Integer),
    ("boolean", Type::Boolean),
    ("decimal", Type::Decimal),
    ("date", Type::Date),
    ("date-time", Type::DateTime),
    ("json", Type::Json),
];

impl Reader<'_, '_> {
    /// Reads a TYPE, recording every problem; `None` when it is unusable.
    pub(crate) fn parse_type(&mut self, node: &Node, pointer: &str, usage: TypeUse) -> Option<Type> {
        match node {
            Node::String(name) => self.scalar(name, pointer),
            Node::Object(entries) if entries.len() == 1 => {
                let (key, value) = &entries[0];
                let inner = child(pointer, key);
                match key.as_str() {
                    "ref" => self.reference(value, &inner, usage),
                    "array" => self.parse_type(value, &inner, usage).map(|item| Type::Array(Box::new(item))),
                    "map" => self.parse_type(value, &inner, usage).map(|item| Type::Map(Box::new(item))),
                    "enum" if usage == TypeUse::Payload => {
                        self.cx
                            .error(&inner, "inline enums are only allowed in fields and parameters; declare a model");
                        None
                    }
                    "enum" => self.enum_values(value, &inner).map(Type::Enum),
                    _ => {
                        self.cx.error(&inner, format!("unknown type key `{key}` (expected ref, array, map or enum)"));
                        None
                    }
                }
            }
            other => {
                self.cx.error(
                    pointer,
                    format!("expected a type name or an object with one of ref/array/map/enum, found {}", other.kind()),
                );
                None
            }
        }
    }

    fn scalar(&mut self, name: &str, pointer: &str) -> Option<Type> {
        let found = SCALARS.iter().find(|(scalar, _)| *scalar == name).map(|(_, ty)| ty.clone());
        if found.is_none() {
            let hint = if matches!(name, "number" | "float" | "double") { " (use `decimal`: exact)" } else { "" };
            let names: Vec<_> = SCALARS.iter().map(|(scalar, _)| *scalar).collect();
            self.cx.error(pointer, format!("unknown type `{name}`{hint}; expected one of: {}", names.join(", ")));
        }
        found
    }

    fn reference(&mut self, value: &Node, pointer: &str, usage: TypeUse) -> Option<Type> {
        let Node::String(model) = value else {
            self.cx.error(pointer, format!("expected a model name, found {}", value.kind()));
            return None;
        };
        let ref_use = if usage == TypeUse::Param { RefUse::Param } else { RefUse::Other };
        self.record_ref(pointer, model, ref_use);
        Some(Type::Model(model.clone()))
    }

    /// Reads the list of wire values of an enum (inline or model).
    pub(crate) fn enum_values(&mut self, node: &Node, pointer: &str) -> Option<Vec<String>> {
        let Node::Array(items) = node else {
            self.cx.error(pointer, format!("expected an array of strings, found {}", node.kind()));
            return None;
        };
        if items.is_empty() {
            self.cx.error(pointer, "an enum needs at least one value");
            return None;
        }
        let mut values: Vec<String> = Vec::with_capacity(items.len());
        let mut variants: Vec<String> = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let at = child(pointer, &index.to_string());
            let Node::String(value) = item else {
                self.cx.error(&at, format!("expected a string, found {}", item.kind()));
                continue;
            };
            if values.contains(value) {
                self.cx.error(&at, format!("duplicate enum value `{value}`"));
                continue;
            }
            match variant_name(value) {
                None => self.cx.error(&at, format!("enum value `{value}` cannot become a Rust variant name")),
                Some(variant) if variants.contains(&variant) => self
                    .cx
                    .error(&at, format!("enum value `{value}` gives variant `{variant}`, as an earlier value does")),
                Some(variant) => variants.push(variant),
            }
            values.push(value.clone());
        }
        Some(values)
    }
}

/// Whether the type (or its element) is an inline enum, which then needs a generated name.
pub(crate) fn has_inline_enum(ty: &Type) -> bool {
    match ty {
        Type::Enum(_) => true,
        Type::Array(item) | Type::Map(item) => has_inline_enum(item),
        _ => false,
    }
}
