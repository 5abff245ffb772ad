//! Client-side rate limits (`ClientBuilder::rate_limit`): many workers on one business stay under
//! a server's limit without a 429 and close to its throughput, a 429's `Retry-After` holds every
//! caller of the key back, a slot beyond the deadline fails the call unsent, and two processes
//! sharing a Redis key stay under the limit together.
//!
//! The sandbox's rate window is a fixed real minute (`--rate-limit`, not scaled by its time scale),
//! so the 20-worker test runs against a server written here with the same fixed-window shape over
//! 6 s (20 calls per 6 s); `sage-bench rate-limit` runs the full 200-per-60-s shape on the sandbox.

mod redis_support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sage_core::auth::StaticToken;
use sage_core::limit::{GcraLimiter, Quota, RateKey, RateLimiter};
use sage_core::{Client, Error, Method, Request, RetryPolicy};
use sage_redis_store::RedisRateLimiter;

const BUSINESS: &str = "business-1";

/// A server on its own thread and runtime (a paused test clock does not reach it), answering the
/// n-th request (from 0) as `reply` says.
fn serve(reply: impl Fn(usize) -> Response + Send + Sync + 'static) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let reply = Arc::new(reply);
    let hits = Arc::new(AtomicUsize::new(0));
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        runtime.block_on(async move {
            let app = axum::Router::new().fallback(move || {
                let (reply, hits) = (Arc::clone(&reply), Arc::clone(&hits));
                async move { reply(hits.fetch_add(1, Ordering::SeqCst)) }
            });
            axum::serve(tokio::net::TcpListener::from_std(listener).unwrap(), app).await.unwrap();
        });
    });
    url
}

fn user() -> Response {
    (StatusCode::OK, [("content-type", "application/json")], r#"{"id":"user-1"}"#).into_response()
}

fn get_user() -> Request {
    Request::new("get_user", Method::Get, "/user")
}

fn client(url: &str, limiter: Arc<dyn RateLimiter>) -> Client {
    // No timeout and no deadline: on a paused clock they would fire while the server thread answers.
    let http = reqwest::Client::builder().pool_idle_timeout(None).build().unwrap();
    Client::builder(sage_accounting_v31::PRODUCT)
        .base_url(url)
        .auth(StaticToken::new("token"))
        .retry(RetryPolicy::none())
        .without_deadline()
        .http_client(http)
        .rate_limit(limiter)
        .build()
        .unwrap()
        .for_business(BUSINESS)
        .unwrap()
}

fn key() -> RateKey {
    RateKey::new(sage_accounting_v31::PRODUCT.name, BUSINESS)
}

/// The sandbox's rate window (`crates/sandbox/src/api/rate.rs`) over `period`: at most `limit`
/// requests, the window restarting at the first request after it ends; more get 429 + Retry-After.
struct FixedWindow {
    limit: u32,
    period: Duration,
    window: Mutex<(Instant, u32)>,
    refused: AtomicUsize,
    served: AtomicUsize,
}

impl FixedWindow {
    fn reply(&self) -> Response {
        let now = Instant::now();
        let mut window = self.window.lock().unwrap();
        if now.duration_since(window.0) >= self.period {
            *window = (now, 0);
        }
        if window.1 < self.limit {
            window.1 += 1;
            self.served.fetch_add(1, Ordering::SeqCst);
            return user();
        }
        self.refused.fetch_add(1, Ordering::SeqCst);
        let seconds = self.period.saturating_sub(now.duration_since(window.0)).as_secs_f64().ceil().max(1.0);
        (StatusCode::TOO_MANY_REQUESTS, [("retry-after", seconds.to_string())], "[]").into_response()
    }
}

/// Twenty workers on one business for two windows of a 20-per-6-s limit: no 429, and at least
/// 90 % of the 40 calls the limit allows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_workers_on_one_business_get_no_429_and_nine_tenths_of_the_limit() {
    const WORKERS: usize = 20;
    const RUN: Duration = Duration::from_secs(12);
    let (limit, period) = (20, Duration::from_secs(6));
    let server = Arc::new(FixedWindow {
        limit,
        period,
        window: Mutex::new((Instant::now(), 0)),
        refused: AtomicUsize::new(0),
        served: AtomicUsize::new(0),
    });
    let url = serve({
        let server = Arc::clone(&server);
        move |_| server.reply()
    });
    let client = client(&url, Arc::new(GcraLimiter::new(Quota::per(limit, period))));
    let started = Instant::now();
    let workers = (0..WORKERS).map(|_| {
        let client = client.clone();
        tokio::spawn(async move {
            let (mut ok, mut throttled) = (0, 0);
            loop {
                // The deadline ends the run: a slot after it is refused, unsent.
                let left = RUN.saturating_sub(started.elapsed());
                if left.is_zero() {
                    break;
                }
                match client.with_deadline(left).execute(&get_user()).await {
                    Ok(_) => ok += 1,
                    Err(Error::DeadlineExceeded { .. }) => break,
                    Err(err) if err.status() == Some(429) => throttled += 1,
                    Err(err) => panic!("unexpected error: {err}"),
                }
            }
            (ok, throttled)
        })
    });
    let (mut ok, mut throttled) = (0, 0);
    for worker in workers {
        let (worker_ok, worker_throttled) = worker.await.unwrap();
        ok += worker_ok;
        throttled += worker_throttled;
    }
    let allowed = limit as usize * (RUN.as_secs() / period.as_secs()) as usize;
    eprintln!("{ok} calls served of the {allowed} allowed, {throttled} throttled, in {:?}", started.elapsed());
    assert_eq!((throttled, server.refused.load(Ordering::SeqCst)), (0, 0), "no 429");
    assert_eq!(server.served.load(Ordering::SeqCst), ok);
    assert!(ok * 10 >= allowed * 9, "{ok} calls: under 90 % of the {allowed} allowed");
    assert!(ok <= allowed, "{ok} calls: more than the {allowed} allowed");
}

/// Sage answers 429 with `Retry-After: 2` once: the key's next slot is two seconds away, for this
/// client and every other caller of the limiter.
#[tokio::test(start_paused = true)]
async fn a_429_retry_after_pushes_the_next_slot() {
    let url = serve(|hit| match hit {
        0 => (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "2")], "[]").into_response(),
        _ => user(),
    });
    let limiter = Arc::new(GcraLimiter::new(Quota::per(100, Duration::from_secs(60))));
    let client = client(&url, limiter.clone());
    let err = client.execute(&get_user()).await.unwrap_err();
    assert_eq!(err.status(), Some(429));

    let started = tokio::time::Instant::now();
    client.execute(&get_user()).await.expect("served after the wait");
    assert!(started.elapsed() >= Duration::from_secs(2), "waited {:?}", started.elapsed());
    // The slot after that one is an interval later, as usual.
    let next = limiter.acquire(&key(), None).await.unwrap();
    assert!(next > Duration::ZERO && next < Duration::from_secs(1), "{next:?}");
}

/// A `Retry-After` within the retry policy's bounds is retried once the limiter allows it: the call
/// succeeds, having waited what Sage asked.
#[tokio::test(start_paused = true)]
async fn a_retried_429_waits_for_retry_after_once() {
    let url = serve(|hit| match hit {
        0 => (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "2")], "[]").into_response(),
        _ => user(),
    });
    let limiter = Arc::new(GcraLimiter::new(Quota::per(100, Duration::from_secs(60))));
    let http = reqwest::Client::builder().pool_idle_timeout(None).build().unwrap();
    let client = Client::builder(sage_accounting_v31::PRODUCT)
        .base_url(&url)
        .auth(StaticToken::new("token"))
        .without_deadline()
        .http_client(http)
        .rate_limit(limiter)
        .build()
        .unwrap();
    let started = tokio::time::Instant::now();
    client.execute(&get_user()).await.expect("served on the second try");
    let waited = started.elapsed();
    assert!(waited >= Duration::from_secs(2) && waited < Duration::from_secs(3), "waited {waited:?}");
}

/// A slot further away than the call's deadline fails the call at once, unsent, and takes no slot.
#[tokio::test(start_paused = true)]
async fn a_slot_beyond_the_deadline_fails_the_call_unsent() {
    let hits = Arc::new(AtomicUsize::new(0));
    let url = serve({
        let hits = Arc::clone(&hits);
        move |_| {
            hits.fetch_add(1, Ordering::SeqCst);
            user()
        }
    });
    let limiter = Arc::new(GcraLimiter::new(Quota::per(1, Duration::from_secs(60))));
    let client = client(&url, limiter.clone());
    client.execute(&get_user()).await.expect("the first slot is free");
    let started = tokio::time::Instant::now();
    let err = client.with_deadline(Duration::from_secs(5)).execute(&get_user()).await.unwrap_err();
    assert!(matches!(err, Error::DeadlineExceeded { .. }), "{err:?}");
    assert_eq!(started.elapsed(), Duration::ZERO, "failed at once");
    assert_eq!(hits.load(Ordering::SeqCst), 1, "not sent");
    // No slot was taken: the next is still the one a minute (and 2 %) after the first.
    let next = limiter.acquire(&key(), None).await.unwrap();
    assert!(next > Duration::from_secs(60) && next <= Duration::from_millis(61_200), "{next:?}");
}

/// Two limiters on one Redis (two processes) sharing one key: together they never exceed the limit
/// in any window, and together they get close to it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_one_redis_key_stay_under_the_limit_together() {
    const RUN: Duration = Duration::from_secs(3);
    let redis = redis_support::TestRedis::start();
    let namespace = format!("sage-test-rate-{:016x}", rand::random::<u64>());
    let quota = Quota::per(10, Duration::from_secs(1));
    let limiters: Vec<Arc<RedisRateLimiter>> = (0..2)
        .map(|_| Arc::new(RedisRateLimiter::new(&redis.url, quota).unwrap().with_namespace(namespace.clone())))
        .collect();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (process, limiter) in limiters.iter().enumerate() {
        for _ in 0..5 {
            let limiter = Arc::clone(limiter);
            tasks.push(tokio::spawn(async move {
                let mut calls = Vec::new();
                loop {
                    let left = RUN.saturating_sub(started.elapsed());
                    let Some(wait) = limiter.acquire(&key(), Some(left)).await else { break };
                    tokio::time::sleep(wait).await;
                    calls.push((started.elapsed(), process));
                }
                calls
            }));
        }
    }
    let mut calls = Vec::new();
    for task in tasks {
        calls.extend(task.await.unwrap());
    }
    calls.sort();
    // Timer jitter may move a call a few milliseconds: windows are checked 50 ms short of a second.
    let window = quota.period() - Duration::from_millis(50);
    for (i, (start, _)) in calls.iter().enumerate() {
        let within = calls[i..].iter().take_while(|(at, _)| *at < *start + window).count();
        assert!(within <= 10, "{within} calls in the window from {start:?}: {calls:?}");
    }
    let by_first = calls.iter().filter(|(_, process)| *process == 0).count();
    assert!(by_first > 0 && by_first < calls.len(), "both processes were served: {calls:?}");
    assert!(calls.len() >= 27, "{} calls in 3 s of a 10-per-second limit", calls.len());
}

/// A `Retry-After` one process learnt holds back the other.
#[tokio::test]
async fn a_retry_after_learnt_by_one_process_holds_back_the_other() {
    let redis = redis_support::TestRedis::start();
    let namespace = format!("sage-test-rate-{:016x}", rand::random::<u64>());
    let quota = Quota::per(100, Duration::from_secs(60));
    let first = RedisRateLimiter::new(&redis.url, quota).unwrap().with_namespace(namespace.clone());
    let second = RedisRateLimiter::new(&redis.url, quota).unwrap().with_namespace(namespace);
    assert_eq!(second.acquire(&key(), None).await, Some(Duration::ZERO));
    first.penalize(&key(), Duration::from_secs(2)).await;
    let wait = second.acquire(&key(), None).await.unwrap();
    assert!(wait > Duration::from_millis(1_900) && wait <= Duration::from_secs(2), "{wait:?}");
    assert_eq!(second.acquire(&key(), Some(Duration::from_secs(1))).await, None, "beyond the longest wait");
}
