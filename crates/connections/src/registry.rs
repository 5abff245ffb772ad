//! The storage interface every backend implements: connections, pending connect flows, and one
//! token store per connection.

use std::fmt::Display;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sage_core::auth::{SageApi, TokenStore};
use sage_core::limit::{GcraLimiter, Quota, RateLimiter};

use crate::connection::Connection;
use crate::error::RegistryError;
use crate::event::AuditRecord;

/// A change to apply to a stored connection, atomically: return `false` to leave it as it is.
/// A backend may apply it more than once, each time to a fresh read, until its write goes through.
pub type Update = Box<dyn Fn(&mut Connection) -> bool + Send + Sync>;

/// A connection as backends store it: JSON.
pub(crate) fn encode(connection: &Connection) -> String {
    // Plain data with string keys: serializing cannot fail.
    serde_json::to_string(connection).unwrap_or_default()
}

/// A stored connection read back; a body that is not one is [`RegistryError::Corrupt`] at `location`.
pub(crate) fn decode(location: impl Display, body: &str) -> Result<Connection, RegistryError> {
    serde_json::from_str(body).map_err(|err| RegistryError::Corrupt {
        location: location.to_string(),
        reason: format!("a connection is not readable (line {}, column {})", err.line(), err.column()),
    })
}

/// A connect flow waiting for its callback, as a backend stores it: the connection it is bound
/// to and its expiry in clear (backends check them), the rest sealed by the app's cipher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingState {
    /// The connection the flow was begun for.
    pub connection_id: String,
    /// When the `state` stops being accepted.
    pub expires_at: DateTime<Utc>,
    /// The sealed flow (product, redirect URI, PKCE verifier), opaque to backends.
    pub sealed: String,
}

/// What taking a `state` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Taken {
    /// Nothing under this key (never begun, or purged a day after it expired).
    Unknown,
    /// Taken before.
    Reused,
    /// Bound to another connection than the expected one; left untaken.
    OtherConnection,
    /// Taken now, for the first and only time (it may still have expired).
    Pending(PendingState),
}

/// Where connections, pending connect flows and tokens live. Implementations must make
/// [`take_state`](Registry::take_state) and [`update`](Registry::update) atomic across every
/// process sharing the backend.
#[async_trait]
pub trait Registry: Send + Sync + 'static {
    /// The connection with this id.
    async fn get(&self, id: &str) -> Result<Option<Connection>, RegistryError>;

    /// Every connection, in id order.
    async fn list(&self) -> Result<Vec<Connection>, RegistryError>;

    /// Stores a connection, replacing one with the same id.
    async fn put(&self, connection: &Connection) -> Result<(), RegistryError>;

    /// Applies `update` to the stored connection, with no other write in between; `None` when
    /// there is no such connection. Returns the connection as stored afterwards.
    async fn update(&self, id: &str, update: Update) -> Result<Option<Connection>, RegistryError>;

    /// Keeps a pending connect flow under `key` (a hash of its `state`), until a day after it expires.
    async fn put_state(&self, key: &str, pending: &PendingState) -> Result<(), RegistryError>;

    /// Takes the flow under `key`, once: a second take finds it [`Taken::Reused`]. With
    /// `expected_connection`, a flow bound to another connection is [`Taken::OtherConnection`] and
    /// stays available to its own.
    async fn take_state(&self, key: &str, expected_connection: Option<&str>) -> Result<Taken, RegistryError>;

    /// Appends a record to connection `id`'s audit trail (kept after a disconnect).
    async fn append_audit(&self, record: &AuditRecord) -> Result<(), RegistryError>;

    /// Connection `id`'s audit trail, oldest first.
    async fn audit(&self, id: &str) -> Result<Vec<AuditRecord>, RegistryError>;

    /// Takes the lease `name` for `holder` for `ttl`, or extends it if `holder` has it already;
    /// `false` while another holder's lease runs. Shared by every process using the backend, so
    /// one of them runs the keep-alive passes at a time.
    async fn try_lease(&self, name: &str, holder: &str, ttl: std::time::Duration) -> Result<bool, RegistryError>;

    /// Gives up the lease `name` if `holder` has it.
    async fn release_lease(&self, name: &str, holder: &str) -> Result<(), RegistryError>;

    /// The token store of connection `id`, for tokens of `api`: sealed at rest, with a refresh
    /// lock shared by every process using this backend.
    fn token_store(&self, id: &str, api: SageApi) -> Arc<dyn TokenStore>;

    /// The rate limiter every connection's client shares, holding each (product, business or
    /// company) to `quota`. In this process by default; a backend a fleet shares should share
    /// the budget too.
    fn rate_limiter(&self, quota: Quota) -> Arc<dyn RateLimiter> {
        Arc::new(GcraLimiter::new(quota))
    }
}
