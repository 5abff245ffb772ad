//! `--data FILE`: the sandbox's state in SQLite, so API records and issued tokens survive a restart.
//!
//! Every change is written through (committed before its response is sent), one transaction per
//! request. The connection is opened once and shared behind a mutex; each statement is small, so
//! handlers run it in place rather than hopping to a blocking thread.

mod records;
mod tokens;

use std::path::Path;
use std::sync::Mutex;

use rusqlite::Connection;

pub(crate) use records::Store;

use crate::state::lock;
use crate::StartError;

/// Marks the file as a sandbox data file ("SgSb"), so another program's database is refused, not reused.
const APPLICATION_ID: i32 = 0x5367_5362;
/// Layout of the tables below; bumped when it changes so an older sandbox refuses a newer file.
const SCHEMA_VERSION: i32 = 1;

const SCHEMA: &str = "
CREATE TABLE tenants (
    product TEXT NOT NULL,
    tenant TEXT NOT NULL,
    PRIMARY KEY (product, tenant)
);
CREATE TABLE records (
    product TEXT NOT NULL,
    tenant TEXT NOT NULL,
    collection TEXT NOT NULL,
    position INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (product, tenant, collection, position),
    FOREIGN KEY (product, tenant) REFERENCES tenants (product, tenant)
);
CREATE TABLE refresh_tokens (
    token TEXT PRIMARY KEY,
    family TEXT NOT NULL,
    client_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    expires_at_ms INTEGER
);
CREATE TABLE access_tokens (
    token TEXT PRIMARY KEY,
    family TEXT NOT NULL,
    client_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    expires_at_ms INTEGER
);
";

/// Why reading or writing the data file failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum DataError {
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error("a stored record is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("a stored token names an unknown family `{0}`")]
    UnknownFamily(String),
}

/// The open data file.
#[derive(Debug)]
pub(crate) struct DataFile {
    connection: Mutex<Connection>,
}

impl DataFile {
    /// Opens `path`, creating the tables when the file is new or empty. A corrupt file, another program's
    /// database or a newer layout is an error naming the file, never a silent reset.
    pub(crate) fn open(path: &Path) -> Result<Self, StartError> {
        let failed = |reason: String| StartError::DataFile { path: path.to_owned(), reason };
        make_private(path).map_err(|error| failed(error.to_string()))?;
        let connection = Connection::open(path).map_err(|error| failed(error.to_string()))?;
        prepare(&connection).map_err(failed)?;
        Ok(Self { connection: Mutex::new(connection) })
    }

    fn connection(&self) -> std::sync::MutexGuard<'_, Connection> {
        lock(&self.connection)
    }
}

/// Checks the file is ours (or new) and sets it up for write-through.
fn prepare(connection: &Connection) -> Result<(), String> {
    let read = |pragma: &str| -> Result<i64, String> {
        connection.pragma_query_value(None, pragma, |row| row.get(0)).map_err(|error| error.to_string())
    };
    let application_id = read("application_id")?;
    let version = read("user_version")?;
    let tables: i64 = connection
        .query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0))
        .map_err(|error| error.to_string())?;
    match application_id {
        0 if tables == 0 => create(connection).map_err(|error| error.to_string())?,
        id if id == i64::from(APPLICATION_ID) => {
            if version != i64::from(SCHEMA_VERSION) {
                return Err(format!(
                    "it has layout version {version}; this sandbox reads layout version {SCHEMA_VERSION}"
                ));
            }
        }
        _ => return Err("it is not a sage-sandbox data file (another program's SQLite database)".into()),
    }
    // WAL with NORMAL sync: each commit survives a crash of the sandbox without an fsync per request.
    connection
        .execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
        .map_err(|error| error.to_string())
}

fn create(connection: &Connection) -> rusqlite::Result<()> {
    connection.execute_batch(&format!(
        "BEGIN; {SCHEMA} PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
    ))
}

/// The file holds live refresh tokens: readable by its owner only (mode 0600 on unix), created so
/// when missing and tightened when it exists. SQLite gives its journal files the same mode.
fn make_private(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let file = std::fs::OpenOptions::new().write(true).create(true).truncate(false).mode(0o600).open(path)?;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    let _ = path;
    Ok(())
}

#[cfg(test)]
mod tests;
