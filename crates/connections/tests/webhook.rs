//! Events POSTed to a local receiver, signed: `verify` accepts what arrived and refuses a
//! tampered body, a wrong secret and a stale timestamp. A receiver that fails is retried.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use sage_connections::webhook::{self, VerifyError, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use sage_connections::{Event, Webhook};
use support::{Backend, Harness, Options};

const SECRET: &[u8] = b"shared-webhook-secret-of-the-app";

/// One POST as the receiver got it.
#[derive(Debug, Clone)]
struct Delivery {
    signature: String,
    timestamp: String,
    body: Vec<u8>,
}

#[derive(Clone, Default)]
struct Receiver {
    deliveries: Arc<Mutex<Vec<Delivery>>>,
    /// Answer 500 to this many POSTs first.
    failures_left: Arc<Mutex<usize>>,
    attempts: Arc<Mutex<usize>>,
}

async fn receive(State(receiver): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    *receiver.attempts.lock().unwrap() += 1;
    {
        let mut left = receiver.failures_left.lock().unwrap();
        if *left > 0 {
            *left -= 1;
            return StatusCode::INTERNAL_SERVER_ERROR;
        }
    }
    let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok()).unwrap_or_default().to_owned();
    let delivery =
        Delivery { signature: header(SIGNATURE_HEADER), timestamp: header(TIMESTAMP_HEADER), body: body.to_vec() };
    receiver.deliveries.lock().unwrap().push(delivery);
    StatusCode::NO_CONTENT
}

async fn start_receiver(failures: usize) -> (String, Receiver) {
    let receiver = Receiver { failures_left: Arc::new(Mutex::new(failures)), ..Receiver::default() };
    let app = axum::Router::new().route("/hooks/sage", axum::routing::post(receive)).with_state(receiver.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks/sage", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, receiver)
}

async fn wait_for(receiver: &Receiver, count: usize) -> Vec<Delivery> {
    for _ in 0..200 {
        let deliveries = receiver.deliveries.lock().unwrap().clone();
        if deliveries.len() >= count {
            return deliveries;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{count} deliveries expected, got {}", receiver.deliveries.lock().unwrap().len());
}

async fn events_arrive_signed_and_verify(backend: Backend) {
    let (url, receiver) = start_receiver(1).await;
    let hook = Webhook::new(url, SECRET).first_retry(Duration::from_millis(50));
    let configure: support::Configure = Arc::new(move |builder| builder.webhook(hook.clone()));
    let Some(harness) =
        Harness::start_with(backend, Options { configure: Some(configure), ..Options::default() }).await
    else {
        return;
    };
    harness.connect("customer-1", "accounting-v31").await;
    harness.connections.disconnect("customer-1", "ops", "test").await.unwrap();

    let deliveries = wait_for(&receiver, 2).await;
    assert_eq!(*receiver.attempts.lock().unwrap(), 3, "the first POST failed with 500 and was retried");
    let events: Vec<Event> =
        deliveries.iter().map(|delivery| serde_json::from_slice(&delivery.body).unwrap()).collect();
    let names: Vec<&str> = events.iter().map(Event::name).collect();
    assert_eq!(names, ["connected", "disconnected"], "in order");
    assert!(events.iter().all(|event| event.connection_id() == "customer-1"));

    let tolerance = webhook::DEFAULT_TOLERANCE;
    for delivery in &deliveries {
        let (signature, timestamp, body) = (&delivery.signature, &delivery.timestamp, &delivery.body);
        assert_eq!(signature.len(), 64, "lowercase hex of HMAC-SHA256");
        assert_eq!(webhook::verify(SECRET, signature, timestamp, body, tolerance), Ok(()));

        let mut tampered = body.clone();
        let at = tampered.iter().position(|byte| *byte == b'c').unwrap();
        tampered[at] = b'C';
        assert_eq!(webhook::verify(SECRET, signature, timestamp, &tampered, tolerance), Err(VerifyError::Mismatch));
        assert_eq!(
            webhook::verify(b"another-secret", signature, timestamp, body, tolerance),
            Err(VerifyError::Mismatch)
        );

        // The same body signed (correctly) ten minutes ago is a replay.
        let old = timestamp.parse::<i64>().unwrap() - 600;
        let old_signature = webhook::sign(SECRET, old, body);
        let stale = webhook::verify(SECRET, &old_signature, &old.to_string(), body, tolerance);
        assert!(matches!(stale, Err(VerifyError::Stale { age_seconds }) if age_seconds >= 600), "{stale:?}");
        // The real signature under another timestamp does not verify either.
        let moved = (old + 600 - 1).to_string();
        assert_eq!(webhook::verify(SECRET, signature, &moved, body, tolerance), Err(VerifyError::Mismatch));
    }
    // A delivery verified later than the tolerance allows is stale too.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let first = &deliveries[0];
    let late = webhook::verify(SECRET, &first.signature, &first.timestamp, &first.body, Duration::ZERO);
    assert!(matches!(late, Err(VerifyError::Stale { .. })), "{late:?}");
}

/// A receiver that never answers well does not hold up calls; events are given up after the
/// attempts allowed, and a full queue drops events rather than blocking.
async fn a_failing_receiver_never_blocks_calls(backend: Backend) {
    let (url, receiver) = start_receiver(usize::MAX).await;
    let hook = Webhook::new(url, SECRET).max_attempts(2).queue(1).first_retry(Duration::from_secs(3));
    let configure: support::Configure = Arc::new(move |builder| builder.webhook(hook.clone()));
    let Some(harness) =
        Harness::start_with(backend, Options { configure: Some(configure), ..Options::default() }).await
    else {
        return;
    };
    let started = std::time::Instant::now();
    for index in 0..5 {
        harness.connect(&format!("customer-{index}"), "accounting-v31").await;
    }
    assert!(started.elapsed() < Duration::from_secs(2), "connects did not wait for the webhook");
    // The first event is in flight (its retry waits 3 s), the second waits in the queue of one,
    // the other three were dropped: two events, two attempts each, and nothing more.
    tokio::time::sleep(Duration::from_millis(7500).saturating_sub(started.elapsed())).await;
    assert_eq!(*receiver.attempts.lock().unwrap(), 4);
    assert!(receiver.deliveries.lock().unwrap().is_empty());
}

#[test]
fn an_insecure_webhook_url_is_refused_at_build() {
    let cipher = support::cipher();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let registry =
        runtime.block_on(sage_connections::SqliteRegistry::open(dir.path().join("c.db"), cipher.clone())).unwrap();
    let built = sage_connections::Connections::builder(registry, cipher)
        .webhook(Webhook::new("http://app.example/hook", SECRET))
        .build();
    let err = built.unwrap_err().to_string();
    assert!(err.contains("https"), "{err}");
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

on_both_backends!(events_arrive_signed_and_verify, a_failing_receiver_never_blocks_calls);
