//! The mapping spec in `schemas/books/`: `model.json` names the finance model's products,
//! resources and fields; one file per schema directory (`accounting-v31.json`, `sage200.json`)
//! says which of that API's operations and fields serve each of them.

use serde::{Deserialize, Deserializer};

use super::ordered::Ordered;
use crate::import::escape;
use crate::load::{SchemaError, SourceFile};

pub use sage_schema::load::BOOKS_DIR;

/// The file of [`BOOKS_DIR`] that describes the model.
pub(crate) const MODEL_FILE: &str = "model.json";

/// `model.json`: what the finance model has, whatever the product.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ModelSpec {
    /// What the file is for (documentation only).
    #[allow(dead_code)]
    pub description: String,
    /// The products the model maps, in the order the tables list them.
    pub products: Vec<String>,
    /// The resources, in table order.
    pub resources: Ordered<ModelResource>,
}

/// One resource of the model: the fields a read gives and a create takes, as the model names them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ModelResource {
    /// Fields of the read record (`item_lines[].account`: a field of every line).
    #[serde(default)]
    pub read: Vec<String>,
    /// Fields of the create draft; empty when the model creates none.
    #[serde(default)]
    pub create: Vec<String>,
}

/// `<schema dir>.json`: how one API serves the model.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProductSpec {
    /// What the file is for (documentation only).
    #[allow(dead_code)]
    pub description: String,
    /// Every resource of the model, by its name there.
    pub resources: Ordered<ResourceMapping>,
}

/// Which operations and fields of the API serve one model resource. Each operation key must be
/// present: an operation id (several when the model reads two product resources as one, as
/// Accounting's products and services are items), or `null` when the API has no such operation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ResourceMapping {
    #[serde(deserialize_with = "present")]
    pub list: Option<Paths>,
    #[serde(deserialize_with = "present")]
    pub get: Option<Paths>,
    #[serde(deserialize_with = "present")]
    pub create: Option<Paths>,
    /// The list operation whose changes can be followed.
    #[serde(deserialize_with = "present")]
    pub changes: Option<Paths>,
    /// Model read field → the field(s) of the read record that serve it, or `null`.
    #[serde(default)]
    pub read: Ordered<Option<Paths>>,
    /// Model draft field → the field(s) of the create body it is written to, or `null`.
    #[serde(default)]
    pub write: Ordered<Option<Paths>>,
    /// Fields of the create body the mapping fills itself (a contact's type), so a required one
    /// needs no model field.
    #[serde(default)]
    pub set_by_mapping: Vec<String>,
    /// Model draft fields the mapping needs beyond what the create body requires (Sage 200 posts
    /// a document's goods from its analysis lines, so it needs at least one).
    #[serde(default)]
    pub required_by_mapping: Vec<String>,
}

/// One product field path (`invoice_lines[].ledger_account_id`, `main_address.city`) or several
/// that together serve a model field (or operation ids, for an operation). No path at all (`[]`):
/// the mapping serves the field without one of its own (a Sage 200 payment's kind chooses the call).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum Paths {
    One(String),
    Many(Vec<String>),
}

impl Paths {
    pub(crate) fn as_slice(&self) -> &[String] {
        match self {
            Paths::One(path) => std::slice::from_ref(path),
            Paths::Many(paths) => paths,
        }
    }
}

/// A key that must be written, even as `null`.
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Paths>, D::Error> {
    Option::deserialize(deserializer)
}

/// Parses one spec file, naming the JSON pointer of what is wrong.
pub(crate) fn parse<T: for<'de> Deserialize<'de>>(file: &SourceFile) -> Result<T, SchemaError> {
    let mut deserializer = serde_json::Deserializer::from_str(&file.text);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        let pointer = err.path().iter().fold(String::new(), |pointer, segment| {
            use serde_path_to_error::Segment;
            match segment {
                Segment::Seq { index } => format!("{pointer}/{index}"),
                Segment::Map { key } => child(&pointer, key),
                Segment::Enum { variant } => format!("{pointer}/{variant}"),
                Segment::Unknown => pointer,
            }
        });
        SchemaError { file: file.path.clone(), pointer, reason: err.into_inner().to_string() }
    })
}

/// `pointer` with one more reference token, escaped as RFC 6901 says.
pub(crate) fn child(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", escape(token))
}
