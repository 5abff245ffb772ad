//! The authorization endpoints and the consent page.
//!
//! Requests naming an unknown client or an unregistered redirect URI get a 400 here, never a redirect
//! (redirecting there would hand codes to strangers). Every later problem goes back to the client as
//! `redirect_uri?error=…&state=…`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Form, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use super::grants::{AuthRequest, Challenge, ChallengeMethod};
use super::oauth_error::OAuthError;
use crate::family::Family;
use crate::random;
use crate::state::{lock, AppState};
use crate::stats::bump;

/// The audience Sage ID wants for Sage 200.
const SAGE200_AUDIENCE: &str = "s200ukipd/sage200";
/// Seconds an authorization code lives (before scaling).
const CODE_SECONDS: u64 = 60;

/// A problem found after the redirect URI was trusted: reported to the client by redirect.
struct RedirectError {
    code: &'static str,
    description: String,
}

impl RedirectError {
    fn new(code: &'static str, description: impl Into<String>) -> Self {
        Self { code, description: description.into() }
    }
}

/// `GET` on an authorization endpoint of `family`.
pub(crate) async fn authorize(
    state: Arc<AppState>,
    family: Family,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    bump(&state.counters.authorize_requests);
    let param = |name: &str| query.get(name).map(String::as_str).filter(|value| !value.is_empty());
    let Some(client_id) = param("client_id").filter(|id| state.clients.is_known(id)) else {
        return OAuthError::invalid_request("client_id is missing or not registered").into_response();
    };
    let Some(redirect_uri) = param("redirect_uri").filter(|uri| state.clients.accepts_redirect(client_id, uri)) else {
        return OAuthError::invalid_request("redirect_uri is missing or not registered for this client")
            .into_response();
    };
    let state_param = param("state").map(str::to_owned);
    let request = match validate(family, client_id, redirect_uri, state_param.clone(), &param) {
        Ok(request) => request,
        Err(error) => {
            let mut pairs = vec![("error", error.code.to_owned()), ("error_description", error.description)];
            pairs.extend(state_param.map(|value| ("state", value)));
            return redirect(redirect_uri, &pairs);
        }
    };
    if state.auto_approve {
        return approve(&state, request);
    }
    let consent_id = random::token(24);
    let page = consent_page(&consent_id, &request);
    lock(&state.grants).add_consent(consent_id, request, Instant::now());
    ([(header::CACHE_CONTROL, "no-store")], Html(page)).into_response()
}

/// Checks everything but the client and redirect URI, which the caller already trusted.
fn validate<'a>(
    family: Family,
    client_id: &str,
    redirect_uri: &str,
    state: Option<String>,
    param: &impl Fn(&str) -> Option<&'a str>,
) -> Result<AuthRequest, RedirectError> {
    if param("response_type") != Some("code") {
        return Err(RedirectError::new("unsupported_response_type", "response_type must be code"));
    }
    let scope = param("scope").ok_or_else(|| RedirectError::new("invalid_request", "scope is required"))?;
    match family {
        Family::SageId => {
            if param("audience") != Some(SAGE200_AUDIENCE) {
                return Err(RedirectError::new("invalid_request", format!("audience must be {SAGE200_AUDIENCE}")));
            }
        }
        Family::AccountingV3 | Family::AccountingV31 => {
            if !scope.split(' ').all(|part| matches!(part, "full_access" | "readonly")) {
                return Err(RedirectError::new("invalid_scope", "scope must be full_access or readonly"));
            }
        }
    }
    let challenge = match param("code_challenge") {
        None => None,
        Some(value) => Some(parse_challenge(value, param("code_challenge_method"))?),
    };
    let country = param("country").unwrap_or("gb").to_ascii_lowercase();
    Ok(AuthRequest {
        family,
        client_id: client_id.to_owned(),
        redirect_uri: redirect_uri.to_owned(),
        scope: scope.to_owned(),
        state,
        challenge,
        country,
    })
}

fn parse_challenge(value: &str, method: Option<&str>) -> Result<Challenge, RedirectError> {
    let method = match method {
        None | Some("plain") => ChallengeMethod::Plain,
        Some("S256") => ChallengeMethod::S256,
        Some(_) => return Err(RedirectError::new("invalid_request", "code_challenge_method must be S256 or plain")),
    };
    let well_formed = (43..=128).contains(&value.len())
        && value.bytes().all(|byte| byte.is_ascii_alphanumeric() || b"-._~".contains(&byte));
    if !well_formed {
        return Err(RedirectError::new("invalid_request", "code_challenge must be 43 to 128 unreserved characters"));
    }
    Ok(Challenge { value: value.to_owned(), method })
}

/// Issues a code and sends the browser back to the client.
fn approve(state: &AppState, request: AuthRequest) -> Response {
    let code = random::token(32);
    let now = Instant::now();
    let lifetime = state.time_scale.scale(CODE_SECONDS);
    let expires_at = now.checked_add(lifetime).unwrap_or(now);
    let mut pairs = vec![("code", code.clone())];
    pairs.extend(request.state.clone().map(|value| ("state", value)));
    if request.family == Family::AccountingV3 {
        pairs.push(("country", request.country.clone()));
    }
    let redirect_uri = request.redirect_uri.clone();
    lock(&state.grants).add_code(code, request, expires_at, now);
    redirect(&redirect_uri, &pairs)
}

/// The consent form's answer.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct ConsentAnswer {
    consent: String,
    decision: String,
}

/// `POST /consent`: Allow issues a code, anything else answers `access_denied`.
pub(crate) async fn consent(State(state): State<Arc<AppState>>, Form(answer): Form<ConsentAnswer>) -> Response {
    let Some(request) = lock(&state.grants).take_consent(&answer.consent, Instant::now()) else {
        return (StatusCode::BAD_REQUEST, Html("<p>This consent request is unknown, answered or expired.</p>"))
            .into_response();
    };
    if answer.decision == "allow" {
        return approve(&state, request);
    }
    let mut pairs = vec![("error", "access_denied".to_owned())];
    pairs.extend(request.state.map(|value| ("state", value)));
    redirect(&request.redirect_uri, &pairs)
}

/// A `302 Found` to `uri` with `pairs` appended to its query.
fn redirect(uri: &str, pairs: &[(&str, String)]) -> Response {
    let Ok(mut url) = url::Url::parse(uri) else {
        return OAuthError::invalid_request("redirect_uri is not a valid URL").into_response();
    };
    url.query_pairs_mut().extend_pairs(pairs.iter().map(|(key, value)| (*key, value.as_str())));
    (StatusCode::FOUND, [(header::LOCATION, url.to_string()), (header::CACHE_CONTROL, "no-store".to_owned())])
        .into_response()
}

fn consent_page(consent_id: &str, request: &AuthRequest) -> String {
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sage sandbox: allow access?</title></head>
<body>
<h1>Allow access?</h1>
<p>The application <strong>{client}</strong> asks for <strong>{scope}</strong> access to the sandbox's demo data.</p>
<form method="post" action="/consent">
<input type="hidden" name="consent" value="{consent}">
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>
</body></html>
"#,
        client = escape_html(&request.client_id),
        scope = escape_html(&request.scope),
        consent = escape_html(consent_id),
    )
}

pub(super) fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
