//! A rate limit per (product, business or company) shared by every process on one Redis: GCRA in
//! one atomic script.

use std::fmt;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use async_trait::async_trait;
use redis::Script;
use sage_core::limit::{GcraLimiter, Quota, RateKey, RateLimiter};

use crate::connection::Connection;
use crate::error::RedisStoreError;
use crate::key::{escape_key_part, DEFAULT_NAMESPACE};

/// GCRA on `KEYS[1]`, which holds the key's theoretical arrival time (TAT) in microseconds of
/// Redis's clock, so every process measures time alike.
///
/// `ARGV`: emission interval and tolerance (µs), the longest wait accepted (µs, `-1`: any), and
/// for a penalty (`ARGV[4]` = `penalize`) the `Retry-After` (µs in `ARGV[5]`).
/// Acquire returns the wait in µs, having reserved the slot, or `-1` (beyond the longest wait,
/// nothing reserved); a penalty returns 0. The key expires once the limit has fully recovered.
static GCRA: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.replicate_commands then pcall(redis.replicate_commands) end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
if tat < now then tat = now end
local function store(value)
  redis.call('SET', KEYS[1], string.format('%.0f', value), 'PX', math.floor((value - now) / 1000) + 1)
end
if ARGV[4] == 'penalize' then
  local earliest = now + tonumber(ARGV[5]) + tolerance
  if earliest > tat then tat = earliest end
  store(tat)
  return 0
end
local wait = tat - tolerance - now
if wait < 0 then wait = 0 end
local longest = tonumber(ARGV[3])
if longest >= 0 and wait > longest then
  return -1
end
store(tat + interval)
return wait
",
    )
});

/// A [`RateLimiter`] whose state lives in Redis, at `{namespace}:rate:{product}:{tenant}`: every
/// process (and every client in it) using the same Redis and namespace shares one limit per key.
///
/// Each acquire and each `Retry-After` penalty is one call of one atomic script (GCRA, on Redis's
/// clock), so slots are handed out in the order the script runs and no two processes take the
/// same one. If Redis cannot be reached, the limiter falls back to a [`GcraLimiter`] of this
/// process alone with the same quotas (logged), rather than failing the call or not limiting.
///
/// ```no_run
/// # fn demo() -> Result<(), sage_redis_store::RedisStoreError> {
/// use std::sync::Arc;
/// use sage_core::limit::Quota;
/// use sage_redis_store::RedisRateLimiter;
///
/// let limiter = Arc::new(RedisRateLimiter::new("redis://cache.internal:6379/0", Quota::default())?);
/// // Client::builder(PRODUCT).rate_limit(limiter.clone())…
/// # let _ = limiter; Ok(()) }
/// ```
pub struct RedisRateLimiter {
    connection: Arc<Connection>,
    namespace: String,
    /// The quotas, and this process's limit while Redis cannot be reached.
    fallback: GcraLimiter,
}

impl fmt::Debug for RedisRateLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisRateLimiter")
            .field("url", &self.connection.redacted_url())
            .field("namespace", &self.namespace)
            .field("quotas", &self.fallback)
            .finish_non_exhaustive()
    }
}

impl RedisRateLimiter {
    /// A limiter on the Redis at `url` in the `sage` namespace, holding every key to `quota`;
    /// connects on first use.
    pub fn new(url: &str, quota: Quota) -> Result<Self, RedisStoreError> {
        Ok(Self {
            connection: Arc::new(Connection::open(url)?),
            namespace: DEFAULT_NAMESPACE.into(),
            fallback: GcraLimiter::new(quota),
        })
    }

    /// Holds the keys of the product named `product` to `quota` instead.
    #[must_use]
    pub fn with_quota(mut self, product: &'static str, quota: Quota) -> Self {
        self.fallback = self.fallback.with_quota(product, quota);
        self
    }

    /// Uses another key prefix (several apps on one Redis, each with limits of its own).
    #[must_use]
    pub fn with_namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = namespace.into();
        self
    }

    /// The Redis key holding `key`'s state.
    pub fn redis_key(&self, key: &RateKey) -> String {
        format!("{}:rate:{}:{}", self.namespace, escape_key_part(key.product()), escape_key_part(key.tenant()))
    }

    /// One run of the script; its reply in µs.
    async fn run(
        &self,
        key: &RateKey,
        longest: Option<Duration>,
        penalty: Option<Duration>,
    ) -> Result<i64, RedisStoreError> {
        let quota = self.fallback.quota(key);
        let mut manager = self.connection.get().await?;
        let mut invocation = GCRA.key(self.redis_key(key));
        invocation
            .arg(micros(quota.emission_interval()))
            .arg(micros(quota.tolerance()))
            .arg(longest.map_or(-1, micros))
            .arg(if penalty.is_some() { "penalize" } else { "acquire" })
            .arg(penalty.map_or(0, micros));
        invocation.invoke_async(&mut manager).await.map_err(|err| self.connection.error(err))
    }
}

#[async_trait]
impl RateLimiter for RedisRateLimiter {
    async fn acquire(&self, key: &RateKey, max_wait: Option<Duration>) -> Option<Duration> {
        match self.run(key, max_wait, None).await {
            Ok(wait) => u64::try_from(wait).ok().map(Duration::from_micros),
            Err(err) => {
                tracing::warn!(key = %key, error = %err, "rate limit not shared: this process limits alone");
                self.fallback.acquire(key, max_wait).await
            }
        }
    }

    async fn penalize(&self, key: &RateKey, retry_after: Duration) {
        self.fallback.penalize(key, retry_after).await;
        if let Err(err) = self.run(key, None, Some(retry_after)).await {
            tracing::warn!(key = %key, error = %err, "Retry-After not shared with the other processes");
        }
    }
}

fn micros(duration: Duration) -> i64 {
    i64::try_from(duration.as_micros()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_namespaced_and_escaped() {
        let limiter = RedisRateLimiter::new("redis://127.0.0.1:1/", Quota::default()).unwrap().with_namespace("app");
        assert_eq!(limiter.redis_key(&RateKey::new("accounting-v3", "site:1")), "app:rate:accounting-v3:site%3A1");
        assert_eq!(limiter.redis_key(&RateKey::new("accounting-v31", "")), "app:rate:accounting-v31:");
    }
}
