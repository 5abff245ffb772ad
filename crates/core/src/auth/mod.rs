//! Authentication: how a [`Client`](crate::Client) gets the bearer token for each call.
//!
//! The client only knows the [`Authenticate`] trait. [`StaticToken`] is the trivial
//! implementation (a token obtained elsewhere); the OAuth 2.0 flow and the refreshing,
//! store-backed authenticator live in this module tree too.

mod error;
mod secret;

pub use error::AuthError;
pub use secret::{AccessToken, ClientSecret, RefreshToken};

use async_trait::async_trait;

/// Supplies bearer tokens to the client.
///
/// Implementations must be cheap to call when they hold a valid token: the client calls
/// [`access_token`](Authenticate::access_token) before every request.
#[async_trait]
pub trait Authenticate: Send + Sync + 'static {
    /// A token that is valid now.
    async fn access_token(&self) -> Result<AccessToken, AuthError>;

    /// The API answered 401 to a request sent with `rejected`. Return a different, fresh
    /// token to retry once, or an error. The client never calls this twice for one request.
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
