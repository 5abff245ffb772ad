//! One spec operation → one schema-format operation (method, path, summary, parameters, body, response).

use heck::ToUpperCamelCase;
use serde_json::{json, Map, Value};

use super::gaps::add_list_params;
use super::naming::rust_name_if_needed;
use super::spec::{str_of, Dialect, RawOperation, Spec};
use super::types::{description_of, Cx, Models};

/// Product-wide choices that shape each operation.
pub struct OperationRules<'o> {
    /// Prepended to the spec path.
    pub path_prefix: &'o str,
    /// Lists page with `page`/`items_per_page` (else OData options).
    pub envelope: bool,
    /// `number` path parameters without a format are ids: write them as `integer`.
    pub number_path_params_as_integer: bool,
}

/// Whether the success response is an array, following `$ref`s to array definitions.
pub fn returns_array(spec: &Spec, raw: &RawOperation) -> bool {
    let Some(Ok(schema)) = spec.success_schema(raw) else { return false };
    let mut current = schema.value;
    for _ in 0..8 {
        match current.get("$ref").and_then(Value::as_str).and_then(Spec::definition_name) {
            Some(name) => match spec.definition(name) {
                Some(definition) => current = definition.value,
                None => return false,
            },
            None => return str_of(current, "type") == "array",
        }
    }
    false
}

/// The operation's schema JSON. `name` is its final (unique) operation name.
pub fn translate(cx: &Cx, raw: &RawOperation, name: &str, models: &mut Models, rules: &OperationRules) -> Value {
    let owner = name.to_upper_camel_case();
    let is_list = raw.method == "get" && returns_array(cx.spec, raw);
    let mut op = Map::new();
    op.insert("method".into(), raw.method.to_uppercase().into());
    op.insert("path".into(), format!("{}{}", rules.path_prefix, raw.path).into());
    let (summary, description) = summary_and_description(raw);
    op.insert("summary".into(), summary.into());
    if !description.is_empty() {
        op.insert("description".into(), description.into());
    }
    let mut params = parameters(cx, raw, models, rules, &owner);
    if is_list {
        add_list_params(&mut params, rules.envelope);
    }
    if !params.is_empty() {
        op.insert("parameters".into(), Value::Object(params));
    }
    match cx.spec.body(raw) {
        Some(Ok(body)) => {
            op.insert("body".into(), models.ty(cx, body.value, &body.pointer, &format!("{owner}Body")));
        }
        Some(Err((pointer, reason))) => models.report(cx, &pointer, format!("{reason}; body written as json")),
        None => {}
    }
    if let Some(response) = response(cx, raw, models, &owner, is_list) {
        op.insert("response".into(), response);
    }
    if raw.op.get("deprecated") == Some(&Value::Bool(true)) {
        op.insert("deprecated".into(), json!({ "note": "Marked deprecated in Sage's API description." }));
    }
    Value::Object(op)
}

fn response(cx: &Cx, raw: &RawOperation, models: &mut Models, owner: &str, is_list: bool) -> Option<Value> {
    let located = match cx.spec.success_schema(raw)? {
        Ok(located) => located,
        Err((pointer, reason)) => {
            models.report(cx, &pointer, format!("{reason}; response written as json"));
            return Some(json!({ "one": "json" }));
        }
    };
    let ty = models.ty(cx, located.value, &located.pointer, &format!("{owner}Response"));
    Some(match (is_list, ty.get("array")) {
        (true, Some(item)) => json!({ "list": item }),
        _ => json!({ "one": ty }),
    })
}

/// The spec's summary (first line), falling back to the description and then the response text.
fn summary_and_description(raw: &RawOperation) -> (String, String) {
    let description = description_of_op(raw.op);
    let response_text = first_success_description(raw).unwrap_or_default();
    let candidates = [str_of(raw.op, "summary").to_string(), response_text, description.clone()];
    let summary = candidates
        .iter()
        .filter_map(|text| text.lines().map(str::trim).find(|line| !line.is_empty() && !line.starts_with('#')))
        .next()
        .map(str::to_string)
        .unwrap_or_else(|| format!("{} {}", raw.method.to_uppercase(), raw.path));
    (summary, description)
}

fn description_of_op(op: &Value) -> String {
    str_of(op, "description").trim().to_string()
}

fn first_success_description(raw: &RawOperation) -> Option<String> {
    let responses = raw.op.get("responses")?.as_object()?;
    let mut codes: Vec<&String> = responses.keys().filter(|c| c.starts_with('2')).collect();
    codes.sort();
    codes.into_iter().map(|c| str_of(&responses[c.as_str()], "description").to_string()).find(|d| !d.is_empty())
}

fn parameters(
    cx: &Cx,
    raw: &RawOperation,
    models: &mut Models,
    rules: &OperationRules,
    owner: &str,
) -> Map<String, Value> {
    let mut params = Map::new();
    for entry in cx.spec.parameters(raw) {
        let located = match entry {
            Ok(located) => located,
            Err((pointer, reason)) => {
                models.report(cx, &pointer, format!("{reason}; parameter left out"));
                continue;
            }
        };
        let (param, pointer) = (located.value, located.pointer);
        let wire = str_of(param, "name");
        match str_of(param, "in") {
            "path" | "query" => {}
            "body" => continue,
            "header" => {
                models.report(cx, &pointer, format!("header `{wire}` left out: provided by the header policy"));
                continue;
            }
            other => {
                models.report(cx, &pointer, format!("`{other}` parameter `{wire}` cannot be expressed; left out"));
                continue;
            }
        }
        let location = str_of(param, "in");
        let (schema, schema_pointer) = match cx.spec.dialect {
            Dialect::Swagger => (param, pointer.clone()),
            Dialect::OpenApi => match param.get("schema") {
                Some(schema) => (schema, format!("{pointer}/schema")),
                None => (&Value::Null, pointer.clone()),
            },
        };
        let param_owner = format!("{owner}{}", wire.to_upper_camel_case());
        let mut ty = models.ty(cx, schema, &schema_pointer, &param_owner);
        let is_id = location == "path" && str_of(schema, "type") == "number" && str_of(schema, "format").is_empty();
        if is_id && rules.number_path_params_as_integer {
            ty = json!("integer");
        }
        if ty.get("ref").is_some() || ty.get("map").is_some() {
            models.report(cx, &schema_pointer, "parameter of object type cannot be expressed; written as json");
            ty = json!("json");
        }
        let mut out = json!({ "in": location, "type": ty });
        if location == "path" || param.get("required") == Some(&Value::Bool(true)) {
            out["required"] = true.into();
        }
        let description = description_of(param);
        if !description.is_empty() {
            out["description"] = description.into();
        }
        if let Some(rust) = rust_name_if_needed(wire) {
            out["rust_name"] = rust.into();
        }
        params.insert(wire.to_string(), out);
    }
    params
}
