//! One lazily opened, self-reconnecting Redis connection, shared by every store made from it.

use std::fmt;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Client, RedisError};
use tokio::sync::OnceCell;

use crate::error::RedisStoreError;
use crate::redact::{redact_url, scrub, secrets_of};

/// Connection and command timeouts: a Redis that does not answer is an error, not a hang.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(5);
/// Retries of a failed connection attempt within one call; the next call tries again anyway.
const CONNECT_RETRIES: usize = 1;

pub(crate) struct Connection {
    client: Client,
    redacted_url: String,
    secrets: Vec<String>,
    manager: OnceCell<ConnectionManager>,
}

impl Connection {
    /// Parses `url` (`redis://`, `rediss://` for TLS, `redis+unix://`); connects on first use.
    pub(crate) fn open(url: &str) -> Result<Self, RedisStoreError> {
        let secrets = secrets_of(url);
        let redacted_url = redact_url(url);
        let client = Client::open(url).map_err(|err| RedisStoreError::InvalidUrl {
            url: redacted_url.clone(),
            reason: scrub(err.to_string(), &secrets),
        })?;
        Ok(Self { client, redacted_url, secrets, manager: OnceCell::new() })
    }

    /// The shared connection, opened now if it is not yet. A failed first connection is retried
    /// by the next call.
    pub(crate) async fn get(&self) -> Result<ConnectionManager, RedisStoreError> {
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(CONNECT_TIMEOUT))
            .set_response_timeout(Some(RESPONSE_TIMEOUT))
            .set_number_of_retries(CONNECT_RETRIES);
        let manager = self
            .manager
            .get_or_try_init(|| ConnectionManager::new_with_config(self.client.clone(), config))
            .await
            .map_err(|err| self.error(err))?;
        Ok(manager.clone())
    }

    /// Classifies a client error, with the password removed from its text.
    pub(crate) fn error(&self, err: RedisError) -> RedisStoreError {
        let url = self.redacted_url.clone();
        let reason = scrub(err.to_string(), &self.secrets);
        let unreachable =
            err.is_io_error() || err.is_timeout() || err.is_connection_refusal() || err.is_connection_dropped();
        if unreachable {
            RedisStoreError::Unavailable { url, reason }
        } else {
            RedisStoreError::Command { url, reason }
        }
    }

    pub(crate) fn redacted_url(&self) -> &str {
        &self.redacted_url
    }
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("url", &self.redacted_url)
            .field("connected", &self.manager.initialized())
            .finish()
    }
}
