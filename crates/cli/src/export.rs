//! `sage export`: every page of a list, streamed to a file with bounded memory.

use std::fs::File;
use std::io::{BufWriter, Write};

use futures_util::TryStreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::Value;

use crate::cli::{Cli, ExportArgs, Format};
use crate::dynamic::DynamicList;
use crate::error::CliError;
use crate::products;
use crate::session::Session;
use crate::suggest;

pub async fn run(cli: &Cli, args: &ExportArgs) -> Result<(), CliError> {
    let entry = products::find(&args.product).map_err(CliError::Usage)?;
    let spec = suggest::operation(&entry, &args.operation)?;
    if !spec.list {
        return Err(CliError::Usage(format!("{} does not return a list; use `sage call`", spec.name)));
    }
    let params = args.path.iter().chain(&args.query).map(|(name, value)| (name.as_str(), value.as_str()));
    let operation = DynamicList(spec.request(params).map_err(|err| suggest::explain(&entry, err))?);
    let session = Session::open(cli, &args.product, &args.connection).await?;
    let file = File::create(&args.out).map_err(|err| CliError::Usage(format!("{}: {err}", args.out.display())))?;
    let mut sink = Sink::new(args.format, BufWriter::new(file));
    let progress = ProgressBar::new_spinner();
    progress.set_style(
        ProgressStyle::with_template("{spinner} {pos}/{len} items {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut pages = session.client.pages(&operation);
    while let Some(page) = pages.try_next().await? {
        if let Some(total) = page.total {
            progress.set_length(total);
        }
        for item in &page.items {
            sink.write(item)?;
        }
        progress.inc(page.items.len() as u64);
    }
    let (written, _) = sink.finish()?;
    progress.finish_and_clear();
    eprintln!("wrote {written} items to {}", args.out.display());
    Ok(())
}

/// Writes items in one of the export formats, one at a time.
struct Sink<W: Write> {
    out: Out<W>,
    count: u64,
}

enum Out<W: Write> {
    Ndjson(W),
    Json(W),
    /// Columns are the first item's top-level fields; nested values are written as JSON.
    Csv {
        writer: Box<csv::Writer<W>>,
        columns: Option<Vec<String>>,
    },
}

impl<W: Write> Sink<W> {
    fn new(format: Format, out: W) -> Self {
        let out = match format {
            Format::Ndjson => Out::Ndjson(out),
            Format::Json => Out::Json(out),
            Format::Csv => Out::Csv { writer: Box::new(csv::Writer::from_writer(out)), columns: None },
        };
        Self { out, count: 0 }
    }

    fn write(&mut self, item: &Value) -> Result<(), CliError> {
        match &mut self.out {
            Out::Ndjson(out) => {
                serde_json::to_writer(&mut *out, item).map_err(io)?;
                out.write_all(b"\n").map_err(io)?;
            }
            Out::Json(out) => {
                out.write_all(if self.count == 0 { b"[\n" } else { b",\n" }).map_err(io)?;
                serde_json::to_writer(&mut *out, item).map_err(io)?;
            }
            Out::Csv { writer, columns } => {
                let columns = match columns {
                    Some(columns) => columns,
                    None => {
                        let names: Vec<String> =
                            item.as_object().map(|map| map.keys().cloned().collect()).unwrap_or_default();
                        writer.write_record(&names).map_err(io)?;
                        columns.insert(names)
                    }
                };
                let cells = columns.iter().map(|column| match item.get(column) {
                    None | Some(Value::Null) => String::new(),
                    Some(Value::String(text)) => text.clone(),
                    Some(other) => other.to_string(),
                });
                writer.write_record(cells).map_err(io)?;
            }
        }
        self.count += 1;
        Ok(())
    }

    /// Closes the document; returns the item count and the writer.
    fn finish(self) -> Result<(u64, W), CliError> {
        let mut out = match self.out {
            Out::Ndjson(out) => out,
            Out::Json(mut out) => {
                out.write_all(if self.count == 0 { b"[]\n" } else { b"\n]\n" }).map_err(io)?;
                out
            }
            Out::Csv { writer, .. } => writer.into_inner().map_err(io)?,
        };
        out.flush().map_err(io)?;
        Ok((self.count, out))
    }
}

fn io(err: impl std::fmt::Display) -> CliError {
    CliError::Other(format!("writing the export: {err}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn export(format: Format, items: &[Value]) -> String {
        let mut sink = Sink::new(format, Vec::new());
        for item in items {
            sink.write(item).unwrap();
        }
        let (count, bytes) = sink.finish().unwrap();
        assert_eq!(count, items.len() as u64);
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn each_format_writes_every_item() {
        let items = [json!({"id": "a", "balance": "1.50", "tags": ["x"]}), json!({"id": "b", "balance": null})];
        assert_eq!(export(Format::Ndjson, &items).lines().count(), 2);
        let json: Vec<Value> = serde_json::from_str(&export(Format::Json, &items)).unwrap();
        assert_eq!(json, items);
        assert_eq!(export(Format::Json, &[]), "[]\n");
        assert_eq!(export(Format::Csv, &items), "balance,id,tags\n1.50,a,\"[\"\"x\"\"]\"\n,b,\n");
    }
}
