//! Many customers' Sage accounts in one app.
//!
//! Software that integrates with Sage is mostly used by *customers* who each connect their own Sage
//! account. This crate keeps those connections: a [`Connection`] per customer (known by the app's own
//! id), kept in a [`Registry`] — [`SqliteRegistry`] embedded, [`RedisRegistry`] for a fleet — with
//! each connection's tokens in a token store of its own, sealed with the app's [`TokenCipher`], so a
//! copied database or Redis dump holds no usable token.
//!
//! - [`Connections::begin`] gives the consent URL with a single-use `state` bound to the connection
//!   and kept in the registry for ten minutes; [`Connections::complete`] takes the callback,
//!   exchanges the code, lists the account's businesses or companies and stores the connection.
//! - [`Connections::client`] gives a ready, cached [`sage_core::Client`] per connection; all share
//!   one HTTP connection pool.
//! - A refresh token Sage refuses for good (`invalid_grant`) marks the connection
//!   [`Status::NeedsRelink`] after one attempt; from then on its calls fail at once, with no
//!   refresh attempt, until it is completed again. Held clients fail with the typed
//!   [`AuthError::ConnectionNeedsRelink`](sage_core::auth::AuthError::ConnectionNeedsRelink)
//!   (match `sage_core::Error::Auth(..)`, or convert with [`Error::from`]), `client()` and
//!   [`Connections::check`] with [`Error::NeedsRelink`]; a disconnected one likewise with
//!   `ConnectionDisconnected` / [`Error::Disconnected`].
//! - A transient refresh failure (timeout, 5xx, no route) leaves the status `active`: the next
//!   attempts back off ([`TransientBackoff`]: exponential with jitter, capped), so a thousand
//!   calls make no token request meanwhile, and the first good token after the streak is
//!   [`Event::Recovered`].
//! - [`Events`](Event) — `connected`, `refreshed`, `needs_relink`, `recovered`, `disconnected` —
//!   come as a stream ([`Connections::subscribe`]), a callback
//!   ([`ConnectionsBuilder::on_event`]) or signed POSTs to the app's URL
//!   ([`ConnectionsBuilder::webhook`]; [`webhook::verify`] on the receiving side). Each process
//!   emits what it did. A reconnect after `needs_relink` is `connected` (with `previous_status`),
//!   not `recovered`.
//! - [`Connections::keep_alive`] (opt-in) refreshes connections whose refresh token would expire
//!   unused (31 days on v3.1, the app's Sage ID lifetime on Sage 200), one process of a fleet at a
//!   time through a lease in the registry, at most [`KeepAlive::concurrency`] at once.
//! - [`Connections::disconnect`] revokes at Sage where the product allows it, deletes the tokens,
//!   marks the connection [`Status::Disconnected`] and keeps an [`AuditRecord`] (who, when, why);
//!   [`Connections::audit`] gives a connection's trail.
//! - Every client is held to Sage's rate per (product, business or company) — by default
//!   Accounting v3's documented 200 calls per 60 s ([`ConnectionsBuilder::rate_limit`]) — by the
//!   registry's limiter: in this process for SQLite, one budget for the whole fleet for Redis. A
//!   429's `Retry-After` holds back every caller of that business.
//!
//! ```no_run
//! # async fn demo(cipher: sage_core::auth::TokenCipher, product: sage_core::Product) -> Result<(), Box<dyn std::error::Error>> {
//! use sage_connections::{Connections, ProductConfig, SqliteRegistry};
//!
//! let registry = SqliteRegistry::open("connections.db", cipher.clone()).await?;
//! let connections = Connections::builder(registry, cipher)
//!     .product(ProductConfig::new(product, "client-id").client_secret("client-secret"))
//!     .build()?;
//! // In the "Connect" handler: redirect the browser.
//! let authorize = connections.begin("customer-42", product, "https://app.example/sage/callback").await?;
//! # let callback_url = authorize.url.as_str();
//! // In the callback handler, with the full URL Sage redirected to:
//! let connection = connections.complete(callback_url).await?;
//! let client = connections.client(&connection.id).await?;
//! # let _ = client; Ok(()) }
//! ```

#![warn(missing_docs)]

mod auth;
mod backoff;
mod config;
mod connect;
mod connection;
mod discover;
mod error;
mod event;
mod keep_alive;
mod lifecycle;
mod manager;
mod redis_registry;
mod registry;
mod sqlite;
pub mod webhook;

pub use backoff::TransientBackoff;
pub use config::ProductConfig;
pub use connect::{AuthorizeUrl, ProductName};
pub use connection::{Business, Connection, Region, Sage200Company, Status};
pub use error::{Error, RegistryError};
pub use event::{AuditRecord, Event};
pub use keep_alive::{KeepAlive, KeepAliveHandle, KeepAliveReport};
pub use manager::{Connections, ConnectionsBuilder, EVENT_CAPACITY, STATE_LIFETIME};
pub use redis_registry::RedisRegistry;
pub use registry::{PendingState, Registry, Taken, Update};
pub use sage_core::auth::TokenCipher;
pub use sqlite::{SqliteRegistry, SqliteTokenStore};
pub use webhook::Webhook;
