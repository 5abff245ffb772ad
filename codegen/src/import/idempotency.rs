//! `idempotent_creates` (overrides.json): Sage accepts an `idempotency_id` inside the entity of
//! many v3.1 creates, which its specs do not declare. For each listed operation the importer adds
//! the field to the entity its body envelope holds (`{"contact": {…}}` → the contact's model).

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::{json, Value};

use super::output::AreaOperation;
use super::ImportIssue;

/// The field's wire name.
pub const FIELD: &str = "idempotency_id";

const DESCRIPTION: &str = "32 hexadecimal characters, no hyphens, chosen by the caller: Sage creates \
the record once however often a request with this id is sent, so a create whose response was lost can be \
retried safely. The client fills in a fresh one per `send` when it is left unset (hand-written: Sage's \
specs omit it).";

/// Adds `idempotency_id` to the body entity of every operation named in `operations`; an operation
/// that does not exist or whose body is no single-entity envelope is reported.
pub fn add_idempotency_ids(
    operations: &[String],
    written: &[AreaOperation],
    models: &mut BTreeMap<String, Value>,
    issues: &mut Vec<ImportIssue>,
) {
    for (index, name) in operations.iter().enumerate() {
        let body = written.iter().find(|op| &op.name == name).map(|op| &op.json["body"]);
        let entity = body.and_then(|body| entity_model(body, models));
        let added =
            entity.and_then(|entity| models.get_mut(&entity)?.get_mut("fields")?.as_object_mut()).map(|fields| {
                fields.insert(FIELD.to_string(), json!({ "type": "string", "description": DESCRIPTION }));
            });
        let reason = match added {
            Some(()) => format!("hand-written addition: `{FIELD}` in the body of `{name}`"),
            None => format!("`{name}` is no operation whose body is an entity envelope; no `{FIELD}` added"),
        };
        issues.push(ImportIssue {
            file: PathBuf::from("overrides.json"),
            pointer: format!("/idempotent_creates/{index}"),
            reason,
        });
    }
}

/// The model inside a body `{"ref": Envelope}` whose only field is `{"ref": Entity}`.
fn entity_model(body: &Value, models: &BTreeMap<String, Value>) -> Option<String> {
    let envelope = models.get(body.get("ref")?.as_str()?)?;
    let fields = envelope.get("fields")?.as_object()?;
    let (_, field) = fields.iter().next().filter(|_| fields.len() == 1)?;
    Some(field.get("type")?.get("ref")?.as_str()?.to_string())
}

/// Whether a report entry is one of these additions (for `cargo xtask coverage`).
pub fn is_hand_written_addition(issue: &ImportIssue) -> bool {
    issue.reason.starts_with("hand-written addition:")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn create(name: &str, body: Value) -> AreaOperation {
        let json = json!({ "method": "POST", "body": body });
        AreaOperation {
            area: "contacts".into(),
            resource: "contacts".into(),
            resource_description: String::new(),
            name: name.into(),
            json,
        }
    }

    #[test]
    fn the_field_goes_into_the_entity_inside_the_envelope() {
        let mut models = BTreeMap::from([
            ("Envelope".to_string(), json!({"fields": {"contact": {"required": true, "type": {"ref": "Entity"}}}})),
            ("Entity".to_string(), json!({"fields": {"name": {"type": "string"}}})),
            ("Bare".to_string(), json!({"fields": {"a": {"type": "string"}, "b": {"type": "string"}}})),
        ]);
        let written =
            [create("create_contact", json!({"ref": "Envelope"})), create("create_bare", json!({"ref": "Bare"}))];
        let mut issues = Vec::new();
        let wanted = ["create_contact", "create_bare", "create_missing"].map(String::from);
        add_idempotency_ids(&wanted, &written, &mut models, &mut issues);
        assert_eq!(models["Entity"]["fields"][FIELD]["type"], "string");
        assert!(models["Envelope"]["fields"].get(FIELD).is_none());
        assert!(models["Bare"]["fields"].get(FIELD).is_none());
        let additions: Vec<bool> = issues.iter().map(is_hand_written_addition).collect();
        assert_eq!(additions, [true, false, false], "{issues:?}");
        assert_eq!(issues[2].pointer, "/idempotent_creates/2");
    }
}
