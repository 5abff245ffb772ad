//! Per-business rate limit: 20 workers on one v3.1 business for 60 s against the sandbox's
//! `--rate-limit 200` (a fixed window of 200 API requests per minute). Targets: 0 responses 429,
//! throughput ≥ 90 % of the limit. The same run without a limiter, on a sandbox of its own at the
//! same time, shows what the limiter saves.
//!
//! The sandbox's rate window is real time (its time scale does not shorten it): the run takes 60 s.

use std::sync::Arc;
use std::time::{Duration, Instant};

use sage_accounting_v31::businesses::GetUser;
use sage_core::auth::{Authenticator, MemoryTokenStore};
use sage_core::limit::{GcraLimiter, Quota};
use sage_core::{Client, Error};
use sage_sandbox::fixtures::V31_BUSINESSES;
use sage_sandbox::Sandbox;

const WORKERS: usize = 20;
const LIMIT: u32 = 200;
const RUN: Duration = Duration::from_secs(60);

/// What one run saw.
struct Outcome {
    served: u64,
    failed: u64,
    api_requests: u64,
    rate_limited: u64,
}

pub async fn run() {
    let (limited, unlimited) = tokio::join!(one_run(true), one_run(false));
    println!(
        "rate limit: {WORKERS} workers on one business for {} s, sandbox --rate-limit {LIMIT}/60 s",
        RUN.as_secs()
    );
    for (name, outcome, targets) in [
        ("with GcraLimiter (200/60 s)", &limited, ["; target ≥ 90 %", " (target 0)"]),
        ("without a limiter (default retry policy)", &unlimited, ["", ""]),
    ] {
        println!("  {name}");
        println!(
            "    calls served                   {:>8} ({:.1} % of the limit{})",
            outcome.served,
            percent(outcome.served),
            targets[0]
        );
        println!("    calls failed                   {:>8}", outcome.failed);
        println!("    API requests sent              {:>8}", outcome.api_requests);
        println!("    responses 429                  {:>8}{}", outcome.rate_limited, targets[1]);
    }
}

fn percent(served: u64) -> f64 {
    served as f64 * 100.0 / (f64::from(LIMIT) * RUN.as_secs_f64() / 60.0)
}

async fn one_run(limited: bool) -> Outcome {
    let sandbox = Sandbox::builder().auto_approve(true).rate_limit(Some(LIMIT)).start().await.expect("sandbox");
    let signed_in = sandbox.sign_in("accounting-v31").await.expect("sign in");
    let auth = Authenticator::new(signed_in.oauth, Arc::new(MemoryTokenStore::with_tokens(signed_in.tokens)));
    let mut builder = Client::builder(sage_accounting_v31::PRODUCT).base_url(&signed_in.api_base_url).auth(auth);
    if limited {
        builder = builder.rate_limit(Arc::new(GcraLimiter::new(Quota::per(LIMIT, Duration::from_secs(60)))));
    }
    let client = builder.build().expect("client").for_business(V31_BUSINESSES[0].id).expect("business");
    let before = sandbox.stats();
    let started = Instant::now();
    let workers = (0..WORKERS).map(|_| {
        let client = client.clone();
        tokio::spawn(async move {
            let (mut served, mut failed) = (0, 0);
            loop {
                // The run's end is each call's deadline: a slot after it is refused, unsent.
                let left = RUN.saturating_sub(started.elapsed());
                if left.is_zero() {
                    break;
                }
                match GetUser::new().send(&client.with_deadline(left)).await {
                    Ok(_) => served += 1,
                    Err(Error::DeadlineExceeded { .. }) => break,
                    Err(_) => failed += 1,
                }
            }
            (served, failed)
        })
    });
    let (mut served, mut failed) = (0, 0);
    for worker in workers {
        let (worker_served, worker_failed) = worker.await.expect("worker");
        served += worker_served;
        failed += worker_failed;
    }
    let after = sandbox.stats();
    Outcome {
        served,
        failed,
        api_requests: after.api_requests - before.api_requests,
        rate_limited: after.rate_limited - before.rate_limited,
    }
}
