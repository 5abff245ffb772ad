//! Assembling area files: operations grouped by area and resource, each model placed in the one
//! area that uses it (or `common` when several do), rendered as sorted, pretty JSON.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde_json::{json, Map, Value};

use super::areas::COMMON;

/// A translated operation and where it goes.
pub struct AreaOperation {
    /// Area (file stem).
    pub area: String,
    /// Resource name.
    pub resource: String,
    /// What the resource is (from the spec's tag list).
    pub resource_description: String,
    /// Operation name.
    pub name: String,
    /// Operation JSON.
    pub json: Value,
}

/// Everything a product's area files are made from.
#[derive(Default)]
pub struct ProductOutput {
    /// Operations in spec order.
    pub operations: Vec<AreaOperation>,
    /// Area descriptions known from the specs or overrides.
    pub area_descriptions: BTreeMap<String, String>,
}

impl ProductOutput {
    /// Area file name → contents.
    pub fn render(
        &self,
        models: &BTreeMap<String, Value>,
        builtin_description: impl Fn(&str) -> Option<String>,
    ) -> BTreeMap<PathBuf, String> {
        let mut areas: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
        for op in &self.operations {
            let resources = areas.entry(op.area.clone()).or_default();
            let resource = resources
                .entry(op.resource.clone())
                .or_insert_with(|| json!({ "description": op.resource_description, "operations": {} }));
            resource["operations"][op.name.as_str()] = op.json.clone();
        }
        let placement = place_models(&self.operations, models);
        let mut files = BTreeMap::new();
        let names: BTreeSet<&String> = areas.keys().chain(placement.keys()).collect();
        for area in names {
            let resources = areas.get(area).cloned().unwrap_or_default();
            let area_models: Map<String, Value> = placement
                .get(area)
                .into_iter()
                .flatten()
                .filter_map(|name| Some((name.clone(), models.get(name).filter(|m| !m.is_null())?.clone())))
                .collect();
            let description =
                self.area_descriptions.get(area).cloned().or_else(|| builtin_description(area)).unwrap_or_default();
            let file = json!({ "description": description, "resources": resources, "models": area_models });
            files.insert(PathBuf::from(format!("{area}.json")), render_json(&file));
        }
        files
    }
}

/// Area → models it holds: a model used (directly or through other models) by the operations of
/// exactly one area lives there; anything else lives in `common`.
fn place_models(operations: &[AreaOperation], models: &BTreeMap<String, Value>) -> BTreeMap<String, BTreeSet<String>> {
    let mut users: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut roots: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for op in operations {
        refs_in(&op.json, roots.entry(op.area.as_str()).or_default());
    }
    for (area, start) in &roots {
        for model in reachable(start, models) {
            if let Some((name, _)) = models.get_key_value(&model) {
                users.entry(name.as_str()).or_default().insert(area);
            }
        }
    }
    let mut placement: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for name in models.keys() {
        let areas = users.get(name.as_str());
        let area = match areas {
            Some(areas) if areas.len() == 1 => areas.iter().next().copied().unwrap_or(COMMON),
            _ => COMMON,
        };
        placement.entry(area.to_string()).or_default().insert(name.clone());
    }
    // `common` is always built, so whatever its models use (even through a model no operation
    // uses) must be in `common` too.
    let common = reachable(&placement.get(COMMON).cloned().unwrap_or_default(), models);
    for (_, names) in placement.iter_mut().filter(|(area, _)| area.as_str() != COMMON) {
        names.retain(|name| !common.contains(name));
    }
    placement.retain(|_, names| !names.is_empty());
    let common: BTreeSet<String> = common.into_iter().filter(|n| models.contains_key(n)).collect();
    if !common.is_empty() {
        placement.insert(COMMON.to_string(), common);
    }
    placement
}

fn reachable(start: &BTreeSet<String>, models: &BTreeMap<String, Value>) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo: Vec<String> = start.iter().cloned().collect();
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let mut next = BTreeSet::new();
        if let Some(model) = models.get(&name) {
            refs_in(model, &mut next);
        }
        todo.extend(next.into_iter().filter(|n| !seen.contains(n)));
    }
    seen
}

/// Every `{"ref": name}` inside a JSON value.
fn refs_in(value: &Value, into: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if let (Some(Value::String(name)), 1) = (map.get("ref"), map.len()) {
                into.insert(name.clone());
            }
            map.values().for_each(|v| refs_in(v, into));
        }
        Value::Array(items) => items.iter().for_each(|v| refs_in(v, into)),
        _ => {}
    }
}

/// Pretty JSON with keys sorted at every level and a trailing newline: stable, diff-friendly files.
pub fn render_json(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(&sorted(value)).unwrap_or_default();
    text.push('\n');
    text
}

fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let ordered: BTreeMap<&String, Value> = map.iter().map(|(k, v)| (k, sorted(v))).collect();
            Value::Object(ordered.into_iter().map(|(k, v)| (k.clone(), v)).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}
