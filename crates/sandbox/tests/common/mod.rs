//! Helpers shared by the black-box tests: a sandbox on port 0 and an HTTP client that never follows redirects.

#![allow(dead_code)]

use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode};
use sage_sandbox::{DemoClient, Sandbox};
use serde_json::Value;

/// A client that shows redirects instead of following them (the callback URL is not served).
pub fn http() -> Client {
    Client::builder().redirect(Policy::none()).build().unwrap()
}

/// A sandbox that approves consent at once.
pub async fn auto_sandbox() -> Sandbox {
    Sandbox::builder().auto_approve(true).start().await.unwrap()
}

/// A sandbox that approves consent at once and answers in the shapes of Sage's specs.
pub async fn spec_sandbox() -> Sandbox {
    Sandbox::builder().auto_approve(true).spec_shapes(true).start().await.unwrap()
}

/// Query parameters of a redirect's `Location`.
pub fn location_params(response: &reqwest::Response) -> Vec<(String, String)> {
    let location = response.headers()["location"].to_str().unwrap();
    url::Url::parse(location).unwrap().query_pairs().into_owned().collect()
}

/// One query parameter of a redirect's `Location`.
pub fn location_param(response: &reqwest::Response, name: &str) -> Option<String> {
    location_params(response).into_iter().find(|(key, _)| key == name).map(|(_, value)| value)
}

/// Runs the authorize step for `product` and returns the code; `extra` adds query parameters.
pub async fn authorize(sandbox: &Sandbox, product: &str, client: &DemoClient, extra: &[(&str, &str)]) -> String {
    let response = authorize_response(sandbox, product, client, extra).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    location_param(&response, "code").expect("a code on the redirect")
}

/// The raw authorize response.
pub async fn authorize_response(
    sandbox: &Sandbox,
    product: &str,
    client: &DemoClient,
    extra: &[(&str, &str)],
) -> reqwest::Response {
    let endpoints = sandbox.endpoints(product).unwrap();
    let scope = if product.starts_with("sage200") { "openid profile email offline_access" } else { "full_access" };
    let mut query = vec![
        ("response_type", "code"),
        ("client_id", client.client_id.as_str()),
        ("redirect_uri", client.redirect_uris[0].as_str()),
        ("scope", scope),
        ("state", "xyz-state"),
        ("audience", "s200ukipd/sage200"),
    ];
    query.extend_from_slice(extra);
    http().get(&endpoints.authorize_url).query(&query).send().await.unwrap()
}

/// Posts a form to the product's token endpoint with the client's credentials in the body.
pub async fn token_request(
    sandbox: &Sandbox,
    product: &str,
    client: &DemoClient,
    form: &[(&str, &str)],
) -> (StatusCode, Value) {
    let endpoints = sandbox.endpoints(product).unwrap();
    let mut form = form.to_vec();
    form.push(("client_id", &client.client_id));
    if let Some(secret) = &client.client_secret {
        form.push(("client_secret", secret));
    }
    let response = http().post(&endpoints.token_url).form(&form).send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

/// Exchanges a code with the client's first redirect URI.
pub async fn exchange(sandbox: &Sandbox, product: &str, client: &DemoClient, code: &str) -> (StatusCode, Value) {
    let redirect_uri = client.redirect_uris[0].clone();
    token_request(
        sandbox,
        product,
        client,
        &[("grant_type", "authorization_code"), ("code", code), ("redirect_uri", &redirect_uri)],
    )
    .await
}

/// A full authorization-code flow; returns the token response.
pub async fn login(sandbox: &Sandbox, product: &str) -> Value {
    let client = sandbox.demo_client();
    let code = authorize(sandbox, product, &client, &[]).await;
    let (status, body) = exchange(sandbox, product, &client, &code).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// The access token of a fresh login.
pub async fn access_token(sandbox: &Sandbox, product: &str) -> String {
    login(sandbox, product).await["access_token"].as_str().unwrap().to_owned()
}

/// A hand-made product with full CRUD on each of `collections` (paths relative to the base URL).
pub fn product(
    name: &str,
    policy: sage_sandbox::schema::ir::HeaderPolicy,
    pagination: sage_sandbox::schema::ir::Pagination,
    base_url: &str,
    collections: &[&str],
) -> sage_sandbox::schema::ir::Product {
    use sage_sandbox::schema::ir::*;
    let operation = |name: String, method: Method, path: String, response: Response| Operation {
        name,
        method,
        path,
        summary: String::new(),
        description: String::new(),
        params: Vec::new(),
        body: None,
        response,
        idempotent: true,
        deprecated: None,
        editions: Vec::new(),
    };
    let resources = collections
        .iter()
        .map(|collection| {
            let short = collection.rsplit('/').next().unwrap().to_owned();
            let item = format!("{collection}/{{key}}");
            let one = || Response::One(Type::Json);
            Resource {
                name: short.clone(),
                description: String::new(),
                operations: vec![
                    operation(format!("list_{short}"), Method::Get, collection.to_string(), Response::List(Type::Json)),
                    operation(format!("get_{short}"), Method::Get, item.clone(), one()),
                    operation(format!("create_{short}"), Method::Post, collection.to_string(), one()),
                    operation(format!("update_{short}"), Method::Put, item.clone(), one()),
                    operation(format!("delete_{short}"), Method::Delete, item, Response::None),
                ],
            }
        })
        .collect();
    Product {
        name: name.into(),
        schema_dir: name.into(),
        title: name.into(),
        crate_name: format!("sage-{name}"),
        shared_crate: None,
        description: String::new(),
        base_url: base_url.into(),
        auth_profile: match policy {
            HeaderPolicy::Sage200 => AuthProfile::Sage200,
            HeaderPolicy::AccountingV3 => AuthProfile::AccountingV3,
            HeaderPolicy::AccountingV31 => AuthProfile::AccountingV31,
        },
        header_policy: policy,
        pagination,
        area_crates: false,
        decimal_format: DecimalFormat::String,
        areas: vec![Area { name: "common".into(), description: String::new(), resources, models: Vec::new() }],
    }
}

/// A sandbox serving [`api_products`].
pub async fn api_sandbox(rate_limit: Option<u32>) -> Sandbox {
    Sandbox::builder().auto_approve(true).rate_limit(rate_limit).products(api_products()).start().await.unwrap()
}

/// Hand-made v3.1, v3 and Sage 200 Professional products.
pub fn api_products() -> Vec<sage_sandbox::schema::ir::Product> {
    use sage_sandbox::schema::ir::{HeaderPolicy, Pagination};
    vec![
        product(
            "accounting-v31",
            HeaderPolicy::AccountingV31,
            Pagination::Envelope,
            "https://api.accounting.sage.com/v3.1",
            &["/contacts", "/sales_invoices"],
        ),
        product(
            "accounting-v3",
            HeaderPolicy::AccountingV3,
            Pagination::Envelope,
            "https://api.columbus.sage.com/{country}/sageone",
            &["/accounts/v3/contacts"],
        ),
        product(
            "sage200-pro",
            HeaderPolicy::Sage200,
            Pagination::OData,
            "https://api.columbus.sage.com/uk/sage200extra/accounts/v1",
            &["/customers"],
        ),
    ]
}
