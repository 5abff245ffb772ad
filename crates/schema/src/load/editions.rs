//! Editions: one schema directory describing several products that differ only in which operations and
//! fields they have (Sage 200 Professional and Standard Online). `product.json` lists the editions; an
//! operation or field with `"editions": [...]` belongs to those only; each edition is read as a product
//! of its own with everything else.

use super::area::Reader;
use super::error::SchemaError;
use super::json::Node;
use super::product::{EditionHeader, Header};
use super::reader::Obj;
use super::sites::Site;
use crate::ir::{Area, ModelKind, Product};

impl Reader<'_, '_> {
    /// The optional `editions` key of an operation or field: the editions that have it.
    pub(crate) fn editions(&mut self, obj: &Obj<'_>) -> Vec<String> {
        let pointer = obj.at("editions");
        let items = match obj.get("editions") {
            None => return Vec::new(),
            Some(Node::Array(items)) if !items.is_empty() => items,
            Some(other) => {
                self.cx.error(&pointer, format!("expected a list of edition names, found {}", other.kind()));
                return Vec::new();
            }
        };
        let mut editions: Vec<String> = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let at = format!("{pointer}/{index}");
            match item {
                Node::String(name) if editions.contains(name) => {
                    self.cx.error(&at, format!("`{name}` is listed twice"))
                }
                Node::String(name) => {
                    self.record_edition(&at, name);
                    editions.push(name.clone());
                }
                other => self.cx.error(&at, format!("expected an edition name, found {}", other.kind())),
            }
        }
        editions
    }
}

/// Every edition an area file names must be one `product.json` lists.
pub(crate) fn check_names(header: Option<&Header>, named: &[Site], errors: &mut Vec<SchemaError>) {
    let Some(header) = header else { return };
    let known: Vec<&str> = header.editions.iter().map(|edition| edition.name.as_str()).collect();
    for site in named.iter().filter(|site| !known.contains(&site.name.as_str())) {
        let reason = if known.is_empty() {
            format!("`editions` names `{}`, but product.json lists no editions", site.name)
        } else {
            format!("unknown edition `{}` (product.json lists: {})", site.name, known.join(", "))
        };
        errors.push(SchemaError { file: site.file.clone(), pointer: site.pointer.clone(), reason });
    }
}

/// The products a directory describes: itself, or each of its editions.
pub(crate) fn products(header: Header, areas: Vec<Area>) -> Vec<Product> {
    let Header { name, title, crate_name, shared_crate, description, base_url, editions, .. } = header;
    let mut whole = Product {
        schema_dir: name.clone(),
        name,
        title,
        crate_name,
        shared_crate,
        description,
        base_url,
        auth_profile: header.auth_profile,
        header_policy: header.header_policy,
        pagination: header.pagination,
        decimal_format: header.decimal_format,
        area_crates: header.area_crates,
        areas,
    };
    if editions.is_empty() {
        return vec![whole];
    }
    let areas = std::mem::take(&mut whole.areas);
    editions
        .into_iter()
        .map(|EditionHeader { name, title, crate_name, description, base_url }| Product {
            areas: areas.iter().map(|area| area_of(area, &name)).collect(),
            shared_crate: Some(whole.crate_name.clone()),
            name,
            title,
            crate_name,
            description,
            base_url,
            ..whole.clone()
        })
        .collect()
}

/// `area` as `edition` has it: the operations and fields of other editions left out.
fn area_of(area: &Area, edition: &str) -> Area {
    let has = |editions: &[String]| editions.is_empty() || editions.iter().any(|name| name == edition);
    let mut area = area.clone();
    for resource in &mut area.resources {
        resource.operations.retain(|op| has(&op.editions));
    }
    area.resources.retain(|resource| !resource.operations.is_empty());
    for model in &mut area.models {
        if let ModelKind::Struct { fields } = &mut model.kind {
            fields.retain(|field| has(&field.editions));
        }
    }
    area
}
