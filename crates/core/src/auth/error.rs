//! Authentication failures. No variant ever carries a token, code or secret value.

use std::path::PathBuf;
use std::time::Duration;

use super::profile::SageApi;

/// Why no usable access token could be produced.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The API refused the token and the authenticator has no way to get another.
    #[error("the API rejected the access token and no refresh is possible")]
    Rejected,
    /// No token set is stored, or the refresh token is expired, revoked or already used: the user
    /// must consent again. Stored tokens are kept for inspection.
    #[error("re-authorization required: {reason}")]
    ReauthorizationRequired {
        /// The identity server's explanation (`invalid_grant`, …), never a token value.
        reason: String,
    },
    /// A connection kept by `sage-connections` needs its customer to connect again: Sage refused
    /// its refresh token for good (`invalid_grant`). Calls fail at once, with no refresh attempt,
    /// until the customer completes the connect flow again.
    #[error("connection `{connection}` needs to be connected again (since {since}): {reason}")]
    ConnectionNeedsRelink {
        /// The app's id of the connection.
        connection: String,
        /// The identity server's explanation, never a token value.
        reason: String,
        /// When the refusal was seen.
        since: chrono::DateTime<chrono::Utc>,
    },
    /// A connection kept by `sage-connections` was disconnected by the app: its tokens are gone and
    /// its calls fail at once until the customer connects again.
    #[error("connection `{connection}` is disconnected")]
    ConnectionDisconnected {
        /// The app's id of the connection.
        connection: String,
    },
    /// The redirect's `state` does not match the one this authorization request sent: it may be
    /// forged (CSRF) or stale, so the code in it must not be used.
    #[error("the redirect's `state` does not match this authorization request")]
    StateMismatch,
    /// The user (or the identity server) declined the authorization request.
    #[error("authorization refused: {error}{}", describe(.description))]
    AuthorizationDenied {
        /// The OAuth error code, e.g. `access_denied`.
        error: String,
        /// The server's human-readable explanation, if any.
        description: Option<String>,
    },
    /// The redirect is not a well-formed authorization response.
    #[error("invalid authorization redirect: {0}")]
    InvalidRedirect(String),
    /// The token endpoint refused a request for a reason other than an unusable grant
    /// (`invalid_client`, `unauthorized_client`, …).
    #[error("the token endpoint refused the request: {error}{}", describe(.description))]
    TokenEndpoint {
        /// The OAuth error code.
        error: String,
        /// The server's human-readable explanation, if any.
        description: Option<String>,
    },
    /// The token endpoint answered something that is not a token response.
    #[error("unexpected token endpoint response: {0}")]
    InvalidTokenResponse(String),
    /// The identity server could not be reached.
    #[error("identity server unreachable: {0}")]
    Transport(String),
    /// The identity server answered a token request with more than any token response takes (a
    /// few KiB); nothing past the limit was read.
    #[error(
        "the identity server's answer was larger than the limit of {limit} bytes for a token response, so it was \
         not read: check that the token URL points at Sage's identity server (a proxy or a wrong endpoint may be \
         answering)"
    )]
    TokenResponseTooLarge {
        /// The limit in bytes (256 KiB).
        limit: usize,
    },
    /// A stored token set belongs to another Sage API than the one this authenticator serves.
    #[error("the stored tokens belong to {found}, not {expected}")]
    WrongApi {
        /// The API this authenticator is configured for.
        expected: SageApi,
        /// The API recorded in the token set.
        found: SageApi,
    },
    /// A refresh failed recently; no new attempt is made until the minimum gap has passed.
    #[error("token refresh failed recently ({last_error}); next attempt allowed in {retry_in:?}")]
    RefreshBackoff {
        /// Summary of the last failure.
        last_error: String,
        /// Time left before a new refresh attempt is made.
        retry_in: Duration,
    },
    /// Reading or writing the token store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The loopback redirect listener saw no callback in time.
    #[error("no authorization redirect arrived within {0:?}")]
    CallbackTimeout(Duration),
    /// The profile or client configuration is unusable (bad URL, missing endpoint, …).
    #[error("invalid OAuth configuration: {0}")]
    Config(String),
    /// Anything else that went wrong while obtaining a token.
    #[error("authentication failed: {0}")]
    Other(String),
}

/// Why a [`TokenStore`](super::TokenStore) could not load or save.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The file system refused.
    #[error("token store {}: {source}", .path.display())]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The token file could not be written, so the set was kept in a rescue file (mode 0600)
    /// instead, where the next load of the same store adopts it. Nothing is lost, but the token
    /// file's location needs attention.
    #[error(
        "token store {} could not be written ({source}): the token set was kept in {} and is picked up by the next load",
        .path.display(), .rescue.display()
    )]
    Rescued {
        /// The token file that could not be written.
        path: PathBuf,
        /// Where the token set was kept instead.
        rescue: PathBuf,
        /// Why the token file could not be written.
        source: std::io::Error,
    },
    /// The stored data is larger than any token set: it was not read, and is left untouched.
    #[error(
        "token store {location} holds {size} bytes, more than the {limit} any token set takes: it was not read and \
         is left untouched; move it away (or restore it from a backup) and sign in again"
    )]
    TooLarge {
        /// Where the data is (a path).
        location: String,
        /// Its size in bytes.
        size: u64,
        /// The most a token store reads.
        limit: u64,
    },
    /// The stored data is not a token set this version understands. It is left untouched.
    #[error("token store {location} is unreadable: {reason}")]
    Corrupt {
        /// Where the data came from (a path, a key).
        location: String,
        /// What is wrong, without any stored value.
        reason: String,
    },
    /// A store backend (database, cache) failed.
    #[error("token store backend: {0}")]
    Backend(String),
    /// The backend could not be reached or did not answer in time; nothing was read or written.
    #[error("token store {location} is unavailable: {reason}")]
    Unavailable {
        /// Where the store lives, with any password masked.
        location: String,
        /// The client's explanation, without any stored value or password.
        reason: String,
    },
    /// Another process held the cross-process refresh lock for longer than this one would wait.
    /// No refresh was attempted: refreshing without the lock could burn a rotated refresh token.
    #[error("waited {waited:?} for the refresh lock {location} without getting it")]
    LockTimeout {
        /// The lock's name in the backend.
        location: String,
        /// How long this process waited.
        waited: Duration,
    },
    /// A compare-and-set save was refused: another process stored a newer token set since this
    /// one last read, and that set wins.
    #[error("token store {location} holds a newer token set than this process read: the save was refused")]
    Conflict {
        /// Where the token set lives.
        location: String,
    },
}

impl AuthError {
    /// The store holds no token set and this process holds none either: the app was never
    /// authorized, or the store lost the sign-in (a Redis restarted without persistence, a deleted
    /// file) before any instance could write it back.
    pub(crate) fn no_stored_sign_in() -> Self {
        Self::ReauthorizationRequired {
            reason: "no stored sign-in was found: this app was never authorized here, or the token store lost it \
                     (e.g. a Redis restarted without persistence); sign in again (`sage login`, or your app's \
                     authorization flow) to store a new one"
                .into(),
        }
    }
}

fn describe(description: &Option<String>) -> String {
    description.as_deref().map(|text| format!(" ({text})")).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_sign_in_says_the_store_may_have_lost_it_and_what_to_do() {
        let message = AuthError::no_stored_sign_in().to_string();
        assert!(message.starts_with("re-authorization required: no stored sign-in was found"), "{message}");
        assert!(message.contains("the token store lost it"), "{message}");
        assert!(message.contains("sign in again"), "{message}");
        assert!(!message.contains("has not authorized"), "{message}");
    }

    /// An instance holding no set finds the store empty (a Redis restarted without persistence,
    /// before any instance wrote its set back): the error is the one above.
    #[tokio::test]
    async fn an_authenticator_over_an_emptied_store_reports_the_sign_in_not_found() {
        use crate::auth::{AuthProfile, Authenticate, Authenticator, MemoryTokenStore, OAuthClient};
        let oauth = OAuthClient::new(AuthProfile::accounting_v31(), "app", "http://127.0.0.1/cb").unwrap();
        let auth = Authenticator::new(oauth, std::sync::Arc::new(MemoryTokenStore::new()));
        let message = auth.access_token().await.unwrap_err().to_string();
        assert_eq!(message, AuthError::no_stored_sign_in().to_string());
    }

    #[test]
    fn an_oversized_token_response_is_not_called_unreachable() {
        let message = AuthError::TokenResponseTooLarge { limit: 256 * 1024 }.to_string();
        assert!(
            message.starts_with("the identity server's answer was larger than the limit of 262144 bytes"),
            "{message}"
        );
        assert!(message.contains("check that the token URL"), "{message}");
        assert!(!message.contains("unreachable"), "{message}");
    }

    #[test]
    fn an_oversized_token_file_is_named_and_kept() {
        let error = StoreError::TooLarge { location: "/home/u/tokens.json".into(), size: 10_485_760, limit: 262_144 };
        let message = AuthError::from(error).to_string();
        assert!(
            message.starts_with("token store /home/u/tokens.json holds 10485760 bytes, more than the 262144"),
            "{message}"
        );
        assert!(message.contains("left untouched; move it away"), "{message}");
    }
}
