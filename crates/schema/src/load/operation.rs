//! Operations and their parameters.

use super::area::Reader;
use super::error::child;
use super::json::Node;
use super::reader::Obj;
use super::types::{has_inline_enum, TypeUse};
use crate::ir::{Deprecation, Method, Operation, Param, ParamLocation, Response, Type};
use crate::names::{inline_enum_name, snake_name, type_name};

const OPERATION_KEYS: &[&str] = &[
    "method",
    "path",
    "summary",
    "description",
    "parameters",
    "body",
    "response",
    "idempotent",
    "deprecated",
    "editions",
];
const PARAM_KEYS: &[&str] = &["in", "type", "required", "description", "rust_name"];

/// Parameter names that would clash with the generated `body` field or methods.
const RESERVED_PARAMS: &[&str] = &["body", "new", "send", "items", "request"];

impl Reader<'_, '_> {
    pub(crate) fn parse_operation(&mut self, name: &str, node: &Node, pointer: &str) -> Option<Operation> {
        self.record_operation(pointer, name);
        let obj = self.cx.object(node, pointer, OPERATION_KEYS)?;
        let struct_name = type_name(name).filter(|_| snake_name(name).as_deref() == Some(name));
        match &struct_name {
            Some(struct_name) => self.claim_type_name(struct_name, pointer),
            None => self.cx.error(pointer, format!("operation name `{name}` must be snake_case and usable in Rust")),
        }
        let method = self.method(&obj);
        let path = self.cx.required_str(&obj, "path");
        let summary = self.cx.required_str(&obj, "summary");
        let description = self.cx.optional_str(&obj, "description").unwrap_or_default();
        let params = self.parse_params(&obj, struct_name.as_deref().unwrap_or_default());
        if let Some(path) = &path {
            self.check_path(&obj, path, &params);
        }
        let body = obj.get("body").and_then(|body| self.parse_type(body, &obj.at("body"), TypeUse::Payload));
        let response = self.response(&obj);
        let deprecated = self.deprecation(&obj);
        let editions = self.editions(&obj);
        let method = method?;
        let idempotent = self
            .cx
            .optional_bool(&obj, "idempotent")
            .unwrap_or(matches!(method, Method::Get | Method::Put | Method::Delete));
        struct_name?;
        Some(Operation {
            name: name.to_owned(),
            method,
            path: path?,
            summary: summary?,
            description,
            params,
            body,
            response: response?,
            idempotent,
            deprecated,
            editions,
        })
    }

    fn method(&mut self, obj: &Obj<'_>) -> Option<Method> {
        let text = self.cx.required_str(obj, "method")?;
        let method = match text.as_str() {
            "GET" => Method::Get,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            "PATCH" => Method::Patch,
            "DELETE" => Method::Delete,
            _ => {
                self.cx
                    .error(&obj.at("method"), format!("bad method `{text}`; expected GET, POST, PUT, PATCH or DELETE"));
                return None;
            }
        };
        Some(method)
    }

    /// Parameters in schema order, path parameters first.
    fn parse_params(&mut self, obj: &Obj<'_>, struct_name: &str) -> Vec<Param> {
        let mut params: Vec<Param> = Vec::new();
        let params_pointer = obj.at("parameters");
        for (wire, node) in self.cx.map(obj, "parameters") {
            let pointer = child(&params_pointer, wire);
            let Some(param) = self.parse_param(wire, node, &pointer) else { continue };
            if RESERVED_PARAMS.contains(&param.rust_name.as_str()) {
                self.cx.error(
                    &pointer,
                    format!("Rust name `{}` is reserved in operations; set `rust_name`", param.rust_name),
                );
            } else if params.iter().any(|earlier| earlier.rust_name == param.rust_name) {
                self.cx
                    .error(&pointer, format!("Rust name `{}` is already used by another parameter", param.rust_name));
            }
            if has_inline_enum(&param.ty) {
                self.claim_type_name(&inline_enum_name(struct_name, &param.rust_name), &pointer);
            }
            params.push(param);
        }
        params.sort_by_key(|param| param.location != ParamLocation::Path);
        params
    }

    fn parse_param(&mut self, wire: &str, node: &Node, pointer: &str) -> Option<Param> {
        let obj = self.cx.object(node, pointer, PARAM_KEYS)?;
        let location = match self.cx.required_str(&obj, "in").as_deref() {
            Some("path") => Some(ParamLocation::Path),
            Some("query") => Some(ParamLocation::Query),
            Some(other) => {
                self.cx.error(&obj.at("in"), format!("`{other}` is not `path` or `query`"));
                None
            }
            None => None,
        };
        let ty = match obj.get("type") {
            Some(ty) => self.parse_type(ty, &obj.at("type"), TypeUse::Param),
            None => {
                self.cx.error(pointer, "missing required key `type`");
                None
            }
        };
        let required = self.cx.optional_bool(&obj, "required");
        let description = self.cx.optional_str(&obj, "description").unwrap_or_default();
        let rust_name = self.rust_name(&obj, wire);
        let location = location?;
        let ty = ty?;
        if location == ParamLocation::Path && required == Some(false) {
            self.cx.error(&obj.at("required"), "path parameters are always required");
        }
        self.check_param_type(&ty, location, &obj.at("type"));
        let required = location == ParamLocation::Path || required.unwrap_or(false);
        Some(Param { name: wire.to_owned(), rust_name: rust_name?, location, ty, required, description })
    }

    /// Parameters travel as text: scalars and enums, and for query parameters lists of them.
    fn check_param_type(&mut self, ty: &Type, location: ParamLocation, pointer: &str) {
        let element = match (ty, location) {
            (Type::Array(item), ParamLocation::Query) => item.as_ref(),
            (Type::Array(_), ParamLocation::Path) => {
                self.cx.error(pointer, "path parameters cannot be arrays");
                return;
            }
            _ => ty,
        };
        if matches!(element, Type::Json | Type::Array(_) | Type::Map(_)) {
            self.cx.error(pointer, "parameters must be scalars or enums (or, in the query, arrays of them)");
        }
    }

    /// Every `{placeholder}` needs a path parameter and every path parameter a placeholder.
    fn check_path(&mut self, obj: &Obj<'_>, path: &str, params: &[Param]) {
        let at = obj.at("path");
        let Some(placeholders) = placeholders(path) else {
            self.cx.error(&at, format!("`{path}` must start with `/` and have balanced `{{` `}}`"));
            return;
        };
        for name in &placeholders {
            if !params.iter().any(|param| param.location == ParamLocation::Path && param.name == *name) {
                self.cx.error(&at, format!("placeholder `{{{name}}}` has no path parameter"));
            }
        }
        for param in params.iter().filter(|param| param.location == ParamLocation::Path) {
            if !placeholders.contains(&param.name.as_str()) {
                let pointer = child(&obj.at("parameters"), &param.name);
                self.cx.error(&pointer, format!("path parameter `{}` does not appear in `{path}`", param.name));
            }
        }
    }

    fn response(&mut self, obj: &Obj<'_>) -> Option<Response> {
        let Some(node) = obj.get("response") else { return Some(Response::None) };
        let pointer = obj.at("response");
        let response = self.cx.object(node, &pointer, &["one", "list"])?;
        match response.entries {
            [(key, ty)] => {
                let ty = self.parse_type(ty, &response.at(key), TypeUse::Payload)?;
                Some(if key == "list" { Response::List(ty) } else { Response::One(ty) })
            }
            _ => {
                self.cx.error(&pointer, "expected exactly one of `one` or `list`");
                None
            }
        }
    }

    fn deprecation(&mut self, obj: &Obj<'_>) -> Option<Deprecation> {
        let node = obj.get("deprecated")?;
        let pointer = obj.at("deprecated");
        let deprecated = self.cx.object(node, &pointer, &["note", "replacement"])?;
        let note = self.cx.required_str(&deprecated, "note");
        let replacement = self.cx.optional_str(&deprecated, "replacement");
        if let Some(replacement) = &replacement {
            self.record_replacement(&deprecated.at("replacement"), replacement);
        }
        Some(Deprecation { note: note?, replacement })
    }
}

/// The placeholder names of a path template; `None` when it is malformed.
pub(crate) fn placeholders(path: &str) -> Option<Vec<&str>> {
    if !path.starts_with('/') {
        return None;
    }
    let mut names = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find(['{', '}']) {
        if rest[start..].starts_with('}') {
            return None;
        }
        let end = start + rest[start..].find('}')?;
        let name = &rest[start + 1..end];
        if name.is_empty() || name.contains('{') {
            return None;
        }
        names.push(name);
        rest = &rest[end + 1..];
    }
    Some(names)
}

#[cfg(test)]
mod tests {
    use super::placeholders;

    #[test]
    fn placeholders_are_found_and_malformed_paths_refused() {
        assert_eq!(placeholders("/contacts/{key}/notes/{id}"), Some(vec!["key", "id"]));
        assert_eq!(placeholders("/user"), Some(vec![]));
        assert_eq!(placeholders("contacts"), None);
        assert_eq!(placeholders("/contacts/{key"), None);
        assert_eq!(placeholders("/contacts/key}"), None);
        assert_eq!(placeholders("/contacts/{}"), None);
    }
}
