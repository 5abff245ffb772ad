//! Example request bodies that Sage accepts as they are: every required field (in nested objects and
//! list items too, with one item in a required list) holds a plausible value of its type, and the
//! optional fields near the top show what else can be sent. References hold the id of a record that
//! exists (see [`references`](super::references)); strings keep within the `max_length` of the field
//! or, as Accounting's specs put it, of the same field of the resource the write produces.

use std::collections::{BTreeMap, HashMap};

use serde_json::{json, Map, Value};

use super::references::{self, Collections, Reference, Target};
use crate::ir::{DecimalFormat, Field, Model, ModelKind, Operation, Product, Response, Type};

/// How many models deep optional fields are shown; required fields are always filled in.
const MAX_DEPTH: usize = 3;

/// The example bodies of a product's operations, and the collection variables their references use.
pub(super) struct Bodies {
    by_operation: BTreeMap<String, Value>,
    variables: BTreeMap<String, (Option<&'static str>, Target)>,
}

/// A collection variable holding a reference.
pub(super) struct ReferenceVariable<'b> {
    pub(super) name: &'b str,
    pub(super) default: Option<&'static str>,
    pub(super) target: &'b Target,
}

impl Bodies {
    pub(super) fn of(product: &Product) -> Self {
        let mut writer = Writer {
            product,
            models: product
                .areas
                .iter()
                .flat_map(|area| &area.models)
                .map(|model| (model.name.as_str(), model))
                .collect(),
            collections: Collections::of(product),
            variables: BTreeMap::new(),
        };
        let operations =
            product.areas.iter().flat_map(|area| &area.resources).flat_map(|resource| &resource.operations);
        let by_operation = operations
            .filter_map(|operation| Some((operation.name.clone(), writer.body(operation)?)))
            .collect::<BTreeMap<_, _>>();
        Self { by_operation, variables: writer.variables }
    }

    /// The example body of an operation that takes one.
    pub(super) fn get(&self, operation: &str) -> Option<&Value> {
        self.by_operation.get(operation)
    }

    /// The reference variables the bodies use, by name.
    pub(super) fn variables(&self) -> impl Iterator<Item = ReferenceVariable<'_>> {
        self.variables.iter().map(|(name, (default, target))| ReferenceVariable { name, default: *default, target })
    }

    /// The variables the list operation `operation` fills in from its first item.
    pub(super) fn listed_by<'b>(&'b self, operation: &'b str) -> impl Iterator<Item = &'b str> + 'b {
        self.variables().filter(move |variable| variable.target.list_operation == operation).map(|v| v.name)
    }

    /// The variables the create operation `operation` fills in with the record it creates.
    pub(super) fn created_by<'b>(&'b self, operation: &'b str) -> impl Iterator<Item = &'b str> + 'b {
        self.variables()
            .filter(move |variable| variable.target.create_operation.as_deref() == Some(operation))
            .map(|v| v.name)
    }
}

/// Where a value goes: the field's name (`""` for the body itself), its longest length, and whether
/// it is required.
#[derive(Clone, Copy)]
struct Slot<'n> {
    name: &'n str,
    max_length: Option<u64>,
    required: bool,
}

struct Writer<'p> {
    product: &'p Product,
    models: HashMap<&'p str, &'p Model>,
    collections: Collections,
    variables: BTreeMap<String, (Option<&'static str>, Target)>,
}

impl<'p> Writer<'p> {
    fn body(&mut self, operation: &'p Operation) -> Option<Value> {
        let ty = operation.body.as_ref()?;
        let resource = match &operation.response {
            Response::One(resource) => Some(resource),
            _ => None,
        };
        let body = Slot { name: "", max_length: None, required: true };
        Some(self.value(ty, body, resource, 0, &mut Vec::new()).unwrap_or(Value::Null))
    }

    /// A value of `ty` for `slot`; `None` where no model can be written without recursing forever.
    fn value(
        &mut self,
        ty: &Type,
        slot: Slot<'_>,
        resource: Option<&'p Type>,
        depth: usize,
        stack: &mut Vec<&'p str>,
    ) -> Option<Value> {
        let name = slot.name;
        Some(match ty {
            Type::String if has_word(name, &["date"]) && slot.max_length.is_none_or(|max| max >= 10) => {
                json!("2024-04-01")
            }
            Type::String => json!(text(name, slot.max_length)),
            Type::Integer => json!(1),
            Type::Boolean => json!(false),
            Type::Decimal => {
                // A price where one is needed, one of a quantity or rate, and no optional amount (Sage
                // computes totals from the lines).
                let amount = if ["quantity", "rate", "factor"].iter().any(|word| name.contains(word)) {
                    1
                } else if slot.required {
                    10
                } else {
                    0
                };
                match self.product.decimal_format {
                    DecimalFormat::String => json!(format!("{amount}.00")),
                    DecimalFormat::Number => json!(f64::from(amount)),
                }
            }
            Type::Date if later(name) => json!("2024-05-01"),
            Type::Date => json!("2024-04-01"),
            Type::DateTime if later(name) => json!("2024-05-01T09:00:00Z"),
            Type::DateTime => json!("2024-04-01T09:00:00Z"),
            Type::Json | Type::Map(_) => json!({}),
            Type::Enum(values) => json!(values.first().cloned().unwrap_or_default()),
            // An optional list whose items exist to point at a record the example cannot name (a
            // payment's `allocated_artefacts`, each an invoice's `artefact_id`) is left out: an item
            // pointing at nothing is refused.
            Type::Array(element) if !slot.required && self.points_at_the_unnamed(element) => return None,
            Type::Array(element) => {
                let resource = match resource {
                    Some(Type::Array(stored)) => Some(&**stored),
                    _ => None,
                };
                json!([self.value(element, slot, resource, depth, stack)?])
            }
            Type::Model(model) => {
                let model = *self.models.get(model.as_str())?;
                match &model.kind {
                    ModelKind::Enum { values } => json!(values.first().cloned().unwrap_or_default()),
                    ModelKind::Struct { .. } if stack.contains(&model.name.as_str()) => return None,
                    ModelKind::Struct { fields } => {
                        stack.push(&model.name);
                        let object = self.object(fields, name.is_empty(), resource, depth, stack);
                        stack.pop();
                        Value::Object(object?)
                    }
                }
            }
        })
    }

    fn object(
        &mut self,
        fields: &'p [Field],
        top: bool,
        resource: Option<&'p Type>,
        depth: usize,
        stack: &mut Vec<&'p str>,
    ) -> Option<Map<String, Value>> {
        let stored = self.struct_fields(resource);
        let mut object = Map::new();
        for field in fields {
            let twin = stored.iter().find(|stored| stored.json_name == field.json_name);
            // Accounting's wrapper key (`{"contact": {…}}`) holds the resource itself.
            let envelope = top && fields.len() == 1 && twin.is_none();
            let field_resource = if envelope { resource } else { twin.map(|twin| &twin.ty) };
            let max_length = field.max_length.or(twin.and_then(|twin| twin.max_length));
            let value = match self.reference(field) {
                Some(reference) if field.required || reference.known() => {
                    Some(self.reference_value(&field.ty, reference))
                }
                Some(_) => None,
                // The id of something the product has no list of (`idempotency_id`): the caller's to choose.
                None if !field.required && (depth >= MAX_DEPTH || is_id(field)) => None,
                None => {
                    let slot = Slot { name: &field.json_name, max_length, required: field.required };
                    self.value(&field.ty, slot, field_resource, depth + 1, stack)
                }
            };
            match value {
                Some(value) => drop(object.insert(field.json_name.clone(), value)),
                None if field.required => return None,
                None => {}
            }
        }
        Some(object)
    }

    /// Whether `ty` is a model with an `X_id` field naming no collection the product lists (so the
    /// example has no record to put there); the caller's own ids (`idempotency_id`) do not count.
    fn points_at_the_unnamed(&self, ty: &Type) -> bool {
        let Type::Model(name) = ty else { return false };
        let Some(Model { kind: ModelKind::Struct { fields }, .. }) = self.models.get(name.as_str()).copied() else {
            return false;
        };
        fields
            .iter()
            .any(|field| is_id(field) && field.json_name != "idempotency_id" && self.reference(field).is_none())
    }

    /// The reference a field holds: a scalar (or list of scalars) named `X_id` (`X_ids`).
    fn reference(&self, field: &Field) -> Option<Reference> {
        is_id(field).then(|| references::reference(self.product, &self.collections, &field.json_name)).flatten()
    }

    fn reference_value(&mut self, ty: &Type, reference: Reference) -> Value {
        match (ty, reference) {
            (Type::Array(element), reference) => json!([self.reference_value(element, reference)]),
            (_, Reference::Variable { name, default, target }) => {
                let value = json!(format!("{{{{{name}}}}}"));
                self.variables.entry(name).or_insert((default, target));
                value
            }
            (Type::String, Reference::Number(id)) => json!(id.to_string()),
            (_, Reference::Number(id)) => json!(id),
        }
    }

    /// The fields of a struct model type, if `ty` is one.
    fn struct_fields(&self, ty: Option<&Type>) -> &'p [Field] {
        let model = match ty {
            Some(Type::Model(name)) => self.models.get(name.as_str()).copied(),
            _ => None,
        };
        match model {
            Some(Model { kind: ModelKind::Struct { fields }, .. }) => fields,
            _ => &[],
        }
    }
}

/// A scalar (or list of scalars) named `X_id` (`X_ids`).
fn is_id(field: &Field) -> bool {
    let scalar = |ty: &Type| matches!(ty, Type::String | Type::Integer | Type::Decimal);
    match &field.ty {
        Type::Array(element) => field.json_name.ends_with("_ids") && scalar(element),
        ty => field.json_name.ends_with("_id") && scalar(ty),
    }
}

/// A date that comes after the document's own (`due_date`, `end_date`, `to_date`).
fn later(name: &str) -> bool {
    has_word(name, &["due", "end", "to", "expiry", "until"])
}

/// Whether one of the `_`-separated words of `name` is one of `words`.
fn has_word(name: &str, words: &[&str]) -> bool {
    name.split('_').any(|part| words.contains(&part))
}

/// A plausible string for a field, from its name, no longer than `max_length` characters.
fn text(name: &str, max_length: Option<u64>) -> String {
    let has = |words: &[&str]| words.iter().any(|word| name.contains(word));
    let text = if has(&["email"]) {
        "accounts@example.com".to_owned()
    } else if has(&["url", "website", "web_address"]) {
        "https://www.example.com".to_owned()
    } else if has(&["phone", "mobile", "fax"]) {
        "01234 567890".to_owned()
    } else if has(&["postcode", "post_code", "postal_code", "zip"]) {
        "AB1 2CD".to_owned()
    } else if has(&["currency"]) {
        "GBP".to_owned()
    } else if has(&["country"]) {
        "GB".to_owned()
    } else if has(&["reference", "code", "number", "_no"]) || name == "no" {
        "EX001".to_owned()
    } else if name.is_empty() {
        "Example".to_owned()
    } else {
        format!("Example {}", name.trim_start_matches('$').replace('_', " "))
    };
    match max_length {
        Some(max) => text.chars().take(usize::try_from(max).unwrap_or(usize::MAX).max(1)).collect(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_fit_their_field() {
        assert_eq!(text("contact_email", None), "accounts@example.com");
        assert_eq!(text("name", Some(4)), "Exam");
        assert_eq!(text("first_name", None), "Example first name");
        assert_eq!(text("document_no", None), "EX001");
    }

    #[test]
    fn later_dates_follow_the_document_date() {
        assert!(later("due_date") && later("date_to") && !later("date") && !later("vendor_date"));
        assert!(has_word("delivery_date", &["date"]) && !has_word("consolidated_code", &["date"]));
    }
}
