//! A connection's token set in the registry file, sealed, with a refresh lease shared by every
//! process using the file.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use rand::Rng;
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use sage_core::auth::store::{decode_sealed, encode_sealed};
use sage_core::auth::{RefreshLease, StoreError, TokenCipher, TokenSet, TokenStore};

use super::db::{millis, Db};
use crate::error::RegistryError;

/// A lease outlives any one refresh (token requests time out after 30 s); a holder that died
/// frees it after this.
const LEASE_TTL: Duration = Duration::from_secs(90);
/// How long to wait for another process's refresh before giving up without refreshing.
const LEASE_WAIT: Duration = Duration::from_secs(60);

/// One connection's tokens in a [`SqliteRegistry`](super::SqliteRegistry) file.
///
/// Each set is sealed with the registry's [`TokenCipher`] (the file holds only the key id in
/// clear). A save is refused with [`StoreError::Conflict`] when the file holds a set of a higher
/// [`generation`](TokenSet::generation) (another process's newer refresh, or a new consent);
/// [`replace`](TokenStore::replace) writes whatever is stored. Refreshes take a lease row in the
/// same file, so one process refreshes and the others re-read what it saved.
pub struct SqliteTokenStore {
    db: Arc<Db>,
    connection_id: String,
    cipher: TokenCipher,
}

impl std::fmt::Debug for SqliteTokenStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteTokenStore")
            .field("file", &self.db.path())
            .field("connection", &self.connection_id)
            .finish()
    }
}

impl SqliteTokenStore {
    pub(crate) fn new(db: Arc<Db>, connection_id: &str, cipher: TokenCipher) -> Self {
        Self { db, connection_id: connection_id.to_owned(), cipher }
    }

    fn location(&self) -> String {
        format!("{}#tokens/{}", self.db.path().display(), self.connection_id)
    }

    async fn write(&self, tokens: &TokenSet, unconditional: bool) -> Result<(), StoreError> {
        let sealed = encode_sealed(tokens, &self.cipher);
        let generation = i64::try_from(tokens.generation()).unwrap_or(i64::MAX);
        let id = self.connection_id.clone();
        let written = self
            .db
            .run(move |conn, _| {
                let guard = if unconditional { "" } else { " WHERE tokens.generation <= excluded.generation" };
                let sql = format!(
                    "INSERT INTO tokens (connection_id, generation, sealed) VALUES (?1, ?2, ?3) \
                     ON CONFLICT (connection_id) DO UPDATE SET generation = excluded.generation, \
                     sealed = excluded.sealed{guard}"
                );
                Ok(conn.execute(&sql, params![id, generation, sealed])? == 1)
            })
            .await
            .map_err(store_error)?;
        if written {
            Ok(())
        } else {
            Err(StoreError::Conflict { location: self.location() })
        }
    }

    /// One attempt at the lease: takes it if free or expired.
    async fn try_lease(&self, holder: &str) -> Result<bool, StoreError> {
        let (id, holder) = (self.connection_id.clone(), holder.to_owned());
        self.db
            .run(move |conn, _| {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let now = Utc::now();
                tx.execute(
                    "DELETE FROM refresh_locks WHERE connection_id = ?1 AND expires_at <= ?2",
                    params![id, millis(now)],
                )?;
                let expires = millis(now + chrono::Duration::from_std(LEASE_TTL).unwrap_or_default());
                let taken = tx.execute(
                    "INSERT OR IGNORE INTO refresh_locks (connection_id, holder, expires_at) VALUES (?1, ?2, ?3)",
                    params![id, holder, expires],
                )? == 1;
                tx.commit()?;
                Ok(taken)
            })
            .await
            .map_err(store_error)
    }
}

fn store_error(err: RegistryError) -> StoreError {
    match err {
        RegistryError::Unavailable { location, reason } => StoreError::Unavailable { location, reason },
        other => StoreError::Backend(other.to_string()),
    }
}

#[async_trait]
impl TokenStore for SqliteTokenStore {
    async fn load(&self) -> Result<Option<TokenSet>, StoreError> {
        let id = self.connection_id.clone();
        let sealed: Option<Vec<u8>> = self
            .db
            .run(move |conn, _| {
                conn.query_row("SELECT sealed FROM tokens WHERE connection_id = ?1", [&id], |row| row.get(0)).optional()
            })
            .await
            .map_err(store_error)?;
        sealed.map(|bytes| decode_sealed(&bytes, &self.location(), &self.cipher)).transpose()
    }

    async fn save(&self, tokens: &TokenSet) -> Result<(), StoreError> {
        self.write(tokens, false).await
    }

    async fn replace(&self, tokens: &TokenSet) -> Result<(), StoreError> {
        self.write(tokens, true).await
    }

    async fn clear(&self) -> Result<(), StoreError> {
        let id = self.connection_id.clone();
        self.db
            .run(move |conn, _| conn.execute("DELETE FROM tokens WHERE connection_id = ?1", [&id]).map(drop))
            .await
            .map_err(store_error)
    }

    async fn lock_for_refresh(&self) -> Result<RefreshLease, StoreError> {
        let holder = format!("{:032x}", rand::thread_rng().gen::<u128>());
        let started = tokio::time::Instant::now();
        let mut pause = Duration::from_millis(20);
        while !self.try_lease(&holder).await? {
            if started.elapsed() >= LEASE_WAIT {
                return Err(StoreError::LockTimeout { location: self.location(), waited: started.elapsed() });
            }
            let jitter = Duration::from_millis(rand::thread_rng().gen_range(0..=pause.as_millis() as u64 / 2));
            tokio::time::sleep(pause + jitter).await;
            pause = (pause * 2).min(Duration::from_millis(500));
        }
        let (db, id) = (Arc::clone(&self.db), self.connection_id.clone());
        Ok(RefreshLease::new(move || async move {
            let released = db
                .run(move |conn, _| {
                    conn.execute(
                        "DELETE FROM refresh_locks WHERE connection_id = ?1 AND holder = ?2",
                        params![id, holder],
                    )
                })
                .await;
            if let Err(err) = released {
                tracing::warn!(error = %err, "a refresh lease could not be released: it expires by itself");
            }
        }))
    }
}
