//! Black-box tests of the APIs: auth, header rules, paging, CRUD, businesses and rate limiting.

mod common;

use common::*;
use reqwest::{RequestBuilder, StatusCode};
use sage_sandbox::fixtures::{self, V31_BUSINESSES};
use sage_sandbox::Sandbox;
use serde_json::{json, Value};

fn v31(sandbox: &Sandbox, token: &str, method: reqwest::Method, path: &str) -> RequestBuilder {
    let base = sandbox.endpoints("accounting-v31").unwrap().api_base_url;
    http().request(method, format!("{base}{path}")).bearer_auth(token)
}

async fn error_code(response: reqwest::Response) -> String {
    let body: Value = response.json().await.unwrap();
    assert_eq!(body[0]["$severity"], "error", "{body}");
    body[0]["$dataCode"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn requests_need_a_live_token_of_the_right_family() {
    let sandbox = api_sandbox(None).await;
    let base = sandbox.endpoints("accounting-v31").unwrap().api_base_url;
    let response = http().get(format!("{base}/contacts")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(response).await, "AuthorizationFailure");

    let sage200_token = access_token(&sandbox, "sage200-pro").await;
    let response = v31(&sandbox, &sage200_token, reqwest::Method::GET, "/contacts").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    let token = access_token(&sandbox, "accounting-v31").await;
    assert_eq!(v31(&sandbox, &token, reqwest::Method::GET, "/contacts").send().await.unwrap().status(), StatusCode::OK);
    sandbox.expire_access_tokens();
    let response = v31(&sandbox, &token, reqwest::Method::GET, "/contacts").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(sandbox.stats().api_unauthorized, 3);
}

#[tokio::test]
async fn envelope_pages_follow_next_links() {
    let sandbox = api_sandbox(None).await;
    let token = access_token(&sandbox, "accounting-v31").await;
    let first: Value =
        v31(&sandbox, &token, reqwest::Method::GET, "/contacts").send().await.unwrap().json().await.unwrap();
    assert_eq!(
        (first["$total"].as_u64(), first["$page"].as_u64(), first["$itemsPerPage"].as_u64()),
        (Some(25), Some(1), Some(20))
    );
    assert_eq!(first["$items"].as_array().unwrap().len(), 20);
    assert!(first["$back"].is_null());
    let next = first["$next"].as_str().unwrap();
    let second: Value = v31(&sandbox, &token, reqwest::Method::GET, next).send().await.unwrap().json().await.unwrap();
    assert_eq!(second["$items"].as_array().unwrap().len(), 5);
    assert!(second["$next"].is_null());
    assert_eq!(second["$back"].as_str(), Some("/contacts?page=1&items_per_page=20"));
    assert_ne!(first["$items"][0]["id"], second["$items"][0]["id"]);
}

#[tokio::test]
async fn crud_unwraps_bodies_merges_updates_and_deletes() {
    let sandbox = api_sandbox(None).await;
    let token = access_token(&sandbox, "accounting-v31").await;
    let response = v31(&sandbox, &token, reqwest::Method::POST, "/contacts")
        .json(&json!({"contact": {"name": "New Ltd", "email": "a@b.invalid"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Value = response.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["name"], "New Ltd");
    assert_eq!(created["$path"], format!("/contacts/{id}"));

    let path = format!("/contacts/{id}");
    let updated: Value = v31(&sandbox, &token, reqwest::Method::PUT, &path)
        .json(&json!({"contact": {"name": "Renamed Ltd"}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!((updated["name"].as_str(), updated["email"].as_str()), (Some("Renamed Ltd"), Some("a@b.invalid")));
    let fetched: Value = v31(&sandbox, &token, reqwest::Method::GET, &path).send().await.unwrap().json().await.unwrap();
    assert_eq!(fetched, updated);

    let response = v31(&sandbox, &token, reqwest::Method::DELETE, &path).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let response = v31(&sandbox, &token, reqwest::Method::GET, &path).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_code(response).await, "RecordNotFound");
}

#[tokio::test]
async fn v31_refuses_non_json_bodies_with_415() {
    let sandbox = api_sandbox(None).await;
    let token = access_token(&sandbox, "accounting-v31").await;
    let response = v31(&sandbox, &token, reqwest::Method::POST, "/contacts")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("name=x")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(error_code(response).await, "UnsupportedMediaType");
}

#[tokio::test]
async fn x_business_selects_data_and_is_echoed() {
    let sandbox = api_sandbox(None).await;
    let token = access_token(&sandbox, "accounting-v31").await;
    let [lead, other, _] = V31_BUSINESSES;

    let response = v31(&sandbox, &token, reqwest::Method::GET, "/contacts?attributes=name").send().await.unwrap();
    assert_eq!(response.headers()["x-business"], lead.id);
    let lead_contacts: Value = response.json().await.unwrap();
    assert!(lead_contacts["$items"][0]["name"].as_str().unwrap().ends_with(lead.name));

    let response = v31(&sandbox, &token, reqwest::Method::GET, "/contacts?attributes=name")
        .header("X-Business", other.id)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-business"], other.id);
    let other_contacts: Value = response.json().await.unwrap();
    assert!(other_contacts["$items"][0]["name"].as_str().unwrap().ends_with(other.name));

    let response =
        v31(&sandbox, &token, reqwest::Method::GET, "/contacts").header("X-Business", "nope").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_code(response).await, "AccessDenied");

    assert!(sandbox.set_lead_business(other.id));
    assert!(!sandbox.set_lead_business("nope"));
    let response = v31(&sandbox, &token, reqwest::Method::GET, "/businesses/lead").send().await.unwrap();
    assert_eq!(response.headers()["x-business"], other.id);
    let business: Value = response.json().await.unwrap();
    assert_eq!((business["id"].as_str(), business["is_lead"].as_bool()), (Some(other.id), Some(true)));
}

#[tokio::test]
async fn v31_user_and_businesses_work_without_a_schema() {
    let sandbox = Sandbox::builder().auto_approve(true).products(Vec::new()).start().await.unwrap();
    let token = access_token(&sandbox, "accounting-v31").await;
    let businesses: Value =
        v31(&sandbox, &token, reqwest::Method::GET, "/businesses").send().await.unwrap().json().await.unwrap();
    assert_eq!(businesses["$total"], 3);
    let user: Value = v31(&sandbox, &token, reqwest::Method::GET, "/user").send().await.unwrap().json().await.unwrap();
    assert_eq!(user["id"], fixtures::USER_ID);
    let response = v31(&sandbox, &token, reqwest::Method::GET, "/contacts").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn v3_needs_x_site_and_the_subscription_key() {
    let sandbox = api_sandbox(None).await;
    let token = access_token(&sandbox, "accounting-v3").await;
    let base = sandbox.endpoints("accounting-v3").unwrap().api_base_url;
    let url = format!("{base}/accounts/v3/contacts");
    let response = http().get(&url).bearer_auth(&token).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body[0]["$dataCode"], "HeaderNotFound");
    assert_eq!(body[0]["$message"], "Header X-Site was not found");

    let with_site = || http().get(&url).bearer_auth(&token).header("X-Site", fixtures::V3_SITE_ID);
    let response = with_site().send().await.unwrap();
    assert_eq!(error_code(response).await, "HeaderNotFound");
    let response = with_site().header("Ocp-Apim-Subscription-Key", "key").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let page: Value = response.json().await.unwrap();
    assert_eq!(page["$total"], 25);
}

#[tokio::test]
async fn sage200_needs_company_and_site_and_speaks_odata() {
    let sandbox = api_sandbox(None).await;
    let token = access_token(&sandbox, "sage200-pro").await;
    let base = sandbox.endpoints("sage200-pro").unwrap().api_base_url;
    let response = http().get(format!("{base}/customers")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(error_code(response).await, "HeaderNotFound");

    let sites: Value =
        http().get(format!("{base}/sites")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(sites[0]["site_id"], fixtures::SAGE200_SITE_ID);
    assert_eq!(sites[0]["company_id"], 1, "one flat row per company, as the spec's Site model");
    assert_eq!(sites.as_array().map(Vec::len), Some(fixtures::SAGE200_COMPANIES.len()));

    let customers: Value = http()
        .get(format!("{base}/customers"))
        .query(&[("$filter", "reference eq 'ABS001'")])
        .bearer_auth(&token)
        .header("X-Company", "1")
        .header("X-Site", fixtures::SAGE200_SITE_ID)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(customers.as_array().unwrap().len(), 1);
    assert_eq!(
        (customers[0]["name"].as_str(), customers[0]["balance"].as_f64()),
        (Some("ABS Garages Ltd"), Some(2464.16))
    );
    assert_eq!(customers[0]["credit_limit"].as_f64(), Some(4000.0));
}

#[tokio::test]
async fn over_the_rate_limit_answers_429_with_retry_after() {
    let sandbox = api_sandbox(Some(2)).await;
    let token = access_token(&sandbox, "accounting-v31").await;
    for _ in 0..2 {
        assert_eq!(v31(&sandbox, &token, reqwest::Method::GET, "/user").send().await.unwrap().status(), StatusCode::OK);
    }
    let response = v31(&sandbox, &token, reqwest::Method::GET, "/user").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let seconds: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&seconds));
    assert_eq!(sandbox.stats().rate_limited, 1);
}
