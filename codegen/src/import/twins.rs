//! Links from an old product's operations to their successors in a newer product (`superseded_by`
//! in `overrides.json`): an operation whose method and path the newer product also serves is
//! written deprecated, naming the operation to call instead, so callers of the old crate get a
//! compiler warning that points at the way out.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{json, Value};

/// `overrides.json` → `superseded_by`: the product that replaces this one.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Supersession {
    /// The newer product, a sibling schema directory (e.g. `accounting-v31`).
    pub product: String,
    /// Deprecation note template; `{operation}`, `{method}` and `{path}` are filled in with the
    /// successor's name, method and path.
    pub note: String,
}

/// One operation of the newer product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Twin {
    /// Operation name, e.g. `list_contacts`.
    pub name: String,
    /// Upper-case HTTP method.
    pub method: String,
    /// Path as the newer product writes it, e.g. `/contacts/{key}`.
    pub path: String,
}

/// The newer product's operations by endpoint: the table [`import_with_twins`](super::import_with_twins)
/// matches against. Placeholder names do not matter (`/contacts/{key}` matches `/contacts/{id}`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Twins {
    /// The newer product's name, checked against `superseded_by.product`.
    pub product: String,
    by_endpoint: BTreeMap<(String, String), Twin>,
}

impl Twins {
    /// An empty table for `product`.
    pub fn new(product: &str) -> Self {
        Twins { product: product.to_string(), by_endpoint: BTreeMap::new() }
    }

    /// Adds one operation of the newer product.
    pub fn insert(&mut self, name: &str, method: &str, path: &str) {
        let twin = Twin { name: name.into(), method: method.to_uppercase(), path: path.into() };
        self.by_endpoint.insert(endpoint_key(method, path), twin);
    }

    /// The table of a product from the JSON of its area files (the schema format's
    /// `resources.*.operations.*` with `method` and `path`); anything else in them is ignored.
    pub fn from_area_files<'a>(product: &str, areas: impl IntoIterator<Item = &'a Value>) -> Self {
        let mut twins = Twins::new(product);
        for area in areas {
            let resources = area.get("resources").and_then(Value::as_object).into_iter().flatten();
            for (_, resource) in resources {
                let operations = resource.get("operations").and_then(Value::as_object).into_iter().flatten();
                for (name, op) in operations {
                    let field = |key| op.get(key).and_then(Value::as_str);
                    if let (Some(method), Some(path)) = (field("method"), field("path")) {
                        twins.insert(name, method, path);
                    }
                }
            }
        }
        twins
    }

    /// The successor serving `method` and `path`, if any.
    pub fn find(&self, method: &str, path: &str) -> Option<&Twin> {
        self.by_endpoint.get(&endpoint_key(method, path))
    }

    /// Number of operations in the table.
    pub fn len(&self) -> usize {
        self.by_endpoint.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.by_endpoint.is_empty()
    }
}

/// The `deprecated` object of an operation replaced by `twin`.
pub fn deprecation(supersession: &Supersession, twin: &Twin) -> Value {
    let note = fill(&supersession.note, twin);
    json!({ "note": note, "replacement": format!("{}:{}", supersession.product, twin.name) })
}

/// Fills the note template in one pass, so braces in the filled-in path are never re-read.
fn fill(template: &str, twin: &Twin) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let value = [("{operation}", &twin.name), ("{method}", &twin.method), ("{path}", &twin.path)]
            .into_iter()
            .find(|(placeholder, _)| tail.starts_with(placeholder));
        match value {
            Some((placeholder, value)) => {
                out.push_str(value);
                rest = &tail[placeholder.len()..];
            }
            None => {
                out.push('{');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Upper-case method and the path with every placeholder name erased.
fn endpoint_key(method: &str, path: &str) -> (String, String) {
    let mut shape = String::with_capacity(path.len());
    let mut in_placeholder = false;
    for ch in path.chars() {
        match ch {
            '{' => {
                in_placeholder = true;
                shape.push_str("{}");
            }
            '}' => in_placeholder = false,
            _ if in_placeholder => {}
            _ => shape.push(ch),
        }
    }
    (method.to_uppercase(), shape)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn supersession() -> Supersession {
        Supersession { product: "new".into(), note: "Use `{operation}` (`{method} {path}`).".into() }
    }

    #[test]
    fn placeholder_names_do_not_matter_but_method_does() {
        let mut twins = Twins::new("new");
        twins.insert("get_contact", "GET", "/contacts/{id}");
        assert_eq!(twins.find("get", "/contacts/{key}").map(|t| t.name.as_str()), Some("get_contact"));
        assert!(twins.find("DELETE", "/contacts/{key}").is_none());
        assert!(twins.find("GET", "/contacts").is_none());
    }

    #[test]
    fn note_names_the_successor_without_re_reading_its_path() {
        let twin = Twin { name: "get_contact".into(), method: "GET".into(), path: "/x/{operation}".into() };
        let deprecated = deprecation(&supersession(), &twin);
        assert_eq!(deprecated["note"], "Use `get_contact` (`GET /x/{operation}`).");
        assert_eq!(deprecated["replacement"], "new:get_contact");
    }
}
