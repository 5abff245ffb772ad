//! What the importer reads from a product directory besides the specs: `product.json` (shared with
//! the loader, of which only the paging style matters here) and `overrides.json` (importer only).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::twins::Supersession;

/// The part of `product.json` that changes what the importer writes.
#[derive(Debug, Clone, Deserialize)]
pub struct ProductConfig {
    /// Product name, e.g. `accounting-v3`; used in report messages.
    pub name: String,
    /// `envelope` or `odata`: decides which list parameters the importer adds.
    pub pagination: String,
}

/// Hand-written corrections applied on import (`overrides.json`). Every key is optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Overrides {
    /// Area files the importer never writes nor deletes (file stems, e.g. `core`).
    pub hand_written: Vec<String>,
    /// Where an operation's area comes from: its first tag (default) or the spec's file name.
    pub area_by: AreaSource,
    /// Tag → area, on top of the built-in Accounting table.
    pub tag_areas: BTreeMap<String, String>,
    /// Area → description, on top of the built-in ones.
    pub area_descriptions: BTreeMap<String, String>,
    /// `"METHOD /spec/path"` → operation name, for names the spec gets wrong.
    pub operation_names: BTreeMap<String, String>,
    /// Prepended to every spec path (the v3 host serves `/accounts/v3` and `/core/v3`).
    pub path_prefix: String,
    /// The edition (of those `product.json` lists) that alone has the operations and fields the specs
    /// mark `x-sage-professional-only` (Sage 200: `sage200-pro`); they are written with `editions`.
    pub professional_only: Option<String>,
    /// Write `number` path parameters without a format as `integer`: Sage 200 declares its int64
    /// record ids that way, and a decimal id would be a trap for callers.
    pub number_path_params_as_integer: bool,
    /// Operations (by name, e.g. `create_contact`) whose body entity accepts an `idempotency_id`
    /// that Sage's specs do not declare; the importer adds the field.
    pub idempotent_creates: Vec<String>,
    /// Enum model name → the string fields that hold its values (see [`StringEnum`](super::StringEnum)).
    pub string_enums: BTreeMap<String, super::StringEnum>,
    /// The product that replaces this one: operations it also serves are written deprecated,
    /// pointing at their successor (see [`Supersession`]).
    pub superseded_by: Option<Supersession>,
}

/// How operations are grouped into areas.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AreaSource {
    /// The operation's first tag, mapped through the tag table.
    #[default]
    Tag,
    /// The module in the spec's file name (`…selectco.cash-book.openapi.json` → `cash_book`).
    File,
}

impl ProductConfig {
    /// Whether list operations page with `page`/`items_per_page` (else OData `$top`/`$skip`).
    pub fn pages_with_envelope(&self) -> bool {
        self.pagination == "envelope"
    }
}
