//! One SQLite connection, used from blocking threads, and the schema.

use std::fs::OpenOptions;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::Connection;

use crate::error::RegistryError;

/// Another process's transaction is waited for this long before a call fails as unavailable.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS connections (
    id TEXT PRIMARY KEY,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS connect_states (
    key TEXT PRIMARY KEY,
    connection_id TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    consumed INTEGER NOT NULL,
    sealed TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
    connection_id TEXT PRIMARY KEY,
    generation INTEGER NOT NULL,
    sealed BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    connection_id TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_by_connection ON audit (connection_id, seq);
CREATE TABLE IF NOT EXISTS leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS refresh_locks (
    connection_id TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
";

pub(crate) struct Db {
    path: PathBuf,
    conn: Arc<Mutex<Connection>>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("path", &self.path).finish_non_exhaustive()
    }
}

impl Db {
    pub(crate) async fn open(path: PathBuf) -> Result<Self, RegistryError> {
        let opened = path.clone();
        let conn = tokio::task::spawn_blocking(move || open_file(&opened)).await.map_err(|err| {
            RegistryError::Backend { location: path.display().to_string(), reason: err.to_string() }
        })??;
        Ok(Self { path, conn: Arc::new(Mutex::new(conn)) })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `work` on a blocking thread with the connection.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection, &Path) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, RegistryError> {
        let (conn, path) = (Arc::clone(&self.conn), self.path.clone());
        let location = self.path.display().to_string();
        let result = tokio::task::spawn_blocking(move || {
            // A panic cannot leave the connection mid-transaction: rusqlite rolls back on drop.
            let mut conn = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            work(&mut conn, &path)
        })
        .await
        .map_err(|err| RegistryError::Backend { location: location.clone(), reason: format!("task failed: {err}") })?;
        result.map_err(|err| sqlite_error(location, err))
    }
}

/// Busy and locked databases are another process holding the file: "unavailable", not broken.
pub(crate) fn sqlite_error(location: String, err: rusqlite::Error) -> RegistryError {
    let busy = matches!(
        err.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    );
    if busy {
        RegistryError::Unavailable { location, reason: err.to_string() }
    } else {
        RegistryError::Backend { location, reason: err.to_string() }
    }
}

fn open_file(path: &Path) -> Result<Connection, RegistryError> {
    let location = path.display().to_string();
    create_private(path).map_err(|err| RegistryError::Backend {
        location: location.clone(),
        reason: format!("cannot create: {err}"),
    })?;
    let setup = || -> rusqlite::Result<Connection> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // WAL: readers in other processes do not block a writer; `-wal` and `-shm` get the file's mode.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.execute_batch(SCHEMA)?;
        Ok(conn)
    };
    setup().map_err(|err| sqlite_error(location, err))
}

/// Creates the file with mode 0600 before SQLite opens it (SQLite would use the umask).
fn create_private(path: &Path) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(err) if err.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(err) => Err(err),
    }
}

pub(crate) fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

pub(crate) fn from_millis(at: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(at).single().unwrap_or_default()
}
