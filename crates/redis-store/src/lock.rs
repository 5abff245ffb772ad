//! The cluster-wide refresh lock: `SET NX PX` with a random owner token, released only by its owner.

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use rand::Rng;
use redis::aio::ConnectionManager;
use redis::{Script, Value};
use tokio::task::AbortHandle;
use tokio::time::Instant;

use crate::connection::Connection;
use crate::error::RedisStoreError;

/// Deletes the lock only if it still holds our token: after our TTL ran out it may be someone else's.
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

/// Pushes the expiry out again only if the lock still holds our token.
static EXTEND: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
",
    )
});

/// A held lock is extended for at most this long, so a holder stuck for good (not crashed: a
/// crashed one stops extending at once) cannot block the others forever.
const MAX_HOLD: Duration = Duration::from_secs(300);

const FIRST_POLL: Duration = Duration::from_millis(10);
const LONGEST_POLL: Duration = Duration::from_millis(250);

/// How long a lock lives and how long a waiter waits for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockSettings {
    /// Expiry of a held lock, so a crashed holder cannot block the others for long. While the
    /// holder works, the lock is extended every third of the TTL (for up to five minutes), so a
    /// refresh slower than the TTL never lets a second instance in with the same refresh token.
    pub ttl: Duration,
    /// How long to wait for a lock someone else holds before failing with
    /// [`RedisStoreError::LockTimeout`]. Longer than `ttl`, so waiters outlive a crashed holder.
    pub max_wait: Duration,
}

impl Default for LockSettings {
    fn default() -> Self {
        Self { ttl: Duration::from_secs(45), max_wait: Duration::from_secs(60) }
    }
}

/// A lock this instance holds, extended in the background until released. Dropped unreleased (a
/// cancelled task), it releases in the background.
pub(crate) struct HeldLock {
    connection: Arc<Connection>,
    manager: ConnectionManager,
    key: String,
    token: Option<String>,
    keeper: AbortHandle,
}

/// Takes the lock at `key`, polling with growing, jittered pauses until `settings.max_wait` ends.
pub(crate) async fn acquire(
    connection: Arc<Connection>,
    key: String,
    settings: LockSettings,
) -> Result<HeldLock, RedisStoreError> {
    let mut manager = connection.get().await?;
    let token = owner_token();
    let ttl_ms = u64::try_from(settings.ttl.as_millis()).unwrap_or(u64::MAX).max(1);
    let started = Instant::now();
    let deadline = started + settings.max_wait;
    let mut pause = FIRST_POLL;
    loop {
        let reply: Value = redis::cmd("SET")
            .arg(&key)
            .arg(&token)
            .arg("NX")
            .arg("PX")
            .arg(ttl_ms)
            .query_async(&mut manager)
            .await
            .map_err(|err| connection.error(err))?;
        if !matches!(reply, Value::Nil) {
            tracing::debug!(lock = %key, waited = ?started.elapsed(), "refresh lock taken");
            let keeper = tokio::spawn(keep(connection.clone(), manager.clone(), key.clone(), token.clone(), ttl_ms))
                .abort_handle();
            return Ok(HeldLock { connection, manager, key, token: Some(token), keeper });
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(RedisStoreError::LockTimeout { key, waited: started.elapsed() });
        }
        tokio::time::sleep(jittered(pause).min(deadline - now)).await;
        pause = (pause * 2).min(LONGEST_POLL);
    }
}

impl HeldLock {
    /// Gives the lock back if it is still ours. Failures only delay the others until the TTL ends,
    /// so they are logged, not returned.
    pub(crate) async fn release(mut self) {
        self.keeper.abort();
        if let Some(token) = self.token.take() {
            release(&self.connection, self.manager.clone(), &self.key, &token).await;
        }
    }
}

impl Drop for HeldLock {
    fn drop(&mut self) {
        self.keeper.abort();
        let Some(token) = self.token.take() else { return };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
        let (connection, manager, key) = (self.connection.clone(), self.manager.clone(), self.key.clone());
        runtime.spawn(async move { release(&connection, manager, &key, &token).await });
    }
}

/// Extends the lock every third of its TTL while it is ours, up to [`MAX_HOLD`].
async fn keep(connection: Arc<Connection>, mut manager: ConnectionManager, key: String, token: String, ttl_ms: u64) {
    let every = Duration::from_millis(ttl_ms / 3).max(Duration::from_millis(1));
    let stop = Instant::now() + MAX_HOLD;
    while Instant::now() < stop {
        tokio::time::sleep(every).await;
        let extended: Result<i64, _> = EXTEND.key(&key).arg(&token).arg(ttl_ms).invoke_async(&mut manager).await;
        match extended {
            Ok(1) => tracing::trace!(lock = %key, "refresh lock extended"),
            Ok(_) => {
                tracing::warn!(lock = %key, "the refresh lock expired before it could be extended");
                return;
            }
            Err(err) => tracing::warn!(lock = %key, error = %connection.error(err), "refresh lock not extended"),
        }
    }
    tracing::warn!(lock = %key, "the refresh lock was held too long: no longer extended");
}

async fn release(connection: &Connection, mut manager: ConnectionManager, key: &str, token: &str) {
    let released: Result<i64, _> = RELEASE.key(key).arg(token).invoke_async(&mut manager).await;
    match released {
        Ok(1) => tracing::debug!(lock = %key, "refresh lock released"),
        Ok(_) => tracing::warn!(lock = %key, "the refresh lock had expired before its release"),
        Err(err) => tracing::warn!(lock = %key, error = %connection.error(err), "refresh lock not released"),
    }
}

/// 128 random bits: no other instance can guess it and release our lock.
pub(crate) fn owner_token() -> String {
    format!("{:032x}", rand::thread_rng().gen::<u128>())
}

/// Between half and all of `pause`, so waiters do not poll in step.
fn jittered(pause: Duration) -> Duration {
    pause.mul_f64(rand::thread_rng().gen_range(0.5..=1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owner_tokens_are_unique_and_long() {
        let (first, second) = (owner_token(), owner_token());
        assert_ne!(first, second);
        assert_eq!(first.len(), 32);
    }

    #[test]
    fn jitter_never_lengthens_a_pause() {
        for _ in 0..100 {
            let pause = jittered(LONGEST_POLL);
            assert!(pause <= LONGEST_POLL && pause >= LONGEST_POLL / 2, "{pause:?}");
        }
    }
}
