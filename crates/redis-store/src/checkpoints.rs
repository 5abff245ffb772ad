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

/// Stores the checkpoint `ARGV[2]` at `KEYS[1]` if what is stored there is still what the caller
/// read (`ARGV[3]` = `1`: the value `ARGV[1]`; otherwise nothing), and, for a leased save
/// (`ARGV[4]` not empty), only while the lease `KEYS[2]` still holds that token (a fenced write).
/// 1: stored; 0: the lease is lost; 2: the checkpoint changed since it was read (read it again).
static SAVE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if ARGV[4] ~= '' and redis.call('GET', KEYS[2]) ~= ARGV[4] then
  return 0
end
local current = redis.call('GET', KEYS[1])
if ARGV[3] == '1' then
  if current ~= ARGV[1] then
    return 2
  end
elseif current then
  return 2
end
redis.call('SET', KEYS[1], ARGV[2])
return 1
",
    )
});

/// Reads and compare-and-sets of one save before it gives up (each lost only to another save).
const SAVE_ATTEMPTS: u32 = 8;

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
///
/// A save never moves a checkpoint backwards: it stores [`Checkpoint::furthest`] of the stored
/// checkpoint and the given one, compare-and-set in one script, so an older checkpoint written
/// back (by a worker that stalled, or after Redis restarted empty and a worker refilled it) never
/// replaces a newer one.
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

    fn decode(&self, key: &str, text: &str) -> Result<Checkpoint, CheckpointError> {
        serde_json::from_str(text)
            .map_err(|err| CheckpointError::Corrupt { location: self.checkpoint_key(key), reason: err.to_string() })
    }

    /// Stores the furthest of the stored checkpoint and `checkpoint`, fenced by `lease` if given.
    async fn save_forward(
        &self,
        key: &str,
        lease: Option<&Lease>,
        checkpoint: &Checkpoint,
    ) -> Result<(), CheckpointError> {
        let mut manager = self.manager().await?;
        let checkpoint_key = self.checkpoint_key(key);
        let lease_key = self.lease_key(key);
        for _ in 0..SAVE_ATTEMPTS {
            let current: Option<String> =
                redis::cmd("GET").arg(&checkpoint_key).query_async(&mut manager).await.map_err(|e| self.failed(e))?;
            let furthest = match &current {
                Some(text) => self.decode(key, text)?.furthest(checkpoint),
                None => checkpoint.clone(),
            };
            let outcome: i64 = SAVE
                .key(&checkpoint_key)
                .key(&lease_key)
                .arg(current.as_deref().unwrap_or_default())
                .arg(encode(&furthest)?)
                .arg(if current.is_some() { "1" } else { "0" })
                .arg(lease.map(|lease| lease.token.as_str()).unwrap_or_default())
                .invoke_async(&mut manager)
                .await
                .map_err(|e| self.failed(e))?;
            match outcome {
                1 => return Ok(()),
                0 => return Err(CheckpointError::LeaseLost(key.to_owned())),
                _ => continue,
            }
        }
        Err(CheckpointError::Backend(format!(
            "{checkpoint_key} kept changing during {SAVE_ATTEMPTS} attempts to save it"
        )))
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
        stored.map(|text| self.decode(key, &text)).transpose()
    }

    async fn save(&self, key: &str, checkpoint: &Checkpoint) -> Result<(), CheckpointError> {
        self.save_forward(key, None, checkpoint).await
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
        self.save_forward(&lease.key, Some(lease), checkpoint).await
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
