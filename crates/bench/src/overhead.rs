//! Call overhead: the same list page fetched through `sage_core::Client` and through bare
//! `reqwest` + `serde_json`. Target: ratio ≤ 1.05.

use std::time::{Duration, Instant};

use axum::routing::get;
use axum::Router;
use sage_core::{Client, Page};

use crate::server::{self, ListRows, Row};

const ROUNDS: usize = 10;
const CALLS_PER_ROUND: usize = 300;

pub async fn run() {
    let body = serde_json::to_vec(&serde_json::json!({
        "$total": 20, "$page": 1, "$next": null, "$back": null, "$itemsPerPage": 20, "$items": server::rows(0, 20),
    }))
    .expect("page body");
    let url = server::start(Router::new().route("/rows", get(move || async move { body.clone() }))).await;

    let client = server::client(&url);
    // The bare client is configured like sage-core's default one (timeouts, no redirects), so the
    // ratio shows what the SDK adds, not what a timer costs.
    let bare = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .connect_timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("reqwest");
    let bare_url = format!("{url}/rows?items_per_page=20");

    // Warm both paths (connection pools, lazy statics), then alternate rounds so drift hits both.
    for _ in 0..50 {
        sdk_call(&client).await;
        bare_call(&bare, &bare_url).await;
    }
    let (mut sdk, mut raw) = (Duration::ZERO, Duration::ZERO);
    for _ in 0..ROUNDS {
        let started = Instant::now();
        for _ in 0..CALLS_PER_ROUND {
            sdk_call(&client).await;
        }
        sdk += started.elapsed();
        let started = Instant::now();
        for _ in 0..CALLS_PER_ROUND {
            bare_call(&bare, &bare_url).await;
        }
        raw += started.elapsed();
    }
    let calls = (ROUNDS * CALLS_PER_ROUND) as u32;
    println!("overhead: {calls} calls each");
    println!("  sage-core client  {:>8.1} µs/call", sdk.as_secs_f64() * 1e6 / f64::from(calls));
    println!("  bare reqwest      {:>8.1} µs/call", raw.as_secs_f64() * 1e6 / f64::from(calls));
    println!("  ratio             {:>8.3} (target ≤ 1.05)", sdk.as_secs_f64() / raw.as_secs_f64());
}

async fn sdk_call(client: &Client) {
    let page = client.send(&ListRows { items_per_page: 20 }).await.expect("sdk call");
    assert_eq!(page.items.len(), 20);
}

async fn bare_call(client: &reqwest::Client, url: &str) {
    let response = client
        .get(url)
        .header("accept", "application/json")
        .bearer_auth("bench-token")
        .send()
        .await
        .expect("bare call")
        .error_for_status()
        .expect("2xx");
    let bytes = response.bytes().await.expect("body");
    let page: Page<Row> = serde_json::from_slice(&bytes).expect("decode");
    assert_eq!(page.items.len(), 20);
}
