//! Helpers shared by the `oauth_*` integration tests: a sandbox, clients for it, and consent
//! without a browser.
#![allow(dead_code)]

use sage_core::auth::{AuthProfile, AuthorizationResponse, ClientSecret, CsrfState, OAuthClient, TokenSet, V3Region};
use sage_sandbox::Sandbox;

/// A sandbox that approves every authorization request at once.
pub async fn sandbox() -> Sandbox {
    Sandbox::builder().auto_approve(true).start().await.expect("sandbox starts")
}

/// The sandbox product name and the profile whose endpoints it overrides.
pub fn profile(sandbox: &Sandbox, product: &str) -> AuthProfile {
    let base = match product {
        "sage200-pro" | "sage200-standard" => AuthProfile::sage200(),
        "accounting-v3" => AuthProfile::accounting_v3(V3Region::Europe),
        _ => AuthProfile::accounting_v31(),
    };
    let endpoints = sandbox.endpoints(product).expect("the sandbox serves this product");
    base.with_authorize_url(endpoints.authorize_url)
        .with_token_url(endpoints.token_url)
        .with_revoke_url(endpoints.revoke_url)
}

/// The sandbox's confidential demo client for `product`.
pub fn confidential(sandbox: &Sandbox, product: &str) -> OAuthClient {
    let demo = sandbox.demo_client();
    OAuthClient::new(profile(sandbox, product), demo.client_id, &demo.redirect_uris[0])
        .unwrap()
        .with_client_secret(ClientSecret::new(demo.client_secret.unwrap()))
}

/// Follows the authorize URL without following redirects and returns the `Location` it sends back.
pub async fn redirect_location(url: &url::Url) -> String {
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let response = http.get(url.clone()).send().await.unwrap();
    assert_eq!(response.status(), 302, "the sandbox redirects back");
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// Consent through an auto-approving sandbox: the redirect, already checked against its state.
pub async fn consent(client: &OAuthClient) -> (AuthorizationResponse, Option<sage_core::auth::PkceVerifier>) {
    let request = client.authorize_url();
    let location = redirect_location(&request.url).await;
    let response = sage_core::auth::parse_redirect(&location, &request.state).expect("a valid redirect");
    (response, request.pkce_verifier)
}

/// The whole flow: consent and code exchange.
pub async fn authorize(client: &OAuthClient) -> TokenSet {
    let (response, verifier) = consent(client).await;
    client.exchange_code(response.code(), verifier.as_ref()).await.expect("the code exchange succeeds")
}

/// A state that never matches a real request.
pub fn foreign_state() -> CsrfState {
    CsrfState::new("not-the-state-that-was-sent")
}
