//! Where a body Sage sent differs from the schema its model was generated from: a value read from
//! another spelling (`""` for an unset date, `"42"` for a number), a field no schema lists, an enum
//! value no schema lists. Decoding accepts all of these (see [`lenient`](super::lenient)); this
//! module makes them visible, with the path of each, for the `sage_core::drift` DEBUG events and
//! for `sage doctor`.
//!
//! Ordinary decoding pays one thread-local read per drifted value and nothing per field. An
//! [`audit`] decodes the body again with the notes switched on: the `n`-th note stops that decode
//! with an error, so `serde_path_to_error` names its path, and the next decode lets it pass and
//! stops at the next one. A body with `k` findings is decoded `k + 1` times, only when asked for.

use std::cell::Cell;
use std::fmt;

use serde::de::{self, DeserializeOwned};

/// What differed at one place in a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DriftKind {
    /// The value was read from another spelling than its schema's type.
    Coerced(Coercion),
    /// A field the model does not list; it is kept in the model's `extra` map.
    UnknownField,
    /// An enum value the schema does not list; it is kept as the enum's `Other` value.
    UnknownEnumValue(String),
}

/// How a value was read from another spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Coercion {
    /// `""` (or only spaces) where a number, boolean, date or timestamp belongs: no value.
    BlankAsNone,
    /// `null` in a field the schema says always has a value: the type's default.
    NullAsDefault,
    /// A field the schema says is always present was left out: the type's default.
    MissingAsDefault,
    /// A number written as text (`"42"`).
    TextAsNumber,
    /// A boolean written as text (`"true"`, `"1"`).
    TextAsBoolean,
    /// A boolean written as `0` or `1`.
    NumberAsBoolean,
    /// A number or boolean where text belongs: its JSON spelling.
    ScalarAsText,
    /// A timestamp where a date belongs: its date.
    DateTimeAsDate,
}

impl fmt::Display for Coercion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::BlankAsNone => "blank text read as no value",
            Self::NullAsDefault => "null read as the type's default",
            Self::MissingAsDefault => "missing required field read as the type's default",
            Self::TextAsNumber => "number sent as text",
            Self::TextAsBoolean => "boolean sent as text",
            Self::NumberAsBoolean => "boolean sent as 0 or 1",
            Self::ScalarAsText => "number or boolean where text belongs",
            Self::DateTimeAsDate => "timestamp where a date belongs (its date kept)",
        })
    }
}

impl fmt::Display for DriftKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Coerced(coercion) => coercion.fmt(f),
            Self::UnknownField => f.write_str("field not in the schema (kept in `extra`)"),
            Self::UnknownEnumValue(value) => write!(f, "enum value `{value}` not in the schema (kept as `Other`)"),
        }
    }
}

/// One finding of an [`audit`]: where, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drift {
    /// The field's path in the body, e.g. `$items[0].last_paid`.
    pub path: String,
    /// What differed there.
    pub kind: DriftKind,
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.kind)
    }
}

/// What an [`audit`] looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Coerced values and unknown enum values: what the DEBUG events report.
    Values,
    /// Those and unknown fields too: what `sage doctor` reports.
    Everything,
}

/// An audit in progress on this thread: how many notes to let pass, how many were seen.
#[derive(Clone, Copy)]
struct Audit {
    pass: usize,
    seen: usize,
    scope: Scope,
}

thread_local! {
    static AUDIT: Cell<Option<Audit>> = const { Cell::new(None) };
    /// The note that stopped the current decode, and the key it concerns when the error surfaces
    /// above that key (an unknown field's, a missing field's).
    static STOPPED_AT: Cell<Option<(DriftKind, Option<String>)>> = const { Cell::new(None) };
}

/// The error message that stops an audited decode; never seen outside [`audit`].
const STOP: &str = "sage-rs drift audit stop";

/// Notes drift in the value being decoded. Outside an audit: nothing (one thread-local read).
pub(crate) fn note<E: de::Error>(kind: impl FnOnce() -> DriftKind) -> Result<(), E> {
    note_at(None, kind)
}

/// Notes drift at `key`, a key of the object being decoded whose error surfaces at the object.
pub(crate) fn note_at<E: de::Error>(key: Option<&str>, kind: impl FnOnce() -> DriftKind) -> Result<(), E> {
    let Some(mut audit) = AUDIT.get() else { return Ok(()) };
    let kind = kind();
    if audit.scope == Scope::Values && kind == DriftKind::UnknownField {
        return Ok(());
    }
    audit.seen += 1;
    AUDIT.set(Some(audit));
    if audit.seen <= audit.pass {
        return Ok(());
    }
    STOPPED_AT.set(Some((kind, key.map(str::to_owned))));
    Err(E::custom(STOP))
}

/// Clears this thread's audit state however the decode ends.
struct AuditGuard;

impl AuditGuard {
    fn start(pass: usize, scope: Scope) -> Self {
        AUDIT.set(Some(Audit { pass, seen: 0, scope }));
        STOPPED_AT.set(None);
        AuditGuard
    }
}

impl Drop for AuditGuard {
    fn drop(&mut self) {
        AUDIT.set(None);
        STOPPED_AT.set(None);
    }
}

/// Every drift in `body` read as a `T`, in body order, at most `limit` of them. A body that does
/// not decode at all gives what was found before the failing field (the failure itself is the
/// decode error's to report).
pub fn audit<T: DeserializeOwned>(body: &[u8], scope: Scope, limit: usize) -> Vec<Drift> {
    let exact = super::lenient::exact_numbers(body);
    let mut found = Vec::new();
    while found.len() < limit {
        let _guard = AuditGuard::start(found.len(), scope);
        let mut deserializer = serde_json::Deserializer::from_slice(&exact);
        let Err(error) = serde_path_to_error::deserialize::<_, T>(&mut deserializer) else { break };
        let Some((kind, key)) = STOPPED_AT.take() else { break };
        let path = match (error.path().to_string(), key) {
            (path, None) => path,
            (path, Some(key)) if path == "." => key,
            (path, Some(key)) => format!("{path}.{key}"),
        };
        found.push(Drift { path, kind });
    }
    found
}

/// Emits a DEBUG event (target `sage_core::drift`) per drifted value of a body the client decoded
/// as a `T`, when a subscriber wants them.
pub(crate) fn trace<T: DeserializeOwned>(operation: &'static str, body: &[u8]) {
    if tracing::enabled!(target: "sage_core::drift", tracing::Level::DEBUG) {
        for drift in audit::<T>(body, Scope::Values, 100) {
            tracing::debug!(
                target: "sage_core::drift",
                operation,
                path = %drift.path,
                drift = %drift.kind,
                "Sage's response differs from the schema; read leniently"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;
    use crate::types::{Date, Decimal, Extra};

    #[derive(Debug, Default)]
    struct Invoice {
        last_paid: Option<Date>,
        total: Option<Decimal>,
        lines: Option<Vec<Line>>,
        extra: Extra,
    }

    #[derive(Debug, Default)]
    struct Line {
        quantity: Option<i64>,
        extra: Extra,
    }

    crate::json_model! {
        Invoice: Default {
            last_paid: "last_paid", lenient_into, optional;
            total: "total", lenient_into, optional;
            lines: "lines", option_into, optional;
        }
    }

    crate::json_model! {
        Line: Default {
            quantity: "quantity", lenient_into, optional;
        }
    }

    #[derive(Deserialize)]
    struct Page {
        #[serde(rename = "$items")]
        #[allow(dead_code)]
        items: Vec<Invoice>,
    }

    #[test]
    fn an_audit_names_every_drift_with_its_path_in_body_order() {
        let body = br#"{"$items":[{"last_paid":"2024-01-02","total":"1.50"},
            {"last_paid":"","lines":[{"quantity":2},{"quantity":"3","colour":"red"}],"pas":true}]}"#;
        let found = audit::<Page>(body, Scope::Everything, 10);
        let found: Vec<String> = found.iter().map(ToString::to_string).collect();
        assert_eq!(
            found,
            [
                "$items[1].last_paid: blank text read as no value",
                "$items[1].lines[1].quantity: number sent as text",
                "$items[1].lines[1].colour: field not in the schema (kept in `extra`)",
                "$items[1].pas: field not in the schema (kept in `extra`)",
            ]
        );
        // Values only: unknown fields are left out; the limit is kept.
        assert_eq!(audit::<Page>(body, Scope::Values, 10).len(), 2);
        assert_eq!(audit::<Page>(body, Scope::Everything, 1).len(), 1);
        // Outside an audit the same body decodes, and no state is left behind.
        let page: Page = serde_json::from_slice(body).unwrap();
        assert_eq!(page.items[1].lines.as_ref().unwrap()[1].quantity, Some(3));
        assert_eq!(page.items[1].extra["pas"], true);
        assert!(AUDIT.get().is_none());
    }

    #[test]
    fn a_body_that_fails_gives_the_drift_before_the_failure() {
        let body = br#"{"$items":[{"last_paid":""},{"total":"12abc"}]}"#;
        let found = audit::<Page>(body, Scope::Values, 10);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].path, "$items[0].last_paid");
    }
}
