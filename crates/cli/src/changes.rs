//! `sage changes`: a list's change feed as JSON lines, resumable from a checkpoint file.

use std::io::Write;
use std::time::Duration;

use futures_util::TryStreamExt;
use sage_core::changes::{Change, ChangeFeed, Checkpoint, CheckpointStore, FileCheckpointStore};
use serde_json::{json, Value};

use crate::cli::{ChangesArgs, Cli};
use crate::error::CliError;
use crate::products;
use crate::session::Session;
use crate::suggest;

pub async fn run(cli: &Cli, args: &ChangesArgs) -> Result<(), CliError> {
    let entry = products::find(&args.product).map_err(CliError::Usage)?;
    let name = if entry.feeds.iter().any(|feed| feed.operation == args.target) {
        args.target.clone()
    } else {
        format!("list_{}", args.target)
    };
    let Some(feed_spec) = entry.feeds.iter().find(|feed| feed.operation == name) else {
        let names: Vec<&str> = entry.feeds.iter().map(|feed| feed.operation).collect();
        return Err(CliError::Usage(format!(
            "{} has no change feed for `{}`{}; these lists have one: {}",
            args.product,
            args.target,
            crate::suggest::did_you_mean(&name, names.iter().copied()),
            names.join(", ")
        )));
    };
    let spec = suggest::operation(&entry, &name)?;
    let params = args.path.iter().chain(&args.query).map(|(name, value)| (name.as_str(), value.as_str()));
    let request = spec.request(params).map_err(|err| suggest::explain(&entry, err))?;
    let store = args.checkpoint.as_ref().map(FileCheckpointStore::new);
    let key = format!("{}/{name}", args.product);
    let start = start(args.since.as_deref(), store.as_ref(), &key).await?;

    let session = Session::open(cli, &args.product, &args.connection).await?;
    let feed = ChangeFeed::<Value>::new(&session.client, request, *feed_spec, start);
    let mut batches = if args.follow {
        let stop = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        feed.follow(Duration::from_secs(args.interval.max(1)), stop)
    } else {
        feed.poll()
    };
    let mut out = std::io::stdout().lock();
    while let Some(batch) = batches.try_next().await? {
        for change in &batch.changes {
            writeln!(out, "{}", line(change)).map_err(|err| CliError::Other(format!("standard output: {err}")))?;
        }
        out.flush().map_err(|err| CliError::Other(format!("standard output: {err}")))?;
        // Printed first, committed after: a crash in between prints the batch again, never skips it.
        if let Some(store) = &store {
            store.save(&key, &batch.checkpoint).await.map_err(stored_error)?;
        }
    }
    Ok(())
}

/// One output line: `{"change":"upserted","id":…,"updated_at":…,"record":{…}}` or a deletion.
fn line(change: &Change<Value>) -> Value {
    match change {
        Change::Upserted { id, updated_at, record } => {
            json!({"change": "upserted", "id": id, "updated_at": updated_at, "record": record})
        }
        Change::Deleted { id, deleted_at } => json!({"change": "deleted", "id": id, "deleted_at": deleted_at}),
    }
}

/// Where a feed starts: the checkpoint stored under `key`, else `--since`, else everything.
pub(crate) async fn start(
    since: Option<&str>,
    store: Option<&FileCheckpointStore>,
    key: &str,
) -> Result<Checkpoint, CliError> {
    let since = match since {
        Some(text) => Some(
            text.parse::<sage_core::types::DateTime>()
                .map_err(|err| CliError::Usage(format!("--since: {err}")))?
                .to_utc(),
        ),
        None => None,
    };
    let stored = match store {
        Some(store) => store.load(key).await.map_err(stored_error)?,
        None => None,
    };
    Ok(stored.unwrap_or_else(|| since.map(Checkpoint::since).unwrap_or_default()))
}

pub(crate) fn stored_error(err: sage_core::changes::CheckpointError) -> CliError {
    CliError::Usage(err.to_string())
}
