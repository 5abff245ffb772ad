//! The generated Accounting v3.1 client against a recording server: each operation sends exactly
//! the request Sage documents and decodes what Sage answers.

use futures_util::TryStreamExt;
use sage_accounting_v31::businesses::{ListBusinesses, UpdateBusiness};
use sage_accounting_v31::contacts::{CreateContact, DeleteContact, GetContact, ListContacts, UpdateContact};
use sage_accounting_v31::lead::GetLeadBusiness;
use sage_accounting_v31::PRODUCT;
use sage_core::auth::StaticToken;
use sage_core::types::Decimal;
use sage_core::{Client, Error};
use sage_tests::{RecordingServer, Reply};
use serde_json::json;

async fn client_for(server: &RecordingServer) -> Client {
    Client::builder(PRODUCT)
        .base_url(format!("{}/v3.1", server.url()))
        .auth(StaticToken::new("v31-token"))
        .build()
        .expect("client")
}

#[tokio::test]
async fn list_contacts_sends_query_parameters_and_decodes_the_envelope() {
    let page = json!({
        "$total": 1, "$page": 2, "$next": null, "$back": "/contacts?page=1", "$itemsPerPage": 50,
        "$items": [{"id": "c1", "displayed_as": "ABS Garages Ltd (ABS001)", "$path": "/contacts/c1",
                    "name": "ABS Garages Ltd", "balance": "2464.16", "created_at": "2024-03-01T10:00:00Z",
                    "brand_new_field": {"kept": true}}]
    });
    let server = RecordingServer::start(vec![Reply::new(200, page.to_string())]).await;
    let client = client_for(&server).await;

    let result = ListContacts::new().search("garage").items_per_page(50).page(2).send(&client).await.unwrap();

    let seen = &server.seen()[0];
    assert_eq!(seen.method, "GET");
    assert_eq!(seen.uri, "/v3.1/contacts?items_per_page=50&page=2&search=garage", "spec order, set ones only");
    assert_eq!(seen.headers["authorization"], "Bearer v31-token");
    assert!(!seen.headers.contains_key("x-business"), "no business chosen: the lead business serves");
    assert_eq!((result.total, result.page, result.items_per_page), (Some(1), Some(2), Some(50)));
    let contact = &result.items[0];
    assert_eq!(contact.name.as_deref(), Some("ABS Garages Ltd"));
    assert_eq!(contact.path.as_deref(), Some("/contacts/c1"));
    assert_eq!(contact.balance, Some(Decimal::new(246_416, 2)));
    assert_eq!(contact.created_at.unwrap().to_utc().to_rfc3339(), "2024-03-01T10:00:00+00:00");
    assert_eq!(contact.extra["brand_new_field"], json!({"kept": true}), "unknown fields are kept");
    let round_trip = serde_json::to_value(contact).unwrap();
    assert_eq!(round_trip, page["$items"][0], "a contact re-encodes to exactly what was received");
}

/// A program hands calls to other tasks: an operation's `send` must give a future `tokio::spawn`
/// accepts (`Send`), or this does not compile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sends_run_on_spawned_tasks() {
    let server = RecordingServer::start(vec![Reply::new(200, json!({"id": "c1", "name": "Acme"}).to_string())]).await;
    let client = client_for(&server).await;

    let contact = tokio::spawn(async move { GetContact::new("c1").send(&client).await }).await.unwrap().unwrap();

    assert_eq!(contact.name.as_deref(), Some("Acme"));
    assert_eq!(server.seen()[0].uri, "/v3.1/contacts/c1");
}

#[tokio::test]
async fn create_update_and_delete_send_nested_bodies_to_the_right_paths() {
    let created = json!({"id": "c9", "name": "New Co"});
    let server = RecordingServer::start(vec![
        Reply::new(201, created.to_string()),
        Reply::new(200, created.to_string()),
        Reply::new(204, ""),
    ])
    .await;
    let client = client_for(&server).await;

    let body = serde_json::from_value(json!({"name": "New Co", "contact_type_ids": ["CUSTOMER"]})).unwrap();
    let contact = CreateContact::new(body).send(&client).await.unwrap();
    assert_eq!(contact.id.as_deref(), Some("c9"));
    let update = serde_json::from_value(json!({"notes": "Pays on time"})).unwrap();
    UpdateContact::new("c9", update).send(&client).await.unwrap();
    DeleteContact::new("c9").send(&client).await.unwrap();

    let seen = server.seen();
    assert_eq!((seen[0].method.as_str(), seen[0].uri.as_str()), ("POST", "/v3.1/contacts"));
    assert_eq!(seen[0].headers["content-type"], "application/json");
    let mut created = seen[0].json();
    let idempotency_id = created["contact"].as_object_mut().unwrap().remove("idempotency_id").unwrap();
    assert_eq!(idempotency_id.as_str().map(str::len), Some(32), "the client fills in Sage's idempotency id");
    assert_eq!(created, json!({"contact": {"name": "New Co", "contact_type_ids": ["CUSTOMER"]}}));
    assert_eq!((seen[1].method.as_str(), seen[1].uri.as_str()), ("PUT", "/v3.1/contacts/c9"));
    assert_eq!(seen[1].json(), json!({"contact": {"notes": "Pays on time"}}));
    assert_eq!((seen[2].method.as_str(), seen[2].uri.as_str()), ("DELETE", "/v3.1/contacts/c9"));
}

#[tokio::test]
async fn businesses_use_the_v31_paths_and_nested_put_bodies() {
    let business = json!({"id": "b1", "name": "Garage One"});
    let server = RecordingServer::start(vec![
        Reply::new(200, business.to_string()).header("x-business", "b1"),
        Reply::new(200, json!({"$items": [business], "$next": null}).to_string()),
        Reply::new(200, business.to_string()),
    ])
    .await;
    let client = client_for(&server).await;

    let lead = client.send_with_metadata(&GetLeadBusiness::new()).await.unwrap();
    assert_eq!(lead.value.id.as_deref(), Some("b1"));
    assert_eq!(lead.metadata.business.as_deref(), Some("b1"));
    let all: Vec<_> = ListBusinesses::new().items(&client).try_collect().await.unwrap();
    assert_eq!(all.len(), 1);
    let change = serde_json::from_value(json!({"name": "Garage One Ltd"})).unwrap();
    UpdateBusiness::new("b1", change).send(&client.for_business("b1").unwrap()).await.unwrap();

    let seen = server.seen();
    assert_eq!(seen[0].uri, "/v3.1/businesses/lead");
    assert_eq!(seen[1].uri, "/v3.1/businesses?page=1");
    assert_eq!((seen[2].method.as_str(), seen[2].uri.as_str()), ("PUT", "/v3.1/businesses/b1"));
    assert_eq!(seen[2].headers["x-business"], "b1");
    assert_eq!(seen[2].json(), json!({"business": {"name": "Garage One Ltd"}}));
}

#[tokio::test]
async fn sage_errors_and_malformed_bodies_become_typed_errors() {
    let invalid = json!([{"$severity": "error", "$dataCode": "RecordInvalid", "$message": "Name is required", "$source": "name"}]);
    let server = RecordingServer::start(vec![
        Reply::new(422, invalid.to_string()),
        Reply::new(200, r#"{"id": "c1", "balance": "not money"}"#),
    ])
    .await;
    let client = client_for(&server).await;

    let body = serde_json::from_value(json!({"name": "", "contact_type_ids": ["CUSTOMER"]})).unwrap();
    let Error::Api(api) = CreateContact::new(body).send(&client).await.unwrap_err() else {
        panic!("expected an API error")
    };
    assert_eq!((api.status, api.operation), (422, "create_contact"));
    assert_eq!(api.items[0].source.as_deref(), Some("name"));

    let Error::Decode(decode) = GetContact::new("c1").send(&client).await.unwrap_err() else {
        panic!("expected a decode error")
    };
    assert_eq!(decode.path, "balance");
}
