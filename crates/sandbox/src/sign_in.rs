//! Signing in to the sandbox from Rust, the way a user would, in one call: an OAuth client for the
//! product's identity server, consent (auto-approved), and the code exchanged for tokens.

use sage_core::auth::{parse_redirect, AuthError, AuthProfile, ClientSecret, OAuthClient, TokenSet};

use crate::handle::Sandbox;

/// What [`Sandbox::sign_in`] produces.
#[derive(Debug)]
pub struct SignedIn {
    /// The registered demo client, pointed at the sandbox's identity server for the product.
    pub oauth: OAuthClient,
    /// The tokens from the code exchange.
    pub tokens: TokenSet,
    /// Where the product's API is served (`ClientBuilder::base_url`).
    pub api_base_url: String,
}

/// Why a sandbox sign-in failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignInError {
    /// The sandbox does not serve this product.
    #[error("the sandbox does not serve `{0}`")]
    UnknownProduct(String),
    /// The consent page did not redirect: the sandbox was started without `auto_approve(true)`.
    #[error("consent did not redirect (HTTP {0}): start the sandbox with auto_approve(true)")]
    NoRedirect(u16),
    /// The consent request did not reach the sandbox.
    #[error("consent request failed: {0}")]
    Transport(String),
    /// The OAuth flow itself failed.
    #[error(transparent)]
    Auth(#[from] AuthError),
}

impl Sandbox {
    /// Signs the demo user in to `product` with the confidential demo client: authorize URL,
    /// auto-approved consent, state check and code exchange. Needs `auto_approve(true)`.
    pub async fn sign_in(&self, product: &str) -> Result<SignedIn, SignInError> {
        let endpoints = self.endpoints(product).ok_or_else(|| SignInError::UnknownProduct(product.to_owned()))?;
        let profile = AuthProfile::for_api(endpoints.api)
            .with_authorize_url(&endpoints.authorize_url)
            .with_token_url(&endpoints.token_url)
            .with_revoke_url(endpoints.revoke_url.as_deref());
        let demo = self.demo_client();
        let redirect_uri = demo.redirect_uris.first().map(String::as_str).unwrap_or_default();
        let mut oauth = OAuthClient::new(profile, &demo.client_id, redirect_uri)?;
        if let Some(secret) = demo.client_secret {
            oauth = oauth.with_client_secret(ClientSecret::new(secret));
        }
        let request = oauth.authorize_url();
        let location = consent(request.url.as_str()).await?;
        let response = parse_redirect(&location, &request.state)?;
        let tokens = oauth.exchange_code(response.code(), request.pkce_verifier.as_ref()).await?;
        Ok(SignedIn { oauth, tokens, api_base_url: endpoints.api_base_url })
    }
}

/// With auto-approve on, the consent page answers at once with a redirect carrying the code.
async fn consent(authorize_url: &str) -> Result<String, SignInError> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|err| SignInError::Transport(err.to_string()))?;
    let response = http.get(authorize_url).send().await.map_err(|err| SignInError::Transport(err.to_string()))?;
    response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
        .ok_or_else(|| SignInError::NoRedirect(response.status().as_u16()))
}
