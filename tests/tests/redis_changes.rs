//! Change feeds coordinated through Redis: workers split the feeds of several businesses by lease,
//! never process the same change twice, and a worker whose lease was lost cannot move the checkpoint.

mod redis_support;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use sage_accounting_v31::contacts::ListContacts;
use sage_core::auth::{Authenticator, MemoryTokenStore};
use sage_core::changes::{Change, Checkpoint, CheckpointError, CheckpointStore};
use sage_core::Client;
use sage_redis_store::RedisCheckpointStore;
use sage_sandbox::fixtures::V31_BUSINESSES;
use sage_sandbox::Sandbox;
use serde_json::Map;

const LEASE: Duration = Duration::from_secs(5);

fn namespace() -> String {
    format!("test-{:016x}", rand::random::<u64>())
}

/// Every feed key this worker could lease, one pass each, recording (key, id, updated_at).
async fn work_once(
    client: &Client,
    store: &RedisCheckpointStore,
    processed: &Mutex<Vec<(String, String, String)>>,
) -> usize {
    let mut passes = 0;
    for business in &V31_BUSINESSES {
        let key = format!("accounting-v31/{}/list_contacts", business.id);
        let Some(lease) = store.acquire(&key, LEASE).await.unwrap() else { continue };
        let start = store.load(&key).await.unwrap().unwrap_or_default();
        let scoped = client.for_business(business.id).unwrap();
        let mut batches = scoped.changes(&ListContacts::new(), start).unwrap().page_size(20).poll();
        while let Some(batch) = batches.next().await {
            let batch = batch.unwrap();
            for change in &batch.changes {
                if let Change::Upserted { id, updated_at, .. } = change {
                    processed.lock().unwrap().push((key.clone(), id.clone(), updated_at.to_rfc3339()));
                }
            }
            tokio::task::yield_now().await;
            store.save_leased(&lease, &batch.checkpoint).await.unwrap();
        }
        store.release(lease).await.unwrap();
        passes += 1;
    }
    passes
}

#[tokio::test]
async fn two_workers_never_process_the_same_change() {
    let redis = redis_support::TestRedis::start();
    let sandbox = Arc::new(Sandbox::builder().auto_approve(true).start().await.unwrap());
    let signed_in = sandbox.sign_in("accounting-v31").await.unwrap();
    let auth = Authenticator::new(signed_in.oauth, Arc::new(MemoryTokenStore::with_tokens(signed_in.tokens)));
    let client =
        Client::builder(sage_accounting_v31::PRODUCT).base_url(signed_in.api_base_url).auth(auth).build().unwrap();
    let namespace = namespace();
    let processed = Arc::new(Mutex::new(Vec::new()));

    let mut workers = Vec::new();
    for _ in 0..2 {
        let (client, processed) = (client.clone(), processed.clone());
        let store = RedisCheckpointStore::new(&redis.url).unwrap().with_namespace(namespace.clone());
        let sandbox = sandbox.clone();
        workers.push(tokio::spawn(async move {
            let mut passes = 0;
            for round in 0..15 {
                for business in &V31_BUSINESSES {
                    sandbox.touch_records("accounting-v31", business.id, "/contacts", 1 + round % 3, Map::new());
                }
                passes += work_once(&client, &store, &processed).await;
            }
            passes
        }));
    }
    let mut passes = Vec::new();
    for worker in workers {
        passes.push(worker.await.unwrap());
    }
    assert!(passes.iter().all(|&count| count > 0), "both workers got feeds to process: {passes:?}");

    let processed = processed.lock().unwrap();
    let mut unique = HashSet::new();
    for change in processed.iter() {
        assert!(unique.insert(change.clone()), "processed twice: {change:?}");
    }
    let keys: HashSet<&str> = processed.iter().map(|(key, _, _)| key.as_str()).collect();
    assert_eq!(keys.len(), V31_BUSINESSES.len(), "every business's feed was processed");
}

#[tokio::test]
async fn a_lost_lease_cannot_move_the_checkpoint() {
    let redis = redis_support::TestRedis::start();
    let store = RedisCheckpointStore::new(&redis.url).unwrap().with_namespace(namespace());
    let key = "accounting-v31/b/list_contacts";
    let stale = store.acquire(key, Duration::from_millis(50)).await.unwrap().expect("free");
    assert!(store.acquire(key, LEASE).await.unwrap().is_none(), "held");
    tokio::time::sleep(Duration::from_millis(120)).await;
    let fresh = store.acquire(key, LEASE).await.unwrap().expect("the stale lease expired");

    let moved = Checkpoint::since("2026-06-01T00:00:00Z".parse().unwrap());
    assert!(matches!(store.save_leased(&stale, &moved).await, Err(CheckpointError::LeaseLost(_))));
    assert!(!store.renew(&stale, LEASE).await.unwrap());
    assert_eq!(store.load(key).await.unwrap(), None, "nothing stored by the stale worker");
    store.save_leased(&fresh, &moved).await.unwrap();
    store.release(stale).await.unwrap();
    assert!(store.acquire(key, LEASE).await.unwrap().is_none(), "a stale release leaves the fresh lease");
    assert_eq!(store.load(key).await.unwrap(), Some(moved));
}
