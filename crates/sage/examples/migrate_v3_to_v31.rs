//! Moving an app from Accounting v3 to v3.1, one function per step of Sage's migration guide.
//! MIGRATING.md quotes these functions verbatim (checked by `tests/tests/migration_docs.rs`), so
//! every snippet there compiles. `main` runs the v3.1 halves against the local sandbox.
//!
//! `cargo run -p sage --example migrate_v3_to_v31 --features accounting-v3-full,accounting-v31-full,sandbox`

// The "before" halves call the v3 API, which is deprecated in favour of v3.1 on purpose.
#![allow(deprecated)]

use std::sync::Arc;
use std::time::Duration;

use sage::accounting_v31::businesses::{GetUser, ListBusinesses, UpdateUser, UserUpdate};
use sage::accounting_v31::contacts::{CreateContact, ListContacts, NewContact};
use sage::accounting_v31::lead::GetLeadBusiness;
use sage::auth::{AuthError, AuthProfile, Authenticator, ClientSecret, FileTokenStore, OAuthClient, StaticToken};
use sage::auth::{MemoryTokenStore, V3Region};
use sage::core::Operation;
use sage::{Client, HeaderPolicy};

// Steps 1 and 2: register the app again on the new Developer Portal.
/// A v3.1 app has its own client id and secret; the v3 ones keep working for v3 only.
fn new_app_registration(profile: AuthProfile) -> Result<OAuthClient, AuthError> {
    let client = OAuthClient::new(profile, "v31-client-id", "https://app.example.com/callback")?;
    Ok(client.with_client_secret(ClientSecret::new("v31-client-secret")))
}

// Step 3: the token URL.
/// v3: one token server per region, picked from the `country` Sage adds to the redirect.
fn token_url_before() -> AuthProfile {
    let region = V3Region::from_country("gb").expect("a v3 country");
    AuthProfile::accounting_v3(region)
}

/// v3.1: one token URL (`https://oauth.accounting.sage.com/token`) for every country.
fn token_url_after() -> AuthProfile {
    AuthProfile::accounting_v31()
}

// Step 4: the base URL.
/// v3: `https://api.columbus.sage.com/{country}/sageone`, paths under `/accounts/v3` and `/core/v3`.
fn base_url_before(token: &str) -> sage::Result<Client> {
    Client::builder(sage::accounting_v3::PRODUCT)
        .base_url_variable("country", "uk")
        .headers(HeaderPolicy::accounting_v3("site-id", "subscription-key"))
        .auth(StaticToken::new(token))
        .build()
}

/// v3.1: `https://api.accounting.sage.com/v3.1`, no country, no `/accounts` or `/core`.
fn base_url_after(token: &str) -> sage::Result<Client> {
    Client::builder(sage::accounting_v31::PRODUCT).auth(StaticToken::new(token)).build()
}

// Step 5: token lifetimes.
/// v3.1 access tokens last 5 minutes (v3: 60) and refresh tokens 31 days (v3: no expiry).
fn token_lifetimes() -> (Duration, Option<Duration>) {
    let profile = AuthProfile::accounting_v31();
    (profile.access_token_lifetime(), profile.refresh_token_lifetime())
}

/// The authenticator refreshes ahead of expiry and saves every rotated refresh token; the store
/// records the API, so v3 tokens in it are refused (`AuthError::WrongApi`), never sent to v3.1.
fn keep_tokens_fresh(oauth: OAuthClient, store: FileTokenStore) -> sage::Result<Client> {
    let auth = Authenticator::new(oauth, Arc::new(store));
    Client::builder(sage::accounting_v31::PRODUCT).auth(auth).build()
}

// Step 6: `/core/v3/business`, `/business_relationships`, `/me` and `/user`.
/// v3: the `core` endpoints.
async fn user_and_businesses_before(v3: &Client) -> sage::Result<()> {
    let relationships = sage::accounting_v3::core::ListBusinessRelationships::new().send(v3).await?;
    let me = sage::accounting_v3::core::GetMe::new().send(v3).await?;
    println!("{relationships} / {me}");
    Ok(())
}

/// v3.1: `GET /businesses`, `GET /businesses/lead` and `GET /user`.
async fn user_and_businesses_after(v31: &Client) -> sage::Result<()> {
    let businesses = ListBusinesses::new().send(v31).await?;
    let lead = GetLeadBusiness::new().send(v31).await?;
    let user = GetUser::new().send(v31).await?;
    println!("{} businesses, lead {:?}, user {:?}", businesses.items.len(), lead.name, user.id);
    Ok(())
}

/// v3: `PUT /core/v3/user` took the attributes at the top level.
fn update_user_before() -> sage::accounting_v3::core::UpdateUser {
    sage::accounting_v3::core::UpdateUser::new(serde_json::json!({ "last_name": "Smith" }))
}

/// v3.1: the attributes are nested in `user` (and in `business` for `PUT /businesses/{id}`).
fn update_user_after() -> UpdateUser {
    UpdateUser::new(UserUpdate { last_name: Some("Smith".into()), ..Default::default() })
}

// Step 7: headers.
/// v3: `X-Site` and `Ocp-Apim-Subscription-Key` (and, long ago, `X-Signature`/`X-Nonce`).
fn headers_before() -> HeaderPolicy {
    HeaderPolicy::accounting_v3("site-id", "subscription-key")
}

/// v3.1: only the bearer token; `X-Business` is optional and addresses one business.
fn headers_after() -> HeaderPolicy {
    HeaderPolicy::accounting_v31()
}

// Step 8: users with several businesses.
/// Choose a business per client (`X-Business`, was `X-Site`), read which business served each
/// call, and notice when the lead business (used when none is chosen) changes.
async fn several_businesses(v31: &Client, business_id: &str) -> sage::Result<()> {
    let chosen = v31.for_business(business_id)?;
    let response = chosen.send_with_metadata(&ListContacts::new()).await?;
    assert_eq!(response.metadata.business.as_deref(), Some(business_id));
    let on_lead = v31.send_with_metadata(&ListContacts::new()).await?;
    if let Some(change) = on_lead.metadata.lead_change {
        println!("lead business moved from {} to {}", change.previous, change.current);
    }
    Ok(())
}

// Step 9: JSON only.
/// Generated operations always send typed bodies as JSON, which is all v3.1 accepts.
fn json_only() -> sage::Result<Option<Vec<u8>>> {
    let request = CreateContact::new(NewContact::new("ABS Garages Ltd", ["CUSTOMER"])).request()?;
    Ok(request.body)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("v3 token URL {} → v3.1 {}", token_url_before().token_url(), token_url_after().token_url());
    println!("v3 base URL {} → v3.1 {}", base_url_before("t")?.base_url(), base_url_after("t")?.base_url());
    println!("v3.1 token lifetimes: {:?}", token_lifetimes());
    println!("headers: {:?} → {:?}", headers_before().style(), headers_after().style());
    println!("PUT /user bodies: {} → {}", update_user_before().body, serde_json::to_value(&update_user_after().user)?);
    println!("contact body: {}", String::from_utf8(json_only()?.unwrap_or_default())?);
    let oauth = new_app_registration(token_url_after())?;
    let _client = keep_tokens_fresh(oauth, FileTokenStore::new("tokens.json"))?;
    // Needs a real v3 account: compiled, not run.
    let _ = user_and_businesses_before;

    let sandbox = sage::sandbox::Sandbox::builder().auto_approve(true).start().await?;
    let signed_in = sandbox.sign_in("accounting-v31").await?;
    let auth = Authenticator::new(signed_in.oauth, Arc::new(MemoryTokenStore::with_tokens(signed_in.tokens)));
    let v31 = Client::builder(sage::accounting_v31::PRODUCT).base_url(signed_in.api_base_url).auth(auth).build()?;
    user_and_businesses_after(&v31).await?;
    let second = ListBusinesses::new().send(&v31).await?.items.into_iter().nth(1).and_then(|b| b.id);
    several_businesses(&v31, second.as_deref().unwrap_or_default()).await?;
    Ok(())
}
