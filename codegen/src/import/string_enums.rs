//! Enumerations the specs leave as plain strings.
//!
//! Sage 200 declares fields such as `line_type` as `string` and names the values only in prose
//! (`EnumLineTypeStandard`, …). `overrides.json`'s `string_enums` lists them: an enum model per
//! entry, used by every string field with one of the entry's names. Values Sage adds later are
//! kept by the generated enum's `Other` variant, so a list from the specs' own prose is safe.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;
use serde_json::{json, Value};

use super::ImportIssue;

/// One `string_enums` entry of `overrides.json`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct StringEnum {
    /// What the values mean.
    #[serde(default)]
    pub description: String,
    /// Field names (JSON) whose string values are these.
    pub fields: Vec<String>,
    /// The values Sage documents.
    pub values: Vec<String>,
}

/// Adds each enum model and points the string fields named in it there; reports a name that is
/// taken and an entry that matched no field.
pub fn apply(models: &mut BTreeMap<String, Value>, enums: &BTreeMap<String, StringEnum>) -> Vec<ImportIssue> {
    let mut issues = Vec::new();
    let report =
        |pointer: String, reason: String| ImportIssue { file: PathBuf::from("overrides.json"), pointer, reason };
    for (name, entry) in enums {
        let pointer = format!("/string_enums/{name}");
        if models.contains_key(name) {
            issues.push(report(pointer, format!("a model is already named `{name}`; enum left out")));
            continue;
        }
        let mut used = 0;
        for model in models.values_mut() {
            let Some(fields) = model.get_mut("fields").and_then(Value::as_object_mut) else { continue };
            for (field_name, field) in fields.iter_mut() {
                if entry.fields.contains(field_name) && field["type"] == "string" {
                    field["type"] = json!({ "ref": name });
                    // A length is a string rule; the enum's values say what fits.
                    if let Some(field) = field.as_object_mut() {
                        field.remove("max_length");
                    }
                    used += 1;
                }
            }
        }
        if used == 0 {
            issues.push(report(pointer, "no string field has one of these names".to_owned()));
            continue;
        }
        models.insert(name.clone(), json!({ "description": entry.description, "enum": entry.values }));
    }
    issues
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_string_fields_take_the_enum() {
        let mut models = BTreeMap::from([
            (
                "SopOrderLine".to_owned(),
                json!({ "fields": {
                    "line_type": { "type": "string", "max_length": 30 },
                    "code": { "type": "string", "max_length": 8 }
                } }),
            ),
            ("Odd".to_owned(), json!({ "fields": { "line_type": { "type": "integer" } } })),
        ]);
        let line_type = StringEnum {
            description: "Kinds of order line.".into(),
            fields: vec!["line_type".into()],
            values: vec!["EnumLineTypeStandard".into(), "EnumLineTypeComment".into()],
        };
        let unused = StringEnum { fields: vec!["nowhere".into()], values: vec!["A".into()], ..StringEnum::default() };
        let enums = BTreeMap::from([("LineType".to_owned(), line_type), ("Unused".to_owned(), unused)]);
        let issues = apply(&mut models, &enums);
        assert_eq!(models["SopOrderLine"]["fields"]["line_type"]["type"], json!({ "ref": "LineType" }));
        assert_eq!(models["SopOrderLine"]["fields"]["code"]["type"], "string");
        assert_eq!(models["SopOrderLine"]["fields"]["line_type"].get("max_length"), None, "enums have no length");
        assert_eq!(models["SopOrderLine"]["fields"]["code"]["max_length"], 8);
        assert_eq!(models["Odd"]["fields"]["line_type"]["type"], "integer", "only string fields change");
        assert_eq!(models["LineType"]["enum"], json!(["EnumLineTypeStandard", "EnumLineTypeComment"]));
        assert!(!models.contains_key("Unused"));
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].pointer, "/string_enums/Unused");
    }
}
