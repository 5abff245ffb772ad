//! The README's "Rust against the sandbox": a ready client for a sandbox product in one call, and
//! the same client rebuilt from the stored tokens on the next run. No Sage account, no network.
//! Run it twice: the second run signs in no more. `tests/readme_sandbox.rs` runs it.

// README start
use sage::accounting_v31::{contacts::ListContacts, PRODUCT};
use sage::{auth::FileTokenStore, sandbox::Sandbox};
use std::{path::Path, sync::Arc};

pub async fn contact_names(dir: &Path) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let sandbox = Sandbox::builder().auto_approve(true).data_file(dir.join("sandbox.db")).start().await?;
    let store = Arc::new(FileTokenStore::new(dir.join("tokens.json")));
    let client = sandbox.client(PRODUCT, store).await?; // signs in once, then reuses the stored tokens
    let page = ListContacts::new().attributes("name").send(&client).await?;
    Ok(page.items.into_iter().filter_map(|contact| contact.name).collect())
}
// README end

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = Path::new("target/sandbox-client-example");
    std::fs::create_dir_all(dir)?;
    for name in contact_names(dir).await? {
        println!("{name}");
    }
    Ok(())
}
