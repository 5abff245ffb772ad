//! Facts the specs leave out, filled in on import: the paging parameters of list operations.
//!
//! Accounting specs forget `page`/`items_per_page` on some lists, and no Sage 200 spec lists the
//! OData query options its lists all accept.

use serde_json::{json, Map, Value};

/// Query parameters every list operation of an `envelope`-paged product takes.
const ENVELOPE: &[(&str, &str, &str)] = &[
    ("page", "integer", "Page to return, starting at 1 (default 1)."),
    ("items_per_page", "integer", "Items per page (default 20, max 200)."),
];

/// OData query options every list operation of an `odata`-paged product takes.
const ODATA: &[(&str, &str, &str)] = &[
    (
        "$filter",
        "string",
        "OData filter expression, e.g. `balance gt 100` (dates in UTC with `Z`, enum values quoted).",
    ),
    ("$select", "string", "Comma-separated fields to return."),
    ("$orderby", "string", "Comma-separated fields to sort by, each optionally followed by `asc` or `desc`."),
    ("$top", "integer", "Maximum number of items to return (the API defaults to 500)."),
    ("$skip", "integer", "Number of items to skip."),
    ("$expand", "string", "Comma-separated related records to include inline."),
    ("$count", "boolean", "Whether to include the total count of matching items."),
];

/// Adds the paging parameters a list operation lacks. Parameters the spec has are left as they are.
pub fn add_list_params(params: &mut Map<String, Value>, envelope: bool) {
    let wanted = if envelope { ENVELOPE } else { ODATA };
    for (name, ty, description) in wanted {
        if params.contains_key(*name) {
            continue;
        }
        let mut param = json!({ "in": "query", "type": ty, "description": description });
        if let Some(rust) = name.strip_prefix('$') {
            param["rust_name"] = rust.into();
        }
        params.insert(name.to_string(), param);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_parameters_win_over_filled_in_ones() {
        let mut params = Map::new();
        params.insert("page".into(), json!({"in": "query", "type": "integer", "description": "from the spec"}));
        add_list_params(&mut params, true);
        assert_eq!(params["page"]["description"], "from the spec");
        assert!(params["items_per_page"]["description"].as_str().unwrap().contains("max 200"));
    }

    #[test]
    fn odata_options_get_rust_names() {
        let mut params = Map::new();
        add_list_params(&mut params, false);
        assert_eq!(params.len(), 7);
        assert_eq!(params["$orderby"]["rust_name"], "orderby");
    }
}
