//! A deadline never swallows Sage's answer: a 429 or 503 whose `Retry-After` outlasts the time
//! left is returned at once, with the wait Sage asked for, instead of sleeping into a
//! `DeadlineExceeded`.
//!
//! These run on the real clock: under tokio's paused clock the deadline's own timer would be
//! advanced to while the client waits for the server, which is not what is being measured.

use std::time::{Duration, Instant};

use sage_core::auth::StaticToken;
use sage_core::{ApiError, Client, Error, Method, Request, RetryPolicy};
use sage_tests::{RecordingServer, Reply};

fn client(server: &RecordingServer, retry: RetryPolicy, deadline: Duration) -> Client {
    Client::builder(sage_accounting_v31::PRODUCT)
        .base_url(server.url())
        .auth(StaticToken::new("token"))
        .retry(retry)
        .deadline(deadline)
        .build()
        .unwrap()
}

fn get() -> Request {
    Request::new("get_thing", Method::Get, "/thing")
}

fn busy(status: u16, retry_after: &str) -> Reply {
    Reply::new(status, r#"[{"$dataCode":"Busy","$message":"Slow down"}]"#).header("retry-after", retry_after)
}

/// Sends and returns the API error and how long the call took.
async fn refused(api: &Client) -> (Box<ApiError>, Duration) {
    let started = Instant::now();
    match api.execute(&get()).await {
        Err(Error::Api(api)) => (api, started.elapsed()),
        other => panic!("expected Sage's answer, got {other:?}"),
    }
}

#[tokio::test]
async fn a_429_asking_for_longer_than_the_deadline_is_returned_at_once() {
    let server = RecordingServer::start(vec![busy(429, "300")]).await;
    let api = client(&server, RetryPolicy::default(), Duration::from_secs(5));

    let (error, took) = refused(&api).await;

    assert_eq!(error.status, 429);
    assert_eq!(error.retry_after, Some(Duration::from_secs(300)), "the wait Sage asked for");
    assert_eq!(error.attempts, 1);
    assert_eq!(error.items[0].message.as_deref(), Some("Slow down"));
    assert!(took < Duration::from_millis(500), "returned at once, not at the deadline: {took:?}");
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn a_503_with_a_far_retry_date_is_returned_at_once() {
    let server = RecordingServer::start(vec![busy(503, "Fri, 31 Dec 2100 23:59:59 GMT")]).await;
    let api = client(&server, RetryPolicy::default(), Duration::from_secs(5));

    let (error, took) = refused(&api).await;

    assert_eq!(error.status, 503);
    assert!(error.retry_after.is_some_and(|wait| wait > Duration::from_secs(365 * 24 * 3600)), "{error:?}");
    assert!(took < Duration::from_millis(500), "{took:?}");
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn with_client_deadline_applies_the_same_rule_per_call() {
    let server = RecordingServer::start(vec![busy(429, "300")]).await;
    let api = client(&server, RetryPolicy::default(), Duration::from_secs(600)).with_deadline(Duration::from_secs(5));

    let (error, took) = refused(&api).await;

    assert_eq!((error.status, error.retry_after), (429, Some(Duration::from_secs(300))));
    assert!(took < Duration::from_millis(500), "{took:?}");
}

#[tokio::test]
async fn a_wait_that_fits_in_the_deadline_is_still_honoured() {
    let server = RecordingServer::start(vec![busy(429, "1"), Reply::new(200, "{}")]).await;
    let api = client(&server, RetryPolicy::default(), Duration::from_secs(5));

    let started = Instant::now();
    api.execute(&get()).await.unwrap();

    assert!(started.elapsed() >= Duration::from_secs(1), "waited the second Sage asked for");
    assert_eq!(server.seen().len(), 2);
}

#[tokio::test]
async fn a_backoff_that_would_outlast_the_deadline_returns_the_last_answer() {
    let server = RecordingServer::start(vec![Reply::new(503, "[]"); 3]).await;
    let slow = RetryPolicy::default().base_delay(Duration::from_secs(60)).max_delay(Duration::from_secs(60));
    let api = client(&server, slow, Duration::from_secs(2));

    let (error, took) = refused(&api).await;

    assert_eq!((error.status, error.retry_after), (503, None));
    assert!(took < Duration::from_secs(2), "never slept into the deadline: {took:?}");
}

#[tokio::test]
async fn retry_after_is_reported_when_the_retries_run_out() {
    let server = RecordingServer::start(vec![busy(429, "7")]).await;
    let api = client(&server, RetryPolicy::none(), Duration::from_secs(60));

    let (error, _) = refused(&api).await;

    assert_eq!((error.status, error.retry_after), (429, Some(Duration::from_secs(7))));

    let server = RecordingServer::start(vec![Reply::new(429, "[]")]).await;
    let (error, _) = refused(&client(&server, RetryPolicy::none(), Duration::from_secs(60))).await;
    assert_eq!(error.retry_after, None, "no header, no wait");
}
