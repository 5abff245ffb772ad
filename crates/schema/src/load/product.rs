//! `product.json`: the facts about one API that no endpoint carries.

use super::error::child;
use super::json::Node;
use super::reader::{Cx, Obj};
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
    pub(crate) area_crates: bool,
    /// The editions this directory describes (empty: it describes one product, itself).
    pub(crate) editions: Vec<EditionHeader>,
}

/// One entry of `editions`: what makes an edition a product of its own.
pub(crate) struct EditionHeader {
    pub(crate) name: String,
    pub(crate) title: String,
    pub(crate) crate_name: String,
    pub(crate) description: String,
    pub(crate) base_url: String,
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
    "editions",
    "area_crates",
];

const EDITION_KEYS: &[&str] = &["title", "crate", "description", "base_url"];

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
    let crate_name = package(cx, &obj);
    let shared_crate = cx.optional_str(&obj, "shared_crate");
    if let Some(shared) = &shared_crate {
        if !is_package_like(shared) || Some(shared) == crate_name.as_ref() {
            cx.error(&obj.at("shared_crate"), format!("`{shared}` is not a cargo package name other than `crate`"));
        }
    }
    let title = cx.required_str(&obj, "title");
    let description = cx.optional_str(&obj, "description").unwrap_or_default();
    let editions = editions(cx, &obj, name.as_deref(), crate_name.as_deref());
    let base_url = match (editions.is_empty(), obj.get("base_url")) {
        (true, _) => base_url(cx, &obj),
        (false, None) => Some(String::new()),
        (false, Some(_)) => {
            cx.error(&obj.at("base_url"), "with `editions`, each edition has its own `base_url`");
            None
        }
    };
    if !editions.is_empty() && shared_crate.is_some() {
        cx.error(&obj.at("shared_crate"), "with `editions`, `crate` is the crate the editions share");
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
        area_crates: cx.optional_bool(&obj, "area_crates").unwrap_or(false),
        editions,
    })
}

/// `editions`: edition name → title, crate, description and base URL. Every edition is a product of
/// its own, built on the crate the directory names (`crate`), with the operations and fields its
/// area files give it.
fn editions(cx: &mut Cx<'_>, obj: &Obj<'_>, family: Option<&str>, family_crate: Option<&str>) -> Vec<EditionHeader> {
    let mut editions: Vec<EditionHeader> = Vec::new();
    let entries = cx.map(obj, "editions");
    if obj.get("editions").is_some() && entries.len() < 2 {
        cx.error(&obj.at("editions"), "list two editions or more (one edition is a product: drop `editions`)");
    }
    for (name, node) in entries {
        let pointer = child(&obj.at("editions"), name);
        if !is_package_like(name) || Some(name.as_str()) == family {
            cx.error(
                &pointer,
                format!("`{name}` must be lowercase letters, digits and `-`, and not the directory's name"),
            );
        }
        let Some(edition) = cx.object(node, &pointer, EDITION_KEYS) else { continue };
        let crate_name = package(cx, &edition);
        let taken = |crate_name: &str| {
            Some(crate_name) == family_crate || editions.iter().any(|earlier| earlier.crate_name == crate_name)
        };
        if let Some(crate_name) = crate_name.as_deref().filter(|crate_name| taken(crate_name)) {
            cx.error(&edition.at("crate"), format!("`{crate_name}` is already the crate of another product here"));
        }
        let title = cx.required_str(&edition, "title");
        let description = cx.optional_str(&edition, "description").unwrap_or_default();
        let base_url = base_url(cx, &edition);
        if let (Some(title), Some(crate_name), Some(base_url)) = (title, crate_name, base_url) {
            editions.push(EditionHeader { name: name.clone(), title, crate_name, description, base_url });
        }
    }
    editions
}

/// The required `crate` key: a cargo package name.
fn package(cx: &mut Cx<'_>, obj: &Obj<'_>) -> Option<String> {
    let crate_name = cx.required_str(obj, "crate")?;
    if !is_package_like(&crate_name) {
        cx.error(&obj.at("crate"), format!("`{crate_name}` is not a cargo package name"));
    }
    Some(crate_name)
}

/// The required `base_url` key: an http(s) URL without a trailing `/`.
fn base_url(cx: &mut Cx<'_>, obj: &Obj<'_>) -> Option<String> {
    let url = cx.required_str(obj, "base_url")?;
    if !url.starts_with("https://") && !url.starts_with("http://") || url.ends_with('/') {
        cx.error(&obj.at("base_url"), format!("`{url}` must be an http(s) URL without a trailing `/`"));
    }
    Some(url)
}

/// A required string that must be one of `options`.
fn choice<T: Copy>(cx: &mut Cx<'_>, obj: &Obj<'_>, key: &str, options: &[(&str, T)]) -> Option<T> {
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
