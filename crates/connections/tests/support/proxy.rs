//! A token-endpoint proxy in front of the sandbox: answers 503 to the next N requests on demand,
//! can hold each request a while, and counts requests and the most in flight at once.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

#[derive(Default)]
struct Counters {
    fail_next: AtomicUsize,
    delay_ms: AtomicUsize,
    requests: AtomicUsize,
    failed: AtomicUsize,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

struct Shared {
    upstream: String,
    http: reqwest::Client,
    counters: Counters,
}

/// A running proxy; every path is forwarded to the same path on `upstream`.
#[derive(Clone)]
pub struct TokenProxy {
    pub url: String,
    shared: Arc<Shared>,
}

impl TokenProxy {
    pub async fn start(upstream: &str) -> Self {
        let shared = Arc::new(Shared {
            upstream: upstream.trim_end_matches('/').to_owned(),
            http: reqwest::Client::new(),
            counters: Counters::default(),
        });
        let app = axum::Router::new().fallback(forward).with_state(Arc::clone(&shared));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, shared }
    }

    /// The next `count` requests get a 503 (as a gateway in front of Sage would answer).
    pub fn fail_next(&self, count: usize) {
        self.shared.counters.fail_next.store(count, Ordering::SeqCst);
    }

    /// Each forwarded request is held this long first (to see how many run at once).
    pub fn delay(&self, delay: Duration) {
        self.shared.counters.delay_ms.store(delay.as_millis() as usize, Ordering::SeqCst);
    }

    /// Requests received (failed ones included).
    pub fn requests(&self) -> usize {
        self.shared.counters.requests.load(Ordering::SeqCst)
    }

    /// Requests answered 503.
    pub fn failed(&self) -> usize {
        self.shared.counters.failed.load(Ordering::SeqCst)
    }

    /// The most requests that were in flight at once.
    pub fn max_in_flight(&self) -> usize {
        self.shared.counters.max_in_flight.load(Ordering::SeqCst)
    }
}

async fn forward(State(shared): State<Arc<Shared>>, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let counters = &shared.counters;
    counters.requests.fetch_add(1, Ordering::SeqCst);
    let now = counters.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    counters.max_in_flight.fetch_max(now, Ordering::SeqCst);
    let response = answer(&shared, uri, headers, body).await;
    counters.in_flight.fetch_sub(1, Ordering::SeqCst);
    response
}

async fn answer(shared: &Shared, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let counters = &shared.counters;
    let delay = counters.delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay as u64)).await;
    }
    let failing = counters.fail_next.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| left.checked_sub(1));
    if failing.is_ok() {
        counters.failed.fetch_add(1, Ordering::SeqCst);
        return (StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable").into_response();
    }
    let path = uri.path_and_query().map_or("/", |path| path.as_str());
    let mut request = shared.http.post(format!("{}{path}", shared.upstream)).body(body);
    for name in ["content-type", "authorization", "accept"] {
        if let Some(value) = headers.get(name) {
            request = request.header(name, value.as_bytes());
        }
    }
    match request.send().await {
        Ok(upstream) => {
            let status = StatusCode::from_u16(upstream.status().as_u16()).unwrap();
            let content_type = upstream.headers().get("content-type").cloned();
            let bytes = upstream.bytes().await.unwrap_or_default();
            let mut response = (status, bytes).into_response();
            if let Some(content_type) = content_type {
                response.headers_mut().insert("content-type", content_type);
            }
            response
        }
        Err(_) => (StatusCode::BAD_GATEWAY, "upstream unreachable").into_response(),
    }
}
