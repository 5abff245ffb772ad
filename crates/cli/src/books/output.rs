//! Printing records and changes as JSON lines or CSV, one at a time, to standard output.

use std::io::{Stdout, Write};

use sage_books::Resource;
use sage_core::changes::Change;
use serde::Serialize;
use serde_json::{json, Value};

use super::args::BooksFormat;
use super::columns;
use crate::error::CliError;

/// Where records go, in the chosen format.
pub enum Output {
    Jsonl(Stdout),
    /// The header is written before the first row, or at the end when there were no rows.
    Csv {
        writer: Box<csv::Writer<Stdout>>,
        columns: Vec<&'static str>,
        changes: bool,
        started: bool,
    },
}

impl Output {
    pub fn new(format: BooksFormat, resource: Resource, changes: bool) -> Self {
        match format {
            BooksFormat::Jsonl => Self::Jsonl(std::io::stdout()),
            BooksFormat::Csv => Self::Csv {
                writer: Box::new(csv::WriterBuilder::new().has_headers(false).from_writer(std::io::stdout())),
                columns: columns::columns(resource),
                changes,
                started: false,
            },
        }
    }

    /// One record.
    pub fn record(&mut self, record: &impl Serialize) -> Result<(), CliError> {
        let value = to_json(record)?;
        match self {
            Self::Jsonl(out) => writeln!(out.lock(), "{value}").map_err(stdout_error),
            Self::Csv { columns, .. } => {
                let cells = columns::row(&value, columns);
                self.row(cells)
            }
        }
    }

    /// One change: an upsert with its record, or a deletion with the id.
    pub fn change<R: Serialize>(&mut self, change: &Change<R>) -> Result<(), CliError> {
        let (kind, id, at, record) = match change {
            Change::Upserted { id, updated_at, record } => ("upserted", id, updated_at, Some(to_json(record)?)),
            Change::Deleted { id, deleted_at } => ("deleted", id, deleted_at, None),
        };
        match self {
            Self::Jsonl(out) => {
                let line = match record {
                    Some(record) => json!({"change": kind, "id": id, "updated_at": at, "record": record}),
                    None => json!({"change": kind, "id": id, "deleted_at": at}),
                };
                writeln!(out.lock(), "{line}").map_err(stdout_error)
            }
            Self::Csv { columns, .. } => {
                let record = record.unwrap_or_else(|| json!({ "id": id }));
                let at = columns::row(&json!({ "at": at }), &["at"]).remove(0);
                let cells = [kind.to_owned(), at].into_iter().chain(columns::row(&record, columns)).collect();
                self.row(cells)
            }
        }
    }

    /// Everything printed so far reaches standard output (and a CSV has its header).
    pub fn flush(&mut self) -> Result<(), CliError> {
        self.header()?;
        match self {
            Self::Jsonl(out) => out.lock().flush(),
            Self::Csv { writer, .. } => writer.flush(),
        }
        .map_err(stdout_error)
    }

    fn header(&mut self) -> Result<(), CliError> {
        let Self::Csv { writer, columns, changes, started } = self else { return Ok(()) };
        if !*started {
            *started = true;
            let front: &[&str] = if *changes { &["change", "changed_at"] } else { &[] };
            writer.write_record(front.iter().chain(columns.iter())).map_err(csv_error)?;
        }
        Ok(())
    }

    fn row(&mut self, cells: Vec<String>) -> Result<(), CliError> {
        self.header()?;
        let Self::Csv { writer, .. } = self else { return Ok(()) };
        writer.write_record(cells).map_err(csv_error)
    }
}

fn to_json(record: &impl Serialize) -> Result<Value, CliError> {
    serde_json::to_value(record).map_err(|err| CliError::Other(format!("a record did not serialize: {err}")))
}

fn stdout_error(err: std::io::Error) -> CliError {
    CliError::Other(format!("standard output: {err}"))
}

fn csv_error(err: csv::Error) -> CliError {
    CliError::Other(format!("standard output: {err}"))
}
