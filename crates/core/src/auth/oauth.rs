//! The authorization-code flow against one Sage identity server, over the `oauth2` crate.

use std::time::Duration;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use chrono::Utc;
use oauth2::basic::{BasicErrorResponse, BasicErrorResponseType, BasicTokenType};
use oauth2::{
    AuthType, AuthUrl, EndpointNotSet, EndpointSet, PkceCodeChallenge, RedirectUrl, RequestTokenError, Scope,
    StandardRevocableToken, StandardTokenResponse, TokenResponse, TokenUrl,
};
use rand::RngCore;
use url::Url;

use super::error::AuthError;
use super::profile::{AuthProfile, ClientAuthStyle, SageApi};
use super::secret::{AuthorizationCode, ClientSecret, CsrfState, IdToken, PkceVerifier, RefreshToken};
use super::token_http::{TokenHttp, TOKEN_RESPONSE_LIMIT};
use super::token_response::SageTokenFields;
use super::token_set::{to_chrono, TokenSet};
use super::AccessToken;
use crate::body::read_capped;

type SageTokenResponse = StandardTokenResponse<SageTokenFields, BasicTokenType>;

type Oauth2Client = oauth2::Client<
    BasicErrorResponse,
    SageTokenResponse,
    oauth2::basic::BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    oauth2::basic::BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// What to send the user to, and what to remember until the redirect comes back. `Debug` shows
/// the URL with its `state` redacted.
pub struct AuthorizationRequest {
    /// The identity server's consent page for this request.
    pub url: Url,
    /// Compare the redirect against this with [`parse_redirect`](super::parse_redirect).
    pub state: CsrfState,
    /// Pass to [`OAuthClient::exchange_code`]; present when PKCE is in use.
    pub pkce_verifier: Option<PkceVerifier>,
}

impl std::fmt::Debug for AuthorizationRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut url = self.url.clone();
        let pairs: Vec<(String, String)> = self
            .url
            .query_pairs()
            .map(|(name, value)| {
                let value = if name == "state" { "[redacted]".into() } else { value.into_owned() };
                (name.into_owned(), value)
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
        f.debug_struct("AuthorizationRequest")
            .field("url", &url.as_str())
            .field("state", &self.state)
            .field("pkce_verifier", &self.pkce_verifier)
            .finish()
    }
}

/// One app's registration with one Sage identity server: builds authorize URLs and exchanges
/// codes and refresh tokens. Public clients (no secret) always use PKCE.
#[derive(Debug, Clone)]
pub struct OAuthClient {
    profile: AuthProfile,
    client_id: String,
    client_secret: Option<ClientSecret>,
    redirect_uri: RedirectUrl,
    authorize_url: AuthUrl,
    token_url: TokenUrl,
    revoke_url: Option<Url>,
    http: TokenHttp,
}

impl OAuthClient {
    /// A public client (desktop, CLI): no secret, PKCE on. Fails on malformed or plain-HTTP
    /// (non-loopback) endpoint URLs.
    pub fn new(profile: AuthProfile, client_id: impl Into<String>, redirect_uri: &str) -> Result<Self, AuthError> {
        let redirect_uri = RedirectUrl::new(redirect_uri.to_owned())
            .map_err(|err| AuthError::Config(format!("redirect URI `{redirect_uri}`: {err}")))?;
        let authorize_url = AuthUrl::from_url(endpoint("authorize", profile.authorize_url())?);
        let token_url = TokenUrl::from_url(endpoint("token", profile.token_url())?);
        let revoke_url = profile.revoke_url().map(|url| endpoint("revoke", url));
        let http = reqwest::Client::builder()
            // A redirected token request could carry the code or refresh token elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(|err| AuthError::Config(format!("HTTP client: {err}")))?;
        Ok(Self {
            profile,
            client_id: client_id.into(),
            client_secret: None,
            redirect_uri,
            authorize_url,
            token_url,
            revoke_url: revoke_url.transpose()?,
            http: TokenHttp::new(http),
        })
    }

    /// Makes this a confidential client authenticating with `secret`.
    pub fn with_client_secret(mut self, secret: ClientSecret) -> Self {
        self.client_secret = Some(secret);
        self
    }

    /// Records this client's token requests (sign-in, refresh) to `recorder`'s cassette, their
    /// secrets replaced (feature `record`; see [`crate::record`]).
    #[cfg(feature = "record")]
    pub fn record(mut self, recorder: &crate::record::Recorder) -> Self {
        self.http.1 = Some(recorder.clone());
        self
    }

    /// The profile this client follows.
    pub fn profile(&self) -> &AuthProfile {
        &self.profile
    }

    /// The API whose tokens this client obtains.
    pub fn api(&self) -> SageApi {
        self.profile.api()
    }

    /// A fresh authorization request with a 256-bit random `state` and, when used, a PKCE S256 pair.
    pub fn authorize_url(&self) -> AuthorizationRequest {
        let state = random_state();
        let state_value = state.secret().to_owned();
        let client = self.oauth2();
        let mut request = client.authorize_url(move || oauth2::CsrfToken::new(state_value));
        request = request.add_scopes(self.profile.scopes().iter().cloned().map(Scope::new));
        for (name, value) in self.profile.authorize_params() {
            request = request.add_extra_param(name.clone(), value.clone());
        }
        let mut pkce_verifier = None;
        if self.uses_pkce() {
            let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
            request = request.set_pkce_challenge(challenge);
            pkce_verifier = Some(PkceVerifier::new(verifier.into_secret()));
        }
        let (url, _) = request.url();
        AuthorizationRequest { url, state, pkce_verifier }
    }

    /// Exchanges the redirect's code (single use, valid for about a minute) for tokens.
    pub async fn exchange_code(
        &self,
        code: &AuthorizationCode,
        pkce_verifier: Option<&PkceVerifier>,
    ) -> Result<TokenSet, AuthError> {
        let client = self.oauth2();
        let mut request = client.exchange_code(oauth2::AuthorizationCode::new(code.secret().to_owned()));
        if let Some(verifier) = pkce_verifier {
            request = request.set_pkce_verifier(oauth2::PkceCodeVerifier::new(verifier.secret().to_owned()));
        }
        tracing::debug!(api = %self.api(), "exchanging authorization code");
        let response = request.request_async(&self.http).await.map_err(token_error)?;
        Ok(self.token_set(response, None))
    }

    /// Uses `current`'s refresh token for a new token set. A refresh token the response does not
    /// replace (Accounting v3) is carried over with its expiry.
    pub async fn refresh(&self, current: &TokenSet) -> Result<TokenSet, AuthError> {
        let refresh_token = current.refresh_token().ok_or_else(|| AuthError::ReauthorizationRequired {
            reason: "the token set has no refresh token".into(),
        })?;
        let client = self.oauth2();
        let secret = oauth2::RefreshToken::new(refresh_token.secret().to_owned());
        let mut request = client.exchange_refresh_token(&secret);
        if self.api() == SageApi::Sage200 {
            // Sage ID's guide lists `redirect_uri` among the refresh parameters.
            request = request.add_extra_param("redirect_uri", self.redirect_uri.as_str().to_owned());
        }
        tracing::debug!(api = %self.api(), "refreshing access token");
        let response = request.request_async(&self.http).await.map_err(token_error)?;
        Ok(self.token_set(response, Some(current)))
    }

    /// Revokes a refresh token (and the access tokens issued from it) where the API allows it.
    ///
    /// Sent directly rather than through `oauth2`, which refuses plain-HTTP revocation URLs even on
    /// the loopback interface the sandbox uses; the URL check shared with the other endpoints already restricts
    /// HTTP to loopback.
    pub async fn revoke(&self, refresh_token: &RefreshToken) -> Result<(), AuthError> {
        let url = self
            .revoke_url
            .clone()
            .ok_or_else(|| AuthError::Config(format!("{} has no revoke endpoint", self.api())))?;
        let mut form = vec![("token", refresh_token.secret()), ("token_type_hint", "refresh_token")];
        let mut request = self.http.0.post(url).header(reqwest::header::ACCEPT, "application/json");
        match (&self.client_secret, self.profile.client_auth()) {
            (Some(secret), ClientAuthStyle::HttpBasic) => {
                let encode = |value: &str| url::form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>();
                let credentials = format!("{}:{}", encode(&self.client_id), encode(secret.secret()));
                let mut value =
                    reqwest::header::HeaderValue::from_str(&format!("Basic {}", STANDARD.encode(credentials)))
                        .map_err(|_| AuthError::Config("the client id cannot be sent in a header".into()))?;
                value.set_sensitive(true);
                request = request.header(reqwest::header::AUTHORIZATION, value);
            }
            (secret, _) => {
                form.push(("client_id", &self.client_id));
                if let Some(secret) = secret {
                    form.push(("client_secret", secret.secret()));
                }
            }
        }
        tracing::debug!(api = %self.api(), "revoking refresh token");
        let response =
            request.form(&form).send().await.map_err(|err| AuthError::Transport(error_chain(&err.without_url())))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let body = read_capped(response, TOKEN_RESPONSE_LIMIT).await.unwrap_or_default();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        let text = |name: &str| body.get(name).and_then(|value| value.as_str()).map(str::to_owned);
        Err(AuthError::TokenEndpoint {
            error: text("error").unwrap_or_else(|| format!("HTTP {}", status.as_u16())),
            description: text("error_description"),
        })
    }

    fn uses_pkce(&self) -> bool {
        self.client_secret.is_none() || self.profile.pkce()
    }

    fn oauth2(&self) -> Oauth2Client {
        let auth_type = match self.profile.client_auth() {
            ClientAuthStyle::HttpBasic => AuthType::BasicAuth,
            ClientAuthStyle::RequestBody => AuthType::RequestBody,
        };
        let mut client = oauth2::Client::new(oauth2::ClientId::new(self.client_id.clone()))
            .set_auth_type(auth_type)
            .set_auth_uri(self.authorize_url.clone())
            .set_token_uri(self.token_url.clone())
            .set_redirect_uri(self.redirect_uri.clone());
        if let Some(secret) = &self.client_secret {
            client = client.set_client_secret(oauth2::ClientSecret::new(secret.secret().to_owned()));
        }
        client
    }

    fn token_set(&self, response: SageTokenResponse, previous: Option<&TokenSet>) -> TokenSet {
        let now = Utc::now();
        let extra = response.extra_fields();
        let lifetime = response.expires_in().unwrap_or(self.profile.access_token_lifetime());
        let (refresh_token, refresh_expires_at) = match response.refresh_token() {
            Some(token) => {
                let refresh_lifetime =
                    extra.refresh_token_expires_in.map(Duration::from_secs).or(self.profile.refresh_token_lifetime());
                (Some(RefreshToken::new(token.secret().clone())), refresh_lifetime.map(|life| now + to_chrono(life)))
            }
            None => match previous {
                Some(previous) => (previous.refresh_token.clone(), previous.refresh_expires_at),
                None => (None, None),
            },
        };
        let keep = |new: &Option<String>, old: fn(&TokenSet) -> &Option<String>| {
            new.clone().or_else(|| previous.and_then(|previous| old(previous).clone()))
        };
        TokenSet {
            api: self.api(),
            access_token: AccessToken::new(response.access_token().secret().clone()),
            refresh_token,
            id_token: extra.id_token.as_ref().map(|token| IdToken::new(token.0.clone())),
            token_type: token_type_name(response.token_type()),
            scopes: response
                .scopes()
                .map(|scopes| scopes.iter().map(|scope| scope.to_string()).collect())
                .unwrap_or_default(),
            received_at: now,
            expires_at: now + to_chrono(lifetime),
            refresh_expires_at,
            resource_owner_id: keep(&extra.resource_owner_id, |set| &set.resource_owner_id),
            requested_by_id: keep(&extra.requested_by_id, |set| &set.requested_by_id),
            generation: TokenSet::next_generation(previous, now),
        }
    }
}

fn token_type_name(token_type: &BasicTokenType) -> String {
    match token_type {
        BasicTokenType::Bearer => "Bearer".into(),
        BasicTokenType::Mac => "MAC".into(),
        BasicTokenType::Extension(name) => name.clone(),
    }
}

/// Parses an endpoint URL, refusing plain HTTP except on the loopback interface (the sandbox).
fn endpoint(what: &str, url: &str) -> Result<Url, AuthError> {
    let parsed = Url::parse(url).map_err(|err| AuthError::Config(format!("{what} URL `{url}`: {err}")))?;
    if crate::secure_url::is_secure(&parsed) {
        Ok(parsed)
    } else {
        Err(AuthError::Config(format!("{what} URL `{url}` must use https")))
    }
}

fn random_state() -> CsrfState {
    let mut bytes = [0_u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    CsrfState::new(URL_SAFE_NO_PAD.encode(bytes))
}

/// Maps `oauth2`'s errors without ever including a response body: it may hold tokens.
fn token_error<RE, TE>(err: RequestTokenError<RE, oauth2::StandardErrorResponse<TE>>) -> AuthError
where
    RE: std::error::Error + 'static,
    TE: oauth2::ErrorResponseType + AsRef<str> + std::fmt::Display + 'static,
{
    match err {
        RequestTokenError::ServerResponse(response) => {
            let error = response.error().as_ref().to_owned();
            let description = response.error_description().cloned();
            if error == BasicErrorResponseType::InvalidGrant.as_ref() {
                let reason = match description {
                    Some(description) => format!("{error}: {description}"),
                    None => error,
                };
                AuthError::ReauthorizationRequired { reason }
            } else {
                AuthError::TokenEndpoint { error, description }
            }
        }
        RequestTokenError::Request(err) => {
            super::token_http::oversized(&err).unwrap_or_else(|| AuthError::Transport(error_chain(&err)))
        }
        RequestTokenError::Parse(err, _body) => AuthError::InvalidTokenResponse(format!(
            "field `{}` does not fit ({:?})",
            err.path(),
            err.inner().classify()
        )),
        RequestTokenError::Other(message) => AuthError::InvalidTokenResponse(message),
    }
}

fn error_chain(err: &dyn std::error::Error) -> String {
    let mut message = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        message = format!("{message}: {cause}");
        source = cause.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(profile: AuthProfile) -> OAuthClient {
        OAuthClient::new(profile, "app-1", "http://127.0.0.1:8080/callback").unwrap()
    }

    fn query(url: &Url, name: &str) -> Option<String> {
        url.query_pairs().find(|(key, _)| key == name).map(|(_, value)| value.into_owned())
    }

    #[test]
    fn authorize_urls_carry_profile_params_state_and_pkce() {
        let request = client(AuthProfile::sage200()).authorize_url();
        assert_eq!(query(&request.url, "audience").as_deref(), Some("s200ukipd/sage200"));
        assert_eq!(query(&request.url, "scope").as_deref(), Some("openid profile email offline_access"));
        assert_eq!(query(&request.url, "state").as_deref(), Some(request.state.secret()));
        assert_eq!(query(&request.url, "code_challenge_method").as_deref(), Some("S256"));
        assert!(request.pkce_verifier.is_some());
        assert!(URL_SAFE_NO_PAD.decode(request.state.secret()).unwrap().len() >= 16, "≥ 128 bits of state");
    }

    #[test]
    fn states_are_unique_and_existing_query_params_survive() {
        let client = client(AuthProfile::accounting_v31());
        let (first, second) = (client.authorize_url(), client.authorize_url());
        assert_ne!(first.state, second.state);
        assert_eq!(query(&first.url, "filter").as_deref(), Some("apiv3.1"));
    }

    #[test]
    fn confidential_clients_skip_pkce_only_where_the_profile_says_so() {
        let v3 = client(AuthProfile::accounting_v3(crate::auth::V3Region::Europe));
        assert!(v3.authorize_url().pkce_verifier.is_some(), "public clients always use PKCE");
        let confidential = v3.with_client_secret(ClientSecret::new("s"));
        let request = confidential.authorize_url();
        assert!(request.pkce_verifier.is_none() && query(&request.url, "code_challenge").is_none());
    }

    #[test]
    fn plain_http_is_refused_except_on_loopback() {
        let remote = AuthProfile::accounting_v31().with_token_url("http://evil.example/token");
        assert!(matches!(OAuthClient::new(remote, "a", "http://127.0.0.1/cb"), Err(AuthError::Config(_))));
        let local = AuthProfile::accounting_v31().with_token_url("http://localhost:9/token");
        assert!(OAuthClient::new(local, "a", "http://127.0.0.1/cb").is_ok());
        assert!(OAuthClient::new(AuthProfile::sage200(), "a", "not a url").is_err());
    }

    #[test]
    fn debug_of_an_authorization_request_hides_the_state() {
        let request = client(AuthProfile::accounting_v31()).authorize_url();
        let shown = format!("{request:?}");
        assert!(!shown.contains(request.state.secret()), "{shown}");
        assert!(shown.contains("filter=apiv3.1") && shown.contains("state=%5Bredacted%5D"), "{shown}");
    }

    #[test]
    fn debug_hides_the_client_secret() {
        let client = client(AuthProfile::sage200()).with_client_secret(ClientSecret::new("top-secret-value"));
        assert!(!format!("{client:?}").contains("top-secret-value"));
    }
}
