//! `sage books` as clap reads it.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::cli::ConnectionArgs;

/// Told under `sage books --help`: the resources, the formats, the exit code of a refusal.
const BOOKS_HELP: &str = "\
Resources are the finance model's (sage_books::Resource), singular or plural, with - or _: companies, customers,
suppliers, ledger-accounts, tax-rates, items, sales-invoices, sales-credit-notes, purchase-invoices,
purchase-credit-notes, payments, journal-entries, tracking-categories.

--format jsonl (default) prints one normalized record per line, as sage_books serializes it: snake_case names,
money as exact decimal strings (\"349.20\"), dates as YYYY-MM-DD. `changes` prints
{\"change\":\"upserted\",\"id\":…,\"updated_at\":…,\"record\":{…}} or {\"change\":\"deleted\",\"id\":…,\"deleted_at\":…}.

--format csv prints a header and one row per record, with a fixed set of flat columns per resource, named by
their path in the JSON record (totals.gross, party.id, address.city): money stays an exact decimal string, an
unknown value is an empty cell, and lines, allocations and other lists are left out (use jsonl for them).
`changes` adds two columns in front: change (upserted or deleted) and changed_at.

What a product cannot do, by the capability table (sage_books::capability), is refused before anything is sent,
naming the capability, with exit code 7. Other exit codes: 1 other failure, 2 bad arguments, 3 not signed in
or sign-in no longer valid, 4 Sage unreachable, 5 Sage answered with an error, 6 an answer that does not
read as the record.";

/// `sage books <product> <resource> list|get <id>|changes`.
#[derive(Debug, Args)]
#[command(after_long_help = BOOKS_HELP)]
pub struct BooksArgs {
    /// Product name, e.g. accounting-v31.
    pub product: String,
    /// A resource of the finance model, e.g. customers or sales-invoices.
    pub resource: String,
    /// list: every record; get: the one with <ID>; changes: what changed since the checkpoint.
    #[arg(value_enum)]
    pub action: BooksAction,
    /// The record's id (get).
    #[arg(required_if_eq("action", "get"))]
    pub id: Option<String>,
    /// Output: one JSON object per line, or CSV with a header.
    #[arg(long, value_enum, default_value_t = BooksFormat::Jsonl)]
    pub format: BooksFormat,
    /// changes: start from this time (RFC 3339) when the checkpoint file holds none; default: everything.
    #[arg(long)]
    pub since: Option<String>,
    /// changes: keep polling (Ctrl-C stops cleanly).
    #[arg(long)]
    pub follow: bool,
    /// changes: seconds between polls with --follow.
    #[arg(long, default_value_t = 30)]
    pub interval: u64,
    /// changes: resume from and commit to this checkpoint file (written after each printed batch).
    #[arg(long)]
    pub checkpoint: Option<PathBuf>,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// What `sage books` does to the resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BooksAction {
    /// Every record, page by page.
    List,
    /// One record by id.
    Get,
    /// Changes since the checkpoint (or --since).
    Changes,
}

/// How records are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BooksFormat {
    /// One JSON object per line.
    Jsonl,
    /// A header, then one row per record.
    Csv,
}
