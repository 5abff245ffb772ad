//! `product.json`: the facts about one API that no endpoint carries.

use super::json::Node;
use super::reader::Cx;
use crate::ir::{AuthProfile, DecimalFormat, HeaderPolicy, Pagination};

/// `product.json` after reading; areas are added by the caller.
pub(crate) struct Header {
    pub(crate) name: String,
    pub(crate) title: String,
    pub(crate) crate_name: String,
    pub(crate) shared_crate: Option<String>,
    pub(crate) description: String,
    pub(crate) base_url: String,
    pub(crate) auth_profile: AuthProfile,
    pub(crate) header_policy: HeaderPolicy,
    pub(crate) pagination: Pagination,
    pub(crate) decimal_format: DecimalFormat,
}

const KEYS: &[&str] = &[
    "name",
    "title",
    "crate",
    "shared_crate",
    "description",
    "base_url",
    "auth_profile",
    "header_policy",
    "pagination",
    "decimal_format",
];

/// Reads `product.json`; `dir_name` is the directory it sits in, which `name` must match.
pub(crate) fn parse_header(cx: &mut Cx<'_>, node: &Node, dir_name: Option<&str>) -> Option<Header> {
    let obj = cx.object(node, "", KEYS)?;
    let name = cx.required_str(&obj, "name");
    if let (Some(name), Some(dir)) = (&name, dir_name) {
        if name != dir {
            cx.error(&obj.at("name"), format!("`{name}` must match the directory name `{dir}`"));
        }
    }
    if let Some(name) = &name {
        if !is_package_like(name) {
            cx.error(&obj.at("name"), format!("`{name}` must be lowercase letters, digits and `-`"));
        }
    }
    let crate_name = cx.required_str(&obj, "crate");
    if let Some(crate_name) = &crate_name {
        if !is_package_like(crate_name) {
            cx.error(&obj.at("crate"), format!("`{crate_name}` is not a cargo package name"));
        }
    }
    let shared_crate = cx.optional_str(&obj, "shared_crate");
    if let Some(shared) = &shared_crate {
        if !is_package_like(shared) || Some(shared) == crate_name.as_ref() {
            cx.error(&obj.at("shared_crate"), format!("`{shared}` is not a cargo package name other than `crate`"));
        }
    }
    let title = cx.required_str(&obj, "title");
    let description = cx.optional_str(&obj, "description").unwrap_or_default();
    let base_url = cx.required_str(&obj, "base_url");
    if let Some(url) = &base_url {
        if !url.starts_with("https://") && !url.starts_with("http://") || url.ends_with('/') {
            cx.error(&obj.at("base_url"), format!("`{url}` must be an http(s) URL without a trailing `/`"));
        }
    }
    let profiles = [AuthProfile::Sage200, AuthProfile::AccountingV3, AuthProfile::AccountingV31];
    let auth_profile = choice(cx, &obj, "auth_profile", &profiles.map(|profile| (profile.name(), profile)));
    let header_policy = choice(
        cx,
        &obj,
        "header_policy",
        &[
            ("sage200", HeaderPolicy::Sage200),
            ("accounting-v3", HeaderPolicy::AccountingV3),
            ("accounting-v31", HeaderPolicy::AccountingV31),
        ],
    );
    let pagination =
        choice(cx, &obj, "pagination", &[("envelope", Pagination::Envelope), ("odata", Pagination::OData)]);
    let decimal_format =
        choice(cx, &obj, "decimal_format", &[("string", DecimalFormat::String), ("number", DecimalFormat::Number)]);
    Some(Header {
        name: name?,
        title: title?,
        crate_name: crate_name?,
        shared_crate,
        description,
        base_url: base_url?,
        auth_profile: auth_profile?,
        header_policy: header_policy?,
        pagination: pagination?,
        decimal_format: decimal_format?,
    })
}

/// A required string that must be one of `options`.
fn choice<T: Copy>(cx: &mut Cx<'_>, obj: &super::reader::Obj<'_>, key: &str, options: &[(&str, T)]) -> Option<T> {
    let text = cx.required_str(obj, key)?;
    let found = options.iter().find(|(name, _)| *name == text).map(|(_, value)| *value);
    if found.is_none() {
        let names: Vec<_> = options.iter().map(|(name, _)| *name).collect();
        cx.error(&obj.at(key), format!("`{text}` is not one of: {}", names.join(", ")));
    }
    found
}

/// Lowercase ASCII letters, digits and dashes, starting with a letter.
fn is_package_like(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}
