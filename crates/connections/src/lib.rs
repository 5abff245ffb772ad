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
//! - A refresh token Sage refuses for good marks the connection
//!   [`Status::NeedsRelink`]; from then on its calls fail at once, until it is completed again.
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
mod config;
mod connect;
mod connection;
mod discover;
mod error;
mod manager;
mod redis_registry;
mod registry;
mod sqlite;

pub use config::ProductConfig;
pub use connect::{AuthorizeUrl, ProductName};
pub use connection::{Business, Connection, Region, Sage200Company, Status};
pub use error::{Error, RegistryError};
pub use manager::{Connections, ConnectionsBuilder, STATE_LIFETIME};
pub use redis_registry::RedisRegistry;
pub use registry::{PendingState, Registry, Taken, Update};
pub use sage_core::auth::TokenCipher;
pub use sqlite::{SqliteRegistry, SqliteTokenStore};
