//! The fleet backend: connections and pending connect flows in Redis under one prefix, tokens in
//! `sage-redis-store`'s stores (sealed, one refresh lock per connection across every instance).

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{AsyncCommands, Script};
use sage_core::auth::{SageApi, TokenCipher, TokenStore};
use sage_core::limit::{GcraLimiter, Quota, RateLimiter};
use sage_redis_store::{escape_key_part, ConnectionKey, RedisRateLimiter, RedisTokenStore};
use tokio::sync::OnceCell;

use crate::connection::Connection;
use crate::error::RegistryError;
use crate::event::AuditRecord;
use crate::registry::{decode, encode, PendingState, Registry, Taken, Update};

const TIMEOUT: Duration = Duration::from_secs(5);
/// How long a used or expired `state` is remembered, so a replay is told "reused", not "unknown".
const STATE_MEMORY_MS: i64 = 24 * 3600 * 1000;
/// Attempts of an [`update`](Registry::update) that loses its compare-and-set to other writers.
const UPDATE_ATTEMPTS: usize = 20;

/// Writes the body if the version is still the one read (`ARGV[1]`), moving the version on.
static UPDATE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local version = redis.call('HGET', KEYS[1], 'version') or '0'
if version ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'body', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'version', 1)
return 1
",
    )
});

/// Takes a pending flow once. `ARGV[1]` = `1` checks the connection against `ARGV[2]`.
static TAKE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local flow = redis.call('HMGET', KEYS[1], 'connection', 'consumed', 'expires_at', 'sealed')
if not flow[1] then return {'unknown'} end
if ARGV[1] == '1' and flow[1] ~= ARGV[2] then return {'other'} end
if flow[2] == '1' then return {'reused'} end
redis.call('HSET', KEYS[1], 'consumed', '1')
return {'taken', flow[1], flow[3], flow[4]}
",
    )
});

/// Takes the lease `KEYS[1]` for holder `ARGV[1]` for `ARGV[2]` ms, or extends the holder's own.
static LEASE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
",
    )
});

/// Deletes the lease `KEYS[1]` if holder `ARGV[1]` has it.
static RELEASE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
",
    )
});

/// The Redis backend: `{prefix}:connection:{id}` (a hash: `body`, `version`),
/// `{prefix}:connection-ids` (a set), `{prefix}:connect-state:{hash}` (a hash, expiring a day after
/// the flow), `{prefix}:audit:{id}` (a list of JSON records), `{prefix}:lease:{name}` (a holder
/// with a TTL: `SET NX PX`, extended by its holder), and the token stores' `{prefix}:tokens:{api}:connection:{id}` (sealed).
#[derive(Clone)]
pub struct RedisRegistry {
    client: redis::Client,
    manager: Arc<OnceCell<ConnectionManager>>,
    prefix: String,
    location: String,
    /// Kept for the rate limiter's own connection; may hold a password, so never shown.
    url: String,
    tokens: Arc<RedisTokenStore>,
}

impl std::fmt::Debug for RedisRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisRegistry").field("url", &self.location).field("prefix", &self.prefix).finish()
    }
}

impl RedisRegistry {
    /// A registry in the Redis at `url` (`redis://`, `rediss://`; credentials in the URL), with
    /// every key under `prefix` (e.g. the app's name). Tokens are sealed with `cipher`. Connects
    /// on first use.
    pub fn new(url: &str, prefix: impl Into<String>, cipher: TokenCipher) -> Result<Self, RegistryError> {
        let location = redact(url);
        let invalid = |reason: String| RegistryError::Backend { location: location.clone(), reason };
        let password = url::Url::parse(url).ok().and_then(|url| url.password().map(str::to_owned));
        let scrub = |text: String| match &password {
            Some(password) if !password.is_empty() => text.replace(password.as_str(), "***"),
            _ => text,
        };
        let client = redis::Client::open(url).map_err(|err| invalid(scrub(err.to_string())))?;
        let prefix = prefix.into();
        let base = ConnectionKey::new(SageApi::AccountingV31, "connection", "-").with_namespace(&prefix);
        let tokens = RedisTokenStore::new(url, base).map_err(|err| invalid(err.to_string()))?.encrypted(cipher);
        Ok(Self {
            client,
            manager: Arc::new(OnceCell::new()),
            prefix,
            location,
            url: url.to_owned(),
            tokens: Arc::new(tokens),
        })
    }

    /// The prefix of every key.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    async fn conn(&self) -> Result<ConnectionManager, RegistryError> {
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(TIMEOUT))
            .set_response_timeout(Some(TIMEOUT))
            .set_number_of_retries(1);
        let manager = self
            .manager
            .get_or_try_init(|| ConnectionManager::new_with_config(self.client.clone(), config))
            .await
            .map_err(|err| self.error(err))?;
        Ok(manager.clone())
    }

    fn error(&self, err: redis::RedisError) -> RegistryError {
        // Command errors never quote the URL (only parsing it could, and `new` scrubs that one).
        let reason = err.to_string();
        let location = self.location.clone();
        if err.is_io_error() || err.is_timeout() || err.is_connection_refusal() || err.is_connection_dropped() {
            RegistryError::Unavailable { location, reason }
        } else {
            RegistryError::Backend { location, reason }
        }
    }

    fn connection_key(&self, id: &str) -> String {
        format!("{}:connection:{}", self.prefix, escape_key_part(id))
    }

    fn ids_key(&self) -> String {
        format!("{}:connection-ids", self.prefix)
    }

    fn audit_key(&self, id: &str) -> String {
        format!("{}:audit:{}", self.prefix, escape_key_part(id))
    }

    fn lease_key(&self, name: &str) -> String {
        format!("{}:lease:{}", self.prefix, escape_key_part(name))
    }

    fn state_key(&self, key: &str) -> String {
        format!("{}:connect-state:{}", self.prefix, escape_key_part(key))
    }
}

/// The URL with its password masked; an unparseable one is not shown at all.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                let _ = parsed.set_password(Some("***"));
            }
            parsed.set_query(None);
            parsed.to_string()
        }
        Err(_) => "<unparseable Redis URL>".into(),
    }
}

#[async_trait]
impl Registry for RedisRegistry {
    async fn get(&self, id: &str) -> Result<Option<Connection>, RegistryError> {
        let mut conn = self.conn().await?;
        let body: Option<String> = conn.hget(self.connection_key(id), "body").await.map_err(|err| self.error(err))?;
        body.map(|body| decode(&self.location, &body)).transpose()
    }

    async fn list(&self) -> Result<Vec<Connection>, RegistryError> {
        let mut conn = self.conn().await?;
        let mut ids: Vec<String> = conn.smembers(self.ids_key()).await.map_err(|err| self.error(err))?;
        ids.sort();
        if ids.is_empty() {
            return Ok(Vec::new()); // Redis refuses an empty pipeline
        }
        let mut pipe = redis::pipe();
        for id in &ids {
            pipe.hget(self.connection_key(id), "body");
        }
        let bodies: Vec<Option<String>> = pipe.query_async(&mut conn).await.map_err(|err| self.error(err))?;
        bodies.into_iter().flatten().map(|body| decode(&self.location, &body)).collect()
    }

    async fn put(&self, connection: &Connection) -> Result<(), RegistryError> {
        let mut conn = self.conn().await?;
        let key = self.connection_key(&connection.id);
        let _: () = redis::pipe()
            .atomic()
            .hset(&key, "body", encode(connection))
            .ignore()
            .hincr(&key, "version", 1)
            .ignore()
            .sadd(self.ids_key(), &connection.id)
            .ignore()
            .query_async(&mut conn)
            .await
            .map_err(|err| self.error(err))?;
        Ok(())
    }

    async fn update(&self, id: &str, update: Update) -> Result<Option<Connection>, RegistryError> {
        let mut conn = self.conn().await?;
        let key = self.connection_key(id);
        for _ in 0..UPDATE_ATTEMPTS {
            let (body, version): (Option<String>, Option<String>) = redis::cmd("HMGET")
                .arg(&key)
                .arg("body")
                .arg("version")
                .query_async(&mut conn)
                .await
                .map_err(|err| self.error(err))?;
            let Some(body) = body else { return Ok(None) };
            let mut connection = decode(&self.location, &body)?;
            if !update(&mut connection) {
                return Ok(Some(connection));
            }
            let written: i32 = UPDATE
                .key(&key)
                .arg(version.unwrap_or_else(|| "0".into()))
                .arg(encode(&connection))
                .invoke_async(&mut conn)
                .await
                .map_err(|err| self.error(err))?;
            if written == 1 {
                return Ok(Some(connection));
            }
        }
        Err(RegistryError::Backend {
            location: self.location.clone(),
            reason: format!("connection `{id}` kept changing while it was being updated"),
        })
    }

    async fn put_state(&self, key: &str, pending: &PendingState) -> Result<(), RegistryError> {
        let mut conn = self.conn().await?;
        let key = self.state_key(key);
        let expires = pending.expires_at.timestamp_millis();
        let _: () = redis::pipe()
            .atomic()
            .hset_multiple(
                &key,
                &[
                    ("connection", pending.connection_id.clone()),
                    ("consumed", "0".into()),
                    ("expires_at", expires.to_string()),
                    ("sealed", pending.sealed.clone()),
                ],
            )
            .ignore()
            .cmd("PEXPIREAT")
            .arg(&key)
            .arg(expires + STATE_MEMORY_MS)
            .ignore()
            .query_async(&mut conn)
            .await
            .map_err(|err| self.error(err))?;
        Ok(())
    }

    async fn take_state(&self, key: &str, expected_connection: Option<&str>) -> Result<Taken, RegistryError> {
        let mut conn = self.conn().await?;
        let answer: Vec<String> = TAKE
            .key(self.state_key(key))
            .arg(if expected_connection.is_some() { "1" } else { "0" })
            .arg(expected_connection.unwrap_or_default())
            .invoke_async(&mut conn)
            .await
            .map_err(|err| self.error(err))?;
        let corrupt = || RegistryError::Corrupt {
            location: self.location.clone(),
            reason: "a connect state is malformed".into(),
        };
        Ok(match answer.as_slice() {
            [kind] if kind == "unknown" => Taken::Unknown,
            [kind] if kind == "other" => Taken::OtherConnection,
            [kind] if kind == "reused" => Taken::Reused,
            [kind, connection_id, expires_at, sealed] if kind == "taken" => {
                let expires_at = expires_at.parse::<i64>().ok().and_then(DateTime::<Utc>::from_timestamp_millis);
                Taken::Pending(PendingState {
                    connection_id: connection_id.clone(),
                    expires_at: expires_at.ok_or_else(corrupt)?,
                    sealed: sealed.clone(),
                })
            }
            _ => return Err(corrupt()),
        })
    }

    async fn append_audit(&self, record: &AuditRecord) -> Result<(), RegistryError> {
        let mut conn = self.conn().await?;
        let body = serde_json::to_string(record).unwrap_or_default();
        let _: i64 = conn.rpush(self.audit_key(&record.connection_id), body).await.map_err(|err| self.error(err))?;
        Ok(())
    }

    async fn audit(&self, id: &str) -> Result<Vec<AuditRecord>, RegistryError> {
        let mut conn = self.conn().await?;
        let bodies: Vec<String> = conn.lrange(self.audit_key(id), 0, -1).await.map_err(|err| self.error(err))?;
        bodies
            .iter()
            .map(|body| {
                serde_json::from_str(body).map_err(|_| RegistryError::Corrupt {
                    location: self.location.clone(),
                    reason: "an audit record is not readable".into(),
                })
            })
            .collect()
    }

    async fn try_lease(&self, name: &str, holder: &str, ttl: Duration) -> Result<bool, RegistryError> {
        let mut conn = self.conn().await?;
        let ttl_ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        let taken: i32 = LEASE
            .key(self.lease_key(name))
            .arg(holder)
            .arg(ttl_ms)
            .invoke_async(&mut conn)
            .await
            .map_err(|err| self.error(err))?;
        Ok(taken == 1)
    }

    async fn release_lease(&self, name: &str, holder: &str) -> Result<(), RegistryError> {
        let mut conn = self.conn().await?;
        let _: i32 = RELEASE
            .key(self.lease_key(name))
            .arg(holder)
            .invoke_async(&mut conn)
            .await
            .map_err(|err| self.error(err))?;
        Ok(())
    }

    fn token_store(&self, id: &str, api: SageApi) -> Arc<dyn TokenStore> {
        let key = ConnectionKey::new(api, "connection", id).with_namespace(&self.prefix);
        Arc::new(self.tokens.for_key(key))
    }

    /// A GCRA in this Redis, under the registry's prefix: every process of the fleet draws on
    /// one budget per business.
    fn rate_limiter(&self, quota: Quota) -> Arc<dyn RateLimiter> {
        match RedisRateLimiter::new(&self.url, quota) {
            Ok(limiter) => Arc::new(limiter.with_namespace(&self.prefix)),
            // The URL opened a client in `new`, so this does not happen; stay limited if it does.
            Err(err) => {
                tracing::warn!(error = %err, "the Redis rate limiter could not be opened; limiting in this process");
                Arc::new(GcraLimiter::new(quota))
            }
        }
    }
}
