//! Routes answered from the sandbox's fixtures rather than the schemas: the v3.1 user and businesses,
//! and Sage 200's list of sites and companies.

use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::paging;
use super::sage_error::SageError;
use super::Shapes;
use crate::fixtures::{self, BusinessFixture};

fn business(business: &BusinessFixture, lead: &str) -> Value {
    json!({
        "id": business.id,
        "displayed_as": business.name,
        "$path": format!("/businesses/{}", business.id),
        "name": business.name,
        "is_lead": business.id == lead,
        "country": { "id": "GB", "displayed_as": "United Kingdom (GB)" },
        "address_line_1": "1 Sandbox Street",
        "city": "Newcastle upon Tyne",
        "postal_code": "NE1 1AA",
        "owner": { "id": fixtures::USER_ID, "displayed_as": "Demo User" },
    })
}

fn user() -> Value {
    json!({
        "id": fixtures::USER_ID,
        "displayed_as": "Demo User",
        "$path": "/user",
        "first_name": "Demo",
        "last_name": "User",
        "initials": "DU",
        "email": fixtures::USER_EMAIL,
        "locale": "en-GB",
    })
}

/// `PUT /user` and `PUT /businesses/{id}` of v3.1: the fixture with the body's fields, answered but not
/// kept (the user and businesses are fixed); `None` for other paths.
pub(crate) fn v31_update(path: &str, body: &Value, lead: &str, shapes: Shapes) -> Option<Response> {
    let segments: Vec<&str> = path.split('/').filter(|segment| !segment.is_empty()).collect();
    let mut current = match segments.as_slice() {
        ["user"] => shapes.user(user()),
        ["businesses", id] => match fixtures::V31_BUSINESSES.iter().find(|b| b.id == *id) {
            Some(found) => business(found, lead),
            None => return Some(SageError::not_found(format!("No business with id {id} was found")).into_response()),
        },
        _ => return None,
    };
    if let (Value::Object(current), Value::Object(fields)) = (&mut current, body) {
        current.extend(fields.iter().filter(|(name, _)| *name != "id").map(|(n, v)| (n.clone(), v.clone())));
    }
    Some(axum::Json(current).into_response())
}

/// `GET /businesses`, `/businesses/lead`, `/businesses/{id}` and `/user` of v3.1; `None` for other paths.
pub(crate) fn v31(path: &str, query: &paging::Query, lead: &str, shapes: Shapes) -> Option<Response> {
    let segments: Vec<&str> = path.split('/').filter(|segment| !segment.is_empty()).collect();
    let response = match segments.as_slice() {
        ["user"] => axum::Json(shapes.user(user())).into_response(),
        ["businesses"] => {
            let all: Vec<Value> = fixtures::V31_BUSINESSES.iter().map(|b| business(b, lead)).collect();
            match shapes.businesses(&all, query) {
                Ok(page) => axum::Json(page).into_response(),
                Err(error) => error.into_response(),
            }
        }
        ["businesses", id] => {
            let wanted = if *id == "lead" { lead } else { id };
            match fixtures::V31_BUSINESSES.iter().find(|b| b.id == wanted) {
                Some(found) => axum::Json(business(found, lead)).into_response(),
                None => SageError::not_found(format!("No business with id {id} was found")).into_response(),
            }
        }
        _ => return None,
    };
    Some(response)
}

/// Sage 200 `GET /sites`: one row per company the user can reach on each site, as the spec's
/// `Site` model has it.
pub(crate) fn sage200_sites() -> Response {
    let rows: Vec<Value> = fixtures::SAGE200_COMPANIES
        .iter()
        .map(|(id, name)| {
            json!({
                "site_id": fixtures::SAGE200_SITE_ID,
                "site_name": "Sandbox Site",
                "site_short_name": "SANDBOX",
                // An integer, as the spec's `Site.company_id` is; `X-Company` carries its digits.
                "company_id": id.parse::<u64>().unwrap_or_default(),
                "company_name": name,
            })
        })
        .collect();
    axum::Json(Value::Array(rows)).into_response()
}
