//! The README's change-feed snippet ("Incremental sync (change feeds)"), compiled as it is printed
//! there (`tests/tests/readme.rs` keeps them the same), run once against the sandbox: it prints what
//! changed since the checkpoint in `target/change-feed-example/checkpoints.json`.

use futures_util::TryStreamExt;
use sage::accounting_v31::common::Contact;
use sage::accounting_v31::contacts::ListContacts;
use sage::changes::{Change, CheckpointStore, FileCheckpointStore};
use sage::Client;

async fn sync(client: &Client) -> Result<(), Box<dyn std::error::Error>> {
    let store = FileCheckpointStore::new("checkpoints.json"); // or sage::redis::RedisCheckpointStore
    let start = store.load("contacts").await?.unwrap_or_default();
    let mut batches = client.changes(&ListContacts::new(), start)?.poll(); // .follow(interval, shutdown) polls forever
    while let Some(batch) = batches.try_next().await? {
        apply(&batch.changes);
        store.save("contacts", &batch.checkpoint).await?;
    }
    Ok(())
}

fn apply(changes: &[Change<Contact>]) {
    for change in changes {
        match change {
            Change::Upserted { id, .. } => println!("upserted {id}"),
            Change::Deleted { id, .. } => println!("deleted {id}"),
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::path::Path::new("target/change-feed-example");
    std::fs::create_dir_all(dir)?;
    std::env::set_current_dir(dir)?;
    let sandbox = sage::sandbox::Sandbox::builder().auto_approve(true).start().await?;
    let client = sandbox.sign_in(sage::accounting_v31::PRODUCT).await?.client(sage::accounting_v31::PRODUCT)?;
    sync(&client).await
}
