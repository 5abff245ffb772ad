//! Signing in to the sandbox from Rust, the way a user would, in one call: an OAuth client for the
//! product's identity server, consent (auto-approved), and the code exchanged for tokens. Clients
//! built here always point at the sandbox, so sandbox tokens never travel to Sage.

use std::sync::Arc;

use sage_core::auth::{
    parse_redirect, AuthError, AuthProfile, Authenticator, ClientSecret, MemoryTokenStore, OAuthClient, StoreError,
    TokenSet, TokenStore,
};
use sage_core::{Client, HeaderPolicy, HeaderStyle, Product};

use crate::fixtures;
use crate::handle::{ProductName, Sandbox};

/// The `Ocp-Apim-Subscription-Key` that sandbox clients send (the sandbox only checks it is there).
const SANDBOX_SUBSCRIPTION_KEY: &str = "sandbox-subscription-key";

/// What [`Sandbox::sign_in`] produces.
#[derive(Debug)]
pub struct SignedIn {
    /// The product signed in to, e.g. `accounting-v31`.
    pub product: String,
    /// The registered demo client, pointed at the sandbox's identity server for the product.
    pub oauth: OAuthClient,
    /// The tokens from the code exchange.
    pub tokens: TokenSet,
    /// Where the product's API is served; [`SignedIn::client`] sets it for you.
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
    /// The token store could not be read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The stored tokens (or this sign-in) belong to another product.
    #[error("these tokens are for {found}, not {wanted}")]
    OtherProduct {
        /// The product asked for.
        wanted: String,
        /// The product the tokens belong to.
        found: String,
    },
    /// The API client could not be built.
    #[error(transparent)]
    Client(#[from] Box<sage_core::Error>),
}

impl Sandbox {
    /// The confidential demo client, pointed at this sandbox's identity server for `product`.
    pub fn oauth_client(&self, product: impl ProductName) -> Result<OAuthClient, SignInError> {
        let product = product.product_name();
        let endpoints = self.endpoints(product).ok_or_else(|| SignInError::UnknownProduct(product.to_owned()))?;
        let profile = AuthProfile::for_api(endpoints.api)
            .with_authorize_url(&endpoints.authorize_url)
            .with_token_url(&endpoints.token_url)
            .with_revoke_url(endpoints.revoke_url.as_deref());
        let demo = self.demo_client();
        let redirect_uri = demo.redirect_uris.first().map(String::as_str).unwrap_or_default();
        let oauth = OAuthClient::new(profile, &demo.client_id, redirect_uri)?;
        Ok(match demo.client_secret {
            Some(secret) => oauth.with_client_secret(ClientSecret::new(secret)),
            None => oauth,
        })
    }

    /// Signs the demo user in to `product` with the confidential demo client: authorize URL,
    /// auto-approved consent, state check and code exchange. Needs `auto_approve(true)`.
    pub async fn sign_in(&self, product: impl ProductName) -> Result<SignedIn, SignInError> {
        let product = product.product_name();
        let endpoints = self.endpoints(product).ok_or_else(|| SignInError::UnknownProduct(product.to_owned()))?;
        let oauth = self.oauth_client(product)?;
        let request = oauth.authorize_url();
        let location = consent(request.url.as_str()).await?;
        let response = parse_redirect(&location, &request.state)?;
        let tokens = oauth.exchange_code(response.code(), request.pkce_verifier.as_ref()).await?;
        Ok(SignedIn { product: product.to_owned(), oauth, tokens, api_base_url: endpoints.api_base_url })
    }

    /// A ready client for `product` on this sandbox, in one call. With tokens for the product's API
    /// in `store` (a second run; keep them valid across restarts with
    /// [`SandboxBuilder::data_file`](crate::SandboxBuilder::data_file)) they are used and refreshed there;
    /// otherwise the demo user signs in (needs `auto_approve(true)`) and the tokens are saved to `store`.
    /// Headers address the demo user's site, business or first Sage 200 company.
    pub async fn client(&self, product: Product, store: Arc<dyn TokenStore>) -> Result<Client, SignInError> {
        let endpoints = self.endpoints(product.name).ok_or_else(|| SignInError::UnknownProduct(product.name.into()))?;
        match store.load().await? {
            Some(tokens) if tokens.api() != product.api => {
                return Err(SignInError::OtherProduct { wanted: product.name.into(), found: tokens.api().to_string() })
            }
            Some(_) => {}
            None => store.save(&self.sign_in(product.name).await?.tokens).await?,
        }
        sandbox_client(product, &endpoints.api_base_url, self.oauth_client(product.name)?, store)
    }
}

impl SignedIn {
    /// A client for `product` on the sandbox that signed in, holding these tokens in memory and
    /// refreshing them there. `product` must be the one signed in to.
    pub fn client(self, product: Product) -> Result<Client, SignInError> {
        if product.name != self.product {
            return Err(SignInError::OtherProduct { wanted: product.name.into(), found: self.product });
        }
        let store = Arc::new(MemoryTokenStore::with_tokens(self.tokens));
        sandbox_client(product, &self.api_base_url, self.oauth, store)
    }
}

fn sandbox_client(
    product: Product,
    api_base_url: &str,
    oauth: OAuthClient,
    store: Arc<dyn TokenStore>,
) -> Result<Client, SignInError> {
    let headers = match product.headers {
        HeaderStyle::AccountingV31 => HeaderPolicy::accounting_v31(),
        HeaderStyle::AccountingV3 => HeaderPolicy::accounting_v3(fixtures::V3_SITE_ID, SANDBOX_SUBSCRIPTION_KEY),
        HeaderStyle::Sage200 => HeaderPolicy::sage200(fixtures::SAGE200_COMPANIES[0].0, fixtures::SAGE200_SITE_ID),
    };
    Client::builder(product)
        .base_url(api_base_url)
        .headers(headers)
        .auth(Authenticator::new(oauth, store))
        .build()
        .map_err(|err| SignInError::Client(Box::new(err)))
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
