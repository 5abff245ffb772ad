//! What differs between Sage's identity servers: one [`AuthProfile`] per API.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The Sage API a token set was issued for. Tokens of one never work with another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum SageApi {
    /// Sage 200 Professional and Standard Online (Sage ID, audience `s200ukipd/sage200`).
    #[serde(rename = "sage200")]
    Sage200,
    /// Sage Business Cloud Accounting v3 (regional token servers).
    #[serde(rename = "accounting-v3")]
    AccountingV3,
    /// Sage Business Cloud Accounting v3.1.
    #[serde(rename = "accounting-v31")]
    AccountingV31,
}

impl SageApi {
    /// The profile name used in `schemas/*/product.json` (`auth_profile`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Sage200 => "sage200",
            Self::AccountingV3 => "accounting-v3",
            Self::AccountingV31 => "accounting-v31",
        }
    }
}

impl fmt::Display for SageApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Accounting v3's token servers are regional; the redirect's `country` tells which one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum V3Region {
    /// United States and Canada.
    NorthAmerica,
    /// United Kingdom, Ireland, Germany, Spain, France.
    Europe,
}

impl V3Region {
    /// The region serving a country code from the redirect (`us`, `CA`, `gb`, `uki`, …).
    pub fn from_country(country: &str) -> Option<Self> {
        match country.to_ascii_lowercase().as_str() {
            "us" | "ca" => Some(Self::NorthAmerica),
            "gb" | "uk" | "uki" | "ie" | "de" | "es" | "fr" => Some(Self::Europe),
            _ => None,
        }
    }

    fn host(self) -> &'static str {
        match self {
            Self::NorthAmerica => "https://oauth.na.sageone.com",
            Self::Europe => "https://oauth.eu.sageone.com",
        }
    }
}

/// How the client proves its identity to the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuthStyle {
    /// `Authorization: Basic` header (Accounting v3).
    HttpBasic,
    /// `client_id` / `client_secret` form fields (Sage 200, Accounting v3.1).
    RequestBody,
}

/// Endpoints and token rules of one Sage identity server. Start from a constructor and override
/// URLs for the sandbox or another region; URLs are validated when an
/// [`OAuthClient`](super::OAuthClient) is built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthProfile {
    api: SageApi,
    authorize_url: String,
    token_url: String,
    revoke_url: Option<String>,
    scopes: Vec<String>,
    authorize_params: Vec<(String, String)>,
    client_auth: ClientAuthStyle,
    access_token_lifetime: Duration,
    refresh_token_lifetime: Option<Duration>,
    rotates_refresh_tokens: bool,
    pkce: bool,
}

/// Sage 200 refresh tokens live as long as the app registration says, at most 90 days.
pub const SAGE200_MAX_REFRESH_LIFETIME: Duration = Duration::from_secs(90 * 24 * 3600);

impl AuthProfile {
    /// Sage 200 (Professional and Standard Online) through Sage ID.
    pub fn sage200() -> Self {
        Self {
            api: SageApi::Sage200,
            authorize_url: "https://id.sage.com/authorize".into(),
            token_url: "https://id.sage.com/oauth/token".into(),
            revoke_url: None,
            scopes: ["openid", "profile", "email", "offline_access"].map(String::from).to_vec(),
            authorize_params: vec![("audience".into(), "s200ukipd/sage200".into())],
            client_auth: ClientAuthStyle::RequestBody,
            access_token_lifetime: Duration::from_secs(8 * 3600),
            refresh_token_lifetime: Some(SAGE200_MAX_REFRESH_LIFETIME),
            rotates_refresh_tokens: true,
            pkce: true,
        }
    }

    /// Accounting v3, whose token and revoke endpoints depend on the business's region.
    pub fn accounting_v3(region: V3Region) -> Self {
        Self {
            api: SageApi::AccountingV3,
            authorize_url: "https://www.sageone.com/oauth2/auth".into(),
            token_url: format!("{}/token", region.host()),
            revoke_url: Some(format!("{}/revoke", region.host())),
            scopes: vec!["full_access".into()],
            authorize_params: Vec::new(),
            client_auth: ClientAuthStyle::HttpBasic,
            access_token_lifetime: Duration::from_secs(3600),
            refresh_token_lifetime: None,
            rotates_refresh_tokens: false,
            pkce: false,
        }
    }

    /// Accounting v3.1: one global token server, five-minute access tokens, 31-day refresh tokens.
    pub fn accounting_v31() -> Self {
        Self {
            api: SageApi::AccountingV31,
            authorize_url: "https://www.sageone.com/oauth2/auth/central?filter=apiv3.1".into(),
            token_url: "https://oauth.accounting.sage.com/token".into(),
            revoke_url: Some("https://oauth.accounting.sage.com/revoke".into()),
            scopes: vec!["full_access".into()],
            authorize_params: Vec::new(),
            client_auth: ClientAuthStyle::RequestBody,
            access_token_lifetime: Duration::from_secs(300),
            refresh_token_lifetime: Some(Duration::from_secs(31 * 24 * 3600)),
            rotates_refresh_tokens: true,
            pkce: true,
        }
    }

    /// The default profile of an API.
    pub fn for_api(api: SageApi) -> Self {
        match api {
            SageApi::Sage200 => Self::sage200(),
            SageApi::AccountingV3 => Self::accounting_v3(V3Region::Europe),
            SageApi::AccountingV31 => Self::accounting_v31(),
        }
    }

    /// The profile of a product's identity server (v3: the European token server).
    pub fn for_product(product: &crate::Product) -> Self {
        Self::for_api(product.api)
    }

    /// Replaces the authorize URL; its own query parameters are kept.
    pub fn with_authorize_url(mut self, url: impl Into<String>) -> Self {
        self.authorize_url = url.into();
        self
    }

    /// Replaces the token URL.
    pub fn with_token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = url.into();
        self
    }

    /// Replaces (or, with `None`, removes) the revoke URL.
    pub fn with_revoke_url(mut self, url: Option<impl Into<String>>) -> Self {
        self.revoke_url = url.map(Into::into);
        self
    }

    /// Replaces the requested scopes (v3.1: `full_access` or `readonly`).
    pub fn with_scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// Adds a query parameter to the authorize URL, e.g. v3.1's `country`.
    pub fn with_authorize_param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.authorize_params.push((name.into(), value.into()));
        self
    }

    /// Changes how the client authenticates at the token endpoint.
    pub fn with_client_auth(mut self, style: ClientAuthStyle) -> Self {
        self.client_auth = style;
        self
    }

    /// The refresh-token lifetime configured for this app (Sage 200: set at registration).
    pub fn with_refresh_token_lifetime(mut self, lifetime: Option<Duration>) -> Self {
        self.refresh_token_lifetime = lifetime;
        self
    }

    /// Whether authorize URLs carry a PKCE S256 challenge. Public clients always send one.
    pub fn with_pkce(mut self, enabled: bool) -> Self {
        self.pkce = enabled;
        self
    }

    /// The API this profile issues tokens for.
    pub fn api(&self) -> SageApi {
        self.api
    }

    /// Where the user is sent to consent.
    pub fn authorize_url(&self) -> &str {
        &self.authorize_url
    }

    /// Where codes and refresh tokens are exchanged.
    pub fn token_url(&self) -> &str {
        &self.token_url
    }

    /// Where refresh tokens are revoked, if the API has such an endpoint.
    pub fn revoke_url(&self) -> Option<&str> {
        self.revoke_url.as_deref()
    }

    /// Scopes requested by default.
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    /// Extra authorize URL parameters (Sage 200's `audience`).
    pub fn authorize_params(&self) -> &[(String, String)] {
        &self.authorize_params
    }

    /// How the client authenticates at the token endpoint.
    pub fn client_auth(&self) -> ClientAuthStyle {
        self.client_auth
    }

    /// Access-token lifetime assumed when a token response has no `expires_in`.
    pub fn access_token_lifetime(&self) -> Duration {
        self.access_token_lifetime
    }

    /// Refresh-token lifetime assumed when the response does not state one; `None`: no expiry.
    pub fn refresh_token_lifetime(&self) -> Option<Duration> {
        self.refresh_token_lifetime
    }

    /// Whether each refresh returns a new refresh token and invalidates the old one.
    pub fn rotates_refresh_tokens(&self) -> bool {
        self.rotates_refresh_tokens
    }

    /// Whether PKCE is used for confidential clients too.
    pub fn pkce(&self) -> bool {
        self.pkce
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_api_has_its_documented_endpoints_and_rules() {
        let sage200 = AuthProfile::sage200();
        assert_eq!(sage200.token_url(), "https://id.sage.com/oauth/token");
        assert_eq!(sage200.authorize_params(), [("audience".to_owned(), "s200ukipd/sage200".to_owned())]);
        assert_eq!(sage200.scopes().join(" "), "openid profile email offline_access");
        assert_eq!(sage200.client_auth(), ClientAuthStyle::RequestBody);
        assert!(sage200.revoke_url().is_none() && sage200.rotates_refresh_tokens());

        let v3 = AuthProfile::accounting_v3(V3Region::NorthAmerica);
        assert_eq!(v3.token_url(), "https://oauth.na.sageone.com/token");
        assert_eq!(v3.revoke_url(), Some("https://oauth.na.sageone.com/revoke"));
        assert_eq!(v3.client_auth(), ClientAuthStyle::HttpBasic);
        assert_eq!(v3.refresh_token_lifetime(), None);

        let v31 = AuthProfile::accounting_v31();
        assert_eq!(v31.revoke_url(), Some("https://oauth.accounting.sage.com/revoke"));
        assert_eq!(v31.access_token_lifetime(), Duration::from_secs(300));
        assert_eq!(v31.refresh_token_lifetime(), Some(Duration::from_secs(2_678_400)));
    }

    #[test]
    fn v3_regions_follow_the_redirect_country() {
        assert_eq!(V3Region::from_country("CA"), Some(V3Region::NorthAmerica));
        assert_eq!(V3Region::from_country("uki"), Some(V3Region::Europe));
        assert_eq!(V3Region::from_country("xx"), None);
    }

    #[test]
    fn overrides_replace_only_what_they_name() {
        let profile = AuthProfile::accounting_v31()
            .with_token_url("http://127.0.0.1:9/token")
            .with_revoke_url(None::<String>)
            .with_scopes(["readonly"]);
        assert_eq!(profile.token_url(), "http://127.0.0.1:9/token");
        assert_eq!(profile.revoke_url(), None);
        assert_eq!(profile.scopes(), ["readonly"]);
        assert_eq!(profile.authorize_url(), AuthProfile::accounting_v31().authorize_url());
    }

    #[test]
    fn api_names_match_the_schema_profiles() {
        for api in [SageApi::Sage200, SageApi::AccountingV3, SageApi::AccountingV31] {
            let json = serde_json::to_string(&api).unwrap();
            assert_eq!(json, format!("\"{}\"", api.name()));
            assert_eq!(AuthProfile::for_api(api).api(), api);
        }
    }
}
