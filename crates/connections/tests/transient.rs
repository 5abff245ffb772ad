//! A token endpoint that fails transiently (503 from a proxy in front of the sandbox): the status
//! stays active, attempts back off so a burst of calls makes no token request, and the first good
//! refresh emits `Recovered` once.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use sage_connections::{Event, Status, TransientBackoff};
use sage_core::auth::AuthError;
use support::{list_request, Backend, Harness, Options};

const INITIAL: Duration = Duration::from_millis(200);
const MAX: Duration = Duration::from_millis(800);

async fn a_transient_outage_backs_off_and_recovers(backend: Backend, product: &str) {
    let configure: support::Configure =
        Arc::new(|builder| builder.transient_backoff(TransientBackoff::new(INITIAL, MAX)));
    let options = Options { token_proxy: true, configure: Some(configure) };
    let Some(harness) = Harness::start_with(backend, options).await else { return };
    let proxy = harness.proxy.clone().unwrap();
    let id = "customer-1";
    harness.connect(id, product).await;
    let client = harness.connections.client(id).await.unwrap();
    client.execute(&list_request(product)).await.unwrap();
    let mut events = harness.connections.subscribe();

    // Three token requests in a row fail with 503; the access token is dead.
    proxy.fail_next(3);
    harness.sandbox.expire_access_tokens();
    let before = proxy.requests();
    let first = client.execute(&list_request(product)).await.unwrap_err();
    assert!(matches!(first, sage_core::Error::Auth(AuthError::InvalidTokenResponse(_))), "{first:?}");
    assert_eq!(proxy.requests(), before + 1);

    // A burst while backing off: every call fails at once, no token request, status active.
    let burst_started = Instant::now();
    let burst: Vec<_> = (0..1000)
        .map(|_| {
            let (client, request) = (client.clone(), list_request(product));
            tokio::spawn(async move { client.execute(&request).await })
        })
        .collect();
    for call in burst {
        let failed = call.await.unwrap().unwrap_err();
        assert!(matches!(failed, sage_core::Error::Auth(AuthError::RefreshBackoff { .. })), "{failed:?}");
    }
    assert!(burst_started.elapsed() < INITIAL, "the burst failed fast: {:?}", burst_started.elapsed());
    assert_eq!(proxy.requests(), before + 1, "the burst made no token request");
    assert_eq!(harness.connections.get(id).await.unwrap().status, Status::Active);

    // Calling every 20 ms until it works: only the backoff's attempts reach the token endpoint.
    let started = Instant::now();
    let mut calls = 0;
    loop {
        calls += 1;
        match client.execute(&list_request(product)).await {
            Ok(_) => break,
            Err(sage_core::Error::Auth(err)) => {
                assert!(
                    matches!(err, AuthError::RefreshBackoff { .. } | AuthError::InvalidTokenResponse(_)),
                    "{err:?}"
                );
            }
            Err(other) => panic!("{other:?}"),
        }
        assert!(started.elapsed() < Duration::from_secs(10), "no recovery");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(proxy.failed(), 3);
    assert_eq!(proxy.requests(), before + 4, "three failures and one success, after {calls} calls");
    // 200 ms + 400 ms (each up to a quarter more) between the three failures, then 800 ms.
    assert!(started.elapsed() >= INITIAL * 2 + MAX, "{:?}", started.elapsed());
    assert_eq!(harness.connections.get(id).await.unwrap().status, Status::Active);

    let mut seen = Vec::new();
    while let Ok(event) = events.try_recv() {
        seen.push(event);
    }
    let recovered: Vec<&Event> = seen.iter().filter(|event| event.name() == "recovered").collect();
    assert_eq!(recovered.len(), 1, "{seen:#?}");
    let Event::Recovered { failures, last_error, .. } = recovered[0] else { unreachable!() };
    assert_eq!(*failures, 3);
    assert!(!last_error.is_empty());
    assert!(seen.iter().all(|event| event.name() != "needs_relink"), "{seen:#?}");

    // Later calls are plain again; the audit trail has the recovery (written in the background).
    client.execute(&list_request(product)).await.unwrap();
    let mut actions = Vec::new();
    for _ in 0..50 {
        actions = harness.connections.audit(id).await.unwrap().into_iter().map(|record| record.action).collect();
        if actions.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(actions, ["connected", "recovered"]);
}

/// `check` during an outage: a transient error, the status untouched.
async fn check_reports_a_transient_failure_without_changing_the_status(backend: Backend) {
    let options = Options { token_proxy: true, configure: None };
    let Some(harness) = Harness::start_with(backend, options).await else { return };
    let proxy = harness.proxy.clone().unwrap();
    harness.connect("customer-1", "sage200-pro").await;
    let client = harness.connections.client("customer-1").await.unwrap();
    client.execute(&list_request("sage200-pro")).await.unwrap();
    // A refused access token and a 503 on its refresh: `check` during the backoff says so.
    proxy.fail_next(1);
    harness.sandbox.expire_access_tokens();
    assert!(client.execute(&list_request("sage200-pro")).await.is_err());
    let checked = harness.connections.check("customer-1").await;
    assert!(matches!(checked, Err(sage_connections::Error::Auth(AuthError::RefreshBackoff { .. }))), "{checked:?}");
    assert_eq!(harness.connections.get("customer-1").await.unwrap().status, Status::Active);
}

/// While one process backs off, another refreshes: the first takes the stored set at its next
/// call, with no token request of its own, and emits `Recovered`.
async fn a_peers_refresh_ends_the_backoff(backend: Backend) {
    let configure: support::Configure =
        Arc::new(|builder| builder.transient_backoff(TransientBackoff::new(Duration::from_secs(5), MAX * 10)));
    let options = Options { token_proxy: true, configure: Some(configure) };
    let Some(harness) = Harness::start_with(backend, options).await else { return };
    let proxy = harness.proxy.clone().unwrap();
    let product = "accounting-v31";
    harness.connect("customer-1", product).await;
    let client = harness.connections.client("customer-1").await.unwrap();
    client.execute(&list_request(product)).await.unwrap();
    let mut events = harness.connections.subscribe();

    proxy.fail_next(1);
    harness.sandbox.expire_access_tokens();
    assert!(client.execute(&list_request(product)).await.is_err());
    let backing_off = client.execute(&list_request(product)).await.unwrap_err();
    assert!(matches!(backing_off, sage_core::Error::Auth(AuthError::RefreshBackoff { .. })), "{backing_off:?}");

    // Another process refreshes (the outage is over for it).
    let peer = harness.connections_with(Duration::from_secs(600)).await;
    let peer_client = peer.client("customer-1").await.unwrap();
    let before = proxy.requests();
    peer_client.execute(&list_request(product)).await.unwrap();
    assert_eq!(proxy.requests(), before + 1, "the peer's refresh");

    // Long before the 5 s backoff ends (once its once-a-second look at the store is due), this
    // process uses the peer's tokens.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let started = Instant::now();
    client.execute(&list_request(product)).await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(proxy.requests(), before + 1, "no token request of its own");
    let mut recovered = 0;
    while let Ok(event) = events.try_recv() {
        recovered += usize::from(event.name() == "recovered");
    }
    assert_eq!(recovered, 1);
}

macro_rules! on_both_backends {
    ($($name:ident: $product:literal),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $name() {
                super::a_transient_outage_backs_off_and_recovers(super::Backend::Sqlite, $product).await;
            })*

            #[tokio::test]
            async fn check_during_an_outage() {
                super::check_reports_a_transient_failure_without_changing_the_status(super::Backend::Sqlite).await;
            }

            #[tokio::test]
            async fn a_peers_refresh_ends_the_backoff() {
                super::a_peers_refresh_ends_the_backoff(super::Backend::Sqlite).await;
            }
        }
        mod redis {
            $(#[tokio::test]
            async fn $name() {
                super::a_transient_outage_backs_off_and_recovers(super::Backend::Redis, $product).await;
            })*

            #[tokio::test]
            async fn check_during_an_outage() {
                super::check_reports_a_transient_failure_without_changing_the_status(super::Backend::Redis).await;
            }

            #[tokio::test]
            async fn a_peers_refresh_ends_the_backoff() {
                super::a_peers_refresh_ends_the_backoff(super::Backend::Redis).await;
            }
        }
    };
}

on_both_backends!(
    accounting_v31: "accounting-v31",
    accounting_v3: "accounting-v3",
    sage200_pro: "sage200-pro",
    sage200_standard: "sage200-standard",
);
