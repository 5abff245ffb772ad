//! Refresh storm: 1 000 concurrent API calls on an expired access token, against the sandbox's
//! identity server. Target: one token request; the added latency is one refresh round trip.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use sage_accounting_v31::businesses::GetUser;
use sage_core::auth::{Authenticator, MemoryTokenStore};
use sage_core::Client;
use sage_sandbox::Sandbox;

const CALLS: usize = 1_000;

pub async fn run() {
    // v3.1 access tokens last 300 s; scaled by 1/300 they expire after a second.
    let sandbox = Sandbox::builder().auto_approve(true).time_scale(1.0 / 300.0).start().await.expect("sandbox");
    let signed_in = sandbox.sign_in("accounting-v31").await.expect("sign in");
    let store = Arc::new(MemoryTokenStore::with_tokens(signed_in.tokens));
    let auth =
        Authenticator::builder(signed_in.oauth, store).refresh_margin(Duration::ZERO).jitter(Duration::ZERO).build();
    let client = Client::builder(sage_accounting_v31::PRODUCT)
        .base_url(&signed_in.api_base_url)
        .auth(auth)
        .build()
        .expect("client");

    storm(&client).await; // warm-up: opens the connections both measured storms reuse
    let fresh = storm(&client).await;
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    let before = sandbox.stats();
    let expired = storm(&client).await;
    let after = sandbox.stats();

    println!("refresh storm: {CALLS} concurrent calls (GET /user)");
    println!("  token requests during the storm  {:>8} (target 1)", after.refresh_grants - before.refresh_grants);
    println!("  API requests during the storm    {:>8}", after.api_requests - before.api_requests);
    println!("  all calls, fresh token           {:>8.1} ms", fresh.as_secs_f64() * 1e3);
    println!("  all calls, expired token         {:>8.1} ms", expired.as_secs_f64() * 1e3);
    println!("  added by the refresh             {:>8.1} ms", (expired.as_secs_f64() - fresh.as_secs_f64()) * 1e3);
}

async fn storm(client: &Client) -> Duration {
    let started = Instant::now();
    let calls = (0..CALLS).map(|_| async { GetUser::new().send(client).await.expect("GET /user") });
    let users = join_all(calls).await;
    assert_eq!(users.len(), CALLS);
    started.elapsed()
}
