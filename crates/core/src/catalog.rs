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

/// What values a parameter takes, so a tool can refuse a bad one before sending it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    /// Any text.
    String,
    /// A whole number.
    Integer,
    /// `true` or `false`.
    Boolean,
    /// An exact decimal number.
    Decimal,
    /// `YYYY-MM-DD`.
    Date,
    /// An RFC 3339 date and time (a bare date is accepted too).
    DateTime,
    /// One of these strings; Sage may add values, so others are let through.
    Enum(&'static [&'static str]),
    /// The element type of a parameter that repeats (`name=a&name=b`).
    List(&'static ParamType),
}

impl ParamType {
    /// A short name for help text, e.g. `integer` or `list of date`.
    pub fn describe(&self) -> String {
        match self {
            Self::String => "string".into(),
            Self::Integer => "integer".into(),
            Self::Boolean => "boolean".into(),
            Self::Decimal => "decimal".into(),
            Self::Date => "date (YYYY-MM-DD)".into(),
            Self::DateTime => "date-time (RFC 3339)".into(),
            Self::Enum(values) => format!("one of {}", values.join(", ")),
            Self::List(item) => format!("list of {} (repeat the parameter)", item.describe()),
        }
    }

    /// Whether `value` is a valid value of this type (one element, for lists).
    pub fn accepts(&self, value: &str) -> bool {
        match self {
            Self::String | Self::Enum(_) => true,
            Self::Integer => value.parse::<i64>().is_ok(),
            Self::Boolean => matches!(value, "true" | "false"),
            Self::Decimal => value.parse::<rust_decimal::Decimal>().is_ok(),
            Self::Date => chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").is_ok(),
            Self::DateTime => {
                chrono::DateTime::parse_from_rfc3339(value).is_ok()
                    || value.parse::<chrono::NaiveDateTime>().is_ok()
                    || Self::Date.accepts(value)
            }
            Self::List(item) => item.accepts(value),
        }
    }
}

/// One path or query parameter of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamSpec {
    /// Name on the wire, e.g. `$filter`.
    pub name: &'static str,
    /// The setter of the typed operation struct, e.g. `filter`.
    pub rust_name: &'static str,
    /// Path or query.
    pub location: ParamLocation,
    /// Whether a call must set it.
    pub required: bool,
    /// What values it takes.
    pub ty: ParamType,
    /// What it does, from Sage's API description (may be empty).
    pub description: &'static str,
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
    /// The products that have it (see [`Request::products`](Request#structfield.products)): its
    /// requests carry them, so a client of another product refuses them. Empty: not checked.
    pub products: &'static [&'static str],
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
    /// A value that is not of the parameter's type.
    #[error("`{operation}` parameter `{name}` takes {expected}, not `{value}`")]
    InvalidValue {
        /// The operation.
        operation: &'static str,
        /// The parameter.
        name: &'static str,
        /// The value given.
        value: String,
        /// The type, described.
        expected: String,
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
    /// Builds the request for this operation from `name=value` pairs, refusing values that are not
    /// of the parameter's type; a JSON body is attached by the caller with [`Request::json`].
    pub fn request<'v>(&self, params: impl IntoIterator<Item = (&'v str, &'v str)>) -> Result<Request, CatalogError> {
        let mut request =
            Request::new(self.name, self.method, self.path).idempotent(self.idempotent).products(self.products);
        for (name, value) in params {
            let spec = self
                .params
                .iter()
                .find(|spec| spec.name == name)
                .ok_or_else(|| CatalogError::UnknownParameter { operation: self.name, name: name.to_owned() })?;
            if !spec.ty.accepts(value) {
                return Err(CatalogError::InvalidValue {
                    operation: self.name,
                    name: spec.name,
                    value: value.to_owned(),
                    expected: spec.ty.describe(),
                });
            }
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

/// A response body read through its operation's typed model (what `sage doctor` reports): whether
/// it decoded, and every place it differs from the schema (see [`drift`](crate::types::drift)).
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    /// The decode error, naming the field's path, if the body does not fit the model.
    pub error: Option<crate::DecodeError>,
    /// Values read from another spelling, unknown fields and unknown enum values, in body order
    /// (before the failing field, if it failed).
    pub drift: Vec<crate::types::drift::Drift>,
}

/// The most drift one [`Reading`] lists.
pub const READING_LIMIT: usize = 500;

/// Reads `body` as `operation`'s typed output `T`; generated `read` functions call it per operation.
#[doc(hidden)]
pub fn read_as<T: serde::de::DeserializeOwned>(operation: &'static str, body: &[u8]) -> Reading {
    use crate::types::drift::{audit, Scope};
    let error = match crate::decode::decode::<T>(operation, body) {
        Ok(_) => None,
        Err(crate::Error::Decode(error)) => Some(*error),
        // Decoding gives only decode errors; anything else is reported at the body's root.
        Err(other) => Some(crate::DecodeError {
            operation,
            path: ".".into(),
            message: other.to_string(),
            body: String::from_utf8_lossy(body).into_owned(),
        }),
    };
    Reading { error, drift: audit::<T>(body, Scope::Everything, READING_LIMIT) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn param(name: &'static str, location: ParamLocation, required: bool, ty: ParamType) -> ParamSpec {
        ParamSpec { name, rust_name: name, location, required, ty, description: "" }
    }

    const TABLE: &[OperationSpec] = &[
        OperationSpec {
            name: "get_contact",
            area: "contacts",
            method: Method::Get,
            path: "/contacts/{key}",
            summary: "Returns a Contact",
            params: &[
                param("key", ParamLocation::Path, true, ParamType::String),
                param("attributes", ParamLocation::Query, false, ParamType::String),
                param("items_per_page", ParamLocation::Query, false, ParamType::Integer),
                param("since", ParamLocation::Query, false, ParamType::List(&ParamType::DateTime)),
            ],
            body: false,
            list: false,
            idempotent: true,
            deprecated: false,
            products: &["accounting-v31"],
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
            products: &["accounting-v31"],
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
        let request = spec.request([("key", "c?1"), ("attributes", "all")]).unwrap();
        assert_eq!(request.render_path().unwrap(), "/contacts/c%3F1");
        assert_eq!(request.query_value("attributes"), Some("all"));
        assert_eq!(request.products, ["accounting-v31"], "the request names the operation's products");
        assert!(matches!(spec.request([]), Err(CatalogError::MissingParameter { name: "key", .. })));
        assert!(matches!(spec.request([("key", "1"), ("bogus", "x")]), Err(CatalogError::UnknownParameter { .. })));
    }

    #[test]
    fn values_of_the_wrong_type_are_refused_before_sending() {
        let spec = find(TABLE, "get_contact").unwrap();
        let err = spec.request([("key", "1"), ("items_per_page", "lots")]).unwrap_err();
        assert_eq!(err.to_string(), "`get_contact` parameter `items_per_page` takes integer, not `lots`");
        assert!(spec.request([("key", "1"), ("items_per_page", "20")]).is_ok());
        let dates = [("key", "1"), ("since", "2026-01-01"), ("since", "2026-01-02T10:00:00Z")];
        assert!(spec.request(dates).is_ok());
        assert!(spec.request([("key", "1"), ("since", "yesterday")]).is_err());
    }

    #[test]
    fn types_check_their_values() {
        assert!(ParamType::Boolean.accepts("true") && !ParamType::Boolean.accepts("yes"));
        assert!(ParamType::Decimal.accepts("125.50") && !ParamType::Decimal.accepts("1,5"));
        assert!(ParamType::Date.accepts("2026-07-31") && !ParamType::Date.accepts("31/07/2026"));
        assert!(ParamType::Enum(&["a"]).accepts("new"), "Sage may add enum values");
        assert_eq!(ParamType::List(&ParamType::Integer).describe(), "list of integer (repeat the parameter)");
    }
}
