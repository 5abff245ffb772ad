//! Folders and requests: one folder per area, one request per operation.

use serde_json::{json, Value};

use super::body::Bodies;
use crate::ir::{Area, HeaderPolicy, Method, Operation, Param, ParamLocation, Product};

/// The folder of one area, its requests sorted by operation name.
pub(super) fn folder(product: &Product, bodies: &Bodies, area: &Area) -> Value {
    let mut operations: Vec<&Operation> = area.resources.iter().flat_map(|resource| &resource.operations).collect();
    operations.sort_by(|a, b| a.name.cmp(&b.name));
    let items: Vec<Value> = operations.into_iter().map(|operation| item(product, bodies, operation)).collect();
    json!({ "name": area.name, "description": area.description, "item": items })
}

fn item(product: &Product, bodies: &Bodies, operation: &Operation) -> Value {
    let mut request = json!({
        "method": method(operation.method),
        "header": headers(product.header_policy, operation.body.is_some()),
        "url": url(operation),
        "description": description(operation),
    });
    if let Some(example) = bodies.get(&operation.name) {
        let raw = serde_json::to_string_pretty(example).expect("JSON values always serialize");
        request["body"] = json!({ "mode": "raw", "raw": raw, "options": { "raw": { "language": "json" } } });
    }
    let mut item = json!({ "name": operation.name, "request": request });
    let listed: Vec<&str> = bodies.listed_by(&operation.name).collect();
    let created: Vec<&str> = bodies.created_by(&operation.name).collect();
    let script = match (listed.is_empty(), created.is_empty()) {
        (false, _) => Some(keep_id("listed", "(pm.response.json().$items || [])[0]", &listed)),
        (true, false) => Some(keep_id("created", "pm.response.json()", &created)),
        (true, true) => None,
    };
    if let Some(exec) = script {
        item["event"] = json!([{ "listen": "test", "script": { "type": "text/javascript", "exec": exec } }]);
    }
    item
}

/// A test script that keeps the id of `record` (JavaScript) in the reference variables the example
/// bodies use, so that they point at a record that exists.
fn keep_id(what: &str, record: &str, variables: &[&str]) -> Vec<String> {
    let mut lines = vec![
        format!("// Keeps the id {what} here for the example bodies that point at this resource."),
        format!("const record = pm.response.code < 300 ? {record} : undefined;"),
        "if (record && record.id) {".to_owned(),
    ];
    lines.extend(variables.iter().map(|name| format!("    pm.collectionVariables.set(\"{name}\", record.id);")));
    lines.push("}".to_owned());
    lines
}

fn method(method: Method) -> &'static str {
    match method {
        Method::Get => "GET",
        Method::Post => "POST",
        Method::Put => "PUT",
        Method::Patch => "PATCH",
        Method::Delete => "DELETE",
    }
}

fn description(operation: &Operation) -> String {
    let mut text = operation.summary.clone();
    if !operation.description.is_empty() && operation.description != operation.summary {
        text.push_str("\n\n");
        text.push_str(&operation.description);
    }
    if let Some(deprecation) = &operation.deprecated {
        text.push_str("\n\n**Deprecated:** ");
        text.push_str(&deprecation.note);
    }
    text
}

/// The product's headers, taking their values from collection variables.
fn headers(policy: HeaderPolicy, has_body: bool) -> Vec<Value> {
    let header = |key: &str, value: &str, disabled: bool| json!({ "key": key, "value": value, "disabled": disabled });
    let mut headers = vec![header("Accept", "application/json", false)];
    if has_body {
        headers.push(header("Content-Type", "application/json", false));
    }
    match policy {
        HeaderPolicy::Sage200 => {
            headers.push(header("X-Company", "{{company_id}}", false));
            headers.push(header("X-Site", "{{site_id}}", false));
        }
        HeaderPolicy::AccountingV3 => {
            headers.push(header("X-Site", "{{site_id}}", false));
            headers.push(header("Ocp-Apim-Subscription-Key", "{{subscription_key}}", false));
        }
        // Without X-Business, v3.1 serves the user's lead business.
        HeaderPolicy::AccountingV31 => headers.push(header("X-Business", "{{business_id}}", true)),
    }
    headers
}

/// `{{base_url}}/contacts/:key?search=`: path parameters as Postman path variables, query
/// parameters listed but disabled so that a request sends only what the user turns on.
fn url(operation: &Operation) -> Value {
    let path = postman_path(&operation.path);
    let segments: Vec<&str> = path.split('/').filter(|segment| !segment.is_empty()).collect();
    let query: Vec<Value> = params(operation, ParamLocation::Query)
        .map(|param| json!({ "key": param.name, "value": "", "description": param_description(param), "disabled": true }))
        .collect();
    let variables: Vec<Value> = params(operation, ParamLocation::Path)
        .map(|param| json!({ "key": param.name, "value": "", "description": param_description(param) }))
        .collect();
    let mut raw = format!("{{{{base_url}}}}{path}");
    if !query.is_empty() {
        let names: Vec<String> =
            params(operation, ParamLocation::Query).map(|param| format!("{}=", param.name)).collect();
        raw.push('?');
        raw.push_str(&names.join("&"));
    }
    json!({ "raw": raw, "host": ["{{base_url}}"], "path": segments, "query": query, "variable": variables })
}

fn params(operation: &Operation, location: ParamLocation) -> impl Iterator<Item = &Param> {
    operation.params.iter().filter(move |param| param.location == location)
}

fn param_description(param: &Param) -> String {
    if param.required && param.location == ParamLocation::Query {
        format!("(required) {}", param.description)
    } else {
        param.description.clone()
    }
}

/// `/contacts/{key}` → `/contacts/:key`.
pub(super) fn postman_path(path: &str) -> String {
    path.split('/')
        .map(|segment| match segment.strip_prefix('{').and_then(|rest| rest.strip_suffix('}')) {
            Some(name) => format!(":{name}"),
            None => segment.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// `https://host/{country}/x` → `https://host/{{country}}/x`, Postman's variable syntax.
pub(super) fn postman_template(url: &str) -> String {
    url.replace('{', "{{").replace('}', "}}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parameters_become_path_variables() {
        assert_eq!(postman_path("/contacts/{key}/notes/{note_id}"), "/contacts/:key/notes/:note_id");
        assert_eq!(postman_path("/sites"), "/sites");
    }

    #[test]
    fn base_url_placeholders_become_postman_variables() {
        assert_eq!(postman_template("https://a.example/{country}/x"), "https://a.example/{{country}}/x");
    }
}
