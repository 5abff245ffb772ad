//! The README's quick start: sign in once through Sage's consent page, then list contacts with a
//! client that refreshes its tokens by itself.
//!
//! Talks to real Sage: set `SAGE_CLIENT_ID` to your app's client id (a public client with
//! `http://127.0.0.1:8791/callback` registered: Sage matches redirect URIs exactly). For a run
//! without a Sage account, see `cargo run -p sage-cli -- demo`.

use std::{sync::Arc, time::Duration};

use futures_util::TryStreamExt;
use sage::accounting_v31::{contacts::ListContacts, PRODUCT};
use sage::auth::{AuthProfile, Authenticator, FileTokenStore, LoopbackRedirect, OAuthClient, TokenStore};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client_id = std::env::var("SAGE_CLIENT_ID").unwrap_or_else(|_| "your-client-id".into());
    // Once: take the user through Sage's consent page (public client, PKCE, loopback redirect).
    let loopback = LoopbackRedirect::bind_default().await?; // http://127.0.0.1:8791/callback
    let oauth = OAuthClient::new(AuthProfile::accounting_v31(), client_id, loopback.redirect_uri())?;
    let request = oauth.authorize_url();
    println!("Sign in at {}", request.url);
    let redirect = loopback.wait(&request.state, Duration::from_secs(300)).await?;
    let tokens = oauth.exchange_code(redirect.code(), request.pkce_verifier.as_ref()).await?;
    let store = Arc::new(FileTokenStore::new("sage-tokens.json")); // atomic writes, mode 0600
    store.save(&tokens).await?;

    // Every run after that: a client that refreshes by itself.
    let client = sage::Client::builder(PRODUCT).auth(Authenticator::new(oauth, store)).build()?;
    let mut contacts = ListContacts::new().search("garage").attributes("name,balance").items(&client);
    while let Some(contact) = contacts.try_next().await? {
        println!("{:?} owes {:?}", contact.name, contact.balance);
    }
    Ok(())
}
