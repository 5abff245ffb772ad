//! Reading one spec file, Swagger 2.0 or OpenAPI 3.0, through the few questions the importer asks:
//! which operations exist, what their parameters, body and success response are, and what a `$ref`
//! points to.

use std::path::PathBuf;

use serde_json::Value;

/// A spec file as read from disk: where it came from (for reports) and its JSON.
#[derive(Debug, Clone)]
pub struct SpecFile {
    /// Path of the file, written into report entries.
    pub path: PathBuf,
    /// The parsed document.
    pub json: Value,
}

/// The HTTP methods the schema format knows, lower-case as spec path items spell them.
pub const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// Swagger 2.0 or OpenAPI 3.x: they differ in where definitions, bodies and responses live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// `swagger: "2.0"`
    Swagger,
    /// `openapi: "3.x"`
    OpenApi,
}

/// One operation of a spec, still in spec terms.
pub struct RawOperation<'a> {
    /// Lower-case method.
    pub method: &'static str,
    /// Spec path, e.g. `/contacts/{key}`.
    pub path: &'a str,
    /// JSON pointer of the operation object, e.g. `/paths/~1contacts/get`.
    pub pointer: String,
    /// The operation object.
    pub op: &'a Value,
    /// The path item holding it (for path-level parameters and vendor flags).
    pub path_item: &'a Value,
}

/// Where a parameter list entry, body or response sits, with the pointer to report against.
pub struct Located<'a> {
    /// The (resolved) JSON value.
    pub value: &'a Value,
    /// Its JSON pointer.
    pub pointer: String,
}

/// A spec with the lookups the importer needs.
pub struct Spec<'a> {
    /// The file.
    pub file: &'a SpecFile,
    /// Its dialect.
    pub dialect: Dialect,
}

impl<'a> Spec<'a> {
    /// Recognises the dialect, or says why the file is no spec.
    pub fn new(file: &'a SpecFile) -> Result<Self, String> {
        let dialect = if file.json.get("swagger").is_some() {
            Dialect::Swagger
        } else if file.json.get("openapi").is_some() {
            Dialect::OpenApi
        } else {
            return Err("neither `swagger` nor `openapi` is set: not an API description".into());
        };
        Ok(Spec { file, dialect })
    }

    /// The operations in path order, plus `(pointer, reason)` for HTTP methods the schema format lacks
    /// (`head`, `options`, `trace`), which the caller reports as left out.
    pub fn operations(&self) -> (Vec<RawOperation<'a>>, Vec<(String, String)>) {
        let mut ops = Vec::new();
        let mut skipped = Vec::new();
        let Some(paths) = self.file.json.get("paths").and_then(Value::as_object) else {
            return (ops, skipped);
        };
        for (path, item) in paths {
            let Some(item_map) = item.as_object() else { continue };
            for key in item_map.keys() {
                let pointer = format!("/paths/{}/{}", escape(path), escape(key));
                match METHODS.iter().find(|m| **m == key.as_str()) {
                    Some(method) => ops.push(RawOperation { method, path, pointer, op: &item[key], path_item: item }),
                    None if ["head", "options", "trace"].contains(&key.as_str()) => {
                        skipped.push((pointer, format!("{} operations are not part of the schema format", key)))
                    }
                    None => {}
                }
            }
        }
        (ops, skipped)
    }

    /// The definition name a `$ref` points to (`#/definitions/X`, `#/components/schemas/X`).
    pub fn definition_name(reference: &str) -> Option<&str> {
        reference.strip_prefix("#/definitions/").or_else(|| reference.strip_prefix("#/components/schemas/"))
    }

    /// A definition's schema and pointer.
    pub fn definition(&self, name: &str) -> Option<Located<'a>> {
        let pointer = match self.dialect {
            Dialect::Swagger => format!("/definitions/{}", escape(name)),
            Dialect::OpenApi => format!("/components/schemas/{}", escape(name)),
        };
        self.file.json.pointer(&pointer).map(|value| Located { value, pointer })
    }

    /// Follows a chain of local `$ref`s (to parameters, bodies, responses) to the value.
    pub fn deref(&self, value: &'a Value, pointer: String) -> Result<Located<'a>, String> {
        let mut current = Located { value, pointer };
        for _ in 0..16 {
            let Some(reference) = current.value.get("$ref").and_then(Value::as_str) else {
                return Ok(current);
            };
            let target = reference.strip_prefix('#').ok_or_else(|| format!("external reference `{reference}`"))?;
            let value = self.file.json.pointer(target).ok_or_else(|| format!("unresolved reference `{reference}`"))?;
            current = Located { value, pointer: target.to_string() };
        }
        Err("reference chain longer than 16 hops".into())
    }

    /// Parameters of an operation, path-level ones first, operation-level ones overriding by name.
    pub fn parameters(&self, raw: &RawOperation<'a>) -> Vec<Result<Located<'a>, (String, String)>> {
        let level = |holder: &'a Value, base: &str| -> Vec<(String, &'a Value)> {
            let list = holder.get("parameters").and_then(Value::as_array);
            list.into_iter().flatten().enumerate().map(|(i, p)| (format!("{base}/parameters/{i}"), p)).collect()
        };
        let path_pointer = raw.pointer.rsplit_once('/').map(|(head, _)| head.to_string()).unwrap_or_default();
        let mut entries = level(raw.path_item, &path_pointer);
        entries.extend(level(raw.op, &raw.pointer));
        let resolved: Vec<_> =
            entries.into_iter().map(|(ptr, p)| self.deref(p, ptr.clone()).map_err(|e| (ptr, e))).collect();
        let key = |r: &Result<Located<'a>, (String, String)>| -> Option<(String, String)> {
            let value = r.as_ref().ok()?.value;
            Some((str_of(value, "name").to_string(), str_of(value, "in").to_string()))
        };
        let mut unique: Vec<Result<Located<'a>, (String, String)>> = Vec::new();
        for entry in resolved {
            if let Some(k) = key(&entry) {
                unique.retain(|e| key(e).as_ref() != Some(&k));
            }
            unique.push(entry);
        }
        unique
    }

    /// The request body schema: a Swagger `in: body` parameter or an OpenAPI `requestBody`.
    pub fn body(&self, raw: &RawOperation<'a>) -> Option<Result<Located<'a>, (String, String)>> {
        match self.dialect {
            Dialect::Swagger => {
                self.parameters(raw).into_iter().flatten().find(|p| str_of(p.value, "in") == "body").map(|p| {
                    let pointer = format!("{}/schema", p.pointer);
                    p.value
                        .get("schema")
                        .map(|s| Located { value: s, pointer: pointer.clone() })
                        .ok_or((pointer, "body parameter without schema".into()))
                })
            }
            Dialect::OpenApi => {
                let body = raw.op.get("requestBody")?;
                let body = match self.deref(body, format!("{}/requestBody", raw.pointer)) {
                    Ok(body) => body,
                    Err(e) => return Some(Err((format!("{}/requestBody", raw.pointer), e))),
                };
                Some(json_content(&body).ok_or((body.pointer.clone(), "request body has no JSON content".into())))
            }
        }
    }

    /// The success response schema: the first 2xx response that has one (`None`: no body).
    pub fn success_schema(&self, raw: &RawOperation<'a>) -> Option<Result<Located<'a>, (String, String)>> {
        let responses = raw.op.get("responses")?.as_object()?;
        let mut codes: Vec<&String> = responses.keys().filter(|c| c.starts_with('2')).collect();
        codes.sort();
        for code in codes {
            let pointer = format!("{}/responses/{}", raw.pointer, escape(code));
            let response = match self.deref(&responses[code.as_str()], pointer.clone()) {
                Ok(r) => r,
                Err(e) => return Some(Err((pointer, e))),
            };
            match self.dialect {
                Dialect::Swagger => {
                    if let Some(schema) = response.value.get("schema") {
                        return Some(Ok(Located { value: schema, pointer: format!("{}/schema", response.pointer) }));
                    }
                }
                Dialect::OpenApi => {
                    let content = response.value.get("content").and_then(Value::as_object);
                    if content.is_some_and(|c| !c.is_empty()) {
                        return Some(
                            json_content(&response).ok_or((response.pointer, "response has no JSON content".into())),
                        );
                    }
                }
            }
        }
        None
    }

    /// The description of a tag from the spec's top-level `tags` list.
    pub fn tag_description(&self, tag: &str) -> Option<&'a str> {
        let tags = self.file.json.get("tags")?.as_array()?;
        let entry = tags.iter().find(|t| str_of(t, "name") == tag)?;
        Some(str_of(entry, "description")).filter(|d| !d.trim().is_empty())
    }
}

/// The schema under `content` for `application/json` (or `*/*`, which Sage uses for JSON too).
fn json_content<'a>(holder: &Located<'a>) -> Option<Located<'a>> {
    let content = holder.value.get("content")?;
    ["application/json", "*/*", "text/json"].iter().find_map(|media| {
        let schema = content.get(media)?.get("schema")?;
        Some(Located { value: schema, pointer: format!("{}/content/{}/schema", holder.pointer, escape(media)) })
    })
}

/// A string member, or `""`.
pub fn str_of<'v>(value: &'v Value, key: &str) -> &'v str {
    value.get(key).and_then(Value::as_str).unwrap_or("")
}

/// Escapes one JSON pointer token (RFC 6901).
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}
