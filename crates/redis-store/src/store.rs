//! [`RedisTokenStore`]: a token set per connection key, a revision that only grows, and a shared lock.

use std::fmt;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use redis::Script;
use sage_core::auth::{RefreshLease, StoreError, TokenCipher, TokenSet, TokenStore};

use crate::at_rest::AtRest;
use crate::connection::Connection;
use crate::error::RedisStoreError;
use crate::key::ConnectionKey;
use crate::lock::{self, LockSettings};

/// Writes the set (`ARGV[2]`, of generation `ARGV[3]`) unless a newer revision than the one this
/// instance read (`ARGV[1]`; `""`: any) is stored, or a set of a higher generation. A stored
/// revision *lower* than the one read means Redis lost data (a restart without persistence): the
/// set being saved may hold the only working refresh token, so it is written, with a revision
/// above both, unless an instance holding a newer generation wrote back its set first. With
/// `ARGV[4]` = `replace` (a new consent) it writes whatever is stored.
///
/// Every check and the write are one script, so no other write falls between them. The
/// generation is compared as a number below 2^53 (Lua's doubles hold it exactly).
///
/// The last argument is the key's time to live in milliseconds (`""`: none), renewed by every write.
static SAVE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local current = redis.call('HMGET', KEYS[1], 'revision', 'generation', 'tokens')
local stored = tonumber(current[1]) or 0
local read = tonumber(ARGV[1])
local generation = tonumber(ARGV[3])
if ARGV[4] ~= 'replace' then
  if read and read < stored then
    return {0, stored}
  end
  if current[3] and (tonumber(current[2]) or 0) > generation then
    return {2, tonumber(current[2])}
  end
end
local revision = math.max(stored, read or 0) + 1
redis.call('HSET', KEYS[1], 'revision', revision, 'generation', ARGV[3], 'tokens', ARGV[2])
-- the TTL is always the last argument
if ARGV[#ARGV] ~= '' then
  redis.call('PEXPIRE', KEYS[1], ARGV[#ARGV])
else
  redis.call('PERSIST', KEYS[1])
end
return {1, revision}
",
    )
});

/// Drops the set but keeps a bumped revision, so a writer that read before the clear is refused.
static CLEAR: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
redis.call('HDEL', KEYS[1], 'tokens', 'generation')
return redis.call('HINCRBY', KEYS[1], 'revision', 1)
",
    )
});

/// Keeps one Sage connection's token set in Redis, shared by every app instance using the same
/// [`ConnectionKey`], and coordinates their refreshes with a lock in Redis.
///
/// The set is stored with [`encode`](sage_core::auth::store::encode) (the same versioned JSON as the file store) in a hash next
/// to a revision and the set's [`generation`](TokenSet::generation). [`save`](TokenStore::save)
/// is refused with [`StoreError::Conflict`] if a newer revision than the one this instance last
/// [`load`](TokenStore::load)ed is stored, so an instance whose lock expired mid-refresh cannot
/// overwrite a newer set, and whenever a set of a higher generation is stored, so a set written
/// back after Redis lost its data never replaces a newer one another instance wrote back first.
/// An *older* stored revision means Redis lost data, and the save goes through (if no newer
/// generation is stored). [`replace`](TokenStore::replace) (a new consent) writes
/// unconditionally; every write moves the revision on. Give each
/// [`Authenticator`](sage_core::auth::Authenticator) its own store.
///
/// Every failure to reach Redis is an error ([`StoreError::Unavailable`], or
/// [`StoreError::LockTimeout`] for a lock held elsewhere): no refresh ever happens without the lock.
///
/// With [`encrypted`](Self::encrypted), Redis holds the set sealed by a [`TokenCipher`]. Every save
/// gives the key a TTL that outlives the set's refresh token ([`with_expiry_margin`](Self::with_expiry_margin)),
/// so an abandoned connection's tokens do not stay in Redis for ever.
pub struct RedisTokenStore {
    connection: Arc<Connection>,
    key: ConnectionKey,
    lock: LockSettings,
    /// The revision of the last load, save or clear by this instance; `None` before any.
    read_revision: Mutex<Option<u64>>,
    /// Sealing and expiry of what is stored.
    at_rest: AtRest,
}

impl RedisTokenStore {
    /// A store for `key` in the Redis at `url` (`redis://`, `rediss://` for TLS,
    /// `redis+unix://`; credentials in the URL). Connects on first use.
    pub fn new(url: &str, key: ConnectionKey) -> Result<Self, RedisStoreError> {
        Ok(Self::with_connection(Arc::new(Connection::open(url)?), key))
    }

    /// A store for another key, sharing this store's Redis connection, lock settings, cipher and
    /// expiry.
    pub fn for_key(&self, key: ConnectionKey) -> Self {
        let mut store = Self::with_connection(self.connection.clone(), key).with_lock_settings(self.lock);
        store.at_rest = self.at_rest.clone();
        store
    }

    /// Replaces the lock's TTL and maximum wait.
    #[must_use]
    pub fn with_lock_settings(mut self, settings: LockSettings) -> Self {
        self.lock = settings;
        self
    }

    /// Seals every token set it stores with `cipher` (the whole set, with the key id in clear
    /// beside it), and opens what it loads with any key of the keyring. A set sealed with an old
    /// key of the keyring, or stored unencrypted, is read and sealed with the current key by the
    /// next save. A set sealed with a key not in the keyring, or altered, is
    /// [`StoreError::Corrupt`] naming the key id, and is left as it is.
    #[must_use]
    pub fn encrypted(mut self, cipher: TokenCipher) -> Self {
        self.at_rest.codec = sage_core::auth::store::Codec::sealed(cipher);
        self
    }

    /// How long the token key outlives the stored set's refresh token (1 day unless set). Every
    /// save sets the key's TTL to the refresh token's remaining lifetime plus this margin (the
    /// access token's, for a set without a refresh token); a refresh token that never expires
    /// (Accounting v3) leaves the key without a TTL.
    #[must_use]
    pub fn with_expiry_margin(mut self, margin: Duration) -> Self {
        self.at_rest.expiry_margin = Some(margin);
        self
    }

    /// Keeps the token key without a TTL, whatever the refresh token's lifetime.
    #[must_use]
    pub fn without_expiry(mut self) -> Self {
        self.at_rest.expiry_margin = None;
        self
    }

    /// The connection this store serves.
    pub fn key(&self) -> &ConnectionKey {
        &self.key
    }

    /// The revision stored in Redis now (0 when nothing was ever saved). It grows with every save
    /// and clear.
    pub async fn stored_revision(&self) -> Result<u64, StoreError> {
        let (revision, _) = self.read().await?;
        Ok(revision)
    }

    fn with_connection(connection: Arc<Connection>, key: ConnectionKey) -> Self {
        Self {
            connection,
            key,
            lock: LockSettings::default(),
            read_revision: Mutex::new(None),
            at_rest: AtRest::default(),
        }
    }

    /// The stored revision and encoded set, straight from Redis.
    async fn read(&self) -> Result<(u64, Option<Vec<u8>>), ReadError> {
        let mut manager = self.connection.get().await?;
        let (revision, tokens): (Option<String>, Option<Vec<u8>>) = redis::cmd("HMGET")
            .arg(self.key.tokens_key())
            .arg("revision")
            .arg("tokens")
            .query_async(&mut manager)
            .await
            .map_err(|err| self.connection.error(err))?;
        let revision = match revision {
            None if tokens.is_some() => return Err(self.corrupt("the token set has no revision")),
            None => 0,
            Some(text) => text.parse().map_err(|_| self.corrupt("the revision is not a number"))?,
        };
        Ok((revision, tokens))
    }

    /// Stores `tokens` if the stored revision is not above `expected` (`None`: whatever it is) and
    /// no higher generation is stored, or in any case when `replace`; moves the revision on.
    async fn write(&self, tokens: &TokenSet, expected: Option<u64>, replace: bool) -> Result<(), StoreError> {
        let mut manager = self.connection.get().await?;
        let (saved, revision): (i64, u64) = SAVE
            .key(self.key.tokens_key())
            .arg(expected.map(|revision| revision.to_string()).unwrap_or_default())
            .arg(self.at_rest.codec.encode(tokens))
            .arg(tokens.generation().to_string())
            .arg(if replace { "replace" } else { "save" })
            .arg(self.at_rest.ttl_millis(tokens, Utc::now()))
            .invoke_async(&mut manager)
            .await
            .map_err(|err| self.connection.error(err))?;
        let key = self.key.tokens_key();
        match saved {
            1 => {}
            2 => {
                let (generation, stored) = (tokens.generation(), revision);
                return Err(RedisStoreError::OlderGeneration { key, generation, stored }.into());
            }
            _ => {
                let read = expected.unwrap_or_default();
                return Err(RedisStoreError::StaleWrite { key, read, stored: revision }.into());
            }
        }
        self.remember_revision(revision);
        Ok(())
    }

    fn corrupt(&self, reason: &str) -> ReadError {
        ReadError::Corrupt(StoreError::Corrupt { location: self.location(), reason: reason.into() })
    }

    fn location(&self) -> String {
        format!("{} at {}", self.key.tokens_key(), self.connection.redacted_url())
    }

    fn remember_revision(&self, revision: u64) {
        // Only whole `Option<u64>` values are written, so a poisoned lock still holds a valid one.
        *self.read_revision.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(revision);
    }

    fn last_read_revision(&self) -> Option<u64> {
        *self.read_revision.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

enum ReadError {
    Redis(RedisStoreError),
    Corrupt(StoreError),
}

impl From<RedisStoreError> for ReadError {
    fn from(err: RedisStoreError) -> Self {
        Self::Redis(err)
    }
}

impl From<ReadError> for StoreError {
    fn from(err: ReadError) -> Self {
        match err {
            ReadError::Redis(err) => err.into(),
            ReadError::Corrupt(err) => err,
        }
    }
}

#[async_trait]
impl TokenStore for RedisTokenStore {
    async fn load(&self) -> Result<Option<TokenSet>, StoreError> {
        let (revision, bytes) = self.read().await?;
        let tokens = bytes.map(|bytes| self.at_rest.codec.decode(&bytes, &self.location())).transpose()?;
        self.remember_revision(revision);
        Ok(tokens)
    }

    async fn save(&self, tokens: &TokenSet) -> Result<(), StoreError> {
        self.write(tokens, self.last_read_revision(), false).await
    }

    async fn replace(&self, tokens: &TokenSet) -> Result<(), StoreError> {
        self.write(tokens, None, true).await
    }

    async fn clear(&self) -> Result<(), StoreError> {
        let mut manager = self.connection.get().await?;
        let revision: u64 = CLEAR
            .key(self.key.tokens_key())
            .invoke_async(&mut manager)
            .await
            .map_err(|err| self.connection.error(err))?;
        self.remember_revision(revision);
        Ok(())
    }

    async fn lock_for_refresh(&self) -> Result<RefreshLease, StoreError> {
        let held = lock::acquire(self.connection.clone(), self.key.lock_key(), self.lock).await?;
        Ok(RefreshLease::new(move || held.release()))
    }
}

impl fmt::Debug for RedisTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisTokenStore")
            .field("key", &self.key.tokens_key())
            .field("url", &self.connection.redacted_url())
            .field("lock", &self.lock)
            .field("at_rest", &self.at_rest)
            .finish()
    }
}
