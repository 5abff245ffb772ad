//! Operations as data: every product crate exports a table of these, so tools (the `sage` CLI,
//! tests, exporters) can call any operation by name without naming its generated type.

use crate::operation::{Method, Request};

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamLocation {
    /// A `{placeholder}` of the path.
    Path,
    /// A query-string parameter.
    Query,
}

/// One path or query parameter of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamSpec {
    /// Name on the wire.
    pub name: &'static str,
    /// Path or query.
    pub location: ParamLocation,
    /// Whether a call must set it.
    pub required: bool,
}

/// One operation of an API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationSpec {
    /// Unique snake_case name, e.g. `list_contacts`.
    pub name: &'static str,
    /// The area (module and cargo feature) its typed struct lives in.
    pub area: &'static str,
    /// HTTP method.
    pub method: Method,
    /// Path template relative to the base URL.
    pub path: &'static str,
    /// One-line summary.
    pub summary: &'static str,
    /// Path parameters first, then query parameters.
    pub params: &'static [ParamSpec],
    /// Whether it takes a JSON body.
    pub body: bool,
    /// Whether it returns a page of a list.
    pub list: bool,
    /// Whether repeating it is harmless (and so retried).
    pub idempotent: bool,
    /// Whether it is deprecated.
    pub deprecated: bool,
}

/// Why a dynamic call could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogError {
    /// The table has no such operation.
    #[error("no operation `{0}`")]
    UnknownOperation(String),
    /// A parameter the operation does not declare.
    #[error("`{operation}` has no parameter `{name}`")]
    UnknownParameter {
        /// The operation.
        operation: &'static str,
        /// The parameter given.
        name: String,
    },
    /// A required parameter was not given.
    #[error("`{operation}` needs parameter `{name}`")]
    MissingParameter {
        /// The operation.
        operation: &'static str,
        /// The missing parameter.
        name: &'static str,
    },
}

/// Finds an operation by name in a table sorted by name (as generated).
pub fn find<'a>(table: &'a [OperationSpec], name: &str) -> Result<&'a OperationSpec, CatalogError> {
    table
        .binary_search_by(|spec| spec.name.cmp(name))
        .map(|index| &table[index])
        .map_err(|_| CatalogError::UnknownOperation(name.to_owned()))
}

impl OperationSpec {
    /// Builds the request for this operation from `name=value` pairs; a JSON body is attached
    /// by the caller with [`Request::json`].
    pub fn request<'v>(&self, params: impl IntoIterator<Item = (&'v str, &'v str)>) -> Result<Request, CatalogError> {
        let mut request = Request::new(self.name, self.method, self.path).idempotent(self.idempotent);
        for (name, value) in params {
            let spec = self
                .params
                .iter()
                .find(|spec| spec.name == name)
                .ok_or_else(|| CatalogError::UnknownParameter { operation: self.name, name: name.to_owned() })?;
            request = match spec.location {
                ParamLocation::Path => request.path(spec.name, value),
                ParamLocation::Query => request.query(spec.name, value),
            };
        }
        for spec in self.params.iter().filter(|spec| spec.required) {
            let given = match spec.location {
                ParamLocation::Path => request.path_params.iter().any(|(name, _)| *name == spec.name),
                ParamLocation::Query => request.query_value(spec.name).is_some(),
            };
            if !given {
                return Err(CatalogError::MissingParameter { operation: self.name, name: spec.name });
            }
        }
        Ok(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &[OperationSpec] = &[
        OperationSpec {
            name: "get_contact",
            area: "contacts",
            method: Method::Get,
            path: "/contacts/{key}",
            summary: "Returns a Contact",
            params: &[
                ParamSpec { name: "key", location: ParamLocation::Path, required: true },
                ParamSpec { name: "attributes", location: ParamLocation::Query, required: false },
            ],
            body: false,
            list: false,
            idempotent: true,
            deprecated: false,
        },
        OperationSpec {
            name: "list_contacts",
            area: "contacts",
            method: Method::Get,
            path: "/contacts",
            summary: "Returns all Contacts",
            params: &[],
            body: false,
            list: true,
            idempotent: true,
            deprecated: false,
        },
    ];

    #[test]
    fn finds_operations_by_name() {
        assert_eq!(find(TABLE, "list_contacts").unwrap().path, "/contacts");
        assert_eq!(find(TABLE, "nope"), Err(CatalogError::UnknownOperation("nope".into())));
    }

    #[test]
    fn builds_requests_from_pairs_and_checks_them() {
        let spec = find(TABLE, "get_contact").unwrap();
        let request = spec.request([("key", "c 1"), ("attributes", "all")]).unwrap();
        assert_eq!(request.render_path().unwrap(), "/contacts/c%201");
        assert_eq!(request.query_value("attributes"), Some("all"));
        assert!(matches!(spec.request([]), Err(CatalogError::MissingParameter { name: "key", .. })));
        assert!(matches!(spec.request([("key", "1"), ("bogus", "x")]), Err(CatalogError::UnknownParameter { .. })));
    }
}
