//! The retry policy under fire: throttling storms, outages, connection resets and timeouts
//! against servers written here, checking what is retried, how often, and for how long.
//!
//! Servers run on their own thread and runtime, so a test's paused clock only ever advances
//! through the client's own sleeps.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sage_core::auth::StaticToken;
use sage_core::{Client, Error, Method, Request, RetryPolicy};

/// Decides the reply to the n-th request (from 0).
type Script = Arc<dyn Fn(usize) -> Response + Send + Sync>;

/// A server on its own thread; `hits` counts requests (or, for raw TCP servers, connections).
struct Server {
    url: String,
    hits: Arc<AtomicUsize>,
}

impl Server {
    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    /// An HTTP server answering each request as `script` says.
    fn http(script: impl Fn(usize) -> Response + Send + Sync + 'static) -> Server {
        let script: Script = Arc::new(script);
        Self::spawn(move |listener, hits| async move {
            let app = axum::Router::new().fallback(move || {
                let (script, hits) = (Arc::clone(&script), Arc::clone(&hits));
                async move { script(hits.fetch_add(1, Ordering::SeqCst)) }
            });
            axum::serve(listener, app).await.unwrap();
        })
    }

    /// Accepts connections and closes them at once, before any response.
    fn resetting() -> Server {
        Self::spawn(|listener, hits| async move {
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                hits.fetch_add(1, Ordering::SeqCst);
                drop(stream);
            }
        })
    }

    /// Accepts connections and never answers.
    fn silent() -> Server {
        Self::spawn(|listener, hits| async move {
            let mut open = Vec::new();
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                hits.fetch_add(1, Ordering::SeqCst);
                open.push(stream);
            }
        })
    }

    fn spawn<F, Fut>(run: F) -> Server
    where
        F: FnOnce(tokio::net::TcpListener, Arc<AtomicUsize>) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = ()>,
    {
        let hits = Arc::new(AtomicUsize::new(0));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let counter = Arc::clone(&hits);
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async move { run(tokio::net::TcpListener::from_std(listener).unwrap(), counter).await });
        });
        Server { url, hits }
    }

    /// Waits (boundedly) until the server has counted `expected` hits; connections are accepted
    /// on the server's thread, possibly just after the client gave up on them.
    fn wait_for_hits(&self, expected: usize) -> usize {
        for _ in 0..200 {
            if self.hits() >= expected {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        self.hits()
    }
}

fn status(code: u16, headers: &[(&'static str, &'static str)]) -> Response {
    let mut response = (StatusCode::from_u16(code).unwrap(), r#"[{"$dataCode":"Busy"}]"#).into_response();
    for (name, value) in headers {
        response.headers_mut().insert(*name, value.parse().unwrap());
    }
    response
}

/// Retries with tiny waits, for tests that run on the real clock.
fn quick(attempts: u32) -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(attempts)
        .base_delay(Duration::from_millis(1))
        .max_delay(Duration::from_millis(2))
}

/// A client that sets no timers of its own (no timeouts, no idle pool, no call deadline), so
/// under a paused clock only retry sleeps move time; every try opens a fresh connection.
fn client(server: &Server, retry: RetryPolicy) -> Client {
    let http = reqwest::Client::builder().pool_max_idle_per_host(0).pool_idle_timeout(None).build().unwrap();
    Client::builder(sage_accounting_v31::PRODUCT)
        .base_url(&server.url)
        .auth(StaticToken::new("token"))
        .retry(retry)
        .without_deadline()
        .http_client(http)
        .build()
        .unwrap()
}

fn get() -> Request {
    Request::new("get_thing", Method::Get, "/thing")
}

fn post() -> Request {
    Request::new("create_thing", Method::Post, "/things")
}

fn attempts(error: &Error) -> u32 {
    match error {
        Error::Api(api) => api.attempts,
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test]
async fn outages_are_retried_until_max_attempts_and_the_tries_reported() {
    for code in [429, 502, 503, 504] {
        let server = Server::http(move |_| status(code, &[]));
        let error = client(&server, quick(4)).execute(&get()).await.unwrap_err();
        assert_eq!(error.status(), Some(code));
        assert_eq!((attempts(&error), server.hits()), (4, 4), "HTTP {code}");
    }
}

#[tokio::test]
async fn a_read_that_recovers_succeeds_after_the_failed_tries() {
    let server = Server::http(|hit| if hit < 2 { status(503, &[]) } else { "{}".into_response() });
    client(&server, quick(3)).execute(&get()).await.expect("third try succeeds");
    assert_eq!(server.hits(), 3);
}

#[tokio::test]
async fn errors_that_cannot_heal_are_not_retried() {
    for code in [400, 404, 422, 500] {
        let server = Server::http(move |_| status(code, &[]));
        let error = client(&server, quick(4)).execute(&get()).await.unwrap_err();
        assert_eq!((attempts(&error), server.hits()), (1, 1), "HTTP {code}");
    }
}

#[tokio::test]
async fn a_post_is_never_retried_unless_the_policy_allows_it() {
    for code in [429, 503] {
        let server = Server::http(move |_| status(code, &[("retry-after", "0")]));
        let error = client(&server, quick(4)).execute(&post()).await.unwrap_err();
        assert_eq!((attempts(&error), server.hits()), (1, 1), "HTTP {code}, default policy");

        let server = Server::http(move |_| status(code, &[("retry-after", "0")]));
        let opted_in = quick(4).retry_non_idempotent(true);
        let error = client(&server, opted_in).execute(&post()).await.unwrap_err();
        assert_eq!((attempts(&error), server.hits()), (4, 4), "HTTP {code}, retry_non_idempotent");
    }
}

#[tokio::test]
async fn an_idempotent_post_is_retried() {
    let server = Server::http(|_| status(503, &[]));
    let error = client(&server, quick(3)).execute(&post().idempotent(true)).await.unwrap_err();
    assert_eq!((attempts(&error), server.hits()), (3, 3));
}

#[tokio::test]
async fn connection_resets_are_retried_for_reads_only() {
    let server = Server::resetting();
    let error = client(&server, quick(3)).execute(&get()).await.unwrap_err();
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    assert_eq!(server.wait_for_hits(3), 3, "one connection per try");

    let server = Server::resetting();
    let error = client(&server, quick(3)).execute(&post()).await.unwrap_err();
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    assert_eq!(server.wait_for_hits(1), 1, "a POST that may have arrived is not sent again");
}

#[tokio::test]
async fn timeouts_are_retried_for_reads_and_reported_as_timeouts() {
    let server = Server::silent();
    let timing_out = |retry| {
        Client::builder(sage_accounting_v31::PRODUCT)
            .base_url(&server.url)
            .auth(StaticToken::new("token"))
            .retry(retry)
            .timeout(Duration::from_millis(100))
            .build()
            .unwrap()
    };
    let error = timing_out(quick(3)).execute(&get()).await.unwrap_err();
    assert!(matches!(error, Error::Timeout), "{error:?}");
    assert_eq!(server.wait_for_hits(3), 3);

    let error = timing_out(quick(3)).execute(&post()).await.unwrap_err();
    assert!(matches!(error, Error::Timeout), "{error:?}");
    assert_eq!(server.wait_for_hits(4), 4, "the POST was tried once");
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(server.hits(), 4, "and not again");
}

#[tokio::test]
async fn the_retry_budget_stops_a_storm() {
    let server = Server::http(|_| status(429, &[("retry-after", "0")]));
    let retry = quick(4).budget(5);
    let api = client(&server, retry.clone());
    for _ in 0..10 {
        assert_eq!(api.execute(&get()).await.unwrap_err().status(), Some(429));
    }
    assert_eq!(server.hits(), 10 + 5, "ten first tries, five retries, then the budget is spent");
    assert_eq!(retry.budget_remaining(), 0, "clones of a policy share its budget");
}

#[tokio::test]
async fn concurrent_callers_share_one_budget() {
    let server = Server::http(|_| status(503, &[]));
    let api = client(&server, quick(3).budget(20));
    let calls = (0..50).map(|_| {
        let api = api.clone();
        tokio::spawn(async move { api.execute(&get()).await })
    });
    for call in futures_util::future::join_all(calls).await {
        assert_eq!(call.unwrap().unwrap_err().status(), Some(503));
    }
    assert_eq!(server.hits(), 50 + 20);
}

/// Waits measured on tokio's paused clock: virtual time, advanced only by the client's sleeps.
mod virtual_time {
    use super::*;
    use tokio::time::Instant;

    /// Sends `request` and returns the error and the virtual time it took.
    async fn timed(api: &Client, request: &Request) -> (Error, Duration) {
        let started = Instant::now();
        let error = api.execute(request).await.unwrap_err();
        (error, started.elapsed())
    }

    fn bounded(attempts: u32, max_delay: Duration) -> RetryPolicy {
        RetryPolicy::default().max_attempts(attempts).base_delay(Duration::from_millis(100)).max_delay(max_delay)
    }

    #[tokio::test(start_paused = true)]
    async fn retry_after_in_seconds_is_honoured_up_to_max_delay() {
        let max_delay = Duration::from_secs(5);
        let server = Server::http(|_| status(429, &[("retry-after", "2")]));
        let (error, slept) = timed(&client(&server, bounded(4, max_delay)), &get()).await;
        assert_eq!(attempts(&error), 4);
        assert_eq!(slept, Duration::from_secs(3 * 2), "three waits of the two seconds asked for");

        let server = Server::http(|_| status(429, &[("retry-after", "3600")]));
        let (error, slept) = timed(&client(&server, bounded(4, max_delay)), &get()).await;
        assert_eq!(attempts(&error), 4);
        assert_eq!(slept, 3 * max_delay, "an hour is clamped to max_delay");
    }

    #[tokio::test(start_paused = true)]
    async fn retry_after_as_an_http_date_is_honoured_up_to_max_delay() {
        let max_delay = Duration::from_secs(7);
        let server = Server::http(|_| status(503, &[("retry-after", "Fri, 31 Dec 2100 23:59:59 GMT")]));
        let (error, slept) = timed(&client(&server, bounded(3, max_delay)), &get()).await;
        assert_eq!((attempts(&error), server.hits()), (3, 3));
        assert_eq!(slept, 2 * max_delay, "a far date is clamped to max_delay");

        let server = Server::http(|_| status(503, &[("retry-after", "Sun, 06 Nov 1994 08:49:37 GMT")]));
        let (error, slept) = timed(&client(&server, bounded(3, max_delay)), &get()).await;
        assert_eq!(attempts(&error), 3);
        assert_eq!(slept, Duration::ZERO, "a date in the past means retry now");
    }

    #[tokio::test(start_paused = true)]
    async fn backoff_without_retry_after_never_sleeps_past_its_bounds() {
        let max_delay = Duration::from_millis(300);
        for code in [429, 502, 503, 504] {
            let server = Server::http(move |_| status(code, &[]));
            let (error, slept) = timed(&client(&server, bounded(6, max_delay)), &get()).await;
            assert_eq!(attempts(&error), 6, "HTTP {code}");
            assert!(slept <= 5 * max_delay, "HTTP {code}: slept {slept:?}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn connection_resets_back_off_within_bounds() {
        let max_delay = Duration::from_secs(1);
        let server = Server::resetting();
        let (error, slept) = timed(&client(&server, bounded(5, max_delay)), &get()).await;
        assert!(matches!(error, Error::Transport(_)), "{error:?}");
        assert!(slept <= 4 * max_delay, "slept {slept:?}");
        assert_eq!(server.wait_for_hits(5), 5);
    }
}
