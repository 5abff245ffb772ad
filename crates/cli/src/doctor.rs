//! `sage doctor`: reads, through the typed models, the first page of every list the signed-in user
//! may read and one record of each, and reports where Sage's answers differ from the schemas — values
//! read from another spelling, fields and enum values no schema lists, and bodies that do not decode.
//! Read-only: it sends only `GET`s. Its `--report` file is what a drift bug report needs, with no
//! values from the user's books beyond enum codes.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use sage_core::catalog::{OperationSpec, ParamLocation, Reading};
use sage_core::Method;
use serde_json::{json, Value};

use crate::cli::{Cli, DoctorArgs};
use crate::error::CliError;
use crate::products::{self, Entry};
use crate::session::Session;

/// What happened to one operation.
struct Checked {
    operation: &'static str,
    outcome: Outcome,
}

enum Outcome {
    /// Sage answered and the body was read through the typed model.
    Read(Reading),
    /// Sage refused or failed (not a drift: the user may not read it, or the edition lacks it).
    Refused(String),
}

pub async fn run(cli: &Cli, args: &DoctorArgs) -> Result<(), CliError> {
    let entry = products::find(&args.product).map_err(CliError::Usage)?;
    if !cfg!(feature = "doctor") {
        return Err(CliError::Usage(
            "this sage was built without the typed models `doctor` reads through: \
             install it with `cargo install sage-cli --features doctor`"
                .into(),
        ));
    }
    let session = Session::open(cli, &args.product, &args.connection).await?;
    let mut checked = Vec::new();
    for list in entry.operations.iter().filter(|op| is_plain_list(op)) {
        let (outcome, first_id) = read_list(&session, &entry, list).await?;
        checked.push(Checked { operation: list.name, outcome });
        let (Some(id), Some(get)) = (first_id, get_of(&entry, list)) else { continue };
        let outcome = read_one(&session, &entry, get, &id).await?;
        checked.push(Checked { operation: get.name, outcome });
    }
    let report = Report::new(entry.product.name, &checked);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report.json()).map_err(|err| CliError::Other(err.to_string()))?);
    } else {
        print!("{}", report.table());
    }
    if let Some(path) = &args.report {
        let text = serde_json::to_string_pretty(&report.json()).map_err(|err| CliError::Other(err.to_string()))?;
        std::fs::write(path, text + "\n").map_err(|err| CliError::Other(format!("{}: {err}", path.display())))?;
        eprintln!("drift report written to {} (no values from your books; attach it to a bug report)", path.display());
    }
    match report.failures {
        0 => Ok(()),
        failed => Err(CliError::Drift(format!(
            "{failed} response(s) of {} did not decode through the typed models (see the paths above)",
            entry.product.name
        ))),
    }
}

/// A `GET` list that needs no parameter: what `doctor` can read without knowing any id or value.
fn is_plain_list(op: &OperationSpec) -> bool {
    op.method == Method::Get && op.list && !op.params.iter().any(|param| param.required)
}

/// The `GET` of one record of `list`'s resource: `{list}/{key}`.
fn get_of(entry: &Entry, list: &OperationSpec) -> Option<&'static OperationSpec> {
    entry.operations.iter().find(|op| {
        let Some(rest) = op.path.strip_prefix(list.path).and_then(|rest| rest.strip_prefix('/')) else { return false };
        let one_key = rest.starts_with('{') && rest.ends_with('}') && !rest.contains('/');
        let path_params = op.params.iter().filter(|param| param.location == ParamLocation::Path).count();
        op.method == Method::Get && !op.list && one_key && path_params == 1
    })
}

async fn read_list(
    session: &Session,
    entry: &Entry,
    list: &OperationSpec,
) -> Result<(Outcome, Option<String>), CliError> {
    // Accounting answers lists with `id`, `displayed_as` and `$path` unless asked for every field.
    let everything = list.params.iter().any(|param| param.name == "attributes");
    let params: &[(&str, &str)] = if everything { &[("attributes", "all")] } else { &[] };
    let request = list.request(params.iter().copied())?;
    let body = match session.client.execute(&request).await {
        Ok(response) => response.body,
        Err(sage_core::Error::Api(api)) => return Ok((Outcome::Refused(format!("HTTP {}", api.status)), None)),
        Err(other) => return Err(other.into()),
    };
    let first_id = first_id(&body);
    Ok((read(entry, list.name, &body), first_id))
}

async fn read_one(session: &Session, entry: &Entry, get: &OperationSpec, id: &str) -> Result<Outcome, CliError> {
    let key = get.params.iter().find(|param| param.location == ParamLocation::Path).map_or("key", |param| param.name);
    let request = get.request([(key, id)])?;
    match session.client.execute(&request).await {
        Ok(response) => Ok(read(entry, get.name, &response.body)),
        Err(sage_core::Error::Api(api)) => Ok(Outcome::Refused(format!("HTTP {}", api.status))),
        Err(other) => Err(other.into()),
    }
}

fn read(entry: &Entry, operation: &str, body: &[u8]) -> Outcome {
    match (entry.read)(operation, body) {
        Some(reading) => Outcome::Read(reading),
        None => Outcome::Refused("not compiled into this sage".into()),
    }
}

/// The first record's id in a list body: Accounting's `$items`, or Sage 200's plain array.
fn first_id(body: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let first = value.get("$items").unwrap_or(&value).as_array()?.first()?;
    match first.get("id")? {
        Value::String(id) if !id.is_empty() => Some(id.clone()),
        Value::Number(id) => Some(id.to_string()),
        _ => None,
    }
}

/// One kind of drift at one place, however many records showed it.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Finding {
    operation: &'static str,
    /// The path with list indices left out: `$items[].last_paid`.
    path: String,
    what: String,
}

struct Report {
    product: &'static str,
    /// Finding → how many times it was seen. An unknown enum value keeps its code: codes are
    /// Sage's, not the user's.
    findings: BTreeMap<Finding, usize>,
    /// Decode failures: operation, path, message (values in it masked).
    failed: Vec<(&'static str, String, String)>,
    refused: Vec<(&'static str, String)>,
    read: usize,
    failures: usize,
}

impl Report {
    fn new(product: &'static str, checked: &[Checked]) -> Self {
        let mut report = Report {
            product,
            findings: BTreeMap::new(),
            failed: Vec::new(),
            refused: Vec::new(),
            read: 0,
            failures: 0,
        };
        for one in checked {
            match &one.outcome {
                Outcome::Refused(why) => report.refused.push((one.operation, why.clone())),
                Outcome::Read(reading) => {
                    report.read += 1;
                    for drift in &reading.drift {
                        let finding = Finding {
                            operation: one.operation,
                            path: without_indices(&drift.path),
                            what: drift.kind.to_string(),
                        };
                        *report.findings.entry(finding).or_default() += 1;
                    }
                    if let Some(error) = &reading.error {
                        report.failures += 1;
                        report.failed.push((one.operation, without_indices(&error.path), masked(&error.message)));
                    }
                }
            }
        }
        report
    }

    fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{}: {} responses read, {} refused by Sage, {} kinds of drift, {} decode failures",
            self.product,
            self.read,
            self.refused.len(),
            self.findings.len(),
            self.failures
        );
        if !self.findings.is_empty() {
            let _ = writeln!(out, "\n{:<44} {:<48} {:>5}  WHAT", "OPERATION", "FIELD", "SEEN");
            for (finding, seen) in &self.findings {
                let _ = writeln!(out, "{:<44} {:<48} {seen:>5}  {}", finding.operation, finding.path, finding.what);
            }
        }
        for (operation, path, message) in &self.failed {
            let _ = writeln!(out, "\nFAILED {operation} at `{path}`: {message}");
        }
        out
    }

    fn json(&self) -> Value {
        let drift: Vec<Value> = self
            .findings
            .iter()
            .map(|(finding, seen)| {
                json!({"operation": finding.operation, "path": finding.path, "what": finding.what, "seen": seen})
            })
            .collect();
        let failed: Vec<Value> = self
            .failed
            .iter()
            .map(|(operation, path, message)| json!({"operation": operation, "path": path, "error": message}))
            .collect();
        let refused: Vec<Value> =
            self.refused.iter().map(|(operation, why)| json!({"operation": operation, "why": why})).collect();
        json!({
            "product": self.product,
            "sage_rs": env!("CARGO_PKG_VERSION"),
            "responses_read": self.read,
            "drift": drift,
            "failed": failed,
            "refused": refused,
        })
    }
}

/// `$items[3].lines[0].x` → `$items[].lines[].x`: one finding however many records show it.
fn without_indices(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_index = false;
    for c in path.chars() {
        match c {
            '[' => {
                in_index = true;
                out.push('[');
            }
            ']' => {
                in_index = false;
                out.push(']');
            }
            _ if in_index => {}
            c => out.push(c),
        }
    }
    out
}

/// A decode error's message with the value it quotes masked: the value may be from the user's books.
fn masked(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut parts = message.split('"');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    for (index, part) in parts.enumerate() {
        out.push('"');
        out.push_str(if index % 2 == 0 { "…" } else { part });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_lose_their_indices_and_messages_their_values() {
        assert_eq!(without_indices("$items[12].lines[0].unit_price"), "$items[].lines[].unit_price");
        assert_eq!(
            masked(r#"invalid value: string "Acme Ltd", expected a date (YYYY-MM-DD) at line 1 column 9"#),
            r#"invalid value: string "…", expected a date (YYYY-MM-DD) at line 1 column 9"#
        );
    }

    #[test]
    fn first_ids_come_from_either_list_shape() {
        assert_eq!(first_id(br#"{"$items":[{"id":"abc"}]}"#).as_deref(), Some("abc"));
        assert_eq!(first_id(br#"[{"id":27825}]"#).as_deref(), Some("27825"));
        assert_eq!(first_id(br#"{"$items":[]}"#), None);
    }
}
