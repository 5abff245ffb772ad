//! sage-core's client against a real HTTP server started in the test: exact requests, retries,
//! the refresh-after-401 rule, paging, error decoding and the v3.1 business signals.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::Query;
use axum::response::IntoResponse;
use axum::Router;
use futures_util::TryStreamExt;
use sage_core::auth::{async_trait, AccessToken, AuthError, Authenticate, StaticToken};
use sage_core::{
    Client, Error, HeaderPolicy, HeaderStyle, ListOperation, Method, Operation, Page, PagingStyle, Product, Request,
    RetryPolicy,
};
use sage_tests::{serve, RecordingServer, Reply};
use serde_json::{json, Value};

const PRODUCT: Product = Product {
    name: "test",
    title: "Test API",
    base_url: "https://example.invalid/{version}",
    api: sage_core::auth::SageApi::AccountingV31,
    headers: HeaderStyle::AccountingV31,
    paging: PagingStyle::Envelope,
};

/// A scripted answer as `(status, headers, body)`.
type Canned<'a> = (u16, Vec<(&'static str, String)>, &'a str);

/// The scripted server, from canned answers.
async fn scripted(replies: Vec<Canned<'_>>) -> RecordingServer {
    let replies =
        replies.into_iter().map(|(status, headers, body)| Reply { status, headers, body: body.to_owned() }).collect();
    RecordingServer::start(replies).await
}

fn client(url: &str, auth: impl Authenticate) -> Client {
    let retry = RetryPolicy::default().base_delay(Duration::from_millis(1));
    Client::builder(PRODUCT)
        .base_url(format!("{url}/{{version}}"))
        .base_url_variable("version", "v9")
        .auth(auth)
        .retry(retry)
        .build()
        .unwrap()
}

#[derive(Debug, serde::Deserialize, PartialEq)]
struct Contact {
    id: String,
    balance: sage_core::types::Decimal,
}

struct GetContact(&'static str);

impl Operation for GetContact {
    type Output = Contact;
    fn request(&self) -> sage_core::Result<Request> {
        Ok(Request::new("get_contact", Method::Get, "/contacts/{key}")
            .path("key", self.0)
            .query("attributes", &Some("all")))
    }
}

struct CreateContact(Value);

impl Operation for CreateContact {
    type Output = Contact;
    fn request(&self) -> sage_core::Result<Request> {
        Request::new("create_contact", Method::Post, "/contacts").json(&self.0)
    }
}

struct ListContacts;

impl Operation for ListContacts {
    type Output = Page<Contact>;
    fn request(&self) -> sage_core::Result<Request> {
        Ok(Request::new("list_contacts", Method::Get, "/contacts").query("items_per_page", &Some(2_u64)))
    }
}

impl ListOperation for ListContacts {
    type Item = Contact;
}

#[tokio::test]
async fn sends_the_exact_request_and_decodes_the_response() {
    let server = scripted(vec![(200, vec![], r#"{"id":"c1","balance":"10.50"}"#)]).await;
    let client = client(server.url(), StaticToken::new("tok-1"))
        .with_headers(HeaderPolicy::AccountingV31 { business_id: Some("biz 2".into()) })
        .unwrap();
    let contact = client.send(&GetContact("a?b")).await.unwrap();
    assert_eq!(contact, Contact { id: "c1".into(), balance: "10.50".parse().unwrap() });

    let seen = server.seen()[0].clone();
    assert_eq!(seen.method, "GET");
    assert_eq!(seen.uri, "/v9/contacts/a%3Fb?attributes=all");
    assert_eq!(seen.headers["authorization"], "Bearer tok-1");
    assert_eq!(seen.headers["x-business"], "biz 2");
    assert_eq!(seen.headers["accept"], "application/json");
    assert!(seen.body.is_empty());
}

struct SearchContacts(&'static str);

impl Operation for SearchContacts {
    type Output = Page<Contact>;
    fn request(&self) -> sage_core::Result<Request> {
        Ok(Request::new("search_contacts", Method::Get, "/contacts")
            .query("search", &Some(self.0))
            .query("contact_type_id", &vec!["CUSTOMER", "SUPPLIER"]))
    }
}

#[tokio::test]
async fn query_values_are_form_encoded_once_and_sent_alike_on_every_try() {
    let ok = r#"{"$items":[],"$total":0}"#;
    let server = scripted(vec![(429, vec![("retry-after", "0".into())], "[]"), (200, vec![], ok)]).await;
    client(server.url(), StaticToken::new("t")).send(&SearchContacts("Café & Co = 100% +1")).await.unwrap();
    let expected =
        "/v9/contacts?search=Caf%C3%A9+%26+Co+%3D+100%25+%2B1&contact_type_id=CUSTOMER&contact_type_id=SUPPLIER";
    let uris: Vec<String> = server.seen().iter().map(|seen| seen.uri.clone()).collect();
    assert_eq!(uris, [expected, expected]);
}

#[tokio::test]
async fn posts_json_bodies() {
    let server = scripted(vec![(201, vec![], r#"{"id":"c2","balance":0}"#)]).await;
    let created =
        client(server.url(), StaticToken::new("t")).send(&CreateContact(json!({"contact": {"name": "Ann"}}))).await;
    assert_eq!(created.unwrap().id, "c2");
    let seen = server.seen()[0].clone();
    assert_eq!(seen.method, "POST");
    assert_eq!(seen.headers["content-type"], "application/json");
    assert_eq!(serde_json::from_str::<Value>(&seen.body).unwrap(), json!({"contact": {"name": "Ann"}}));
}

#[tokio::test]
async fn sage200_declares_json_on_every_request_once() {
    const SAGE200: Product = Product {
        name: "sage200-test",
        title: "Sage 200 test",
        base_url: "https://example.invalid",
        api: sage_core::auth::SageApi::Sage200,
        headers: HeaderStyle::Sage200,
        paging: PagingStyle::OData,
    };
    let ok = r#"{"id":"c1","balance":1}"#;
    let server = scripted(vec![(200, vec![], ok), (201, vec![], ok)]).await;
    let client = Client::builder(SAGE200)
        .base_url(server.url())
        .headers(HeaderPolicy::sage200("1", "site"))
        .auth(StaticToken::new("t"))
        .build()
        .unwrap();
    client.send(&GetContact("c1")).await.unwrap();
    client.send(&CreateContact(json!({"name": "Ann"}))).await.unwrap();
    for seen in server.seen() {
        let values: Vec<_> = seen.headers.get_all("content-type").iter().collect();
        assert_eq!(values, ["application/json"], "{} carries Content-Type exactly once", seen.method);
    }
}

#[tokio::test]
async fn retries_throttled_reads_honouring_retry_after() {
    let ok = r#"{"id":"c1","balance":1}"#;
    let server = scripted(vec![(429, vec![("retry-after", "0".into())], "[]"), (200, vec![], ok)]).await;
    client(server.url(), StaticToken::new("t")).send(&GetContact("c1")).await.unwrap();
    assert_eq!(server.seen().len(), 2);
}

#[tokio::test]
async fn gives_up_after_max_attempts_and_reports_them() {
    let unavailable = (503, vec![], r#"[{"$severity":"error","$dataCode":"ServiceUnavailable","$message":"later"}]"#);
    let server = scripted(vec![unavailable.clone(), unavailable.clone(), unavailable.clone(), unavailable]).await;
    let err = client(server.url(), StaticToken::new("t")).send(&GetContact("c1")).await.unwrap_err();
    let Error::Api(api) = err else { panic!("expected an API error, got {err:?}") };
    assert_eq!((api.status, api.attempts), (503, 3));
    assert_eq!(api.items[0].code.as_deref(), Some("ServiceUnavailable"));
    assert_eq!(server.seen().len(), 3);
}

#[tokio::test]
async fn never_retries_a_post_unless_asked() {
    let server = scripted(vec![(429, vec![("retry-after", "0".into())], "[]")]).await;
    let err = client(server.url(), StaticToken::new("t")).send(&CreateContact(json!({}))).await.unwrap_err();
    assert_eq!(err.status(), Some(429));
    assert_eq!(server.seen().len(), 1);
}

/// Counts refreshes and hands out a new token each time.
struct Refreshing {
    refreshes: AtomicUsize,
}

#[async_trait]
impl Authenticate for Refreshing {
    async fn access_token(&self) -> Result<AccessToken, AuthError> {
        Ok(AccessToken::new(format!("tok-{}", self.refreshes.load(Ordering::SeqCst))))
    }

    async fn refresh_after_rejection(&self, _rejected: &AccessToken) -> Result<AccessToken, AuthError> {
        let n = self.refreshes.fetch_add(1, Ordering::SeqCst) + 1;
        Ok(AccessToken::new(format!("tok-{n}")))
    }
}

#[tokio::test]
async fn a_401_refreshes_once_and_retries_with_the_new_token() {
    let ok = r#"{"id":"c1","balance":1}"#;
    let server = scripted(vec![(401, vec![], "[]"), (200, vec![], ok)]).await;
    let auth = Arc::new(Refreshing { refreshes: AtomicUsize::new(0) });
    let client = Client::builder(PRODUCT).base_url(server.url()).shared_auth(auth.clone()).build().unwrap();
    client.send(&GetContact("c1")).await.unwrap();
    let seen = server.seen();
    assert_eq!(seen[0].headers["authorization"], "Bearer tok-0");
    assert_eq!(seen[1].headers["authorization"], "Bearer tok-1");
    assert_eq!(auth.refreshes.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_second_401_is_an_error_not_a_loop() {
    let server = scripted(vec![(401, vec![], "[]"), (401, vec![], "[]"), (401, vec![], "[]")]).await;
    let auth = Arc::new(Refreshing { refreshes: AtomicUsize::new(0) });
    let client = Client::builder(PRODUCT).base_url(server.url()).shared_auth(auth.clone()).build().unwrap();
    assert_eq!(client.send(&GetContact("c1")).await.unwrap_err().status(), Some(401));
    assert_eq!(server.seen().len(), 2);
    assert_eq!(auth.refreshes.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn malformed_bodies_become_decode_errors_with_the_field_path() {
    let server = scripted(vec![(200, vec![], r#"{"id":"c1","balance":"lots"}"#)]).await;
    let err = client(server.url(), StaticToken::new("t")).send(&GetContact("c1")).await.unwrap_err();
    let Error::Decode(decode) = err else { panic!("expected a decode error, got {err:?}") };
    assert_eq!(decode.path, "balance");
    assert!(decode.body.contains("lots"));
}

#[tokio::test]
async fn items_walk_every_page_lazily() {
    async fn pages(Query(query): Query<BTreeMap<String, String>>) -> impl IntoResponse {
        let page: u64 = query["page"].parse().unwrap();
        let items: Vec<Value> =
            (0..2).map(|i| json!({"id": format!("c{}", (page - 1) * 2 + i), "balance": 1})).collect();
        let next = (page < 3).then(|| format!("/contacts?page={}", page + 1));
        axum::Json(json!({"$items": if page <= 3 { items } else { vec![] }, "$page": page, "$next": next, "$total": 6}))
    }
    let url = serve(Router::new().route("/contacts", axum::routing::get(pages))).await;
    let client = Client::builder(PRODUCT).base_url(&url).auth(StaticToken::new("t")).build().unwrap();
    let ids: Vec<String> = client.items(&ListContacts).map_ok(|c| c.id).try_collect().await.unwrap();
    assert_eq!(ids, ["c0", "c1", "c2", "c3", "c4", "c5"]);
}

#[tokio::test]
async fn building_needs_auth_and_matching_headers() {
    assert!(Client::builder(PRODUCT).base_url("http://127.0.0.1:1").build().is_err());
    let wrong = Client::builder(PRODUCT)
        .base_url("http://127.0.0.1:1")
        .auth(StaticToken::new("t"))
        .headers(HeaderPolicy::sage200("1", "2"))
        .build();
    assert!(wrong.unwrap_err().to_string().contains("do not fit"));
}

#[tokio::test]
async fn responses_reveal_the_business_and_a_lead_change_is_signalled() {
    let ok = r#"{"id":"c1","balance":1}"#;
    let business = |id: &str| vec![("x-business", id.to_owned())];
    let server = scripted(vec![
        (200, business("lead-1"), ok),
        (200, business("lead-1"), ok),
        (200, business("other"), ok),
        (200, business("lead-2"), ok),
    ])
    .await;
    let client = client(server.url(), StaticToken::new("t"));
    let mut lead = client.lead_business();

    let first = client.send_with_metadata(&GetContact("c1")).await.unwrap();
    assert_eq!(first.metadata.business.as_deref(), Some("lead-1"));
    assert_eq!(first.metadata.lead_change, None);
    assert_eq!(client.send_with_metadata(&GetContact("c1")).await.unwrap().metadata.lead_change, None);

    let chosen = client.for_business("other").unwrap().send_with_metadata(&GetContact("c1")).await.unwrap();
    assert_eq!(chosen.metadata.business.as_deref(), Some("other"));
    assert_eq!(chosen.metadata.lead_change, None, "a chosen business says nothing about the lead");
    assert_eq!(server.seen()[2].headers["x-business"], "other");

    lead.borrow_and_update();
    let moved = client.send_with_metadata(&GetContact("c1")).await.unwrap();
    let change = moved.metadata.lead_change.expect("the lead moved");
    assert_eq!((change.previous.as_str(), change.current.as_str()), ("lead-1", "lead-2"));
    assert!(lead.has_changed().unwrap());
    assert_eq!(lead.borrow().as_deref(), Some("lead-2"));
}
