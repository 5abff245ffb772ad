//! Token endpoints: the `authorization_code` and `refresh_token` grants of all three families.

use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::grants::{deadline, AuthRequest, ChallengeMethod, Grant, Grants};
use super::oauth_error::OAuthError;
use super::params::{client_credentials, Params};
use crate::clients::ClientRejection;
use crate::family::Family;
use crate::fixtures;
use crate::random;
use crate::state::{lock, AppState};
use crate::stats::bump;

/// `POST` on the token endpoint of `family`.
pub(crate) async fn token(state: Arc<AppState>, family: Family, headers: HeaderMap, body: Bytes) -> Response {
    bump(&state.counters.token_requests);
    let outcome = grant(&state, family, &headers, &body);
    // Saved even after an error: refusing an expired refresh token forgets it.
    let outcome = state.save_tokens().map_err(OAuthError::not_saved).and(outcome);
    match outcome {
        Ok(body) => ([(header::CACHE_CONTROL, "no-store")], axum::Json(body)).into_response(),
        Err(error) => {
            bump(&state.counters.token_errors);
            error.into_response()
        }
    }
}

fn grant(state: &AppState, family: Family, headers: &HeaderMap, body: &[u8]) -> Result<Value, OAuthError> {
    let params = Params::parse(headers, body)?;
    let client_id = authenticate(state, headers, &params)?;
    match params.require("grant_type")? {
        "authorization_code" => {
            let body = exchange_code(state, family, &client_id, &params)?;
            bump(&state.counters.authorization_code_grants);
            Ok(body)
        }
        "refresh_token" => {
            let body = refresh(state, family, &client_id, &params)?;
            bump(&state.counters.refresh_grants);
            Ok(body)
        }
        "client_credentials" | "password" => {
            Err(OAuthError::unauthorized_client("this client may only use authorization_code and refresh_token"))
        }
        other => Err(OAuthError::unsupported_grant_type(format!("grant_type {other} is not supported"))),
    }
}

/// Checks the client's credentials and returns its id.
pub(crate) fn authenticate(state: &AppState, headers: &HeaderMap, params: &Params) -> Result<String, OAuthError> {
    let (client_id, secret) = client_credentials(headers, params)?;
    match state.clients.authenticate(&client_id, secret.as_deref()) {
        Ok(()) => Ok(client_id),
        Err(ClientRejection::Unknown) => Err(OAuthError::invalid_client("unknown client")),
        Err(ClientRejection::BadSecret) => Err(OAuthError::invalid_client("client authentication failed")),
    }
}

fn exchange_code(state: &AppState, family: Family, client_id: &str, params: &Params) -> Result<Value, OAuthError> {
    let code = params.require("code")?;
    let now = Instant::now();
    let mut grants = lock(&state.grants);
    let request = grants
        .take_code(code, now)
        .ok_or_else(|| OAuthError::invalid_grant("the authorization code is invalid, expired or already used"))?;
    if request.family != family {
        return Err(OAuthError::invalid_grant("the authorization code was issued by another authorization server"));
    }
    if request.client_id != client_id {
        return Err(OAuthError::invalid_grant("the authorization code was issued to another client"));
    }
    if params.get("redirect_uri") != Some(request.redirect_uri.as_str()) {
        return Err(OAuthError::invalid_grant("redirect_uri does not match the authorization request"));
    }
    verify_pkce(&request, params.get("code_verifier"))?;
    let refresh_token = new_refresh_token(state, &mut grants, family, client_id, &request.scope, now);
    Ok(issue(state, &mut grants, family, client_id, &request.scope, refresh_token, now))
}

fn verify_pkce(request: &AuthRequest, verifier: Option<&str>) -> Result<(), OAuthError> {
    let Some(challenge) = &request.challenge else { return Ok(()) };
    let verifier = verifier.ok_or_else(|| OAuthError::invalid_grant("code_verifier is required"))?;
    let derived = match challenge.method {
        ChallengeMethod::Plain => verifier.to_owned(),
        ChallengeMethod::S256 => URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())),
    };
    if bool::from(derived.as_bytes().ct_eq(challenge.value.as_bytes())) {
        Ok(())
    } else {
        Err(OAuthError::invalid_grant("code_verifier does not match the code_challenge"))
    }
}

/// Why a refresh token is refused that the sandbox does not know. Without a data file, a restart is
/// the likeliest cause: say so, and what to do, instead of leaving a stale sign-in unexplained.
fn unknown_refresh_token(state: &AppState) -> &'static str {
    if state.data.is_some() {
        "the refresh token is invalid, revoked or already used"
    } else {
        "the refresh token is invalid, revoked, already used, or was issued before this sandbox restarted: \
         it keeps sign-ins in memory only (started without --data), so sign in again, or start it with \
         --data FILE to keep them across restarts"
    }
}

fn refresh(state: &AppState, family: Family, client_id: &str, params: &Params) -> Result<Value, OAuthError> {
    let presented = params.require("refresh_token")?;
    let now = Instant::now();
    let mut grants = lock(&state.grants);
    let grant = grants
        .refresh(presented)
        .filter(|grant| grant.family == family && grant.client_id == client_id)
        .cloned()
        .ok_or_else(|| {
            if grants.was_revoked(presented) {
                OAuthError::invalid_grant("the user revoked this app's access on the connected-apps page")
            } else {
                OAuthError::invalid_grant(unknown_refresh_token(state))
            }
        })?;
    if grant.is_expired(now) {
        grants.remove_refresh(presented);
        return Err(OAuthError::invalid_grant("the refresh token has expired"));
    }
    let refresh_token = if family.rotates_refresh_tokens() {
        grants.remove_refresh(presented);
        new_refresh_token(state, &mut grants, family, client_id, &grant.scope, now)
    } else {
        presented.to_owned()
    };
    Ok(issue(state, &mut grants, family, client_id, &grant.scope, refresh_token, now))
}

fn new_refresh_token(
    state: &AppState,
    grants: &mut Grants,
    family: Family,
    client_id: &str,
    scope: &str,
    now: Instant,
) -> String {
    let token = random::token(48);
    let expires_at = deadline(now, family.refresh_seconds().map(|seconds| state.time_scale.scale(seconds)));
    let grant = Grant { family, client_id: client_id.to_owned(), scope: scope.to_owned(), expires_at };
    grants.add_refresh(token.clone(), grant);
    token
}

/// Records a new access token and writes the family's token response.
fn issue(
    state: &AppState,
    grants: &mut Grants,
    family: Family,
    client_id: &str,
    scope: &str,
    refresh_token: String,
    now: Instant,
) -> Value {
    let access_token = random::token(family.access_token_bytes());
    let lifetime = state.time_scale.scale(family.access_seconds());
    let grant = Grant {
        family,
        client_id: client_id.to_owned(),
        scope: scope.to_owned(),
        expires_at: deadline(now, Some(lifetime)),
    };
    grants.add_access(access_token.clone(), grant, now);
    let expires_in = state.time_scale.reported_seconds(family.access_seconds());
    let mut body = Map::new();
    body.insert("access_token".into(), access_token.into());
    body.insert("expires_in".into(), expires_in.into());
    body.insert("refresh_token".into(), refresh_token.into());
    body.insert("scope".into(), scope.into());
    match family {
        Family::SageId => {
            body.insert("token_type".into(), "Bearer".into());
            body.insert("id_token".into(), id_token(&state.base_url, client_id, expires_in).into());
        }
        Family::AccountingV3 => {
            body.insert("token_type".into(), "bearer".into());
            body.insert("resource_owner_id".into(), fixtures::V3_SITE_ID.into());
            body.insert("requested_by_id".into(), fixtures::USER_ID.into());
        }
        Family::AccountingV31 => {
            let refresh_seconds = family.refresh_seconds().unwrap_or_default();
            body.insert("token_type".into(), "bearer".into());
            body.insert("refresh_token_expires_in".into(), state.time_scale.reported_seconds(refresh_seconds).into());
            body.insert("requested_by_id".into(), fixtures::USER_ID.into());
        }
    }
    Value::Object(body)
}

/// An unsigned (`alg: none`) JWT about the demo user: the shape Sage ID returns, nothing to trust.
fn id_token(issuer: &str, client_id: &str, expires_in: u64) -> String {
    let issued_at = SystemTime::now().duration_since(UNIX_EPOCH).map(|elapsed| elapsed.as_secs()).unwrap_or_default();
    let header = json!({ "alg": "none", "typ": "JWT" });
    let claims = json!({
        "iss": format!("{issuer}/"),
        "sub": format!("sandbox|{}", fixtures::USER_ID),
        "aud": client_id,
        "iat": issued_at,
        "exp": issued_at + expires_in,
        "email": fixtures::USER_EMAIL,
        "name": "Demo User",
    });
    format!("{}.{}.", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(claims.to_string()))
}
