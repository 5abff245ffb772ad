//! Matching request paths against a product's base path and operation templates.

use sage_schema::ir;

/// The path of a base URL with its `{variables}` left in, e.g. `/{country}/sageone`.
pub(crate) fn base_path(base_url: &str) -> String {
    let without_scheme = base_url.split_once("://").map_or(base_url, |(_, rest)| rest);
    let path = without_scheme.find('/').map_or("", |slash| &without_scheme[slash..]);
    path.trim_end_matches('/').to_owned()
}

/// The base path as a client should use it: variables filled with sandbox defaults (`{country}` → `uki`).
pub(crate) fn concrete_base_path(base_url: &str) -> String {
    segments(&base_path(base_url))
        .map(|segment| if is_variable(segment) { "uki" } else { segment })
        .fold(String::new(), |path, segment| path + "/" + segment)
}

fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|segment| !segment.is_empty())
}

fn is_variable(segment: &str) -> bool {
    segment.starts_with('{') && segment.ends_with('}')
}

/// If `path` starts with the base path (variables match any one segment), the rest, e.g. `/contacts/1`.
pub(crate) fn strip_base<'a>(base: &str, path: &'a str) -> Option<&'a str> {
    let mut rest = path;
    for expected in segments(base) {
        let trimmed = rest.strip_prefix('/')?;
        let (segment, tail) = trimmed.split_at(trimmed.find('/').unwrap_or(trimmed.len()));
        if segment.is_empty() || (!is_variable(expected) && segment != expected) {
            return None;
        }
        rest = tail;
    }
    Some(rest)
}

/// Path parameters of `path` under `template`, or `None` when it does not match.
pub(crate) fn match_template(template: &str, path: &str) -> Option<Vec<(String, String)>> {
    let mut wanted = segments(template);
    let mut given = segments(path);
    let mut params = Vec::new();
    loop {
        match (wanted.next(), given.next()) {
            (None, None) => return Some(params),
            (Some(expected), Some(actual)) if is_variable(expected) => {
                params.push((expected[1..expected.len() - 1].to_owned(), actual.to_owned()));
            }
            (Some(expected), Some(actual)) if expected == actual => {}
            _ => return None,
        }
    }
}

/// Whether a template ends in a `{parameter}` (an item rather than a collection or action).
pub(crate) fn ends_with_variable(template: &str) -> bool {
    segments(template).last().is_some_and(is_variable)
}

/// The template without its last segment.
pub(crate) fn parent(path: &str) -> &str {
    path.trim_end_matches('/').rsplit_once('/').map_or("", |(parent, _)| parent)
}

/// The last segment of a path (`/accounts/v3/contacts` → `contacts`).
pub(crate) fn last_segment(path: &str) -> &str {
    segments(path).last().unwrap_or_default()
}

/// Every operation of a product, across areas and resources.
pub(crate) fn operations(product: &ir::Product) -> impl Iterator<Item = &ir::Operation> {
    product.areas.iter().flat_map(|area| &area.resources).flat_map(|resource| &resource.operations)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_paths_keep_and_fill_variables() {
        assert_eq!(base_path("https://api.columbus.sage.com/{country}/sageone"), "/{country}/sageone");
        assert_eq!(concrete_base_path("https://api.columbus.sage.com/{country}/sageone"), "/uki/sageone");
        assert_eq!(base_path("https://api.accounting.sage.com/v3.1/"), "/v3.1");
    }

    #[test]
    fn strips_bases_with_variables() {
        assert_eq!(strip_base("/{country}/sageone", "/gb/sageone/accounts/v3/contacts"), Some("/accounts/v3/contacts"));
        assert_eq!(strip_base("/v3.1", "/v3.1"), Some(""));
        assert_eq!(strip_base("/v3.1", "/v3.10/contacts"), None);
        assert_eq!(strip_base("/{country}/sageone", "//sageone/x"), None);
    }

    #[test]
    fn matches_templates_and_extracts_parameters() {
        let params = match_template("/customers/{customerId}/alerts", "/customers/7/alerts").unwrap();
        assert_eq!(params, [("customerId".to_owned(), "7".to_owned())]);
        assert!(match_template("/customers/{Id}", "/customers").is_none());
        assert!(match_template("/customers", "/customers/1").is_none());
        assert!(ends_with_variable("/customers/{Id}"));
        assert_eq!(parent("/customers/{Id}"), "/customers");
    }
}
