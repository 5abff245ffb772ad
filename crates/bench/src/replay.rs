//! A caching proxy in front of the sandbox: the first answer to each `GET` is fetched from the
//! sandbox and kept, later ones are served from memory. Listing through it leaves the server's work
//! out of the time, so what remains is the client's (HTTP, decoding, and mapping on one side).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;

use crate::alloc;

/// One kept answer.
#[derive(Clone)]
struct Kept {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

#[derive(Clone)]
struct Proxy {
    upstream: String,
    http: reqwest::Client,
    kept: Arc<Mutex<HashMap<String, Kept>>>,
}

/// Headers a kept answer is not replayed with: the server sets them for the body it sends.
const NOT_REPLAYED: [&str; 3] = ["content-length", "transfer-encoding", "connection"];
/// Request headers that choose what an answer holds (besides the path and query).
const VARY: [&str; 2] = ["x-business", "x-company"];

async fn forward(State(proxy): State<Proxy>, request: Request) -> Response {
    let path = request.uri().path_and_query().map(|path| path.as_str().to_owned()).unwrap_or_default();
    let vary: Vec<&str> =
        VARY.iter().filter_map(|name| request.headers().get(*name).and_then(|value| value.to_str().ok())).collect();
    let key = format!("{} {path} {}", request.method(), vary.join(" "));
    let cacheable = request.method() == Method::GET;
    if cacheable {
        if let Some(kept) = proxy.kept.lock().expect("cache lock").get(&key).cloned() {
            return (kept.status, kept.headers, kept.body).into_response();
        }
    }
    let mut upstream = proxy.http.request(request.method().clone(), format!("{}{path}", proxy.upstream));
    for (name, value) in request.headers() {
        if name != "host" {
            upstream = upstream.header(name, value);
        }
    }
    let body = axum::body::to_bytes(request.into_body(), usize::MAX).await.unwrap_or_default();
    let answer = match upstream.body(body).send().await {
        Ok(answer) => answer,
        Err(err) => return (StatusCode::BAD_GATEWAY, err.to_string()).into_response(),
    };
    let status = StatusCode::from_u16(answer.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    let mut headers = HeaderMap::new();
    for (name, value) in answer.headers() {
        if !NOT_REPLAYED.contains(&name.as_str()) {
            if let (Ok(name), Ok(value)) = (HeaderName::from_bytes(name.as_ref()), value.to_str()) {
                headers.insert(name, value.parse().expect("a header value read as text"));
            }
        }
    }
    let body = answer.bytes().await.unwrap_or_default();
    let kept = Kept { status, headers, body };
    if cacheable && status == StatusCode::OK {
        proxy.kept.lock().expect("cache lock").insert(key, kept.clone());
    }
    (kept.status, kept.headers, kept.body).into_response()
}

/// Starts a caching proxy for `upstream` (scheme, host and port) on a thread and runtime of its own
/// whose allocations are not counted; returns its origin.
pub fn start(upstream: String) -> String {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        alloc::exclude_this_thread();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("the proxy's runtime");
        runtime.block_on(async move {
            let proxy = Proxy { upstream, http: reqwest::Client::new(), kept: Arc::default() };
            let router = Router::new().fallback(forward).with_state(proxy);
            sender.send(crate::server::start(router).await).expect("report the address");
            std::future::pending::<()>().await
        });
    });
    receiver.recv().expect("the proxy's address")
}

/// `url` with its origin (scheme, host, port) replaced by `origin`.
pub fn rebase(url: &str, origin: &str) -> String {
    let after_scheme = url.find("://").map_or(0, |at| at + 3);
    let path = url[after_scheme..].find('/').map_or("", |at| &url[after_scheme + at..]);
    format!("{origin}{path}")
}

/// The origin (scheme, host, port) of `url`.
pub fn origin(url: &str) -> String {
    let after_scheme = url.find("://").map_or(0, |at| at + 3);
    url[after_scheme..].find('/').map_or(url.to_owned(), |at| url[..after_scheme + at].to_owned())
}
