//! The cluster-wide refresh lock: `SET NX PX` with a random owner token, released only by its owner.

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use rand::Rng;
use redis::aio::ConnectionManager;
use redis::{Script, Value};
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

const FIRST_POLL: Duration = Duration::from_millis(10);
const LONGEST_POLL: Duration = Duration::from_millis(250);

/// How long a lock lives and how long a waiter waits for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockSettings {
    /// Expiry of a held lock, so a crashed holder cannot block the others forever. Must exceed the
    /// longest refresh (the OAuth client's 30 s request timeout): a lock that expires mid-refresh
    /// lets a second instance refresh with the same, soon rotated, refresh token.
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

/// A lock this instance holds. Dropped unreleased (a cancelled task), it releases in the background.
pub(crate) struct HeldLock {
    connection: Arc<Connection>,
    manager: ConnectionManager,
    key: String,
    token: Option<String>,
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
            return Ok(HeldLock { connection, manager, key, token: Some(token) });
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
        if let Some(token) = self.token.take() {
            release(&self.connection, self.manager.clone(), &self.key, &token).await;
        }
    }
}

impl Drop for HeldLock {
    fn drop(&mut self) {
        let Some(token) = self.token.take() else { return };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
        let (connection, manager, key) = (self.connection.clone(), self.manager.clone(), self.key.clone());
        runtime.spawn(async move { release(&connection, manager, &key, &token).await });
    }
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
fn owner_token() -> String {
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
