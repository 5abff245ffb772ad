//! The sandbox against the workspace's real `schemas/`: products load and serve their seeded data.

mod common;

use common::*;
use reqwest::StatusCode;
use sage_sandbox::fixtures;
use serde_json::Value;

/// A signed-in Sage 200 GET of `path` for company 1 of the fixture site.
fn sage200_get(base: &str, token: &str, path: &str) -> reqwest::RequestBuilder {
    http()
        .get(format!("{base}{path}"))
        .bearer_auth(token)
        .header("X-Company", "1")
        .header("X-Site", fixtures::SAGE200_SITE_ID)
}

#[tokio::test]
async fn real_schemas_load_and_serve_seeded_records() {
    let sandbox = auto_sandbox().await;
    assert!(sandbox.schema_problems().is_empty(), "{:?}", sandbox.schema_problems());
    let served = sandbox.served_products();

    if served.iter().any(|name| name == "sage200-pro") {
        let token = access_token(&sandbox, "sage200-pro").await;
        let base = sandbox.endpoints("sage200-pro").unwrap().api_base_url;
        let customers: Value = sage200_get(&base, &token, "/customers")
            .query(&[("$filter", "reference eq 'ABS001'")])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(customers[0]["name"], "ABS Garages Ltd", "{customers}");
        let id = customers[0]["id"].as_u64().unwrap();
        let response = sage200_get(&base, &token, &format!("/customers/{id}")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }

    if served.iter().any(|name| name == "accounting-v3") {
        let token = access_token(&sandbox, "accounting-v3").await;
        let base = sandbox.endpoints("accounting-v3").unwrap().api_base_url;
        let response = http()
            .get(format!("{base}/accounts/v3/contacts"))
            .bearer_auth(&token)
            .header("X-Site", fixtures::V3_SITE_ID)
            .header("Ocp-Apim-Subscription-Key", "any")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let page: Value = response.json().await.unwrap();
        assert_eq!(page["$total"], 25, "{page}");
    }
}

/// Both editions are read from `schemas/sage200/`: Standard serves it without what is marked Professional only.
#[tokio::test]
async fn sage200_standard_has_no_professional_only_endpoint() {
    let sandbox = auto_sandbox().await;
    for (product, status) in [("sage200-pro", StatusCode::OK), ("sage200-standard", StatusCode::NOT_FOUND)] {
        let token = access_token(&sandbox, product).await;
        let base = sandbox.endpoints(product).unwrap().api_base_url;
        let response = sage200_get(&base, &token, "/finance_charges").send().await.unwrap();
        assert_eq!(response.status(), status, "{product}");
    }
}
