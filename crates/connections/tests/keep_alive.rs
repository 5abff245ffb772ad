//! Keep-alive on both backends: passes at simulated times refresh exactly the connections whose
//! refresh token would expire unused, per product; one pass at a time across handles (the
//! registry lease) and within one; at most `concurrency` refreshes at once; the background loop.

mod support;

use std::time::Duration;

use chrono::Utc;
use sage_connections::{Event, KeepAlive, Status};
use sage_core::auth::SageApi;
use support::{Backend, Harness, Options, PRODUCTS};

fn days(count: i64) -> chrono::Duration {
    chrono::Duration::days(count)
}

fn settings() -> KeepAlive {
    KeepAlive::default().jitter(Duration::ZERO)
}

fn with_proxy() -> Options {
    Options { token_proxy: true, configure: None }
}

async fn a_pass_refreshes_what_would_expire_unused(backend: Backend) {
    let Some(harness) = Harness::start(backend).await else { return };
    for product in PRODUCTS {
        harness.connect(&format!("customer-{}", product.name), product.name).await;
    }
    let v31 = "customer-accounting-v31";
    let mut events = harness.connections.subscribe();
    let now = Utc::now();
    let grants = || harness.sandbox.stats().refresh_grants;

    // Just connected: nothing is due.
    let start = grants();
    let report = harness.connections.keep_alive_pass(&settings(), now).await.unwrap();
    assert!(report.ran);
    assert_eq!((report.checked, report.refreshed.len(), report.not_due.len()), (4, 0, 4), "{report:?}");
    assert_eq!(grants(), start);

    // 29 days on: v3.1 (31 days, less 6 h to the next pass and 3 days of margin) is due; Sage 200
    // (90 days) and v3 (no expiry) are not.
    let store = harness.connections.registry().token_store(v31, SageApi::AccountingV31);
    let old_refresh = store.load().await.unwrap().unwrap().refresh_token().unwrap().secret().to_owned();
    let report = harness.connections.keep_alive_pass(&settings(), now + days(29)).await.unwrap();
    assert_eq!(report.refreshed, [v31], "{report:?}");
    assert_eq!(report.not_due.len(), 3);
    assert_eq!(grants(), start + 1, "one refresh at the sandbox");
    let new_refresh = store.load().await.unwrap().unwrap().refresh_token().unwrap().secret().to_owned();
    assert_ne!(new_refresh, old_refresh, "a new refresh token, with a new 31 days");
    let refreshed_at = harness.connections.get(v31).await.unwrap().last_refreshed_at.expect("recorded");
    assert!(refreshed_at >= now);
    assert!(matches!(events.try_recv(), Ok(Event::Refreshed { connection_id, .. }) if connection_id == v31));

    // 20 days after that refresh, it is not due yet (20 + 3.25 < 31).
    let report = harness.connections.keep_alive_pass(&settings(), refreshed_at + days(20)).await.unwrap();
    assert!(report.refreshed.is_empty(), "{report:?}");

    // 88 days on: v3.1 again and both Sage 200s; never v3.
    let report = harness.connections.keep_alive_pass(&settings(), now + days(88)).await.unwrap();
    assert_eq!(report.refreshed, ["customer-accounting-v31", "customer-sage200-pro", "customer-sage200-standard"]);
    assert_eq!(report.not_due, ["customer-accounting-v3"]);

    // A refresh Sage refuses is needs_relink; a disconnected connection is left alone.
    let refresh = store.load().await.unwrap().unwrap().refresh_token().cloned().unwrap();
    harness.sandbox.oauth_client("accounting-v31").unwrap().revoke(&refresh).await.unwrap();
    harness.connections.disconnect("customer-sage200-pro", "ops", "closed").await.unwrap();
    let before = grants();
    let report = harness.connections.keep_alive_pass(&settings(), now + days(200)).await.unwrap();
    assert_eq!(report.needs_relink, [v31], "{report:?}");
    assert_eq!(report.refreshed, ["customer-sage200-standard"]);
    assert_eq!(grants(), before + 1);
    assert!(matches!(harness.connections.get(v31).await.unwrap().status, Status::NeedsRelink { .. }));

    // Per-API lifetimes are the app's to set: a 10-day Sage 200 lifetime makes it due at day 8.
    let short = settings().lifetime(SageApi::Sage200, Some(Duration::from_secs(10 * 24 * 3600)));
    let report = harness.connections.keep_alive_pass(&short, Utc::now() + days(8)).await.unwrap();
    assert_eq!(report.refreshed, ["customer-sage200-standard"], "{report:?}");
}

async fn one_pass_at_a_time_across_handles_and_within_one(backend: Backend) {
    let Some(harness) = Harness::start_with(backend, with_proxy()).await else { return };
    for index in 0..3 {
        harness.connect(&format!("customer-{index}"), "accounting-v31").await;
    }
    let proxy = harness.proxy.clone().unwrap();
    proxy.delay(Duration::from_millis(200));
    let other = harness.connections_with(Duration::from_secs(600)).await;
    let (due, later) = (Utc::now() + days(29), Utc::now() + days(88));
    let start = harness.sandbox.stats().refresh_grants;
    let settings = settings();

    let (first, second) =
        tokio::join!(harness.connections.keep_alive_pass(&settings, due), other.keep_alive_pass(&settings, due));
    let (first, second) = (first.unwrap(), second.unwrap());
    assert!(first.ran != second.ran, "exactly one ran: {first:?} {second:?}");
    let ran = if first.ran { &first } else { &second };
    assert_eq!(ran.refreshed.len(), 3);
    let skipped = if first.ran { &second } else { &first };
    assert!(skipped.refreshed.is_empty() && skipped.checked == 0);
    assert_eq!(harness.sandbox.stats().refresh_grants, start + 3, "each connection refreshed once");

    // Within one handle too.
    let (first, second) = tokio::join!(
        harness.connections.keep_alive_pass(&settings, later),
        harness.connections.keep_alive_pass(&settings, later)
    );
    assert!(first.unwrap().ran != second.unwrap().ran);

    // The lease is given back after a pass: the other handle runs the next one.
    assert!(other.keep_alive_pass(&settings, later).await.unwrap().ran);

    // A lease held by a process that died stops a pass until it expires.
    let registry = harness.connections.registry();
    assert!(registry.try_lease("keep-alive", "a-process-that-died", Duration::from_millis(300)).await.unwrap());
    assert!(!harness.connections.keep_alive_pass(&settings, later).await.unwrap().ran);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(harness.connections.keep_alive_pass(&settings, later).await.unwrap().ran);
}

/// A pass longer than the lease's TTL extends it: another process still cannot start one.
async fn a_long_pass_keeps_its_lease(backend: Backend) {
    let Some(harness) = Harness::start_with(backend, with_proxy()).await else { return };
    for index in 0..3 {
        harness.connect(&format!("customer-{index}"), "accounting-v31").await;
    }
    let proxy = harness.proxy.clone().unwrap();
    proxy.delay(Duration::from_millis(250));
    let short = settings().concurrency(1).lease_ttl(Duration::from_millis(300));
    let due = Utc::now() + days(29);
    let long = {
        let (connections, short) = (harness.connections.clone(), short.clone());
        tokio::spawn(async move { connections.keep_alive_pass(&short, due).await })
    };
    // Past the TTL of the lease the long pass took: only its extensions keep it.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let other = harness.connections_with(Duration::from_secs(600)).await;
    let meanwhile = other.keep_alive_pass(&short, due).await.unwrap();
    assert!(!meanwhile.ran, "{meanwhile:?}");
    let long = long.await.unwrap().unwrap();
    assert!(long.ran && long.refreshed.len() == 3, "{long:?}");
}

async fn a_pass_refreshes_at_most_concurrency_at_once(backend: Backend) {
    let Some(harness) = Harness::start_with(backend, with_proxy()).await else { return };
    for index in 0..6 {
        harness.connect(&format!("customer-{index}"), "accounting-v31").await;
    }
    let proxy = harness.proxy.clone().unwrap();
    assert_eq!(proxy.max_in_flight(), 1, "the connects ran one after another");
    proxy.delay(Duration::from_millis(150));
    let started = std::time::Instant::now();
    let report = harness.connections.keep_alive_pass(&settings().concurrency(2), Utc::now() + days(29)).await.unwrap();
    assert_eq!(report.refreshed.len(), 6, "{report:?}");
    assert_eq!(proxy.max_in_flight(), 2, "two at once, never more");
    assert!(started.elapsed() >= Duration::from_millis(3 * 150), "three rounds of two");
}

async fn the_background_loop_runs_passes_until_stopped(backend: Backend) {
    let Some(harness) = Harness::start(backend).await else { return };
    harness.connect("customer-1", "accounting-v31").await;
    // Refresh tokens living a millisecond: every pass finds the connection due.
    let eager = settings()
        .interval(Duration::from_millis(200))
        .margin(Duration::ZERO)
        .lifetime(SageApi::AccountingV31, Some(Duration::from_millis(1)));
    let start = harness.sandbox.stats().refresh_grants;
    let handle = harness.connections.keep_alive(eager);
    assert!(handle.is_running());
    tokio::time::sleep(Duration::from_millis(700)).await;
    handle.stop().await;
    let stopped = harness.sandbox.stats().refresh_grants;
    assert!(stopped - start >= 2, "{} refreshes", stopped - start);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(harness.sandbox.stats().refresh_grants, stopped, "nothing after stop");
}

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $name() {
                super::$name(super::Backend::Sqlite).await;
            })*
        }
        mod redis {
            $(#[tokio::test]
            async fn $name() {
                super::$name(super::Backend::Redis).await;
            })*
        }
    };
}

on_both_backends!(
    a_pass_refreshes_what_would_expire_unused,
    one_pass_at_a_time_across_handles_and_within_one,
    a_long_pass_keeps_its_lease,
    a_pass_refreshes_at_most_concurrency_at_once,
    the_background_loop_runs_passes_until_stopped,
);
