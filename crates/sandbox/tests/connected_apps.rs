//! The demo user's connected-apps page: it lists the apps holding tokens, and its button revokes one
//! app's access on one identity server at once (its access token and refresh token stop working).

mod common;

use common::*;
use reqwest::StatusCode;
use sage_sandbox::{Sandbox, DEMO_CLIENT_ID};

async fn page(sandbox: &Sandbox) -> String {
    let response = http().get(format!("{}/connected-apps", sandbox.url())).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.text().await.unwrap()
}

async fn contacts_status(sandbox: &Sandbox, token: &str) -> StatusCode {
    let url = format!("{}/contacts", sandbox.endpoints("accounting-v31").unwrap().api_base_url);
    http().get(url).bearer_auth(token).send().await.unwrap().status()
}

#[tokio::test]
async fn revoking_an_app_ends_its_access_and_refresh_tokens_of_that_server_only() {
    let sandbox = auto_sandbox().await;
    assert!(page(&sandbox).await.contains("No app holds a token."));
    let v31 = login(&sandbox, "accounting-v31").await;
    let sage200 = login(&sandbox, "sage200-pro").await;
    let listed = page(&sandbox).await;
    assert!(listed.contains("Accounting v3.1") && listed.contains("Sage ID (Sage 200)"), "{listed}");
    assert!(listed.contains(DEMO_CLIENT_ID), "{listed}");
    let access = v31["access_token"].as_str().unwrap();
    assert_eq!(contacts_status(&sandbox, access).await, StatusCode::OK);

    let form = [("family", "accounting-v31"), ("client_id", DEMO_CLIENT_ID)];
    let url = format!("{}/connected-apps/revoke", sandbox.url());
    let answer = http().post(url).form(&form).send().await.unwrap().text().await.unwrap();
    assert!(answer.contains("Access revoked for sage-sandbox-demo on Accounting v3.1: 2 tokens"), "{answer}");
    assert!(!answer.contains("Accounting v3.1</td>"), "no longer listed: {answer}");
    assert_eq!(sandbox.stats().revocations, 1);

    assert_eq!(contacts_status(&sandbox, access).await, StatusCode::UNAUTHORIZED);
    let client = sandbox.demo_client();
    let refresh = [("grant_type", "refresh_token"), ("refresh_token", v31["refresh_token"].as_str().unwrap())];
    let (status, body) = token_request(&sandbox, "accounting-v31", &client, &refresh).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
    let description = body["error_description"].as_str().unwrap_or_default();
    assert!(description.contains("revoked this app's access"), "the refusal says why: {body}");
    let refresh = [("grant_type", "refresh_token"), ("refresh_token", sage200["refresh_token"].as_str().unwrap())];
    let (status, _) = token_request(&sandbox, "sage200-pro", &client, &refresh).await;
    assert_eq!(status, StatusCode::OK, "Sage ID's tokens are untouched");
}

#[tokio::test]
async fn an_unknown_identity_server_is_refused_and_names_are_escaped() {
    let sandbox = auto_sandbox().await;
    let url = format!("{}/connected-apps/revoke", sandbox.url());
    let form = [("family", "sage50"), ("client_id", DEMO_CLIENT_ID)];
    assert_eq!(http().post(&url).form(&form).send().await.unwrap().status(), StatusCode::BAD_REQUEST);
    let form = [("family", "sage-id"), ("client_id", "<script>x</script>")];
    let answer = http().post(&url).form(&form).send().await.unwrap().text().await.unwrap();
    assert!(answer.contains("&lt;script&gt;x&lt;/script&gt; holds no token on Sage ID"), "{answer}");
    assert!(!answer.contains("<script>"), "{answer}");
}
