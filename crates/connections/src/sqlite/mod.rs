//! The embedded backend: one SQLite file (mode 0600) holding connections, pending connect flows
//! and each connection's sealed token set. Several processes may share the file: every
//! read-modify-write is one `BEGIN IMMEDIATE` transaction, and refreshes take a lease row.

mod db;
mod tokens;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use sage_core::auth::{SageApi, TokenCipher, TokenStore};

use crate::connection::Connection;
use crate::error::RegistryError;
use crate::event::AuditRecord;
use crate::registry::{decode, encode, PendingState, Registry, Taken, Update};
use db::{from_millis, millis, Db};
pub use tokens::SqliteTokenStore;

/// How long a used or expired `state` is remembered, so a replay is told "reused", not "unknown".
const STATE_MEMORY: chrono::Duration = chrono::Duration::days(1);

/// The SQLite backend. Cheap to clone; clones share one database connection.
#[derive(Debug, Clone)]
pub struct SqliteRegistry {
    db: Arc<Db>,
    cipher: TokenCipher,
}

impl SqliteRegistry {
    /// Opens (or creates, mode 0600) the registry file at `path`. Token sets are sealed with
    /// `cipher`; keep its key out of the file's reach (an environment variable, a secret manager).
    pub async fn open(path: impl Into<PathBuf>, cipher: TokenCipher) -> Result<Self, RegistryError> {
        let db = Db::open(path.into()).await?;
        Ok(Self { db: Arc::new(db), cipher })
    }

    /// The registry file.
    pub fn path(&self) -> &Path {
        self.db.path()
    }
}

#[async_trait]
impl Registry for SqliteRegistry {
    async fn get(&self, id: &str) -> Result<Option<Connection>, RegistryError> {
        let id = id.to_owned();
        self.db
            .run(move |conn, path| {
                let body: Option<String> =
                    conn.query_row("SELECT body FROM connections WHERE id = ?1", [&id], |row| row.get(0)).optional()?;
                Ok(body.map(|body| decode(path.display(), &body)).transpose())
            })
            .await?
    }

    async fn list(&self) -> Result<Vec<Connection>, RegistryError> {
        self.db
            .run(|conn, path| {
                let mut statement = conn.prepare("SELECT body FROM connections ORDER BY id")?;
                let bodies = statement.query_map([], |row| row.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()?;
                Ok(bodies.iter().map(|body| decode(path.display(), body)).collect())
            })
            .await?
    }

    async fn put(&self, connection: &Connection) -> Result<(), RegistryError> {
        let (id, body) = (connection.id.clone(), encode(connection));
        self.db
            .run(move |conn, _| {
                conn.execute("INSERT OR REPLACE INTO connections (id, body) VALUES (?1, ?2)", params![id, body])?;
                Ok(())
            })
            .await
    }

    async fn update(&self, id: &str, update: Update) -> Result<Option<Connection>, RegistryError> {
        let id = id.to_owned();
        self.db
            .run(move |conn, path| {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let body: Option<String> =
                    tx.query_row("SELECT body FROM connections WHERE id = ?1", [&id], |row| row.get(0)).optional()?;
                let Some(body) = body else { return Ok(Ok(None)) };
                let mut connection = match decode(path.display(), &body) {
                    Ok(connection) => connection,
                    Err(err) => return Ok(Err(err)),
                };
                if update(&mut connection) {
                    tx.execute("UPDATE connections SET body = ?2 WHERE id = ?1", params![id, encode(&connection)])?;
                }
                tx.commit()?;
                Ok(Ok(Some(connection)))
            })
            .await?
    }

    async fn put_state(&self, key: &str, pending: &PendingState) -> Result<(), RegistryError> {
        let (key, pending) = (key.to_owned(), pending.clone());
        self.db
            .run(move |conn, _| {
                let forget_before = millis(chrono::Utc::now() - STATE_MEMORY);
                conn.execute("DELETE FROM connect_states WHERE expires_at < ?1", [forget_before])?;
                conn.execute(
                    "INSERT INTO connect_states (key, connection_id, expires_at, consumed, sealed) \
                     VALUES (?1, ?2, ?3, 0, ?4)",
                    params![key, pending.connection_id, millis(pending.expires_at), pending.sealed],
                )?;
                Ok(())
            })
            .await
    }

    async fn take_state(&self, key: &str, expected_connection: Option<&str>) -> Result<Taken, RegistryError> {
        let (key, expected) = (key.to_owned(), expected_connection.map(str::to_owned));
        self.db
            .run(move |conn, _| {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let row: Option<(String, i64, bool, String)> = tx
                    .query_row(
                        "SELECT connection_id, expires_at, consumed, sealed FROM connect_states WHERE key = ?1",
                        [&key],
                        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
                    )
                    .optional()?;
                let Some((connection_id, expires_at, consumed, sealed)) = row else { return Ok(Taken::Unknown) };
                if expected.as_ref().is_some_and(|expected| *expected != connection_id) {
                    return Ok(Taken::OtherConnection);
                }
                if consumed {
                    return Ok(Taken::Reused);
                }
                tx.execute("UPDATE connect_states SET consumed = 1 WHERE key = ?1", [&key])?;
                tx.commit()?;
                Ok(Taken::Pending(PendingState { connection_id, expires_at: from_millis(expires_at), sealed }))
            })
            .await
    }

    async fn append_audit(&self, record: &AuditRecord) -> Result<(), RegistryError> {
        let (id, body) = (record.connection_id.clone(), serde_json::to_string(record).unwrap_or_default());
        self.db
            .run(move |conn, _| {
                conn.execute("INSERT INTO audit (connection_id, body) VALUES (?1, ?2)", params![id, body])?;
                Ok(())
            })
            .await
    }

    async fn audit(&self, id: &str) -> Result<Vec<AuditRecord>, RegistryError> {
        let id = id.to_owned();
        self.db
            .run(move |conn, path| {
                let mut statement = conn.prepare("SELECT body FROM audit WHERE connection_id = ?1 ORDER BY seq")?;
                let bodies =
                    statement.query_map([&id], |row| row.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()?;
                Ok(bodies
                    .iter()
                    .map(|body| {
                        serde_json::from_str(body).map_err(|_| RegistryError::Corrupt {
                            location: path.display().to_string(),
                            reason: "an audit record is not readable".into(),
                        })
                    })
                    .collect())
            })
            .await?
    }

    async fn try_lease(&self, name: &str, holder: &str, ttl: std::time::Duration) -> Result<bool, RegistryError> {
        let (name, holder) = (name.to_owned(), holder.to_owned());
        self.db
            .run(move |conn, _| {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let now = chrono::Utc::now();
                tx.execute("DELETE FROM leases WHERE name = ?1 AND expires_at <= ?2", params![name, millis(now)])?;
                let expires = millis(now + chrono::Duration::from_std(ttl).unwrap_or_default());
                let taken = tx.execute(
                    "INSERT INTO leases (name, holder, expires_at) VALUES (?1, ?2, ?3) \
                     ON CONFLICT (name) DO UPDATE SET expires_at = excluded.expires_at WHERE leases.holder = excluded.holder",
                    params![name, holder, expires],
                )? == 1;
                tx.commit()?;
                Ok(taken)
            })
            .await
    }

    async fn release_lease(&self, name: &str, holder: &str) -> Result<(), RegistryError> {
        let (name, holder) = (name.to_owned(), holder.to_owned());
        self.db
            .run(move |conn, _| {
                conn.execute("DELETE FROM leases WHERE name = ?1 AND holder = ?2", params![name, holder])?;
                Ok(())
            })
            .await
    }

    fn token_store(&self, id: &str, _api: SageApi) -> Arc<dyn TokenStore> {
        Arc::new(SqliteTokenStore::new(Arc::clone(&self.db), id, self.cipher.clone()))
    }
}
