//! The HTTP client `oauth2` sends token requests through: reqwest, with the response body capped.

use std::future::Future;
use std::pin::Pin;

use super::error::AuthError;
use crate::body::{read_capped, BodyError};

/// The largest token endpoint response read. Real ones are a few KiB (Sage 200's carry an ID
/// token); anything far larger is not a token response.
pub(crate) const TOKEN_RESPONSE_LIMIT: usize = 256 * 1024;

/// Why a token request got no complete response.
#[derive(Debug, thiserror::Error)]
pub(crate) enum TokenHttpError {
    #[error(transparent)]
    Body(#[from] BodyError),
    #[error(transparent)]
    Transport(#[from] reqwest::Error),
    #[error("invalid HTTP response: {0}")]
    Http(#[from] http::Error),
}

/// The error for a token request whose answer was larger than [`TOKEN_RESPONSE_LIMIT`]: the
/// identity server was reached, so this is not [`AuthError::Transport`]. `None` for other failures.
pub(crate) fn oversized(err: &(dyn std::error::Error + 'static)) -> Option<AuthError> {
    match err.downcast_ref::<TokenHttpError>()? {
        TokenHttpError::Body(BodyError::TooLarge { limit }) => Some(AuthError::TokenResponseTooLarge { limit: *limit }),
        _ => None,
    }
}

/// Sends `oauth2`'s requests and reads at most [`TOKEN_RESPONSE_LIMIT`] of each response.
#[derive(Debug, Clone)]
pub(crate) struct TokenHttp(
    pub(crate) reqwest::Client,
    /// Where token exchanges are recorded (`OAuthClient::record`).
    #[cfg(feature = "record")]
    pub(crate) Option<crate::record::Recorder>,
);

impl TokenHttp {
    pub(crate) fn new(http: reqwest::Client) -> Self {
        Self(
            http,
            #[cfg(feature = "record")]
            None,
        )
    }
}

impl<'c> oauth2::AsyncHttpClient<'c> for TokenHttp {
    type Error = TokenHttpError;
    type Future = Pin<Box<dyn Future<Output = Result<oauth2::HttpResponse, TokenHttpError>> + Send + 'c>>;

    fn call(&'c self, request: oauth2::HttpRequest) -> Self::Future {
        Box::pin(async move {
            #[cfg(feature = "record")]
            let recorded = self.1.as_ref().map(|recorder| {
                let sent = (request.method().clone(), request.uri().to_string(), request.headers().clone());
                (recorder, sent, request.body().clone())
            });
            let response = self.0.execute(reqwest::Request::try_from(request)?).await?;
            let mut builder = http::Response::builder().status(response.status());
            for (name, value) in response.headers() {
                builder = builder.header(name, value);
            }
            #[cfg(feature = "record")]
            let answered = recorded.as_ref().map(|_| (response.status().as_u16(), response.headers().clone()));
            let body = read_capped(response, TOKEN_RESPONSE_LIMIT).await?;
            #[cfg(feature = "record")]
            if let (Some((recorder, (method, uri, sent), sent_body)), Some((status, headers))) = (&recorded, &answered)
            {
                recorder.token_exchange(method.as_str(), uri, sent, sent_body, *status, headers, &body);
            }
            Ok(builder.body(body.to_vec())?)
        })
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use axum::routing::post;
    use axum::{Json, Router};
    use serde_json::json;

    use crate::auth::{AccessToken, AuthError, AuthProfile, OAuthClient, RefreshToken, SageApi, TokenSet};

    #[tokio::test]
    async fn an_oversized_token_response_is_refused_unread() {
        let huge = "a".repeat(2 * super::TOKEN_RESPONSE_LIMIT);
        let app = Router::new().route(
            "/token",
            post(move || {
                let huge = huge.clone();
                async move { Json(json!({"access_token": huge, "token_type": "bearer", "expires_in": 300})) }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let token_url = format!("http://{}/token", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        let profile = AuthProfile::accounting_v31().with_token_url(token_url);
        let oauth = OAuthClient::new(profile, "app", "http://127.0.0.1/cb").unwrap();
        let current = TokenSet::new(SageApi::AccountingV31, AccessToken::new("a"), Duration::ZERO)
            .with_refresh_token(RefreshToken::new("r"), None);

        let err = oauth.refresh(&current).await.unwrap_err();

        assert!(
            matches!(err, AuthError::TokenResponseTooLarge { limit } if limit == super::TOKEN_RESPONSE_LIMIT),
            "{err}"
        );
        let message = err.to_string();
        assert!(
            message.starts_with("the identity server's answer was larger than the limit of 262144 bytes"),
            "{message}"
        );
        assert!(!message.contains("unreachable"), "{message}");
    }
}
