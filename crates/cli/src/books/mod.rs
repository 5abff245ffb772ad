//! `sage books`: a product's records through the finance model (`sage_books`), normalized the same
//! way for every product, as JSON lines or CSV; what the product cannot do is refused from the
//! capability table before anything is sent.

mod args;
mod columns;
mod output;

use std::time::Duration;

use futures_util::TryStreamExt;
use sage_books::capability::{self, Support};
use sage_books::{
    BankAccount, Books, BooksRecord, Company, Customer, Item, JournalEntry, LedgerAccount, Operation, Payment,
    ProductKind, PurchaseCreditNote, PurchaseInvoice, Resource, SalesCreditNote, SalesInvoice, Supplier, TaxRate,
    TrackingCategory,
};
use sage_core::changes::{Checkpoint, CheckpointStore, FileCheckpointStore};
use serde::Serialize;

pub use args::{BooksAction, BooksArgs};

use crate::changes::{self, stored_error};
use crate::cli::Cli;
use crate::error::CliError;
use crate::products;
use crate::session::Session;
use output::Output;

pub async fn run(cli: &Cli, args: &BooksArgs) -> Result<(), CliError> {
    let (product, resource) = target(args)?;
    let operation = match args.action {
        BooksAction::List => Operation::List,
        BooksAction::Get => Operation::Get,
        BooksAction::Changes => Operation::Changes,
    };
    check_flags(args)?;
    // Known from the table alone: refused before signing in or sending anything.
    let support = capability::support(product, resource, operation, None);
    if support != Support::Supported {
        return Err(unsupported(product, resource, operation, support));
    }
    let start = start(args, product, resource).await?;
    let session = Session::open(cli, &args.product, &args.connection).await?;
    let books = Books::new(session.client.clone()).map_err(CliError::from)?;
    let mut out = Output::new(args.format, resource, operation == Operation::Changes);
    macro_rules! typed {
        ($($variant:ident => $record:ty,)*) => {
            match resource {
                $(Resource::$variant => act::<$record>(&books, args, start, &mut out).await,)*
            }
        };
    }
    typed! {
        Company => Company,
        Customer => Customer,
        Supplier => Supplier,
        LedgerAccount => LedgerAccount,
        TaxRate => TaxRate,
        BankAccount => BankAccount,
        Item => Item,
        SalesInvoice => SalesInvoice,
        SalesCreditNote => SalesCreditNote,
        PurchaseInvoice => PurchaseInvoice,
        PurchaseCreditNote => PurchaseCreditNote,
        Payment => Payment,
        JournalEntry => JournalEntry,
        TrackingCategory => TrackingCategory,
    }
}

/// The product and resource named on the command line, or why they are not the model's.
fn target(args: &BooksArgs) -> Result<(ProductKind, Resource), CliError> {
    products::find(&args.product).map_err(CliError::Usage)?;
    let product = ProductKind::from_name(&args.product)
        .ok_or_else(|| CliError::Usage(format!("the finance model does not map {}", args.product)))?;
    let resource = args.resource.parse::<Resource>().map_err(|err| {
        let known: Vec<String> = Resource::ALL.iter().map(|resource| resource.plural().replace('_', "-")).collect();
        let names = known.iter().map(String::as_str);
        let hint = crate::suggest::did_you_mean(&args.resource.replace('_', "-"), names);
        CliError::Usage(format!("{err}{hint}; its resources: {}", known.join(", ")))
    })?;
    Ok((product, resource))
}

/// Flags that only mean something for another action are refused rather than ignored.
fn check_flags(args: &BooksArgs) -> Result<(), CliError> {
    let changes_only =
        [("--since", args.since.is_some()), ("--follow", args.follow), ("--checkpoint", args.checkpoint.is_some())];
    if args.action != BooksAction::Changes {
        if let Some((flag, _)) = changes_only.iter().find(|(_, set)| *set) {
            return Err(CliError::Usage(format!("{flag} is for `changes`")));
        }
    }
    if args.action != BooksAction::Get && args.id.is_some() {
        return Err(CliError::Usage("an id is for `get`".into()));
    }
    Ok(())
}

/// The capability the product lacks, named as the table names it.
fn unsupported(product: ProductKind, resource: Resource, operation: Operation, support: Support) -> CliError {
    let support = serde_json::to_value(support).ok().and_then(|value| value.as_str().map(str::to_owned));
    CliError::Unsupported(format!(
        "{product} cannot {operation} {}: capability {product} × {resource} × {operation} is {} \
         (sage_books::capability)",
        resource.plural().replace('_', "-"),
        support.unwrap_or_else(|| "not supported".into()),
    ))
}

/// Where `changes` starts: the checkpoint file's, else --since, else everything.
async fn start(args: &BooksArgs, product: ProductKind, resource: Resource) -> Result<Checkpoint, CliError> {
    let store = args.checkpoint.as_ref().map(FileCheckpointStore::new);
    changes::start(args.since.as_deref(), store.as_ref(), &key(product, resource)).await
}

/// The checkpoint file's key for one feed, apart from `sage changes`' keys in the same file.
fn key(product: ProductKind, resource: Resource) -> String {
    format!("books/{product}/{resource}")
}

/// The action on records of type `R`.
async fn act<R: BooksRecord + Serialize>(
    books: &Books,
    args: &BooksArgs,
    start: Checkpoint,
    out: &mut Output,
) -> Result<(), CliError> {
    match args.action {
        BooksAction::List => {
            let mut records = books.list::<R>();
            while let Some(record) = records.try_next().await? {
                out.record(&record)?;
            }
            out.flush()
        }
        BooksAction::Get => {
            let id = args.id.as_deref().unwrap_or_default();
            out.record(&books.get::<R>(id).await?)?;
            out.flush()
        }
        BooksAction::Changes => {
            let feed = books.changes::<R>(start)?;
            let mut batches = if args.follow {
                let stop = async {
                    let _ = tokio::signal::ctrl_c().await;
                };
                feed.follow(Duration::from_secs(args.interval.max(1)), stop)
            } else {
                feed.poll()
            };
            let store = args.checkpoint.as_ref().map(FileCheckpointStore::new);
            let key = key(books.product(), R::RESOURCE);
            while let Some(batch) = batches.try_next().await? {
                for change in &batch.changes {
                    out.change(change)?;
                }
                out.flush()?;
                // Printed first, committed after: a crash in between prints the batch again, never skips it.
                if let Some(store) = &store {
                    store.save(&key, &batch.checkpoint).await.map_err(stored_error)?;
                }
            }
            Ok(())
        }
    }
}

impl From<sage_books::Error> for CliError {
    /// The model's errors on the CLI's exit codes; a refusal from the capability table is exit 7.
    fn from(err: sage_books::Error) -> Self {
        use sage_books::Error;
        match err {
            Error::Unsupported { .. } => Self::Unsupported(format!("{err} (sage_books::capability)")),
            Error::Missing { .. } | Error::Invalid(_) => Self::Usage(err.to_string()),
            Error::NeedsRelink { .. } | Error::Auth { .. } => Self::Auth(err.to_string()),
            Error::Transport { .. } => Self::Transport(err.to_string()),
            Error::Decode(_) => Self::Drift(err.to_string()),
            other => Self::Refused(other.to_string()),
        }
    }
}
