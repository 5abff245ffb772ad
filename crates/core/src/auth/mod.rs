//! Authentication: how a [`Client`](crate::Client) gets the bearer token for each call.
//!
//! The client only knows the [`Authenticate`] trait. [`StaticToken`] is the trivial
//! implementation (a token obtained elsewhere). For OAuth 2.0:
//!
//! 1. pick the API's [`AuthProfile`] and build an [`OAuthClient`];
//! 2. send the user to [`OAuthClient::authorize_url`] (a [`LoopbackRedirect`] catches the redirect
//!    for CLI and desktop apps; web apps pass the redirect they received to [`parse_redirect`]);
//! 3. [`OAuthClient::exchange_code`] and save the [`TokenSet`] in a [`TokenStore`];
//! 4. give the client an [`Authenticator`]: it refreshes ahead of expiry, one refresh at a time,
//!    and saves rotated refresh tokens before using them.

mod authenticator;
#[cfg(feature = "encryption")]
#[cfg_attr(docsrs, doc(cfg(feature = "encryption")))]
pub mod cipher;
mod error;
mod loopback;
mod oauth;
mod profile;
mod redirect;
mod secret;
pub mod store;
#[cfg(test)]
mod test_server;
#[cfg(test)]
mod test_store;
mod token_http;
mod token_response;
mod token_set;

pub use authenticator::{Authenticator, AuthenticatorBuilder};
#[cfg(feature = "encryption")]
pub use cipher::{KeyError, OpenError, Sealed, SealingKey, TokenCipher};
pub use error::{AuthError, StoreError};
pub use loopback::{LoopbackRedirect, DEFAULT_CALLBACK_PATH, DEFAULT_LOOPBACK_PORT, DEFAULT_REDIRECT_URI};
pub use oauth::{AuthorizationRequest, OAuthClient};
pub use profile::{AuthProfile, ClientAuthStyle, SageApi, V3Region, SAGE200_MAX_REFRESH_LIFETIME};
pub use redirect::{parse_redirect, AuthorizationResponse};
pub use secret::{AccessToken, AuthorizationCode, ClientSecret, CsrfState, IdToken, PkceVerifier, RefreshToken};
pub use store::{FileTokenStore, MemoryTokenStore, RefreshLease, TokenStore};
pub use token_set::TokenSet;

/// Re-exported so token stores and authenticators can be implemented without another dependency.
pub use async_trait::async_trait;

/// Supplies bearer tokens to the client.
///
/// Implementations must be cheap to call when they hold a valid token: the client calls
/// [`access_token`](Authenticate::access_token) before every request.
#[async_trait]
pub trait Authenticate: Send + Sync + 'static {
    /// A token that is valid now.
    async fn access_token(&self) -> Result<AccessToken, AuthError>;

    /// The API answered 401 to a request sent with `rejected`, blaming the token (invalid or
    /// expired; a 401 about anything else, such as a lapsed subscription, is returned to the caller
    /// as [`Error::Api`](crate::Error::Api) without calling this). Return a different, fresh token
    /// to retry once, or an error. The client never calls this twice for one request.
    async fn refresh_after_rejection(&self, rejected: &AccessToken) -> Result<AccessToken, AuthError> {
        let _ = rejected;
        Err(AuthError::Rejected)
    }
}

/// A fixed access token, for tokens obtained outside sage-rs and for tests.
#[derive(Debug, Clone)]
pub struct StaticToken(AccessToken);

impl StaticToken {
    /// Wraps an access token.
    pub fn new(token: impl Into<String>) -> Self {
        Self(AccessToken::new(token.into()))
    }
}

#[async_trait]
impl Authenticate for StaticToken {
    async fn access_token(&self) -> Result<AccessToken, AuthError> {
        Ok(self.0.clone())
    }
}
