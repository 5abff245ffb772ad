//! What can go wrong. No variant carries a token, a code, a `state` or a secret.

use chrono::{DateTime, Utc};
use sage_core::auth::{AuthError, StoreError};

/// Why a registry backend could not read or write.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// The backend could not be reached or did not answer in time; nothing was changed.
    #[error("connection registry {location} is unavailable: {reason}")]
    Unavailable {
        /// The file, or the Redis URL with its password masked.
        location: String,
        /// Why.
        reason: String,
    },
    /// The backend refused or failed a command.
    #[error("connection registry {location}: {reason}")]
    Backend {
        /// The file, or the Redis URL with its password masked.
        location: String,
        /// Why.
        reason: String,
    },
    /// Stored data this version cannot read; it is left as it is.
    #[error("connection registry {location} holds unreadable data: {reason}")]
    Corrupt {
        /// Where.
        location: String,
        /// What is wrong, without any stored value.
        reason: String,
    },
}

/// Why a connection could not be begun, completed, found or used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The product was not given to [`ConnectionsBuilder::product`](crate::ConnectionsBuilder::product).
    #[error("no OAuth settings for product `{0}`: add it to the registry's builder")]
    UnknownProduct(String),
    /// The connection id is empty, longer than 200 bytes, or has control characters.
    #[error("invalid connection id: {0}")]
    InvalidConnectionId(String),
    /// The callback is not an authorization response (no `state`, no `code`, repeated parameters).
    #[error("invalid callback: {0}")]
    InvalidCallback(String),
    /// The customer (or Sage) declined the consent (`error=access_denied` or another OAuth error).
    #[error("consent refused: {error}{}", .description.as_deref().map(|text| format!(" ({text})")).unwrap_or_default())]
    ConsentDenied {
        /// The OAuth error code, e.g. `access_denied`.
        error: String,
        /// Sage's explanation, if any.
        description: Option<String>,
    },
    /// No connect flow was begun with this `state` (forged, or from another registry).
    #[error("the callback's `state` is unknown: no connect flow was begun with it")]
    UnknownState,
    /// This `state` completed (or failed) a connect flow already: each is good for one callback.
    #[error("the callback's `state` was used already: begin the connect flow again")]
    ReusedState,
    /// The connect flow was begun more than ten minutes ago.
    #[error("the callback's `state` expired at {expired_at}: begin the connect flow again")]
    ExpiredState {
        /// When it expired.
        expired_at: DateTime<Utc>,
    },
    /// The `state` belongs to another connection than the one being completed; it was not used up.
    #[error("the callback's `state` was issued for another connection than `{expected}`")]
    StateOfAnotherConnection {
        /// The connection the caller is completing.
        expected: String,
    },
    /// No connection has this id.
    #[error("no connection `{0}`")]
    NotFound(String),
    /// Sage refused the connection's refresh token for good: the customer must connect again.
    #[error("connection `{id}` needs to be connected again (since {since}): {reason}")]
    NeedsRelink {
        /// The connection.
        id: String,
        /// Sage's explanation.
        reason: String,
        /// When the refusal was seen.
        since: DateTime<Utc>,
    },
    /// The connection was disconnected.
    #[error("connection `{0}` is disconnected")]
    Disconnected(String),
    /// The code exchange failed.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// The businesses or companies could not be listed after the code exchange.
    #[error("could not list the connected account's {what}: {source}")]
    Discovery {
        /// `businesses` or `sites`.
        what: &'static str,
        /// The call's error.
        source: Box<sage_core::Error>,
    },
    /// The account has no business (v3.1), no company (Sage 200) or no site (v3) to address.
    #[error("the connected account has no {0} to address")]
    NothingToAddress(&'static str),
    /// A client could not be built (a bad base URL, a missing setting).
    #[error(transparent)]
    Client(Box<sage_core::Error>),
    /// The token store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The registry failed.
    #[error(transparent)]
    Registry(#[from] RegistryError),
}

/// A held client's failure in this crate's terms: a connection that needs relinking or was
/// disconnected is [`Error::NeedsRelink`] or [`Error::Disconnected`], anything else
/// [`Error::Client`]. So `client.execute(..).await.map_err(Error::from)?` can be matched on.
impl From<sage_core::Error> for Error {
    fn from(err: sage_core::Error) -> Self {
        match err {
            sage_core::Error::Auth(
                err @ (AuthError::ConnectionNeedsRelink { .. } | AuthError::ConnectionDisconnected { .. }),
            ) => Self::from_auth(err),
            other => Self::Client(Box::new(other)),
        }
    }
}

impl Error {
    /// A token failure in this crate's terms: relink and disconnect typed, the rest as they are.
    pub(crate) fn from_auth(err: AuthError) -> Self {
        match err {
            AuthError::ConnectionNeedsRelink { connection, reason, since } => {
                Self::NeedsRelink { id: connection, reason, since }
            }
            AuthError::ConnectionDisconnected { connection } => Self::Disconnected(connection),
            other => Self::Auth(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_clients_relink_and_disconnect_failures_convert_typed() {
        let since = chrono::Utc::now();
        let relink =
            AuthError::ConnectionNeedsRelink { connection: "c-1".into(), reason: "invalid_grant".into(), since };
        let converted = Error::from(sage_core::Error::Auth(relink));
        assert!(
            matches!(&converted, Error::NeedsRelink { id, reason, since: at } if id == "c-1" && reason == "invalid_grant" && *at == since)
        );
        let gone = AuthError::ConnectionDisconnected { connection: "c-2".into() };
        assert!(matches!(Error::from(sage_core::Error::Auth(gone)), Error::Disconnected(id) if id == "c-2"));
        let other = Error::from(sage_core::Error::Auth(AuthError::Rejected));
        assert!(matches!(other, Error::Client(_)));
    }
}
