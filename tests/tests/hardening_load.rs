//! Load on the sandbox: 50 clients × 200 Accounting v3.1 contact calls at once, with access tokens
//! revoked under them every few hundred calls, and no write lost nor any 5xx.

mod oauth_support;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use futures_util::StreamExt;
use oauth_support::{authorize, confidential};
use sage_accounting_v31::contacts::{CreateContact, GetContact, ListContacts, UpdateContact};
use sage_core::auth::{Authenticator, MemoryTokenStore};
use sage_core::Client;
use sage_sandbox::Sandbox;
use serde::de::DeserializeOwned;
use serde_json::json;

const CLIENTS: usize = 50;
const CALLS_PER_CLIENT: usize = 200;
/// Every this many calls (all clients together) the sandbox expires every access token.
const EXPIRE_EVERY: usize = 500;

/// A contact body (create and update share the shape); typed by the operation it is given to.
fn contact_body<T: DeserializeOwned>(reference: &str, notes: &str) -> T {
    let contact =
        json!({ "name": reference, "contact_type_ids": ["CUSTOMER"], "reference": reference, "notes": notes });
    serde_json::from_value(contact).expect("a valid contact body")
}

/// A client with its own authenticator, authorized through the sandbox's consent flow.
async fn authorized_client(sandbox: &Sandbox) -> Client {
    let oauth = confidential(sandbox, "accounting-v31");
    let auth = Authenticator::new(oauth.clone(), Arc::new(MemoryTokenStore::new()));
    auth.set_tokens(authorize(&oauth).await).await.unwrap();
    Client::builder(sage_accounting_v31::PRODUCT)
        .base_url(sandbox.endpoints("accounting-v31").unwrap().api_base_url)
        .auth(auth)
        .build()
        .unwrap()
}

/// What one client wrote: contact id → the notes its last write left.
type Written = HashMap<String, String>;

/// One client's 200 calls: create, read back, update, list, in turn.
async fn run_client(
    number: usize,
    api: Client,
    sandbox: Arc<Sandbox>,
    calls: Arc<AtomicUsize>,
) -> sage_core::Result<Written> {
    let mut written = Written::new();
    let mut last_id = String::new();
    for call in 0..CALLS_PER_CLIENT {
        let reference = format!("LOAD-{number}-{}", call / 4);
        match call % 4 {
            0 => {
                let notes = format!("created by {number} at {call}");
                let contact = CreateContact::new(contact_body(&reference, &notes)).send(&api).await?;
                last_id = contact.id.expect("a created contact has an id").into();
                written.insert(last_id.clone(), notes);
            }
            1 => {
                let contact = GetContact::new(&last_id).send(&api).await?;
                assert_eq!(contact.notes.as_ref(), written.get(&last_id), "read your own write");
            }
            2 => {
                let notes = format!("updated by {number} at {call}");
                UpdateContact::new(&last_id, contact_body(&reference, &notes)).send(&api).await?;
                written.insert(last_id.clone(), notes);
            }
            _ => {
                let page = ListContacts::new().items_per_page(5).send(&api).await?;
                assert!(!page.items.is_empty(), "the list shows contacts");
            }
        }
        if calls.fetch_add(1, Ordering::Relaxed) % EXPIRE_EVERY == EXPIRE_EVERY - 1 {
            sandbox.expire_access_tokens();
        }
    }
    Ok(written)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_clients_lose_no_write_and_see_no_server_error_across_token_refreshes() {
    let sandbox = Arc::new(Sandbox::builder().auto_approve(true).start().await.unwrap());
    let clients = futures_util::future::join_all((0..CLIENTS).map(|_| authorized_client(&sandbox))).await;
    let calls = Arc::new(AtomicUsize::new(0));
    let runs = clients
        .into_iter()
        .enumerate()
        .map(|(number, api)| tokio::spawn(run_client(number, api, Arc::clone(&sandbox), Arc::clone(&calls))));
    let results = futures_util::future::join_all(runs).await;

    let mut written = Written::new();
    let mut failures = Vec::new();
    for result in results {
        match result.expect("no client panicked") {
            Ok(client_writes) => written.extend(client_writes),
            Err(error) => failures.push(error.to_string()),
        }
    }
    assert!(failures.is_empty(), "{} clients failed, e.g. {:?}", failures.len(), failures.first());
    assert_eq!(calls.load(Ordering::Relaxed), CLIENTS * CALLS_PER_CLIENT);

    let stats = sandbox.stats();
    assert!(stats.api_unauthorized > 0, "tokens were expired during the run");
    assert!(stats.refresh_grants > 0, "clients refreshed during the run");
    assert_eq!(stats.token_errors, 0, "every refresh succeeded");

    // No lost write: every contact created is readable and shows its last update.
    let checker = authorized_client(&sandbox).await;
    assert_eq!(written.len(), CLIENTS * CALLS_PER_CLIENT / 4);
    let reads = written.iter().map(|(id, notes)| {
        let checker = checker.clone();
        async move { (GetContact::new(id).send(&checker).await, id, notes) }
    });
    let reads = futures_util::stream::iter(reads).buffer_unordered(CLIENTS).collect::<Vec<_>>().await;
    for (read, id, notes) in reads {
        let contact = read.unwrap_or_else(|error| panic!("contact {id} is not readable: {error}"));
        assert_eq!(contact.notes.as_ref(), Some(notes), "contact {id}");
    }
}
