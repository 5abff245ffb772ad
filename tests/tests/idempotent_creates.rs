//! Accounting v3.1 creates carry an `idempotency_id`, so a create whose response is lost after
//! Sage committed it is retried without making a duplicate. A proxy in front of the sandbox
//! forwards every request and then, for the first POSTs, throws the sandbox's answer away and
//! answers 503 instead: the record exists, the client does not know it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Router;
use sage_accounting_v31::contacts::{CreateContact, ListContacts};
use sage_core::auth::{Authenticator, MemoryTokenStore};
use sage_core::{Client, RetryPolicy};
use sage_sandbox::Sandbox;
use serde_json::{json, Value};

/// Forwards to the sandbox; the first `lose` POST answers are replaced by a 503.
struct Proxy {
    upstream: String,
    http: reqwest::Client,
    lose: usize,
    /// Lose the answer by never sending it in time (the client times out) rather than with a 503.
    stall: bool,
    posts: AtomicUsize,
    /// Every POST body as sent by the client.
    posted: Mutex<Vec<Value>>,
}

async fn forward(State(proxy): State<Arc<Proxy>>, request: axum::extract::Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20).await.expect("request body");
    let path = parts.uri.path_and_query().map_or("/", |path| path.as_str());
    let mut headers = parts.headers.clone();
    headers.remove(axum::http::header::HOST);
    let answer = proxy
        .http
        .request(parts.method.clone(), format!("{}{path}", proxy.upstream))
        .headers(headers)
        .body(body.clone())
        .send()
        .await
        .expect("the sandbox answers");
    let (status, answer_headers) = (answer.status(), answer.headers().clone());
    let answer_body = answer.bytes().await.expect("sandbox body");
    if parts.method == axum::http::Method::POST {
        proxy.posted.lock().unwrap().push(serde_json::from_slice(&body).expect("a JSON body"));
        if proxy.posts.fetch_add(1, Ordering::SeqCst) < proxy.lose {
            if proxy.stall {
                tokio::time::sleep(Duration::from_secs(30)).await;
            }
            return (axum::http::StatusCode::SERVICE_UNAVAILABLE, "lost on the way back").into_response();
        }
    }
    let mut response = (status, answer_body).into_response();
    for name in [axum::http::header::CONTENT_TYPE, axum::http::header::HeaderName::from_static("x-business")] {
        if let Some(value) = answer_headers.get(&name) {
            response.headers_mut().insert(name, value.clone());
        }
    }
    response
}

struct Setup {
    _sandbox: Sandbox,
    proxy: Arc<Proxy>,
    client: Client,
}

/// A sandbox, a proxy losing the first `lose` POST answers, and a v3.1 client talking through it.
async fn setup(lose: usize) -> Setup {
    setup_losing(lose, false).await
}

/// [`setup`], losing answers by a 503 or, with `stall`, by a try that times out.
async fn setup_losing(lose: usize, stall: bool) -> Setup {
    let sandbox = Sandbox::builder().auto_approve(true).start().await.expect("sandbox starts");
    let signed_in = sandbox.sign_in(sage_accounting_v31::PRODUCT.name).await.expect("sign in");
    let api = url::Url::parse(&signed_in.api_base_url).unwrap();
    let proxy = Arc::new(Proxy {
        upstream: api.origin().ascii_serialization(),
        http: reqwest::Client::new(),
        lose,
        stall,
        posts: AtomicUsize::new(0),
        posted: Mutex::default(),
    });
    let proxy_url = sage_tests::serve(Router::new().fallback(forward).with_state(Arc::clone(&proxy))).await;
    let store = Arc::new(MemoryTokenStore::with_tokens(signed_in.tokens));
    let mut builder = Client::builder(sage_accounting_v31::PRODUCT)
        .base_url(format!("{proxy_url}{}", api.path().trim_end_matches('/')))
        .auth(Authenticator::new(signed_in.oauth, store))
        .retry(RetryPolicy::default().base_delay(Duration::from_millis(1)));
    if stall {
        builder = builder.timeout(Duration::from_secs(2));
    }
    let client = builder.build().expect("client");
    Setup { _sandbox: sandbox, proxy, client }
}

fn create(contact: Value) -> CreateContact {
    CreateContact::new(serde_json::from_value(contact).expect("a contact body"))
}

/// How many contacts are called `name`.
async fn count(client: &Client, name: &str) -> usize {
    let page = ListContacts::new().search(name).attributes("name").items_per_page(100).send(client).await.unwrap();
    page.items.iter().filter(|contact| contact.name.as_deref() == Some(name)).count()
}

fn posted_ids(proxy: &Proxy) -> Vec<Value> {
    proxy.posted.lock().unwrap().iter().map(|body| body["contact"]["idempotency_id"].clone()).collect()
}

#[tokio::test]
async fn a_create_whose_answer_is_lost_is_retried_and_makes_one_record() {
    let Setup { _sandbox: _running, proxy, client } = setup(1).await;
    let name = "Lost Answer Ltd";
    let created = create(json!({"name": name, "contact_type_ids": ["CUSTOMER"]})).send(&client).await.unwrap();

    let ids = posted_ids(&proxy);
    assert_eq!(ids.len(), 2, "one try lost, one retry");
    let id = ids[0].as_str().expect("the client filled in an id");
    assert!(id.len() == 32 && id.bytes().all(|byte| byte.is_ascii_hexdigit()), "{id}");
    assert_eq!(ids[1], ids[0], "the retry carries the same id");
    assert_eq!(count(&client, name).await, 1, "exactly one record");
    assert_eq!(created.name.as_deref(), Some(name));
}

#[tokio::test]
async fn a_create_that_times_out_after_the_commit_is_retried_and_makes_one_record() {
    let Setup { _sandbox: _running, proxy, client } = setup_losing(1, true).await;
    let name = "Slow Answer Ltd";
    create(json!({"name": name, "contact_type_ids": ["CUSTOMER"]})).send(&client).await.unwrap();
    let ids = posted_ids(&proxy);
    assert_eq!(ids.len(), 2, "one try timed out, one retry");
    assert_eq!(ids[1], ids[0]);
    assert_eq!(count(&client, name).await, 1, "exactly one record");
}

#[tokio::test]
async fn each_send_is_its_own_create() {
    let Setup { _sandbox: _running, proxy, client } = setup(0).await;
    let name = "Twice Sent Ltd";
    let operation = create(json!({"name": name, "contact_type_ids": ["CUSTOMER"]}));
    let first = operation.send(&client).await.unwrap();
    let second = operation.send(&client).await.unwrap();
    assert_ne!(first.id, second.id);
    let ids = posted_ids(&proxy);
    assert_ne!(ids[0], ids[1], "a fresh id per send");
    assert_eq!(count(&client, name).await, 2);
}

#[tokio::test]
async fn an_id_set_by_the_caller_is_kept_across_retries_and_calls() {
    let Setup { _sandbox: _running, proxy, client } = setup(2).await;
    let name = "Chosen Id Ltd";
    let chosen = "0123456789abcdef0123456789abcdef";
    let operation = create(json!({"name": name, "contact_type_ids": ["CUSTOMER"], "idempotency_id": chosen}));
    assert_eq!(operation.contact.idempotency_id.as_deref(), Some(chosen), "a field of the entity");
    let first = operation.send(&client).await.unwrap();
    assert_eq!(posted_ids(&proxy), vec![json!(chosen); 3], "two tries lost, every try with the caller's id");

    // Sending it again later is answered with the record made the first time.
    let again = operation.send(&client).await.unwrap();
    assert_eq!(again.id, first.id);
    assert_eq!(count(&client, name).await, 1);
}

#[tokio::test]
async fn an_id_that_is_not_32_hex_characters_is_refused() {
    let Setup { _sandbox: _running, proxy, client } = setup(0).await;
    let name = "Bad Id Ltd";
    let operation = create(json!({"name": name, "contact_type_ids": ["CUSTOMER"], "idempotency_id": "0123-4567"}));
    let err = operation.send(&client).await.unwrap_err();
    assert_eq!(err.status(), Some(422), "{err}");
    assert_eq!(posted_ids(&proxy).len(), 1, "a validation error is not retried");
    assert_eq!(count(&client, name).await, 0);
}
