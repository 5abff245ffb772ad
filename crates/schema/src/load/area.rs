//! Area files: `description`, `resources` and `models`.

use super::error::child;
use super::json::Node;
use super::reader::Cx;
use super::sites::{RefUse, Site, Sites};
use crate::ir::{Area, Resource};

/// Reads one area file, recording its errors in `cx` and its names in `sites`.
pub(crate) struct Reader<'a, 'e> {
    pub(crate) cx: Cx<'e>,
    pub(crate) area: String,
    pub(crate) sites: &'a mut Sites,
    /// Rust type names declared in this area's module, with where they come from.
    type_names: Vec<(String, String)>,
}

impl<'a, 'e> Reader<'a, 'e> {
    pub(crate) fn new(cx: Cx<'e>, area: &str, sites: &'a mut Sites) -> Self {
        Self { cx, area: area.to_owned(), sites, type_names: Vec::new() }
    }

    fn site(&self, pointer: &str, name: &str) -> Site {
        Site { file: self.cx.file.clone(), pointer: pointer.to_owned(), area: self.area.clone(), name: name.to_owned() }
    }

    pub(crate) fn record_ref(&mut self, pointer: &str, model: &str, usage: RefUse) {
        let site = self.site(pointer, model);
        self.sites.refs.push((site, usage));
    }

    pub(crate) fn record_operation(&mut self, pointer: &str, name: &str) {
        let site = self.site(pointer, name);
        self.sites.operations.push(site);
    }

    pub(crate) fn record_model(&mut self, pointer: &str, name: &str) {
        let site = self.site(pointer, name);
        self.sites.models.push(site);
    }

    pub(crate) fn record_edition(&mut self, pointer: &str, edition: &str) {
        let site = self.site(pointer, edition);
        self.sites.editions.push(site);
    }

    pub(crate) fn record_replacement(&mut self, pointer: &str, replacement: &str) {
        let site = self.site(pointer, replacement);
        self.sites.replacements.push(site);
    }

    /// Claims a Rust type name in this area's module; a second claim is an error at its pointer.
    pub(crate) fn claim_type_name(&mut self, rust_name: &str, pointer: &str) {
        match self.type_names.iter().find(|(name, _)| name == rust_name) {
            Some((_, first)) => {
                let first = if first.is_empty() { "(root)".to_owned() } else { first.clone() };
                self.cx.error(pointer, format!("Rust type name `{rust_name}` is already generated for {first}"))
            }
            None => self.type_names.push((rust_name.to_owned(), pointer.to_owned())),
        }
    }

    /// Reads the whole file.
    pub(crate) fn parse_area(&mut self, node: &Node) -> Area {
        let mut area =
            Area { name: self.area.clone(), description: String::new(), resources: Vec::new(), models: Vec::new() };
        let Some(obj) = self.cx.object(node, "", &["description", "resources", "models"]) else { return area };
        area.description = self.cx.optional_str(&obj, "description").unwrap_or_default();
        for (name, model) in self.cx.map(&obj, "models") {
            let pointer = child("/models", name);
            if let Some(model) = self.parse_model(name, model, &pointer) {
                area.models.push(model);
            }
        }
        for (name, resource) in self.cx.map(&obj, "resources") {
            let pointer = child("/resources", name);
            if let Some(resource) = self.parse_resource(name, resource, &pointer) {
                area.resources.push(resource);
            }
        }
        area.models.sort_by(|a, b| a.name.cmp(&b.name));
        area.resources.sort_by(|a, b| a.name.cmp(&b.name));
        area
    }

    fn parse_resource(&mut self, name: &str, node: &Node, pointer: &str) -> Option<Resource> {
        let obj = self.cx.object(node, pointer, &["description", "operations"])?;
        if crate::names::snake_name(name).as_deref() != Some(name) {
            self.cx.error(pointer, format!("resource name `{name}` must be snake_case"));
        }
        let description = self.cx.optional_str(&obj, "description").unwrap_or_default();
        let mut operations = Vec::new();
        for (op_name, op) in self.cx.map(&obj, "operations") {
            let op_pointer = child(&obj.at("operations"), op_name);
            if let Some(op) = self.parse_operation(op_name, op, &op_pointer) {
                operations.push(op);
            }
        }
        operations.sort_by(|a, b| a.name.cmp(&b.name));
        Some(Resource { name: name.to_owned(), description, operations })
    }
}

/// Whether `name` is a valid area (module and cargo feature) name.
pub(crate) fn is_area_name(name: &str) -> bool {
    crate::names::snake_name(name).as_deref() == Some(name) && !crate::names::is_keyword(name)
}
