//! Call overhead: the same list page fetched through `sage_core::Client` and through bare
//! `reqwest` + `serde_json`, without a tracing subscriber (target ≤ 1.03) and with an INFO `fmt`
//! subscriber installed (target ≤ 1.05).

use std::time::{Duration, Instant};

use axum::routing::get;
use axum::Router;
use sage_core::{Client, Page};

use crate::server::{self, ListRows, Row};

const ROUNDS: usize = 20;
const CALLS_PER_ROUND: usize = 300;
const WARM_UP_CALLS: usize = 20;
/// Calls in a row on one side before the other side's turn.
const RUN: usize = 10;

/// The server runs on a thread of its own; the calls run on a single-threaded runtime, so both
/// sides' connection tasks are polled by the calling thread. (On a multi-threaded runtime, which
/// worker happens to poll a connection moved single rounds by ±50 %, far more than the SDK costs.)
pub fn run() {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime").block_on(compare());
}

async fn compare() {
    let body = serde_json::to_vec(&serde_json::json!({
        "$total": 20, "$page": 1, "$next": null, "$back": null, "$itemsPerPage": 20, "$items": server::rows(0, 20),
    }))
    .expect("page body");
    let url = server::start_on_own_thread(Router::new().route("/rows", get(move || async move { body.clone() })));

    println!("overhead: {ROUNDS} rounds of {CALLS_PER_ROUND} calls each way, median of the per-round ratios");
    report("no subscriber", measure(&url).await, 1.03);
    // What an application logging at INFO runs with; the SDK's per-call span is at DEBUG.
    let subscriber = tracing_subscriber::fmt().with_max_level(tracing::Level::INFO).with_writer(std::io::sink).finish();
    tracing::subscriber::set_global_default(subscriber).expect("the first subscriber");
    report("INFO fmt subscriber", measure(&url).await, 1.05);
}

/// Per round: the SDK's and bare reqwest's time for the same calls on fresh clients, rounds
/// alternating so drift hits both.
async fn measure(url: &str) -> Vec<(Duration, Duration)> {
    let bare_url = format!("{url}/rows?items_per_page=20");
    let mut rounds = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let (client, bare) = (server::client(url), bare_client());
        // Warm both paths (connections, lazy statics).
        for _ in 0..WARM_UP_CALLS {
            sdk_call(&client).await;
            bare_call(&bare, &bare_url).await;
        }
        // Short alternating runs, so a burst of noise (a slow wake-up, the host) hits both sides.
        let (mut sdk, mut raw) = (Duration::ZERO, Duration::ZERO);
        for _ in 0..CALLS_PER_ROUND / RUN {
            let started = Instant::now();
            for _ in 0..RUN {
                sdk_call(&client).await;
            }
            sdk += started.elapsed();
            let started = Instant::now();
            for _ in 0..RUN {
                bare_call(&bare, &bare_url).await;
            }
            raw += started.elapsed();
        }
        rounds.push((sdk, raw));
    }
    rounds
}

/// A bare client configured like sage-core's default one (timeouts, no redirects), so the ratio
/// shows what the SDK adds, not what a timer costs.
fn bare_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .connect_timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("reqwest")
}

fn report(label: &str, rounds: Vec<(Duration, Duration)>, target: f64) {
    let per_call = |total: Duration| total.as_secs_f64() * 1e6 / (rounds.len() * CALLS_PER_ROUND) as f64;
    let sdk: Duration = rounds.iter().map(|(sdk, _)| *sdk).sum();
    let raw: Duration = rounds.iter().map(|(_, raw)| *raw).sum();
    let mut ratios: Vec<f64> = rounds.iter().map(|(sdk, raw)| sdk.as_secs_f64() / raw.as_secs_f64()).collect();
    ratios.sort_by(f64::total_cmp);
    let median = (ratios[(ratios.len() - 1) / 2] + ratios[ratios.len() / 2]) / 2.0;
    println!("  {label}:");
    println!("    sage-core client  {:>8.1} µs/call", per_call(sdk));
    println!("    bare reqwest      {:>8.1} µs/call", per_call(raw));
    println!(
        "    ratio (median)    {median:>8.3} (target ≤ {target}; rounds {:.3}–{:.3})",
        ratios[0],
        ratios[ratios.len() - 1]
    );
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
