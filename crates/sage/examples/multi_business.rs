//! Accounting v3.1 with several businesses: list them, read the lead business, then list each
//! business's contacts with `Client::for_business` (`X-Business`).
//!
//! Calls without `X-Business` go to the user's lead business, which can change; every response
//! names the business that served it (`send_with_metadata().metadata.business`).
//!
//! ```sh
//! cargo run -p sage --example multi_business --features accounting-v31-full,sandbox
//! ```
//!
//! By default everything runs against a sandbox started inside the example, which approves the
//! consent itself (no browser, no Sage account, no network). Environment variables:
//!
//! - `SAGE_CLIENT_ID`: your app's client id; when set, the example talks to real Sage and prints
//!   the consent URL to open in a browser.
//! - `SAGE_CLIENT_SECRET`: your app's secret, if it has one.
//! - `SAGE_LOOPBACK_PORT`: fixed port for the redirect `http://127.0.0.1:<port>/callback`.
//! - `SAGE_AUTHORIZE_URL`, `SAGE_TOKEN_URL`, `SAGE_BASE_URL`: override Sage's endpoints.
//! - `SAGE_BUSINESS`: list the contacts of this business id only.

#[path = "support/loopback.rs"]
mod loopback;
mod support;

use std::sync::Arc;

use sage::accounting_v31::businesses::ListBusinesses;
use sage::accounting_v31::contacts::ListContacts;
use sage::accounting_v31::lead::GetLeadBusiness;
use sage::accounting_v31::PRODUCT;
use sage::auth::{Authenticator, MemoryTokenStore};
use sage::sandbox::Sandbox;
use support::{env, BoxError, Target};

/// Contacts shown per business.
const CONTACTS_PER_BUSINESS: i64 = 5;

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let target = Target::from_env(&PRODUCT, Sandbox::demo_public_client, true, None).await?;
    let (oauth, tokens) = loopback::sign_in(&target).await?;
    let auth = Authenticator::new(oauth, Arc::new(MemoryTokenStore::with_tokens(tokens)));
    let client = target.client_builder(PRODUCT).auth(auth).build()?;

    let businesses = ListBusinesses::new().send(&client).await?.items;
    println!("\n{} businesses:", businesses.len());
    for business in &businesses {
        println!("  {} {}", business.id.as_deref().unwrap_or("?"), business.name.as_deref().unwrap_or("?"));
    }
    let lead = client.send_with_metadata(&GetLeadBusiness::new()).await?;
    println!(
        "Lead business: {} (served by X-Business {})",
        lead.value.name.as_deref().unwrap_or("?"),
        lead.metadata.business.as_deref().unwrap_or("?")
    );

    let only = env("SAGE_BUSINESS");
    let ids = businesses.iter().filter_map(|business| business.id.as_deref());
    for id in ids.filter(|id| only.as_deref().is_none_or(|only| only == *id)) {
        let contacts = ListContacts::new().items_per_page(CONTACTS_PER_BUSINESS);
        let response = client.for_business(id)?.send_with_metadata(&contacts).await?;
        let served_by = response.metadata.business.as_deref().unwrap_or("?");
        let total = response.value.total.map_or_else(|| "?".to_owned(), |total| total.to_string());
        println!("\nBusiness {id} (response X-Business {served_by}): {total} contacts");
        for contact in &response.value.items {
            println!("  {}", contact.name.as_deref().or(contact.displayed_as.as_deref()).unwrap_or("?"));
        }
    }
    Ok(())
}
