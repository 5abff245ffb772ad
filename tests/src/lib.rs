//! Support for the workspace's integration tests (in `tests/tests/`): a recording HTTP server
//! that answers from a script, so tests can check the exact requests a client sends, and a
//! capture of everything `tracing` writes, for leak checks.

pub mod drift;

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;

/// A canned answer.
#[derive(Debug, Clone)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// Extra response headers.
    pub headers: Vec<(&'static str, String)>,
    /// Response body.
    pub body: String,
}

impl Reply {
    /// A reply with a status and body.
    pub fn new(status: u16, body: impl Into<String>) -> Self {
        Self { status, headers: Vec::new(), body: body.into() }
    }

    /// Adds a response header.
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

/// One request as the server received it.
#[derive(Debug, Clone)]
pub struct Seen {
    /// `GET`, `POST`, …
    pub method: String,
    /// Path and query as sent.
    pub uri: String,
    /// Request headers.
    pub headers: HeaderMap,
    /// Request body as text.
    pub body: String,
}

impl Seen {
    /// The body parsed as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("the request body is JSON")
    }
}

#[derive(Default)]
struct Script {
    seen: Mutex<Vec<Seen>>,
    replies: Mutex<Vec<Reply>>,
}

/// An HTTP server on a loopback port that records every request and answers with the scripted
/// replies in order (then `200 {}`).
#[derive(Clone)]
pub struct RecordingServer {
    script: Arc<Script>,
    url: String,
}

impl RecordingServer {
    /// Starts the server with its replies.
    pub async fn start(replies: Vec<Reply>) -> Self {
        let script = Arc::new(Script { seen: Mutex::default(), replies: Mutex::new(replies) });
        let url = serve(Router::new().fallback(record).with_state(Arc::clone(&script))).await;
        Self { script, url }
    }

    /// Base URL, e.g. `http://127.0.0.1:1234`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Every request received so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.script.seen.lock().expect("lock").clone()
    }
}

async fn record(
    State(script): State<Arc<Script>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body = String::from_utf8_lossy(&body).into_owned();
    script.seen.lock().expect("lock").push(Seen { method: method.to_string(), uri: uri.to_string(), headers, body });
    let reply = {
        let mut replies = script.replies.lock().expect("lock");
        if replies.is_empty() {
            Reply::new(200, "{}")
        } else {
            replies.remove(0)
        }
    };
    let status = StatusCode::from_u16(reply.status).expect("valid status");
    let mut response = (status, reply.body).into_response();
    for (name, value) in reply.headers {
        response.headers_mut().insert(name, value.parse().expect("valid header value"));
    }
    response
}

/// Serves `router` on a free loopback port; returns its base URL.
pub async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
    let address = listener.local_addr().expect("local address");
    tokio::spawn(async move { axum::serve(listener, router).await.expect("test server") });
    format!("http://{address}")
}

/// Everything a `tracing` subscriber writes while [`CapturedLogs::install`]'s guard lives.
#[derive(Clone, Default)]
pub struct CapturedLogs(Arc<Mutex<Vec<u8>>>);

impl CapturedLogs {
    /// Captures every event and closed span, at every level, without colours, on this thread
    /// (use a current-thread runtime) until the guard is dropped.
    pub fn install() -> (Self, tracing::subscriber::DefaultGuard) {
        let logs = Self::default();
        let writer = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
            .finish();
        (logs, tracing::subscriber::set_default(subscriber))
    }

    /// What was written so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("lock")).into_owned()
    }
}

impl std::io::Write for CapturedLogs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
