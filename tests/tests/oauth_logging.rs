//! No secret of a full OAuth flow ever reaches tracing output.

mod oauth_support;

use std::sync::Arc;

use oauth_support::{confidential, redirect_location};
use sage_core::auth::{parse_redirect, Authenticate, Authenticator, MemoryTokenStore};
use sage_core::{Client, Method, Request};
use sage_tests::CapturedLogs;

#[tokio::test(flavor = "current_thread")]
async fn a_full_flow_logs_no_token_code_verifier_or_secret() {
    let (logs, _guard) = CapturedLogs::install();

    let sandbox = oauth_support::sandbox().await;
    let client = confidential(&sandbox, "sage200-pro");
    let request = client.authorize_url();
    let location = redirect_location(&request.url).await;
    let response = parse_redirect(&location, &request.state).unwrap();
    let tokens = client.exchange_code(response.code(), request.pkce_verifier.as_ref()).await.unwrap();
    let auth = Arc::new(Authenticator::new(client, Arc::new(MemoryTokenStore::new())));
    auth.set_tokens(tokens.clone()).await.unwrap();
    let refreshed = auth.refresh_after_rejection(tokens.access_token()).await.unwrap();
    tracing::info!(?tokens, ?response, ?request, ?auth, "debug output of every auth value");
    let api = Client::builder(sage_accounting_v31::PRODUCT)
        .base_url(sandbox.endpoints("accounting-v31").unwrap().api_base_url)
        .shared_auth(auth.clone())
        .build()
        .unwrap();
    let _ = api.execute(&Request::new("get_user", Method::Get, "/user")).await; // a Sage 200 token: refused

    let text = logs.text();
    assert!(text.contains("refreshing access token"), "the capture sees auth events:\n{text}");
    let demo_secret = sandbox.demo_client().client_secret.unwrap();
    let mut secrets = vec![
        tokens.access_token().secret().to_owned(),
        tokens.refresh_token().unwrap().secret().to_owned(),
        tokens.id_token().unwrap().secret().to_owned(),
        refreshed.secret().to_owned(),
        response.code().secret().to_owned(),
        demo_secret,
    ];
    secrets.extend(request.pkce_verifier.as_ref().map(|verifier| verifier.secret().to_owned()));
    for secret in secrets {
        assert!(!text.contains(&secret), "a secret value reached the logs");
    }
}
