//! Keeps a local JSON copy of the contacts in sync, incrementally, against the sandbox (no Sage
//! account needed). Each run applies only what changed since the last one: upserts and deletions,
//! from the checkpoint it stored after writing the copy. Run it twice: the second run fetches
//! only the contact the first run created.
//!
//! Against real Sage, build the client with `Client::builder(PRODUCT)` and your authenticator;
//! the sync loop stays the same.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use futures_util::TryStreamExt;
use sage::accounting_v31::contacts::{CreateContact, ListContacts, NewContact};
use sage::accounting_v31::PRODUCT;
use sage::auth::FileTokenStore;
use sage::core::changes::{Change, CheckpointStore, FileCheckpointStore};
use sage::sandbox::Sandbox;
use serde_json::Value;

const KEY: &str = "accounting-v31/lead/list_contacts";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = Path::new("target/sync-contacts-example");
    std::fs::create_dir_all(dir)?;
    let sandbox = Sandbox::builder().auto_approve(true).data_file(dir.join("sandbox.db")).start().await?;
    let client = sandbox.client(PRODUCT, Arc::new(FileTokenStore::new(dir.join("tokens.json")))).await?;

    let copy_path = dir.join("contacts.json");
    let mut copy: BTreeMap<String, Value> = match std::fs::read(&copy_path) {
        Ok(bytes) => serde_json::from_slice(&bytes)?,
        Err(_) => BTreeMap::new(),
    };
    let checkpoints = FileCheckpointStore::new(dir.join("checkpoints.json"));
    let start = checkpoints.load(KEY).await?.unwrap_or_default();

    let (mut upserted, mut deleted) = (0, 0);
    let mut batches = client.changes(&ListContacts::new(), start)?.poll();
    while let Some(batch) = batches.try_next().await? {
        for change in batch.changes {
            match change {
                Change::Upserted { id, record, .. } => {
                    copy.insert(id, serde_json::to_value(record)?);
                    upserted += 1;
                }
                Change::Deleted { id, .. } => {
                    copy.remove(&id);
                    deleted += 1;
                }
            }
        }
        // The copy first, then the checkpoint: a crash in between re-applies the batch, harmlessly.
        write_atomically(&copy_path, &serde_json::to_vec_pretty(&copy)?)?;
        checkpoints.save(KEY, &batch.checkpoint).await?;
    }
    println!("{upserted} upserted, {deleted} deleted; {} contacts in {}", copy.len(), copy_path.display());

    // Something for the next run to pick up.
    let contact = NewContact::new(format!("Synced {}", copy.len() + 1), ["CUSTOMER"]);
    CreateContact::new(contact).send(&client).await?;
    Ok(())
}

/// Replaces the file in one step, so a crash never leaves half a copy.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let temp = path.with_extension("json.tmp");
    std::fs::write(&temp, bytes)?;
    std::fs::rename(temp, path)
}
