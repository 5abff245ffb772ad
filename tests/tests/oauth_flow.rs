//! The authorization-code flow against the sandbox's identity servers.

mod oauth_support;

use std::sync::Arc;
use std::time::Duration;

use oauth_support::{authorize, confidential, consent, foreign_state, profile, redirect_location, sandbox};
use sage_core::auth::{
    parse_redirect, AuthError, Authenticator, LoopbackRedirect, MemoryTokenStore, OAuthClient, SageApi,
};
use sage_core::{Client, Method, Request};
use sage_sandbox::Sandbox;

#[tokio::test]
async fn consent_code_token_and_an_api_call_on_v31() {
    let sandbox = sandbox().await;
    let client = confidential(&sandbox, "accounting-v31");
    let tokens = authorize(&client).await;
    assert_eq!(tokens.api(), SageApi::AccountingV31);
    assert!(tokens.access_token().secret().len() >= 2048, "v3.1 tokens may be 2 KiB long");
    assert!(tokens.refresh_token().is_some() && tokens.requested_by_id().is_some());
    let refresh_left = (tokens.refresh_expires_at().unwrap() - tokens.received_at()).to_std().unwrap();
    assert!(refresh_left > Duration::from_secs(30 * 86_400), "v3.1 states a 31-day refresh lifetime");

    let auth = Authenticator::new(client, Arc::new(MemoryTokenStore::new()));
    auth.set_tokens(tokens).await.unwrap();
    let api = Client::builder(sage_accounting_v31::PRODUCT)
        .base_url(sandbox.endpoints("accounting-v31").unwrap().api_base_url)
        .auth(auth)
        .build()
        .unwrap();
    let user = api.execute(&Request::new("get_user", Method::Get, "/user")).await.unwrap();
    assert!(!user.body.is_empty());
    let stats = sandbox.stats();
    assert_eq!((stats.authorization_code_grants, stats.api_unauthorized), (1, 0));
}

#[tokio::test]
async fn sage200_and_v3_tokens_carry_their_extra_fields() {
    let sandbox = sandbox().await;
    let sage200 = authorize(&confidential(&sandbox, "sage200-pro")).await;
    assert_eq!(sage200.api(), SageApi::Sage200);
    assert!(sage200.id_token().is_some(), "Sage ID adds an OpenID Connect ID token");

    let v3 = confidential(&sandbox, "accounting-v3");
    let (response, verifier) = consent(&v3).await;
    assert!(response.country().is_some(), "v3 redirects name the business's country");
    let tokens = v3.exchange_code(response.code(), verifier.as_ref()).await.expect("HTTP Basic client auth works");
    assert!(tokens.resource_owner_id().is_some(), "v3's resource_owner_id is the X-Site value");
    assert_eq!(tokens.refresh_expires_at(), None, "v3 refresh tokens do not expire");
}

#[tokio::test]
async fn a_public_client_completes_the_flow_through_the_loopback_listener() {
    // A random loopback port: only accepted with the RFC 8252 opt-in (Sage itself matches exactly).
    let sandbox = Sandbox::builder().auto_approve(true).any_loopback_port(true).start().await.unwrap();
    let loopback = LoopbackRedirect::bind("/callback").await.unwrap();
    let public = sandbox.demo_public_client();
    let client =
        OAuthClient::new(profile(&sandbox, "accounting-v31"), public.client_id, loopback.redirect_uri()).unwrap();
    let request = client.authorize_url();
    assert!(request.pkce_verifier.is_some(), "public clients always use PKCE");

    let state = request.state.clone();
    let waiting = tokio::spawn(async move { loopback.wait(&state, Duration::from_secs(30)).await });
    let location = redirect_location(&request.url).await;
    let page = reqwest::get(&location).await.unwrap();
    assert_eq!(page.status(), 200, "the browser sees a short confirmation page");
    let response = waiting.await.unwrap().unwrap();

    let tokens = client.exchange_code(response.code(), request.pkce_verifier.as_ref()).await.unwrap();
    assert_eq!(tokens.api(), SageApi::AccountingV31);
}

#[tokio::test]
async fn a_redirect_with_another_state_is_refused_and_its_code_never_sent() {
    let sandbox = sandbox().await;
    let client = confidential(&sandbox, "accounting-v31");
    let request = client.authorize_url();
    let location = redirect_location(&request.url).await;
    assert!(matches!(parse_redirect(&location, &foreign_state()), Err(AuthError::StateMismatch)));
    assert_eq!(sandbox.stats().token_requests, 0);
}

#[tokio::test]
async fn a_denied_consent_becomes_a_typed_error() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let client = confidential(&sandbox, "accounting-v31");
    let request = client.authorize_url();
    let page = reqwest::get(request.url.clone()).await.unwrap().text().await.unwrap();
    let consent_id = page.split("name=\"consent\" value=\"").nth(1).unwrap().split('"').next().unwrap();
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let answer = http
        .post(format!("{}/consent", sandbox.url()))
        .form(&[("consent", consent_id), ("decision", "deny")])
        .send()
        .await
        .unwrap();
    let location = answer.headers()["location"].to_str().unwrap();
    let err = parse_redirect(location, &request.state).unwrap_err();
    assert!(matches!(err, AuthError::AuthorizationDenied { ref error, .. } if error == "access_denied"), "{err}");
}

#[tokio::test]
async fn a_code_works_once() {
    let sandbox = sandbox().await;
    let client = confidential(&sandbox, "sage200-pro");
    let (response, verifier) = consent(&client).await;
    client.exchange_code(response.code(), verifier.as_ref()).await.unwrap();
    let again = client.exchange_code(response.code(), verifier.as_ref()).await.unwrap_err();
    assert!(matches!(again, AuthError::ReauthorizationRequired { .. }), "{again}");
}

#[tokio::test]
async fn a_revoked_refresh_token_requires_reauthorization() {
    let sandbox = sandbox().await;
    let client = confidential(&sandbox, "accounting-v31");
    let tokens = authorize(&client).await;
    client.revoke(tokens.refresh_token().unwrap()).await.unwrap();
    assert_eq!(sandbox.stats().revocations, 1);
    assert!(matches!(client.refresh(&tokens).await, Err(AuthError::ReauthorizationRequired { .. })));
}
