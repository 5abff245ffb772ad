//! Revocation endpoints. v3.1 revokes refresh tokens only and answers `{"success":"ok"}`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::oauth_error::OAuthError;
use super::params::Params;
use super::token::authenticate;
use crate::family::Family;
use crate::state::{lock, AppState};
use crate::stats::bump;

/// `POST` on the revoke endpoint of `family`.
pub(crate) async fn revoke(state: Arc<AppState>, family: Family, headers: HeaderMap, body: Bytes) -> Response {
    let outcome = revoke_token(&state, family, &headers, &body);
    match state.save_tokens().map_err(OAuthError::not_saved).and(outcome) {
        Ok(()) => axum::Json(json!({ "success": "ok" })).into_response(),
        Err(error) => error.into_response(),
    }
}

fn revoke_token(state: &AppState, family: Family, headers: &HeaderMap, body: &[u8]) -> Result<(), OAuthError> {
    let params = Params::parse(headers, body)?;
    let client_id = authenticate(state, headers, &params)?;
    let token = params.require("token")?;
    let mut grants = lock(&state.grants);
    let owns = |grant: Option<&super::grants::Grant>| {
        grant.is_some_and(|grant| grant.family == family && grant.client_id == client_id)
    };
    if owns(grants.refresh(token)) {
        grants.remove_refresh(token);
        bump(&state.counters.revocations);
    } else if owns(grants.access(token)) {
        if family == Family::AccountingV31 {
            return Err(OAuthError::unsupported_token_type("only refresh tokens can be revoked"));
        }
        grants.remove_access(token);
        bump(&state.counters.revocations);
    }
    // Unknown tokens are not an error (RFC 7009 §2.2): the caller's goal is already met.
    Ok(())
}
