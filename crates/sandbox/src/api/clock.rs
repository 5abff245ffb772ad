//! Time in the sandbox: records carry when they were created, updated and deleted, deletions are
//! kept as tombstones, and lists filter on those times as Sage documents (Accounting's
//! `updated_or_created_since` inclusive, `deleted_since` exclusive; Sage 200's OData on
//! `date_time_updated`). The clock can be skewed and writes stamped late, to test clients
//! against what real servers do.

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::Value;

use super::paging::{param, Query};
use super::records::id_text;
use super::sage_error::SageError;
use super::seed::Collections;

/// The sandbox's clock: real time plus a skew, and how late writes are stamped.
#[derive(Debug, Default)]
pub(crate) struct Clock {
    skew_ms: AtomicI64,
    lag_ms: AtomicI64,
}

impl Clock {
    /// Server time runs `skew_ms` ahead of real time (negative: behind).
    pub(crate) fn set_skew(&self, skew_ms: i64) {
        self.skew_ms.store(skew_ms, Ordering::Relaxed);
    }

    /// Writes are stamped `lag_ms` before they become visible, like a transaction that took its
    /// timestamp at its start and committed later.
    pub(crate) fn set_lag(&self, lag_ms: i64) {
        self.lag_ms.store(lag_ms, Ordering::Relaxed);
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::milliseconds(self.skew_ms.load(Ordering::Relaxed))
    }

    /// The time a write happening now is stamped with.
    pub(crate) fn write_time(&self) -> DateTime<Utc> {
        self.now() - Duration::milliseconds(self.lag_ms.load(Ordering::Relaxed))
    }
}

/// The timestamp fields of a product's records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamps {
    pub(crate) created: &'static str,
    pub(crate) updated: &'static str,
    /// Sage 200 writes local times without an offset.
    offset: bool,
}

pub(crate) const ACCOUNTING: Stamps = Stamps { created: "created_at", updated: "updated_at", offset: true };
pub(crate) const SAGE200: Stamps = Stamps { created: "date_time_created", updated: "date_time_updated", offset: false };

/// Where Accounting records deleted from a collection are kept.
pub(crate) fn tombstones_of(collection: &str) -> String {
    format!("{collection}@deleted")
}

impl Stamps {
    pub(crate) fn text(self, at: DateTime<Utc>) -> Value {
        let text = at.to_rfc3339_opts(SecondsFormat::Millis, true);
        Value::from(if self.offset { text } else { text.trim_end_matches('Z').to_owned() })
    }

    /// A new record: created and updated now.
    pub(crate) fn created(self, record: &mut Value, at: DateTime<Utc>) {
        if let Value::Object(fields) = record {
            fields.insert(self.created.to_owned(), self.text(at));
            fields.insert(self.updated.to_owned(), self.text(at));
        }
    }

    /// A changed record.
    pub(crate) fn updated(self, record: &mut Value, at: DateTime<Utc>) {
        if let Value::Object(fields) = record {
            fields.entry(self.created.to_owned()).or_insert_with(|| self.text(at));
            fields.insert(self.updated.to_owned(), self.text(at));
        }
    }

    /// Seeded records that carry no times yet get `at`.
    pub(crate) fn seeded(self, data: &mut Collections, at: DateTime<Utc>) {
        for record in data.values_mut().flatten() {
            if record.is_object() && record.get(self.updated).is_none() {
                self.updated(record, at);
            }
        }
    }
}

/// Stamps the record with id `key` in `records` as updated; returns its new state.
pub(crate) fn touch(records: &mut [Value], key: &str, stamps: Stamps, at: DateTime<Utc>) -> Option<Value> {
    let record = records.iter_mut().find(|record| id_text(&record["id"]) == key)?;
    stamps.updated(record, at);
    Some(record.clone())
}

/// Keeps what Accounting's `deleted_since` needs of a deleted record.
pub(crate) fn tombstone(record: &Value, at: DateTime<Utc>) -> Value {
    let mut kept = serde_json::Map::new();
    for field in ["id", "displayed_as", "$path"] {
        if let Some(value) = record.get(field) {
            kept.insert(field.to_owned(), value.clone());
        }
    }
    kept.insert("deleted_at".to_owned(), ACCOUNTING.text(at));
    Value::Object(kept)
}

/// A timestamp as written in a record or a query (with or without offset; without is UTC).
pub(crate) fn instant(value: &Value) -> Option<DateTime<Utc>> {
    value.as_str()?.parse::<sage_core::types::DateTime>().ok().map(|at| at.to_utc())
}

fn query_instant(query: &Query, name: &str) -> Result<Option<DateTime<Utc>>, SageError> {
    let Some(text) = param(query, name) else { return Ok(None) };
    instant(&Value::from(text)).map(Some).ok_or_else(|| {
        SageError::bad_request(format!("{name} must be a date-time, e.g. 2026-01-01T00:00:00Z")).with_source(name)
    })
}

/// The records an Accounting list answers from: tombstones for `deleted_since` (exclusive),
/// else the live records, kept from `updated_or_created_since` on (inclusive).
pub(crate) fn accounting_source<'a>(
    data: &'a Collections,
    collection: &str,
    query: &Query,
) -> Result<Vec<&'a Value>, SageError> {
    if let Some(since) = query_instant(query, "deleted_since")? {
        let tombstones = data.get(&tombstones_of(collection)).map(Vec::as_slice).unwrap_or_default();
        return Ok(tombstones
            .iter()
            .filter(|record| instant(&record["deleted_at"]).is_some_and(|at| at > since))
            .collect());
    }
    let records = data.get(collection).map(Vec::as_slice).unwrap_or_default();
    Ok(match query_instant(query, "updated_or_created_since")? {
        Some(since) => {
            records.iter().filter(|record| instant(&record["updated_at"]).is_some_and(|at| at >= since)).collect()
        }
        None => records.iter().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn query(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(key, value)| ((*key).to_owned(), (*value).to_owned())).collect()
    }

    #[test]
    fn updated_since_is_inclusive_and_deleted_since_exclusive() {
        let data = Collections::from([
            (
                "/contacts".to_owned(),
                vec![
                    json!({"id": "a", "updated_at": "2026-01-01T00:00:00.000Z"}),
                    json!({"id": "b", "updated_at": "2026-01-01T00:00:01.000Z"}),
                ],
            ),
            (tombstones_of("/contacts"), vec![json!({"id": "c", "deleted_at": "2026-01-01T00:00:00.000Z"})]),
        ]);
        let ids = |pairs: &[(&str, &str)]| -> Vec<String> {
            accounting_source(&data, "/contacts", &query(pairs)).unwrap().iter().map(|r| id_text(&r["id"])).collect()
        };
        assert_eq!(ids(&[("updated_or_created_since", "2026-01-01T00:00:00Z")]), ["a", "b"]);
        assert_eq!(ids(&[("updated_or_created_since", "2026-01-01T01:00:00+01:00")]), ["a", "b"], "offsets count");
        assert_eq!(ids(&[("updated_or_created_since", "2026-01-01T00:00:00.5Z")]), ["b"]);
        assert!(ids(&[("deleted_since", "2026-01-01T00:00:00Z")]).is_empty(), "exclusive");
        assert_eq!(ids(&[("deleted_since", "2025-12-31T23:59:59Z")]), ["c"]);
        assert!(accounting_source(&data, "/contacts", &query(&[("deleted_since", "yesterday")])).is_err());
    }

    #[test]
    fn skew_and_lag_move_the_stamps() {
        let clock = Clock::default();
        clock.set_skew(-2_000);
        let behind = Utc::now() - clock.now();
        assert!(behind >= Duration::milliseconds(1_990), "{behind}");
        clock.set_lag(1_000);
        assert!(clock.now() - clock.write_time() >= Duration::milliseconds(990));
        assert_eq!(SAGE200.text(DateTime::UNIX_EPOCH), json!("1970-01-01T00:00:00.000"));
    }
}
