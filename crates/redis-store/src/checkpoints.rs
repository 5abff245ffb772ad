//! Change-feed checkpoints in Redis, with leases so workers split the feeds between them.

use std::fmt;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use async_trait::async_trait;
use redis::{Script, Value};
use sage_core::changes::{Checkpoint, CheckpointError, CheckpointStore, Lease};

use crate::connection::Connection;
use crate::error::RedisStoreError;
use crate::key::DEFAULT_NAMESPACE;
use crate::lock::owner_token;

/// Stores the checkpoint only while the lease still holds our token (a fenced write).
static SAVE_LEASED: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[2], ARGV[2])
  return 1
end
return 0
",
    )
});

/// Extends the lease only if it is still ours.
static RENEW: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
",
    )
});

/// Deletes the lease only if it is still ours.
static RELEASE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
",
    )
});

/// Checkpoints at `{namespace}:checkpoint:{key}`, leases at `{namespace}:feed-lease:{key}`.
///
/// A worker [`acquire`](CheckpointStore::acquire)s a feed key (`SET NX PX`, so one holder at a
/// time and a crashed holder's lease expires), runs a pass, stores each batch's checkpoint with
/// [`save_leased`](CheckpointStore::save_leased) — refused once the lease is lost, so a stalled
/// worker cannot move a checkpoint another worker now owns — and releases the key.
#[derive(Clone)]
pub struct RedisCheckpointStore {
    connection: Arc<Connection>,
    namespace: String,
}

impl fmt::Debug for RedisCheckpointStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisCheckpointStore")
            .field("url", &self.connection.redacted_url())
            .field("namespace", &self.namespace)
            .finish()
    }
}

impl RedisCheckpointStore {
    /// A store on the Redis at `url` in the `sage` namespace; connects on first use.
    pub fn new(url: &str) -> Result<Self, RedisStoreError> {
        Ok(Self { connection: Arc::new(Connection::open(url)?), namespace: DEFAULT_NAMESPACE.into() })
    }

    /// Uses another key prefix (several apps on one Redis).
    #[must_use]
    pub fn with_namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = namespace.into();
        self
    }

    fn checkpoint_key(&self, key: &str) -> String {
        format!("{}:checkpoint:{key}", self.namespace)
    }

    fn lease_key(&self, key: &str) -> String {
        format!("{}:feed-lease:{key}", self.namespace)
    }

    async fn manager(&self) -> Result<redis::aio::ConnectionManager, CheckpointError> {
        self.connection.get().await.map_err(backend)
    }

    fn failed(&self, err: redis::RedisError) -> CheckpointError {
        backend(self.connection.error(err))
    }
}

fn backend(err: RedisStoreError) -> CheckpointError {
    CheckpointError::Backend(err.to_string())
}

fn millis(ttl: Duration) -> u64 {
    u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1)
}

fn encode(checkpoint: &Checkpoint) -> Result<String, CheckpointError> {
    serde_json::to_string(checkpoint).map_err(|err| CheckpointError::Backend(err.to_string()))
}

#[async_trait]
impl CheckpointStore for RedisCheckpointStore {
    async fn load(&self, key: &str) -> Result<Option<Checkpoint>, CheckpointError> {
        let mut manager = self.manager().await?;
        let stored: Option<String> = redis::cmd("GET")
            .arg(self.checkpoint_key(key))
            .query_async(&mut manager)
            .await
            .map_err(|e| self.failed(e))?;
        stored
            .map(|text| {
                serde_json::from_str(&text).map_err(|err| CheckpointError::Corrupt {
                    location: self.checkpoint_key(key),
                    reason: err.to_string(),
                })
            })
            .transpose()
    }

    async fn save(&self, key: &str, checkpoint: &Checkpoint) -> Result<(), CheckpointError> {
        let mut manager = self.manager().await?;
        let () = redis::cmd("SET")
            .arg(self.checkpoint_key(key))
            .arg(encode(checkpoint)?)
            .query_async(&mut manager)
            .await
            .map_err(|e| self.failed(e))?;
        Ok(())
    }

    async fn acquire(&self, key: &str, ttl: Duration) -> Result<Option<Lease>, CheckpointError> {
        let mut manager = self.manager().await?;
        let token = owner_token();
        let reply: Value = redis::cmd("SET")
            .arg(self.lease_key(key))
            .arg(&token)
            .arg("NX")
            .arg("PX")
            .arg(millis(ttl))
            .query_async(&mut manager)
            .await
            .map_err(|e| self.failed(e))?;
        Ok((!matches!(reply, Value::Nil)).then(|| Lease { key: key.to_owned(), token }))
    }

    async fn renew(&self, lease: &Lease, ttl: Duration) -> Result<bool, CheckpointError> {
        let mut manager = self.manager().await?;
        let renewed: i64 = RENEW
            .key(self.lease_key(&lease.key))
            .arg(&lease.token)
            .arg(millis(ttl))
            .invoke_async(&mut manager)
            .await
            .map_err(|e| self.failed(e))?;
        Ok(renewed == 1)
    }

    async fn save_leased(&self, lease: &Lease, checkpoint: &Checkpoint) -> Result<(), CheckpointError> {
        let mut manager = self.manager().await?;
        let saved: i64 = SAVE_LEASED
            .key(self.lease_key(&lease.key))
            .key(self.checkpoint_key(&lease.key))
            .arg(&lease.token)
            .arg(encode(checkpoint)?)
            .invoke_async(&mut manager)
            .await
            .map_err(|e| self.failed(e))?;
        if saved == 1 {
            Ok(())
        } else {
            Err(CheckpointError::LeaseLost(lease.key.clone()))
        }
    }

    async fn release(&self, lease: Lease) -> Result<(), CheckpointError> {
        let mut manager = self.manager().await?;
        let _: i64 = RELEASE
            .key(self.lease_key(&lease.key))
            .arg(&lease.token)
            .invoke_async(&mut manager)
            .await
            .map_err(|e| self.failed(e))?;
        Ok(())
    }
}
