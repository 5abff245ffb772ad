//! `SandboxBuilder::data_file`: records and issued tokens survive a restart on the same file.

mod common;

use std::path::Path;

use common::*;
use reqwest::{Method, StatusCode};
use sage_sandbox::{Sandbox, StartError};
use serde_json::{json, Value};

async fn start(file: &Path) -> Sandbox {
    Sandbox::builder().auto_approve(true).products(api_products()).data_file(file).start().await.unwrap()
}

/// Sends a v3.1 API request and returns the status and JSON body (`Null` when there is none).
async fn v31(sandbox: &Sandbox, token: &str, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    let base = sandbox.endpoints("accounting-v31").unwrap().api_base_url;
    let mut request = http().request(method, format!("{base}{path}")).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn refresh(sandbox: &Sandbox, refresh_token: &str) -> (StatusCode, Value) {
    let form = [("grant_type", "refresh_token"), ("refresh_token", refresh_token)];
    token_request(sandbox, "accounting-v31", &sandbox.demo_client(), &form).await
}

fn text(value: &Value) -> String {
    value.as_str().unwrap().to_owned()
}

#[tokio::test]
async fn records_and_tokens_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sandbox.db");

    let before = start(&file).await;
    let login = login(&before, "accounting-v31").await;
    let token = text(&login["access_token"]);
    let (status, listed) = v31(&before, &token, Method::GET, "/contacts?items_per_page=100", None).await;
    assert_eq!((status, listed["$total"].as_u64()), (StatusCode::OK, Some(25)));
    let seeded_id = text(&listed["$items"][0]["id"]);

    let (status, kept) =
        v31(&before, &token, Method::POST, "/contacts", Some(json!({"contact": {"name": "Kept Ltd"}}))).await;
    assert_eq!(status, StatusCode::CREATED);
    let kept_id = text(&kept["id"]);
    let renamed = json!({"contact": {"name": "Renamed Ltd"}});
    let (status, _) = v31(&before, &token, Method::PUT, &format!("/contacts/{seeded_id}"), Some(renamed)).await;
    assert_eq!(status, StatusCode::OK);
    let deleted_id = text(&listed["$items"][1]["id"]);
    let (status, _) = v31(&before, &token, Method::DELETE, &format!("/contacts/{deleted_id}"), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    let used = text(&login["refresh_token"]);
    let (status, rotated) = refresh(&before, &used).await;
    assert_eq!(status, StatusCode::OK, "{rotated}");
    let latest = text(&rotated["refresh_token"]);
    let access_after_rotation = text(&rotated["access_token"]);
    before.shutdown().await;

    let after = start(&file).await;
    // The access token issued before the restart still opens the API.
    let (status, listed) = v31(&after, &access_after_rotation, Method::GET, "/contacts?items_per_page=100", None).await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    assert_eq!(listed["$total"].as_u64(), Some(25), "25 seeded + 1 created - 1 deleted, seed not repeated");
    let (status, fetched) =
        v31(&after, &access_after_rotation, Method::GET, &format!("/contacts/{kept_id}"), None).await;
    assert_eq!((status, fetched["name"].as_str()), (StatusCode::OK, Some("Kept Ltd")));
    let (_, fetched) = v31(&after, &access_after_rotation, Method::GET, &format!("/contacts/{seeded_id}"), None).await;
    assert_eq!(fetched["name"].as_str(), Some("Renamed Ltd"));
    let (status, _) = v31(&after, &access_after_rotation, Method::GET, &format!("/contacts/{deleted_id}"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, body) = refresh(&after, &used).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")), "used token");
    let (status, body) = refresh(&after, &latest).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = refresh(&after, &latest).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")), "works once");
}

#[tokio::test]
async fn a_tenant_emptied_by_the_user_is_not_seeded_again() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sandbox.db");
    let before = start(&file).await;
    let token = access_token(&before, "sage200-pro").await;
    let customers = |sandbox: &Sandbox, token: &str, method: Method, path: &str| {
        let base = sandbox.endpoints("sage200-pro").unwrap().api_base_url;
        http()
            .request(method, format!("{base}/customers{path}"))
            .bearer_auth(token)
            .header("X-Site", sage_sandbox::fixtures::SAGE200_SITE_ID)
            .header("X-Company", "2")
    };
    let listed: Value = customers(&before, &token, Method::GET, "").send().await.unwrap().json().await.unwrap();
    let ids: Vec<u64> = listed.as_array().unwrap().iter().map(|customer| customer["id"].as_u64().unwrap()).collect();
    assert!(!ids.is_empty(), "{listed}");
    for id in ids {
        let response = customers(&before, &token, Method::DELETE, &format!("/{id}")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "Sage 200 answers a delete with 200");
    }
    before.shutdown().await;

    let after = start(&file).await;
    let listed: Value = customers(&after, &token, Method::GET, "").send().await.unwrap().json().await.unwrap();
    assert_eq!(listed, json!([]), "the deleted customers stay deleted");
}

#[tokio::test]
async fn a_corrupt_file_stops_the_start_and_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("corrupt.db");
    let garbage = b"this was never an SQLite database, but it is long enough to have a header".repeat(20);
    std::fs::write(&file, &garbage).unwrap();

    let error = Sandbox::builder().data_file(&file).start().await.unwrap_err();
    assert!(matches!(error, StartError::DataFile { .. }), "{error:?}");
    assert!(error.to_string().contains(&file.display().to_string()), "{error}");
    assert_eq!(std::fs::read(&file).unwrap(), garbage, "never reset");
}

#[tokio::test]
async fn another_programs_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notes.db");
    let foreign = rusqlite::Connection::open(&file).unwrap();
    foreign.execute_batch("CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('keep me');").unwrap();
    drop(foreign);

    let error = Sandbox::builder().data_file(&file).start().await.unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains(&file.display().to_string()) && message.contains("not a sage-sandbox data file"),
        "{message}"
    );
}
