//! Models: structs with fields, or string enums.

use super::area::Reader;
use super::error::child;
use super::json::Node;
use super::types::{has_inline_enum, TypeUse};
use crate::ir::{Field, Model, ModelKind, Type};
use crate::names::{inline_enum_name, is_identifier, snake_name, type_name};

const MODEL_KEYS: &[&str] = &["description", "fields", "enum"];
const FIELD_KEYS: &[&str] = &["type", "description", "required", "nullable", "max_length", "rust_name", "editions"];

impl Reader<'_, '_> {
    pub(crate) fn parse_model(&mut self, name: &str, node: &Node, pointer: &str) -> Option<Model> {
        self.record_model(pointer, name);
        let obj = self.cx.object(node, pointer, MODEL_KEYS)?;
        let rust_name = type_name(name);
        match &rust_name {
            Some(rust_name) => self.claim_type_name(rust_name, pointer),
            None => self.cx.error(pointer, format!("model name `{name}` cannot become a Rust type name")),
        }
        let description = self.cx.optional_str(&obj, "description").unwrap_or_default();
        let kind = match (obj.get("fields"), obj.get("enum")) {
            (Some(_), Some(_)) => {
                self.cx.error(pointer, "a model has either `fields` or `enum`, not both");
                return None;
            }
            (_, Some(values)) => ModelKind::Enum { values: self.enum_values(values, &obj.at("enum"))? },
            (_, None) => {
                let owner = rust_name.clone().unwrap_or_default();
                ModelKind::Struct { fields: self.parse_fields(&obj, &owner) }
            }
        };
        Some(Model { name: name.to_owned(), rust_name: rust_name?, description, kind })
    }

    fn parse_fields(&mut self, obj: &super::reader::Obj<'_>, owner: &str) -> Vec<Field> {
        let mut fields: Vec<Field> = Vec::new();
        let fields_pointer = obj.at("fields");
        for (json_name, node) in self.cx.map(obj, "fields") {
            let pointer = child(&fields_pointer, json_name);
            let Some(field) = self.parse_field(json_name, node, &pointer) else { continue };
            if field.rust_name == "extra" {
                self.cx.error(&pointer, "Rust name `extra` is reserved for unknown fields; set `rust_name`");
            } else if fields.iter().any(|earlier| earlier.rust_name == field.rust_name) {
                self.cx.error(&pointer, format!("Rust name `{}` is already used by another field", field.rust_name));
            }
            if has_inline_enum(&field.ty) {
                self.claim_type_name(&inline_enum_name(owner, &field.rust_name), &pointer);
            }
            fields.push(field);
        }
        fields
    }

    fn parse_field(&mut self, json_name: &str, node: &Node, pointer: &str) -> Option<Field> {
        let obj = self.cx.object(node, pointer, FIELD_KEYS)?;
        let ty = match obj.get("type") {
            Some(ty) => self.parse_type(ty, &obj.at("type"), TypeUse::Field),
            None => {
                self.cx.error(pointer, "missing required key `type`");
                None
            }
        };
        let description = self.cx.optional_str(&obj, "description").unwrap_or_default();
        let required = self.cx.optional_bool(&obj, "required").unwrap_or(false);
        let nullable = self.cx.optional_bool(&obj, "nullable").unwrap_or(false);
        let max_length = self.cx.optional_positive_integer(&obj, "max_length");
        if max_length.is_some() && ty.as_ref().is_some_and(|ty| *ty != Type::String) {
            self.cx.error(&obj.at("max_length"), "`max_length` applies to `string` fields only");
        }
        let editions = self.editions(&obj);
        let rust_name = self.rust_name(&obj, json_name)?;
        let ty = ty?;
        Some(Field {
            json_name: json_name.to_owned(),
            rust_name,
            ty,
            required,
            nullable,
            max_length,
            description,
            editions,
        })
    }

    /// The `rust_name` key if present (checked), else the snake_case form of the wire name.
    pub(crate) fn rust_name(&mut self, obj: &super::reader::Obj<'_>, wire: &str) -> Option<String> {
        match self.cx.optional_str(obj, "rust_name") {
            Some(name) if is_identifier(&name) && snake_name(&name).as_deref() == Some(name.as_str()) => Some(name),
            Some(name) => {
                self.cx.error(&obj.at("rust_name"), format!("`{name}` is not a snake_case Rust identifier"));
                None
            }
            None => {
                let name = snake_name(wire);
                if name.is_none() {
                    self.cx.error(&obj.pointer, format!("`{wire}` cannot become a Rust identifier; set `rust_name`"));
                }
                name
            }
        }
    }
}
