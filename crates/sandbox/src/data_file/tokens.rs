//! Issued access and refresh tokens. Expiry is stored as wall-clock Unix milliseconds, because the
//! in-memory `Instant`s mean nothing to the next process.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rusqlite::{params, Connection};

use super::{DataError, DataFile};
use crate::family::Family;
use crate::identity::grants::{Grant, Grants, TokenChange, TokenKind};

/// The same moment on both clocks, to translate between them.
#[derive(Debug, Clone, Copy)]
struct Clocks {
    instant: Instant,
    unix_ms: i64,
}

impl Clocks {
    fn now() -> Self {
        let since_epoch = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        Self { instant: Instant::now(), unix_ms: i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX) }
    }

    fn to_unix_ms(self, at: Instant) -> i64 {
        let millis = |duration: Duration| i64::try_from(duration.as_millis()).unwrap_or(i64::MAX);
        match at.checked_duration_since(self.instant) {
            Some(ahead) => self.unix_ms.saturating_add(millis(ahead)),
            None => self.unix_ms.saturating_sub(millis(self.instant.duration_since(at))),
        }
    }

    /// A stored deadline as an `Instant`; one already past becomes "now" (expired).
    fn to_instant(self, unix_ms: i64) -> Instant {
        let ahead = u64::try_from(unix_ms.saturating_sub(self.unix_ms)).unwrap_or(0);
        self.instant.checked_add(Duration::from_millis(ahead)).unwrap_or(self.instant)
    }
}

fn table(kind: TokenKind) -> &'static str {
    match kind {
        TokenKind::Access => "access_tokens",
        TokenKind::Refresh => "refresh_tokens",
    }
}

impl DataFile {
    /// The tokens issued by earlier runs, journaling further changes for [`DataFile::save_tokens`].
    pub(crate) fn load_grants(&self) -> Result<Grants, DataError> {
        let connection = self.connection();
        let clocks = Clocks::now();
        let mut grants = Grants::journaled();
        for kind in [TokenKind::Access, TokenKind::Refresh] {
            for (token, grant) in load(&connection, kind, clocks)? {
                grants.restore(kind, token, grant);
            }
        }
        Ok(grants)
    }

    /// Writes token changes in one transaction; expired access tokens are pruned on the way.
    pub(crate) fn save_tokens(&self, changes: &[TokenChange]) -> Result<(), DataError> {
        let clocks = Clocks::now();
        let mut connection = self.connection();
        let transaction = connection.transaction()?;
        for change in changes {
            match change {
                TokenChange::Issued { kind, token, grant } => {
                    let sql = format!(
                        "INSERT OR REPLACE INTO {} (token, family, client_id, scope, expires_at_ms) \
                         VALUES (?1, ?2, ?3, ?4, ?5)",
                        table(*kind)
                    );
                    let expires_at_ms = grant.expires_at.map(|at| clocks.to_unix_ms(at));
                    transaction.execute(
                        &sql,
                        params![token, grant.family.id(), grant.client_id, grant.scope, expires_at_ms],
                    )?;
                }
                TokenChange::Removed { kind, token } => {
                    transaction.execute(&format!("DELETE FROM {} WHERE token = ?1", table(*kind)), [token])?;
                }
                TokenChange::AccessExpired(at) => {
                    transaction.execute("UPDATE access_tokens SET expires_at_ms = ?1", [clocks.to_unix_ms(*at)])?;
                }
            }
        }
        transaction.execute("DELETE FROM access_tokens WHERE expires_at_ms <= ?1", [clocks.unix_ms])?;
        Ok(transaction.commit()?)
    }
}

fn load(connection: &Connection, kind: TokenKind, clocks: Clocks) -> Result<Vec<(String, Grant)>, DataError> {
    let sql = format!("SELECT token, family, client_id, scope, expires_at_ms FROM {}", table(kind));
    let mut statement = connection.prepare(&sql)?;
    let rows = statement.query_map([], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, String>(3)?,
            row.get::<_, Option<i64>>(4)?,
        ))
    })?;
    let mut tokens = Vec::new();
    for row in rows {
        let (token, family, client_id, scope, expires_at_ms) = row?;
        let family = Family::from_id(&family).ok_or(DataError::UnknownFamily(family))?;
        let expires_at = expires_at_ms.map(|unix_ms| clocks.to_instant(unix_ms));
        tokens.push((token, Grant { family, client_id, scope, expires_at }));
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_survive_the_round_trip_and_past_ones_stay_expired() {
        let clocks = Clocks::now();
        let later = clocks.instant + Duration::from_secs(90);
        let stored = clocks.to_unix_ms(later);
        assert_eq!(stored, clocks.unix_ms + 90_000);
        assert_eq!(clocks.to_instant(stored), later);
        assert_eq!(clocks.to_instant(clocks.unix_ms - 5_000), clocks.instant);
    }
}
