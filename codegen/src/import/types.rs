//! Spec schemas → schema-format TYPEs and models.
//!
//! Definitions that are objects or string enums become models named after the definition; inline
//! objects are hoisted into models named `<Owner><Field>`; array and scalar definitions are inlined
//! where they are used. Whatever the format cannot say becomes `json` plus a report entry.

use std::collections::{BTreeMap, HashMap};

use serde_json::{json, Map, Value};

use super::naming::{model_name, rust_name_if_needed};
use super::spec::{escape, str_of, Spec};
use super::ImportIssue;

/// Which spec a schema comes from, and how to treat it.
pub struct Cx<'s, 'a> {
    /// The spec.
    pub spec: &'s Spec<'a>,
    /// Its position in the input list (definitions of different files are different models).
    pub index: usize,
}

/// Models collected while translating, and what went wrong.
#[derive(Default)]
pub struct Models {
    /// Model name → model JSON (`description` plus `fields` or `enum`).
    pub models: BTreeMap<String, Value>,
    /// (spec index, definition name) → model name.
    by_definition: HashMap<(usize, String), String>,
    /// Model name → the definition it was made from, to share identical definitions across files.
    sources: HashMap<String, Value>,
    /// The edition that alone has what the specs mark `x-sage-professional-only`.
    pub professional_only: Option<String>,
    /// Problems, each with file and pointer.
    pub issues: Vec<ImportIssue>,
}

impl Models {
    /// An empty collection; fields marked `x-sage-professional-only` are given to the edition
    /// `professional_only` names (without one, to every edition).
    pub fn new(professional_only: Option<String>) -> Self {
        Models { professional_only, ..Models::default() }
    }

    /// The `editions` of something the specs mark `x-sage-professional-only` (in `marked`).
    pub fn editions_of<'v>(&self, marked: impl IntoIterator<Item = &'v Value>) -> Option<Value> {
        let edition = self.professional_only.as_ref()?;
        let professional_only =
            marked.into_iter().any(|v| v.get("x-sage-professional-only") == Some(&Value::Bool(true)));
        professional_only.then(|| json!([edition]))
    }

    /// Records a problem.
    pub fn report(&mut self, cx: &Cx, pointer: &str, reason: impl Into<String>) {
        let file = cx.spec.file.path.clone();
        self.issues.push(ImportIssue { file, pointer: pointer.to_string(), reason: reason.into() });
    }

    /// The TYPE of a schema; `owner` names any model hoisted out of it.
    pub fn ty(&mut self, cx: &Cx, schema: &Value, pointer: &str, owner: &str) -> Value {
        self.ty_at_depth(cx, schema, pointer, owner, 0)
    }

    fn ty_at_depth(&mut self, cx: &Cx, schema: &Value, pointer: &str, owner: &str, depth: usize) -> Value {
        if depth > 32 {
            self.report(
                cx,
                pointer,
                "type nests deeper than 32 levels (recursive non-object definition?); written as json",
            );
            return json!("json");
        }
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            return self.reference(cx, reference, pointer, depth);
        }
        if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
            if parts.len() == 1 && schema.get("properties").is_none() {
                return self.ty_at_depth(cx, &parts[0], &format!("{pointer}/allOf/0"), owner, depth + 1);
            }
            return json!({ "ref": self.hoist(cx, schema, pointer, owner) });
        }
        for combinator in ["oneOf", "anyOf"] {
            if schema.get(combinator).is_some() {
                self.report(cx, pointer, format!("`{combinator}` cannot be expressed; written as json"));
                return json!("json");
            }
        }
        let kind = str_of(schema, "type");
        let format = str_of(schema, "format");
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            if kind.is_empty() || kind == "string" {
                if let Some(strings) = values.iter().map(Value::as_str).collect::<Option<Vec<_>>>() {
                    return json!({ "enum": strings });
                }
            }
        }
        match kind {
            "string" => match format {
                "date" => json!("date"),
                "date-time" => json!("date-time"),
                "" | "byte" | "binary" | "password" | "uri" | "email" | "uuid" => json!("string"),
                _ => {
                    self.report(cx, pointer, format!("string with format `{format}`: written as string"));
                    json!("string")
                }
            },
            "integer" if format.starts_with("decimal") => {
                self.report(cx, pointer, format!("integer with format `{format}`: written as decimal"));
                json!("decimal")
            }
            "integer" => json!("integer"),
            "number" => json!("decimal"),
            "boolean" => json!("boolean"),
            "object" if format == "boolean" => {
                self.report(cx, pointer, "object with format `boolean`: written as boolean");
                json!("boolean")
            }
            "array" => match schema.get("items") {
                Some(items) => {
                    json!({ "array": self.ty_at_depth(cx, items, &format!("{pointer}/items"), owner, depth + 1) })
                }
                None => {
                    self.report(cx, pointer, "array without `items`: element type written as json");
                    json!({ "array": "json" })
                }
            },
            "object" | "" if has_properties(schema) => json!({ "ref": self.hoist(cx, schema, pointer, owner) }),
            "object" => self.map_type(cx, schema, pointer, owner, depth),
            "" if schema.get("additionalProperties").is_some() => self.map_type(cx, schema, pointer, owner, depth),
            other => {
                let what =
                    if other.is_empty() { "schema without a type".to_string() } else { format!("type `{other}`") };
                self.report(cx, pointer, format!("{what} cannot be expressed; written as json"));
                json!("json")
            }
        }
    }

    /// `additionalProperties` (or a bare `object`) → a map.
    fn map_type(&mut self, cx: &Cx, schema: &Value, pointer: &str, owner: &str, depth: usize) -> Value {
        match schema.get("additionalProperties") {
            Some(values) if values.is_object() => {
                let pointer = format!("{pointer}/additionalProperties");
                json!({ "map": self.ty_at_depth(cx, values, &pointer, owner, depth + 1) })
            }
            Some(Value::Bool(true)) => json!({ "map": "json" }),
            _ => {
                self.report(cx, pointer, "object without properties: written as a map of json values");
                json!({ "map": "json" })
            }
        }
    }

    fn reference(&mut self, cx: &Cx, reference: &str, pointer: &str, depth: usize) -> Value {
        let Some(name) = Spec::definition_name(reference) else {
            self.report(cx, pointer, format!("reference `{reference}` is not to a local definition; written as json"));
            return json!("json");
        };
        let Some(definition) = cx.spec.definition(name) else {
            self.report(cx, pointer, format!("unresolved reference `{reference}`; written as json"));
            return json!("json");
        };
        if is_model_like(definition.value) {
            json!({ "ref": self.definition_model(cx, name) })
        } else {
            self.ty_at_depth(cx, definition.value, &definition.pointer, &model_name(name), depth + 1)
        }
    }

    /// Whether a definition of that spec already has its model.
    pub fn has_definition(&self, index: usize, name: &str) -> bool {
        self.by_definition.contains_key(&(index, name.to_string()))
    }

    /// The model of a named definition, built on first use.
    pub fn definition_model(&mut self, cx: &Cx, name: &str) -> String {
        let key = (cx.index, name.to_string());
        if let Some(model) = self.by_definition.get(&key) {
            return model.clone();
        }
        let Some(definition) = cx.spec.definition(name) else { return model_name(name) };
        let wanted = model_name(name);
        let shared = self.sources.get(&wanted).is_some_and(|source| source == definition.value);
        if shared {
            self.by_definition.insert(key, wanted.clone());
            return wanted;
        }
        let model = self.unique_name(&wanted);
        if model != wanted {
            let reason = format!("another definition is already named `{wanted}`; this one is `{model}`");
            self.report(cx, &definition.pointer, reason);
        }
        self.by_definition.insert(key, model.clone());
        self.sources.insert(model.clone(), definition.value.clone());
        self.build(cx, definition.value, &definition.pointer, &model);
        model
    }

    /// Hoists an inline object (or merged `allOf`) into a model named `owner` (made unique).
    fn hoist(&mut self, cx: &Cx, schema: &Value, pointer: &str, owner: &str) -> String {
        let model = self.unique_name(owner);
        self.build(cx, schema, pointer, &model);
        model
    }

    fn unique_name(&mut self, wanted: &str) -> String {
        let mut name = wanted.to_string();
        let mut counter = 2;
        while self.models.contains_key(&name) {
            name = format!("{wanted}{counter}");
            counter += 1;
        }
        // Reserve the name now: the model's own fields may refer back to it.
        self.models.insert(name.clone(), Value::Null);
        name
    }

    fn build(&mut self, cx: &Cx, schema: &Value, pointer: &str, model: &str) {
        let value = match schema.get("enum").and_then(Value::as_array) {
            Some(values) if !has_properties(schema) => {
                let strings: Vec<String> =
                    values.iter().map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())).collect();
                json!({ "description": description_of(schema), "enum": strings })
            }
            _ => self.build_struct(cx, schema, pointer, model),
        };
        self.models.insert(model.to_string(), value);
    }

    fn build_struct(&mut self, cx: &Cx, schema: &Value, pointer: &str, model: &str) -> Value {
        let mut object = ObjectParts::default();
        self.collect_parts(cx, schema, pointer, &mut object, 0);
        let mut fields = Map::new();
        for (name, (property, property_pointer)) in &object.properties {
            let owner = format!("{model}{}", model_name(name));
            let ty = self.ty(cx, property, property_pointer, &owner);
            let mut field = Map::new();
            let mut description = description_of(property);
            if let Some(values) = property.get("enum").and_then(Value::as_array).filter(|_| !ty.is_object()) {
                let listed: Vec<String> = values.iter().map(Value::to_string).collect();
                description = format!("{description} Allowed values: {}.", listed.join(", ")).trim().to_string();
                self.report(cx, property_pointer, "non-string enum: values kept in the description");
            }
            if let Some(max) = max_length(property).filter(|_| ty == "string") {
                field.insert("max_length".into(), max.into());
            }
            field.insert("type".into(), ty);
            if !description.is_empty() {
                field.insert("description".into(), description.into());
            }
            if object.required.contains(name) {
                field.insert("required".into(), true.into());
            }
            if is_nullable(property) {
                field.insert("nullable".into(), true.into());
            }
            if let Some(rust) = rust_name_if_needed(name) {
                field.insert("rust_name".into(), rust.into());
            }
            if let Some(editions) = self.editions_of([property]) {
                field.insert("editions".into(), editions);
            }
            fields.insert(name.clone(), Value::Object(field));
        }
        if schema.get("additionalProperties").is_some_and(Value::is_object) {
            self.report(
                cx,
                pointer,
                "object with both properties and additionalProperties: extra keys land in `extra`",
            );
        }
        json!({ "description": object.description, "fields": fields })
    }

    /// Merges `properties`, `required` and the description of a schema and its `allOf` parts.
    fn collect_parts(&mut self, cx: &Cx, schema: &Value, pointer: &str, into: &mut ObjectParts, depth: usize) {
        if depth > 16 {
            self.report(cx, pointer, "allOf nests deeper than 16 levels; rest left out");
            return;
        }
        if into.description.is_empty() {
            into.description = description_of(schema);
        }
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            match Spec::definition_name(reference).and_then(|name| cx.spec.definition(name)) {
                Some(target) => self.collect_parts(cx, target.value, &target.pointer, into, depth + 1),
                None => self.report(cx, pointer, format!("unresolved reference `{reference}` in allOf; left out")),
            }
            return;
        }
        for (index, part) in schema.get("allOf").and_then(Value::as_array).into_iter().flatten().enumerate() {
            self.collect_parts(cx, part, &format!("{pointer}/allOf/{index}"), into, depth + 1);
        }
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            for (name, property) in properties {
                let property_pointer = format!("{pointer}/properties/{}", escape(name));
                into.properties.insert(name.clone(), (property.clone(), property_pointer));
            }
        }
        for name in schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
            into.required.push(name.to_string());
        }
    }
}

#[derive(Default)]
struct ObjectParts {
    description: String,
    properties: BTreeMap<String, (Value, String)>,
    required: Vec<String>,
}

fn has_properties(schema: &Value) -> bool {
    schema.get("properties").and_then(Value::as_object).is_some_and(|p| !p.is_empty())
}

/// Definitions that become models: objects with fields, `allOf` compositions, string enums.
pub fn is_model_like(schema: &Value) -> bool {
    let string_enum = schema.get("enum").is_some() && matches!(str_of(schema, "type"), "" | "string");
    has_properties(schema) || schema.get("allOf").is_some() || string_enum
}

/// A string's `maxLength`, when it is a usable limit (a whole number of at least 1).
fn max_length(schema: &Value) -> Option<u64> {
    schema.get("maxLength").and_then(Value::as_u64).filter(|max| *max > 0)
}

fn is_nullable(schema: &Value) -> bool {
    [schema.get("nullable"), schema.get("x-nullable")].contains(&Some(&Value::Bool(true)))
}

/// `description`, else `title`, else empty.
pub fn description_of(schema: &Value) -> String {
    let text = Some(str_of(schema, "description")).filter(|d| !d.trim().is_empty()).unwrap_or(str_of(schema, "title"));
    text.trim().to_string()
}
