//! Follow mode against the sandbox: later changes arrive without re-delivering earlier ones, and a
//! shutdown signal ends the stream promptly.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use sage_accounting_v31::contacts::ListContacts;
use sage_core::auth::{Authenticator, MemoryTokenStore};
use sage_core::changes::{Change, Checkpoint};
use sage_core::Client;
use sage_sandbox::fixtures::V31_BUSINESSES;
use sage_sandbox::Sandbox;
use serde_json::Map;

#[tokio::test]
async fn follow_delivers_later_changes_once_and_stops_on_shutdown() {
    let sandbox = Sandbox::builder().auto_approve(true).start().await.unwrap();
    let signed_in = sandbox.sign_in("accounting-v31").await.unwrap();
    let auth = Authenticator::new(signed_in.oauth, Arc::new(MemoryTokenStore::with_tokens(signed_in.tokens)));
    let client =
        Client::builder(sage_accounting_v31::PRODUCT).base_url(signed_in.api_base_url).auth(auth).build().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let mut stream = client.changes(&ListContacts::new(), Checkpoint::default()).unwrap().follow(
        Duration::from_millis(50),
        async move {
            let _ = stopped.await;
        },
    );

    let mut delivered = HashSet::new();
    let mut wanted: Option<HashSet<String>> = None;
    let mut requests_at_touch = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let batch = tokio::time::timeout_at(deadline, stream.next()).await.expect("changes arrive").unwrap().unwrap();
        for change in &batch.changes {
            let Change::Upserted { id, updated_at, .. } = change else { continue };
            assert!(delivered.insert((id.clone(), *updated_at)), "{id}@{updated_at} delivered twice");
            if let Some(wanted) = &mut wanted {
                wanted.remove(id);
            }
        }
        match &wanted {
            // The first pass is over once a batch without changes closes it: now change something.
            None if batch.changes.is_empty() => {
                tokio::time::sleep(Duration::from_millis(5)).await;
                let touched = sandbox.touch_records("accounting-v31", V31_BUSINESSES[0].id, "/contacts", 2, Map::new());
                requests_at_touch = sandbox.stats().api_requests;
                wanted = Some(touched.into_iter().collect());
            }
            Some(wanted) if wanted.is_empty() => break,
            _ => {}
        }
    }
    assert!(sandbox.stats().api_requests > requests_at_touch, "the change came from a later poll");

    stop.send(()).unwrap();
    let end = tokio::time::timeout(Duration::from_secs(2), stream.next()).await.expect("the stream ends promptly");
    assert!(end.is_none(), "nothing after the shutdown");
}
