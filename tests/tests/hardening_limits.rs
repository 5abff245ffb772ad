//! Bounded calls: a deadline over all tries, and size caps on response bodies, against servers
//! that hang or answer far too much.

use std::time::Duration;

use axum::body::Body;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use sage_core::auth::StaticToken;
use sage_core::{Client, Error, Method, Request, RetryPolicy, DEFAULT_BODY_LIMIT};

const MIB: usize = 1024 * 1024;

/// Serves `app` on a free port on its own thread and runtime; returns the base URL.
fn serve(app: axum::Router) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async move { axum::serve(tokio::net::TcpListener::from_std(listener).unwrap(), app).await })
    });
    url
}

/// Accepts connections and never answers.
fn silent() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut open = Vec::new();
        for stream in listener.incoming() {
            open.push(stream);
        }
    });
    url
}

fn client(url: &str) -> sage_core::ClientBuilder {
    let retry = RetryPolicy::default().max_attempts(3).base_delay(Duration::from_millis(1));
    Client::builder(sage_accounting_v31::PRODUCT).base_url(url).auth(StaticToken::new("token")).retry(retry)
}

fn get() -> Request {
    Request::new("get_thing", Method::Get, "/thing")
}

#[tokio::test]
async fn a_hanging_server_fails_the_call_at_its_deadline_not_after_every_try() {
    let url = silent();
    let api = client(&url).timeout(Duration::from_secs(60)).deadline(Duration::from_millis(300)).build().unwrap();
    let error = api.execute(&get()).await.unwrap_err();
    assert!(
        matches!(error, Error::DeadlineExceeded { deadline } if deadline == Duration::from_millis(300)),
        "{error:?}"
    );
    assert!(!error.is_retryable());

    let per_call =
        client(&url).timeout(Duration::from_secs(60)).build().unwrap().with_deadline(Duration::from_millis(200));
    let error = per_call.execute(&get()).await.unwrap_err();
    assert!(
        matches!(error, Error::DeadlineExceeded { deadline } if deadline == Duration::from_millis(200)),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_whether_its_length_is_announced_or_streamed() {
    let app = axum::Router::new().route("/sized", axum::routing::get(|| async { vec![b'x'; 2 * MIB] })).route(
        "/streamed",
        axum::routing::get(|| async {
            let chunks = (0..48).map(|_| Ok::<_, std::io::Error>(vec![b'y'; 64 * 1024]));
            Body::from_stream(futures_util::stream::iter(chunks))
        }),
    );
    // One large chunk, no announced length.
    let app = app.route(
        "/one-chunk",
        axum::routing::get(|| async {
            Body::from_stream(futures_util::stream::once(async { Ok::<_, std::io::Error>(vec![b'w'; 2 * MIB]) }))
        }),
    );
    let url = serve(app);
    let api = client(&url).body_limit(MIB).build().unwrap();
    for path in ["/sized", "/streamed", "/one-chunk"] {
        let request = Request::new("get_big", Method::Get, path);
        let error = api.execute(&request).await.unwrap_err();
        assert!(matches!(error, Error::BodyTooLarge { limit: MIB }), "{path}: {error:?}");
        let bigger = api.with_body_limit(4 * MIB).execute(&request).await.expect("fits the per-call limit");
        assert_eq!(bigger.body.len(), if path == "/streamed" { 3 * MIB } else { 2 * MIB });
    }
}

#[tokio::test]
async fn the_default_limit_refuses_a_huge_body() {
    let url = serve(axum::Router::new().fallback(|| async { vec![b'z'; DEFAULT_BODY_LIMIT + 1] }));
    let error = client(&url).build().unwrap().execute(&get()).await.unwrap_err();
    assert!(matches!(error, Error::BodyTooLarge { limit: DEFAULT_BODY_LIMIT }), "{error:?}");
}

#[tokio::test]
async fn only_the_start_of_a_huge_error_body_is_kept() {
    let url = serve(
        axum::Router::new()
            .fallback(|| async { (StatusCode::INTERNAL_SERVER_ERROR, vec![b'e'; 16 * MIB]).into_response() }),
    );
    let error = client(&url).build().unwrap().execute(&get()).await.unwrap_err();
    match error {
        Error::Api(api) => {
            assert_eq!(api.status, 500);
            assert_eq!(api.body.len(), 64 * 1024, "a bounded prefix");
        }
        other => panic!("expected an API error, got {other:?}"),
    }
}
