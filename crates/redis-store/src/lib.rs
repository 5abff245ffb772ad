//! A Redis [`TokenStore`](sage_core::auth::TokenStore) for running many instances of an app
//! against one Sage connection.
//!
//! Sage Accounting v3.1 and Sage 200 rotate refresh tokens: once one process refreshes, every
//! other copy of the old refresh token is dead. Instances sharing a [`RedisTokenStore`] keep one
//! token set per [`ConnectionKey`], refresh under one lock in Redis (`SET NX PX`, released only by
//! its owner, expired by a TTL if the owner dies) and re-read the set the winner saved. A revision
//! that only grows refuses writes from an instance whose view is out of date.
//!
//! ```no_run
//! # async fn demo(oauth: sage_core::auth::OAuthClient) -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use sage_core::auth::{Authenticator, SageApi};
//! use sage_redis_store::{ConnectionKey, RedisTokenStore};
//!
//! let key = ConnectionKey::new(SageApi::AccountingV31, "business-id", "user-id");
//! let store = RedisTokenStore::new("rediss://:password@cache.internal:6380/0", key)?;
//! let authenticator = Authenticator::new(oauth, Arc::new(store));
//! # let _ = authenticator; Ok(()) }
//! ```

#![warn(missing_docs)]

mod at_rest;
mod checkpoints;
mod connection;
mod error;
mod key;
mod limiter;
mod lock;
mod redact;
mod store;

pub use checkpoints::RedisCheckpointStore;
pub use error::RedisStoreError;
pub use key::{escape_key_part, ConnectionKey, DEFAULT_NAMESPACE};
pub use limiter::RedisRateLimiter;
pub use lock::LockSettings;
pub use store::RedisTokenStore;
