//! Reading a [`Node`] tree while recording errors instead of stopping at the first one.

use super::error::{child, SchemaError};
use super::json::Node;

/// The file being read and where its errors go.
pub(crate) struct Cx<'e> {
    pub(crate) file: String,
    errors: &'e mut Vec<SchemaError>,
}

/// The entries of an object that passed the key check.
pub(crate) struct Obj<'n> {
    pub(crate) pointer: String,
    pub(crate) entries: &'n [(String, Node)],
}

impl<'n> Obj<'n> {
    /// The value of `key`, if present.
    pub(crate) fn get(&self, key: &str) -> Option<&'n Node> {
        self.entries.iter().find(|(name, _)| name == key).map(|(_, value)| value)
    }

    /// Pointer to `key` in this object.
    pub(crate) fn at(&self, key: &str) -> String {
        child(&self.pointer, key)
    }
}

impl<'e> Cx<'e> {
    pub(crate) fn new(file: impl Into<String>, errors: &'e mut Vec<SchemaError>) -> Self {
        Self { file: file.into(), errors }
    }

    /// Records an error at `pointer`.
    pub(crate) fn error(&mut self, pointer: &str, reason: impl Into<String>) {
        self.errors.push(SchemaError { file: self.file.clone(), pointer: pointer.to_owned(), reason: reason.into() });
    }

    /// Checks that `node` is an object whose keys are all in `allowed` and none repeats.
    /// Every offending key is reported; the object is returned even then, so reading goes on.
    pub(crate) fn object<'n>(&mut self, node: &'n Node, pointer: &str, allowed: &[&str]) -> Option<Obj<'n>> {
        let Node::Object(entries) = node else {
            self.error(pointer, format!("expected an object, found {}", node.kind()));
            return None;
        };
        for (index, (key, _)) in entries.iter().enumerate() {
            if entries[..index].iter().any(|(earlier, _)| earlier == key) {
                self.error(&child(pointer, key), format!("duplicate key `{key}`"));
            }
        }
        if !allowed.is_empty() {
            for (key, _) in entries {
                if !allowed.contains(&key.as_str()) {
                    self.error(
                        &child(pointer, key),
                        format!("unknown key `{key}` (expected one of: {})", allowed.join(", ")),
                    );
                }
            }
        }
        Some(Obj { pointer: pointer.to_owned(), entries })
    }

    /// A string value that must be present.
    pub(crate) fn required_str(&mut self, obj: &Obj<'_>, key: &str) -> Option<String> {
        if obj.get(key).is_none() {
            self.error(&obj.pointer, format!("missing required key `{key}`"));
            return None;
        }
        self.optional_str(obj, key)
    }

    /// A string value that may be absent.
    pub(crate) fn optional_str(&mut self, obj: &Obj<'_>, key: &str) -> Option<String> {
        match obj.get(key)? {
            Node::String(text) => Some(text.clone()),
            other => {
                self.error(&obj.at(key), format!("expected a string, found {}", other.kind()));
                None
            }
        }
    }

    /// A boolean value that may be absent.
    pub(crate) fn optional_bool(&mut self, obj: &Obj<'_>, key: &str) -> Option<bool> {
        match obj.get(key)? {
            Node::Bool(value) => Some(*value),
            other => {
                self.error(&obj.at(key), format!("expected true or false, found {}", other.kind()));
                None
            }
        }
    }

    /// A whole number of at least 1 that may be absent.
    pub(crate) fn optional_positive_integer(&mut self, obj: &Obj<'_>, key: &str) -> Option<u64> {
        match obj.get(key)? {
            Node::Number(number) if number.as_u64().is_some_and(|value| value > 0) => number.as_u64(),
            other => {
                let found = match other {
                    Node::Number(number) => number.to_string(),
                    other => other.kind().to_owned(),
                };
                self.error(&obj.at(key), format!("expected a positive whole number, found {found}"));
                None
            }
        }
    }

    /// The entries of a map-valued key (absent means empty).
    pub(crate) fn map<'n>(&mut self, obj: &Obj<'n>, key: &str) -> &'n [(String, Node)] {
        match obj.get(key) {
            None => &[],
            Some(Node::Object(entries)) => {
                for (index, (name, _)) in entries.iter().enumerate() {
                    if entries[..index].iter().any(|(earlier, _)| earlier == name) {
                        self.error(&child(&obj.at(key), name), format!("duplicate key `{name}`"));
                    }
                }
                entries
            }
            Some(other) => {
                self.error(&obj.at(key), format!("expected an object, found {}", other.kind()));
                &[]
            }
        }
    }
}
