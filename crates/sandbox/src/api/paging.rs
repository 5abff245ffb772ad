//! Lists in the product's paging style: Accounting's `$items` envelope or Sage 200's OData over a bare array.

use serde_json::{json, Value};

use sage_schema::ir;

use super::filters;
use super::query;
use super::sage_error::SageError;
use super::seed::Collections;

/// Accounting's largest page.
const MAX_ITEMS_PER_PAGE: usize = 200;
/// Accounting's default page size.
const DEFAULT_ITEMS_PER_PAGE: usize = 20;
/// Sage 200's default `$top`.
const DEFAULT_TOP: usize = 500;
/// Sage 200's largest `$top`.
const MAX_TOP: usize = 5_000;

/// Query parameters in request order.
pub(crate) type Query = [(String, String)];

pub(crate) fn param<'a>(query: &'a Query, name: &str) -> Option<&'a str> {
    query.iter().rev().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
}

fn number(query: &Query, name: &str, default: usize) -> Result<usize, SageError> {
    match param(query, name) {
        None => Ok(default),
        Some(text) => text.parse().map_err(|_| SageError::bad_request(format!("{name} must be a whole number"))),
    }
}

/// Accounting's `search`: keeps records with a string field containing the term (any case).
pub(crate) fn search<'a>(records: Vec<&'a Value>, query: &Query) -> Vec<&'a Value> {
    let Some(term) = param(query, "search").map(str::to_lowercase) else { return records };
    let matches = |record: &&Value| {
        record.as_object().is_some_and(|fields| {
            fields.values().any(|value| value.as_str().is_some_and(|text| text.to_lowercase().contains(&term)))
        })
    };
    records.into_iter().filter(matches).collect()
}

/// One page in the `$items` envelope; `$next`/`$back` are links relative to the API base, like Sage's.
pub(crate) fn envelope(records: &[&Value], query: &Query, path: &str) -> Result<Value, SageError> {
    let page = number(query, "page", 1)?.max(1);
    let per_page = number(query, "items_per_page", DEFAULT_ITEMS_PER_PAGE)?.clamp(1, MAX_ITEMS_PER_PAGE);
    let start = (page - 1).saturating_mul(per_page);
    let items: Vec<&Value> = records.iter().skip(start).take(per_page).copied().collect();
    let link = |target: usize| {
        let mut serializer = url::form_urlencoded::Serializer::new(String::new());
        for (key, value) in query.iter().filter(|(key, _)| key != "page" && key != "items_per_page") {
            serializer.append_pair(key, value);
        }
        serializer.append_pair("page", &target.to_string()).append_pair("items_per_page", &per_page.to_string());
        format!("{path}?{}", serializer.finish())
    };
    let next = (start.saturating_add(per_page) < records.len()).then(|| link(page + 1));
    let back = (page > 1).then(|| link(page - 1));
    Ok(json!({
        "$total": records.len(),
        "$page": page,
        "$next": next,
        "$back": back,
        "$itemsPerPage": per_page,
        "$items": items,
    }))
}

/// Sage 200's OData options, as Sage documents them: `$filter` (`eq ne gt ge lt le`, `and or not`,
/// parentheses, `contains`/`startswith`/`endswith`), `$orderby` (which `$skip` needs), `$skip`, `$top`
/// (at most 5000; more is refused), `$expand` (one level), `$select` and `$count`. Any other parameter,
/// and a field the list's records do not have, is refused. `fields` are the item model's fields, when
/// known. `shape` renders each record before `$expand` and `$select`. Returns the page and how many
/// records matched the filter (for `$count`).
pub(crate) fn odata(
    records: &[Value],
    query: &Query,
    data: &Collections,
    prefix: &str,
    fields: Option<&[ir::Field]>,
    shape: &dyn Fn(&mut Value),
) -> Result<(Value, usize), SageError> {
    if let Some((name, _)) = query.iter().find(|(name, _)| !ODATA_OPTIONS.contains(&name.as_str())) {
        return Err(SageError::bad_request(format!(
            "The query parameter '{name}' is not supported (Sage 200 lists take {})",
            ODATA_OPTIONS.join(", ")
        ))
        .with_source(name.as_str()));
    }
    let known = |field: &str, option: &str| -> Result<(), SageError> {
        let top = field.split(['/', '.']).next().unwrap_or_default();
        let in_model = fields.is_some_and(|fields| fields.iter().any(|known| known.json_name == top));
        let in_records = records.iter().any(|record| record.get(top).is_some());
        let expanded = param(query, "$expand").is_some_and(|list| list.split(',').any(|name| name.trim() == top));
        if in_model || in_records || expanded || (fields.is_none() && records.is_empty()) {
            Ok(())
        } else {
            Err(SageError::bad_request(format!("Could not find a property named '{field}' ({option})"))
                .with_source(option))
        }
    };
    let condition = match param(query, "$filter") {
        Some(filter) => {
            let expr = filters::parse(filter)?;
            expr.fields().into_iter().try_for_each(|field| known(field, "$filter"))?;
            Some(expr)
        }
        None => None,
    };
    let mut kept: Vec<&Value> =
        records.iter().filter(|record| condition.as_ref().is_none_or(|expr| expr.holds(record))).collect();
    match param(query, "$orderby") {
        Some(text) => {
            let keys = query::orderby(text)?;
            keys.iter().try_for_each(|key| known(key.field(), "$orderby"))?;
            query::order(&mut kept, &keys);
        }
        None if param(query, "$skip").is_some() => {
            return Err(SageError::bad_request("$skip can only be used together with $orderby").with_source("$skip"))
        }
        None => {}
    }
    if let Some(list) = param(query, "$select") {
        list.split(',').map(str::trim).filter(|name| !name.is_empty()).try_for_each(|name| known(name, "$select"))?;
    }
    let skip = number(query, "$skip", 0)?;
    let top = number(query, "$top", DEFAULT_TOP)?;
    if top > MAX_TOP {
        return Err(SageError::bad_request(format!("$top must be at most {MAX_TOP}")).with_source("$top"));
    }
    let matched = kept.len();
    let mut page = Vec::new();
    for record in kept.into_iter().skip(skip).take(top) {
        let mut record = record.clone();
        shape(&mut record);
        if let Some(list) = param(query, "$expand") {
            query::expand(&mut record, list, data, prefix)?;
        }
        page.push(match param(query, "$select") {
            Some(list) => query::select(&record, list),
            None => record,
        });
    }
    Ok((Value::Array(page), matched))
}

/// The query options a Sage 200 list takes.
const ODATA_OPTIONS: [&str; 7] = ["$filter", "$orderby", "$select", "$expand", "$top", "$skip", "$count"];

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(key, value)| ((*key).to_owned(), (*value).to_owned())).collect()
    }

    #[test]
    fn envelope_links_pages_and_caps_the_page_size() {
        let records: Vec<Value> = (0..5).map(|n| json!({ "id": n })).collect();
        let refs: Vec<&Value> = records.iter().collect();
        let page = envelope(&refs, &query(&[("page", "2"), ("items_per_page", "2"), ("search", "x")]), "/c").unwrap();
        assert_eq!(page["$items"], json!([{ "id": 2 }, { "id": 3 }]));
        assert_eq!(page["$next"], "/c?search=x&page=3&items_per_page=2");
        assert_eq!(page["$back"], "/c?search=x&page=1&items_per_page=2");
        let last = envelope(&refs, &query(&[("items_per_page", "1000")]), "/c").unwrap();
        assert_eq!((last["$itemsPerPage"].as_u64(), last["$next"].is_null()), (Some(200), true));
        assert!(envelope(&refs, &query(&[("page", "x")]), "/c").is_err());
    }

    #[test]
    fn odata_filters_skips_and_tops() {
        let records = vec![
            json!({"id": 1, "reference": "ABS001"}),
            json!({"id": 2, "reference": "B"}),
            json!({"id": 3, "reference": "C"}),
        ];
        let odata = |pairs: &[(&str, &str)]| {
            odata(&records, &query(pairs), &Collections::new(), "", None, &|_| {}).map(|(page, _)| page)
        };
        assert_eq!(odata(&[("$filter", "reference eq 'ABS001'")]).unwrap(), json!([records[0]]));
        assert_eq!(odata(&[("$filter", "id eq 2")]).unwrap(), json!([records[1]]));
        assert_eq!(odata(&[("$skip", "1"), ("$top", "1"), ("$orderby", "id")]).unwrap(), json!([records[1]]));
        assert_eq!(odata(&[("$skip", "1"), ("$orderby", "id desc")]).unwrap(), json!([records[1], records[0]]));
        assert!(odata(&[("$skip", "1")]).is_err(), "$skip needs $orderby");
        assert!(odata(&[("$filter", "contains(name,'A')")]).is_err(), "no such field");
        assert_eq!(odata(&[("$filter", "contains(reference,'abs')")]).unwrap(), json!([records[0]]));
        assert!(odata(&[("$top", "5001")]).is_err(), "$top above 5000 is refused");
        assert!(odata(&[("$filter", "id in (1,2)")]).is_err());
        assert!(odata(&[("filter", "id eq 1")]).is_err(), "unknown options are refused");
        let stamped = vec![
            json!({"id": 1, "date_time_updated": "2026-01-01T00:00:00.000"}),
            json!({"id": 2, "date_time_updated": "2026-01-01T00:00:01.000"}),
        ];
        let ids = |filter: &str| {
            let (page, _) =
                super::odata(&stamped, &query(&[("$filter", filter)]), &Collections::new(), "", None, &|_| {}).unwrap();
            page.as_array().unwrap().iter().map(|record| record["id"].as_u64().unwrap()).collect::<Vec<_>>()
        };
        assert_eq!(ids("date_time_updated gt 2026-01-01T00:00:00Z"), [2]);
        assert_eq!(ids("date_time_updated ge 2026-01-01T00:00:00Z"), [1, 2]);
        assert_eq!(ids("date_time_updated lt 2026-01-01T00:00:01Z and id ge 1"), [1]);
    }
}
