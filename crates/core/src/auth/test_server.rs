//! A tiny rotating token endpoint for the auth unit tests.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};

/// Counts token requests; each refresh rotates the refresh token and invalidates the old one.
#[derive(Default)]
pub(crate) struct FakeTokenServer {
    pub(crate) requests: AtomicU32,
    pub(crate) expires_in: AtomicU32,
    pub(crate) failing: std::sync::atomic::AtomicBool,
    pub(crate) url: Mutex<String>,
    valid_refresh: Mutex<Option<String>>,
    issued: AtomicU32,
}

impl FakeTokenServer {
    /// Serves on a free loopback port; returns the server and its token URL.
    pub(crate) async fn start(first_refresh_token: &str) -> (Arc<Self>, String) {
        let server = Arc::new(Self::default());
        server.expires_in.store(300, Ordering::SeqCst);
        *server.valid_refresh.lock().unwrap() = Some(first_refresh_token.to_owned());
        let app = Router::new().route("/token", post(token)).with_state(Arc::clone(&server));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/token", listener.local_addr().unwrap());
        *server.url.lock().unwrap() = url.clone();
        tokio::spawn(async move { axum::serve(listener, app).await });
        (server, url)
    }

    pub(crate) fn requests(&self) -> u32 {
        self.requests.load(Ordering::SeqCst)
    }
}

async fn token(
    State(server): State<Arc<FakeTokenServer>>,
    Form(form): Form<HashMap<String, String>>,
) -> (StatusCode, Json<Value>) {
    server.requests.fetch_add(1, Ordering::SeqCst);
    if server.failing.load(Ordering::SeqCst) {
        return (StatusCode::SERVICE_UNAVAILABLE, Json(json!({"error": "temporarily_unavailable"})));
    }
    let presented = form.get("refresh_token").cloned();
    let mut valid = server.valid_refresh.lock().unwrap();
    if form.get("grant_type").map(String::as_str) != Some("refresh_token") || presented != *valid {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant", "error_description": "unknown token"})),
        );
    }
    let n = server.issued.fetch_add(1, Ordering::SeqCst) + 1;
    *valid = Some(format!("refresh-{n}"));
    let body = json!({
        "access_token": format!("access-{n}"), "refresh_token": format!("refresh-{n}"), "token_type": "bearer",
        "expires_in": server.expires_in.load(Ordering::SeqCst), "refresh_token_expires_in": 2_678_400,
    });
    (StatusCode::OK, Json(body))
}
