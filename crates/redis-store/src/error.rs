//! What can go wrong with the Redis store. Messages name the key and a redacted URL, never a token
//! or a password.

use std::time::Duration;

use sage_core::auth::StoreError;

/// Why the Redis store could not serve a request.
///
/// [`TokenStore`](sage_core::auth::TokenStore) methods report these as the matching typed
/// [`StoreError`] (`Unavailable`, `LockTimeout`, `Conflict`; anything else as `Backend`), so the
/// authenticator can tell an outage, a busy lock and a lost compare-and-set race apart.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RedisStoreError {
    /// The URL is not a Redis URL this build can use.
    #[error("invalid Redis URL {url}: {reason}")]
    InvalidUrl {
        /// The URL with its password masked.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Redis could not be reached, or did not answer in time.
    #[error("Redis at {url} is unavailable: {reason}")]
    Unavailable {
        /// The URL with its password masked.
        url: String,
        /// The client's explanation, scrubbed of the password.
        reason: String,
    },
    /// Redis answered with an error (wrong password, wrong key type, …).
    #[error("Redis at {url} refused a command: {reason}")]
    Command {
        /// The URL with its password masked.
        url: String,
        /// The server's explanation, scrubbed of the password.
        reason: String,
    },
    /// Another instance held the refresh lock for longer than this instance is willing to wait.
    #[error("waited {waited:?} for the refresh lock {key} without getting it")]
    LockTimeout {
        /// The lock's Redis key.
        key: String,
        /// How long this instance waited.
        waited: Duration,
    },
    /// The stored token set changed since this instance read it, so saving would overwrite a newer
    /// one (typically: this instance's lock expired and another instance refreshed meanwhile).
    #[error("refusing to overwrite {key}: revision {stored} is stored, but this instance last read {read}")]
    StaleWrite {
        /// The token set's Redis key.
        key: String,
        /// The revision this instance read before saving.
        read: u64,
        /// The revision now stored.
        stored: u64,
    },
    /// A token set of a higher [`generation`](sage_core::auth::TokenSet::generation) is stored: the
    /// set being saved is older (typically one written back after Redis lost its data, by an
    /// instance that had not seen the newest refresh) and must not replace it.
    #[error("refusing to overwrite {key}: generation {stored} is stored, newer than this set's {generation}")]
    OlderGeneration {
        /// The token set's Redis key.
        key: String,
        /// The generation of the set this instance tried to save.
        generation: u64,
        /// The generation stored.
        stored: u64,
    },
}

impl From<RedisStoreError> for StoreError {
    fn from(err: RedisStoreError) -> Self {
        match err {
            RedisStoreError::Unavailable { url, reason } => StoreError::Unavailable { location: url, reason },
            RedisStoreError::LockTimeout { key, waited } => StoreError::LockTimeout { location: key, waited },
            RedisStoreError::StaleWrite { key, .. } | RedisStoreError::OlderGeneration { key, .. } => {
                StoreError::Conflict { location: key }
            }
            other => StoreError::Backend(other.to_string()),
        }
    }
}
