//! Every connection's client is held to a rate per (product, business or company): the
//! connections on one business share its budget, across processes when the registry is Redis.

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use futures_util::future::join_all;
use sage_connections::Connections;
use sage_core::limit::{GcraLimiter, Quota, RateKey, RateLimiter};
use support::{list_request, Backend, Harness, Store};

/// Ten calls a second, exactly: 100 ms between slots.
fn quota() -> Quota {
    Quota::per(10, Duration::from_secs(1)).margin(0.0)
}

/// Sends `calls` list calls on each of `ids` at once and returns how long they all took.
async fn burst(connections: &[&Connections], ids: &[&str], calls: usize) -> Duration {
    let mut clients = Vec::new();
    for connections in connections {
        for id in ids {
            clients.push(connections.client(id).await.unwrap());
        }
    }
    let request = list_request("accounting-v31");
    let started = Instant::now();
    let sends = clients.iter().flat_map(|client| (0..calls).map(|_| client.execute(&request)));
    for result in join_all(sends).await {
        result.unwrap();
    }
    started.elapsed()
}

async fn connections_on_one_business_share_its_budget(backend: Backend) {
    let Some(harness) = Harness::start(backend).await else { return };
    let first = harness.connect("customer-a", "accounting-v31").await;
    let second = harness.connect("customer-b", "accounting-v31").await;
    assert_eq!(first.business, second.business, "the sandbox's demo user has one lead business");

    let limited = harness.connections_configured(|builder| builder.rate_limit(quota())).await;
    // Twelve calls from two connections on one business: the eleventh after the first comes
    // at least 11 slots of 100 ms later, whichever connection made it.
    let took = burst(&[&limited], &["customer-a", "customer-b"], 6).await;
    assert!(took >= Duration::from_millis(1_050), "12 calls at 10/s took only {took:?}");
}

#[tokio::test]
async fn sqlite_connections_on_one_business_share_its_budget() {
    connections_on_one_business_share_its_budget(Backend::Sqlite).await;
}

#[tokio::test]
async fn redis_connections_on_one_business_share_its_budget() {
    connections_on_one_business_share_its_budget(Backend::Redis).await;
}

#[tokio::test]
async fn two_processes_on_a_redis_registry_draw_on_one_budget() {
    let Some(harness) = Harness::start(Backend::Redis).await else { return };
    harness.connect("customer-a", "accounting-v31").await;
    let (one, other) = (
        harness.connections_configured(|builder| builder.rate_limit(quota())).await,
        harness.connections_configured(|builder| builder.rate_limit(quota())).await,
    );
    // Each handle has its own client and, in-process, would have its own limiter: only the
    // registry's Redis limiter spaces the two handles' calls against each other.
    let took = burst(&[&one, &other], &["customer-a"], 6).await;
    assert!(took >= Duration::from_millis(1_050), "12 calls from two processes at 10/s took only {took:?}");

    let Store::Redis { url, prefix } = &harness.store else { unreachable!() };
    let keys = redis_keys(url, &format!("{prefix}:rate:*")).await;
    assert_eq!(keys.len(), 1, "one budget for the one business: {keys:?}");
    assert!(keys[0].starts_with(&format!("{prefix}:rate:accounting-v31:")), "{keys:?}");
}

#[tokio::test]
async fn without_a_rate_limit_nothing_is_counted() {
    let Some(harness) = Harness::start(Backend::Redis).await else { return };
    harness.connect("customer-a", "accounting-v31").await;
    let unlimited = harness.connections_configured(|builder| builder.no_rate_limit()).await;
    burst(&[&unlimited], &["customer-a"], 3).await;
    let Store::Redis { url, prefix } = &harness.store else { unreachable!() };
    assert_eq!(redis_keys(url, &format!("{prefix}:rate:*")).await, Vec::<String>::new());
}

/// The app's own limiter, recording the keys it is asked for.
#[derive(Debug, Default)]
struct Recording {
    inner: GcraLimiter,
    keys: Mutex<Vec<RateKey>>,
}

#[async_trait]
impl RateLimiter for Recording {
    async fn acquire(&self, key: &RateKey, max_wait: Option<Duration>) -> Option<Duration> {
        self.keys.lock().unwrap().push(key.clone());
        self.inner.acquire(key, max_wait).await
    }

    async fn penalize(&self, key: &RateKey, retry_after: Duration) {
        self.inner.penalize(key, retry_after).await;
    }
}

#[tokio::test]
async fn each_call_counts_against_its_product_and_business_or_company() {
    let Some(harness) = Harness::start(Backend::Sqlite).await else { return };
    let accounting = harness.connect("customer-a", "accounting-v31").await;
    let sage200 = harness.connect("customer-b", "sage200-pro").await;
    let recording = Arc::new(Recording::default());
    let limiter = Arc::clone(&recording) as Arc<dyn RateLimiter>;
    let connections = harness.connections_configured(move |builder| builder.rate_limiter(limiter)).await;

    let client = connections.client("customer-a").await.unwrap();
    client.execute(&list_request("accounting-v31")).await.unwrap();
    let client = connections.client("customer-b").await.unwrap();
    client.execute(&list_request("sage200-pro")).await.unwrap();

    let business = accounting.business.expect("a v3.1 business").id;
    let company = sage200.company.expect("a Sage 200 company").company_id.to_string();
    let keys = recording.keys.lock().unwrap().clone();
    assert_eq!(keys, [RateKey::new("accounting-v31", business), RateKey::new("sage200-pro", company)]);
}

async fn redis_keys(url: &str, pattern: &str) -> Vec<String> {
    let client = redis::Client::open(url).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let mut keys: Vec<String> = redis::cmd("KEYS").arg(pattern).query_async(&mut conn).await.unwrap();
    keys.sort();
    keys
}
