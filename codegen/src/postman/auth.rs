//! Sage's OAuth 2.0 settings as Postman's collection-level authorization.
//!
//! sage-codegen does not depend on sage-core, so the endpoints are repeated here; the workspace
//! test `tests/tests/postman_profiles.rs` fails when they drift from `sage_core::auth::AuthProfile`.

use serde_json::{json, Value};

use crate::ir::AuthProfile;

use super::Variable;

/// How the client id and secret reach the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuthentication {
    /// Form fields in the request body (Sage 200, Accounting v3.1).
    Body,
    /// An HTTP Basic `Authorization` header (Accounting v3).
    Header,
}

/// One Sage identity server, as Postman needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OAuthSettings {
    /// The identity server these settings are for.
    pub profile: AuthProfile,
    /// Consent page.
    pub authorize_url: &'static str,
    /// Token endpoint (Accounting v3: the European one; North America uses `oauth.na.sageone.com`).
    pub token_url: &'static str,
    /// Scopes requested.
    pub scopes: &'static [&'static str],
    /// Extra parameters of the authorize request (Sage 200's `audience`).
    pub authorize_params: &'static [(&'static str, &'static str)],
    /// Where client credentials go.
    pub client_authentication: ClientAuthentication,
    /// Whether the server supports PKCE (offered in Postman, not forced).
    pub pkce: bool,
}

/// Every Sage identity server, sorted by profile name.
pub const OAUTH_PROFILES: &[OAuthSettings] = &[ACCOUNTING_V3, ACCOUNTING_V31, SAGE200];

/// Accounting v3 (European token server).
const ACCOUNTING_V3: OAuthSettings = OAuthSettings {
    profile: AuthProfile::AccountingV3,
    authorize_url: "https://www.sageone.com/oauth2/auth",
    token_url: "https://oauth.eu.sageone.com/token",
    scopes: &["full_access"],
    authorize_params: &[],
    client_authentication: ClientAuthentication::Header,
    pkce: false,
};

/// Accounting v3.1.
const ACCOUNTING_V31: OAuthSettings = OAuthSettings {
    profile: AuthProfile::AccountingV31,
    authorize_url: "https://www.sageone.com/oauth2/auth/central?filter=apiv3.1",
    token_url: "https://oauth.accounting.sage.com/token",
    scopes: &["full_access"],
    authorize_params: &[],
    client_authentication: ClientAuthentication::Body,
    pkce: true,
};

/// Sage ID, for Sage 200.
const SAGE200: OAuthSettings = OAuthSettings {
    profile: AuthProfile::Sage200,
    authorize_url: "https://id.sage.com/authorize",
    token_url: "https://id.sage.com/oauth/token",
    scopes: &["openid", "profile", "email", "offline_access"],
    authorize_params: &[("audience", "s200ukipd/sage200")],
    client_authentication: ClientAuthentication::Body,
    pkce: true,
};

/// The settings for a product's `auth_profile`.
pub fn oauth_settings(profile: AuthProfile) -> &'static OAuthSettings {
    match profile {
        AuthProfile::AccountingV3 => &ACCOUNTING_V3,
        AuthProfile::AccountingV31 => &ACCOUNTING_V31,
        AuthProfile::Sage200 => &SAGE200,
    }
}

/// Postman's own callback page, which Sage must have registered as a redirect URI for the app.
const POSTMAN_CALLBACK: &str = "https://oauth.pstmn.io/v1/callback";

pub(super) fn variables(settings: &OAuthSettings) -> Vec<Variable> {
    vec![
        Variable::new("auth_url", settings.authorize_url, "OAuth 2.0 authorize (consent) URL."),
        Variable::new(
            "access_token_url",
            settings.token_url,
            "OAuth 2.0 token URL (Accounting v3 in North America: https://oauth.na.sageone.com/token).",
        ),
        Variable::new("client_id", "", "Your app's client id."),
        Variable::new("client_secret", "", "Your app's client secret (keep it in the current value only)."),
        Variable::new("redirect_uri", POSTMAN_CALLBACK, "A redirect URI registered for your app."),
    ]
}

/// The collection-level `auth` block: authorization code grant with the profile's settings.
pub(super) fn auth_block(settings: &OAuthSettings) -> Value {
    let client_authentication = match settings.client_authentication {
        ClientAuthentication::Body => "body",
        ClientAuthentication::Header => "header",
    };
    let authorize_params: Vec<Value> = settings
        .authorize_params
        .iter()
        .map(|(key, value)| json!({ "key": key, "value": value, "enabled": true, "send_as": "request_url" }))
        .collect();
    let mut entries = vec![
        entry("grant_type", json!("authorization_code")),
        entry("authUrl", json!("{{auth_url}}")),
        entry("accessTokenUrl", json!("{{access_token_url}}")),
        entry("clientId", json!("{{client_id}}")),
        entry("clientSecret", json!("{{client_secret}}")),
        entry("redirect_uri", json!("{{redirect_uri}}")),
        entry("scope", json!(settings.scopes.join(" "))),
        entry("client_authentication", json!(client_authentication)),
        entry("authRequestParams", json!(authorize_params)),
        entry("addTokenTo", json!("header")),
        entry("tokenName", json!("sage")),
    ];
    if settings.pkce {
        // Used once the grant type is switched to "Authorization Code (With PKCE)".
        entries.push(entry("challengeAlgorithm", json!("S256")));
    }
    json!({ "type": "oauth2", "oauth2": entries })
}

fn entry(key: &str, value: Value) -> Value {
    let kind = match value {
        Value::Array(_) => "any",
        Value::Bool(_) => "boolean",
        _ => "string",
    };
    json!({ "key": key, "value": value, "type": kind })
}
