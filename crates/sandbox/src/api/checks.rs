//! The rules Sage applies before looking at a request: a live bearer token of the right family, and
//! the headers that pick the tenant.

use std::time::Instant;

use axum::http::{header, HeaderMap};
use sage_schema::ir::HeaderPolicy;

use super::sage_error::SageError;
use crate::family::Family;
use crate::fixtures;
use crate::state::{lock, AppState};

fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok()).map(str::trim).filter(|value| !value.is_empty())
}

fn required<'a>(headers: &'a HeaderMap, name: &str) -> Result<&'a str, SageError> {
    header_text(headers, name).ok_or_else(|| SageError::missing_header(name))
}

/// A token issued by `family`'s identity server, not expired, for a live subscription.
pub(crate) fn bearer(state: &AppState, family: Family, headers: &HeaderMap) -> Result<(), SageError> {
    let value = header_text(headers, header::AUTHORIZATION.as_str())
        .ok_or_else(|| SageError::unauthorized("Authorization header with a Bearer token is required"))?;
    let token = value
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .ok_or_else(|| SageError::unauthorized("The Authorization header must use the Bearer scheme"))?;
    let grants = lock(&state.grants);
    let grant = grants.access(token).ok_or_else(|| SageError::unauthorized("The access token is not valid"))?;
    if grant.family != family {
        return Err(SageError::unauthorized("The access token was issued for another Sage API"));
    }
    if grant.is_expired(Instant::now()) {
        return Err(SageError::unauthorized("The access token has expired"));
    }
    if state.subscription_lapsed.load(std::sync::atomic::Ordering::Relaxed) {
        return Err(SageError::unauthorized("No active subscription. (MSE)"));
    }
    Ok(())
}

/// The tenant a request addresses: the v3.1 business, the v3 site or the Sage 200 company.
pub(crate) fn tenant(policy: HeaderPolicy, headers: &HeaderMap, lead_business: String) -> Result<String, SageError> {
    match policy {
        HeaderPolicy::Sage200 => {
            let company = required(headers, "X-Company")?;
            let site = required(headers, "X-Site")?;
            if site != fixtures::SAGE200_SITE_ID {
                return Err(SageError::forbidden(format!("You have no access to site {site}"), "X-Site"));
            }
            if !fixtures::SAGE200_COMPANIES.iter().any(|(id, _)| *id == company) {
                return Err(SageError::forbidden(format!("You have no access to company {company}"), "X-Company"));
            }
            Ok(company.to_owned())
        }
        HeaderPolicy::AccountingV3 => {
            let site = required(headers, "X-Site")?;
            required(headers, "Ocp-Apim-Subscription-Key")?;
            if site != fixtures::V3_SITE_ID {
                return Err(SageError::forbidden(format!("You have no access to site {site}"), "X-Site"));
            }
            Ok(site.to_owned())
        }
        HeaderPolicy::AccountingV31 => match header_text(headers, "X-Business") {
            None => Ok(lead_business),
            Some(id) if fixtures::V31_BUSINESSES.iter().any(|business| business.id == id) => Ok(id.to_owned()),
            Some(id) => Err(SageError::forbidden(format!("You have no access to business {id}"), "X-Business")),
        },
    }
}

/// v3.1 speaks JSON only: a body sent as anything else is refused with 415.
pub(crate) fn json_body(headers: &HeaderMap, body: &[u8]) -> Result<(), SageError> {
    if body.is_empty() {
        return Ok(());
    }
    let content_type = header_text(headers, header::CONTENT_TYPE.as_str()).unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if essence.eq_ignore_ascii_case("application/json") {
        Ok(())
    } else {
        Err(SageError::new(
            axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaType",
            "Request bodies must be sent as application/json",
        ))
    }
}
