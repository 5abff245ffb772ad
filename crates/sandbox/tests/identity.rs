//! Black-box tests of the identity servers over HTTP.

mod common;

use std::time::Duration;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use common::*;
use reqwest::StatusCode;
use sage_sandbox::Sandbox;
use sha2::{Digest, Sha256};

#[tokio::test]
async fn endpoints_exist_for_the_four_products_only() {
    let sandbox = auto_sandbox().await;
    for product in ["sage200-pro", "sage200-standard", "accounting-v3", "accounting-v31"] {
        let endpoints = sandbox.endpoints(product).unwrap();
        assert!(endpoints.token_url.starts_with(sandbox.url()), "{endpoints:?}");
        assert!(endpoints.api_base_url.starts_with("http://127.0.0.1:"), "{endpoints:?}");
    }
    assert!(sandbox.endpoints("sage50").is_none());
    let v31 = sandbox.endpoints("accounting-v31").unwrap();
    assert_eq!(v31.api_base_url, format!("{}/v3.1", sandbox.url()));
    assert_eq!(v31.api, sage_core::auth::SageApi::AccountingV31);
    assert_eq!(sandbox.endpoints("sage200-standard").unwrap().api, sage_core::auth::SageApi::Sage200);
    assert_eq!(sandbox.endpoints("accounting-v3").unwrap().api, sage_core::auth::SageApi::AccountingV3);
}

#[tokio::test]
async fn a_product_without_schemas_has_no_endpoints_and_cannot_sign_in() {
    // Only hand-made products: Sage 200 Standard is not among them, so nothing may guess its URLs.
    let sandbox = api_sandbox(None).await;
    assert!(sandbox.endpoints("sage200-pro").is_some());
    assert!(sandbox.endpoints("sage200-standard").is_none());
    let err = sandbox.sign_in("sage200-standard").await.unwrap_err();
    assert!(matches!(err, sage_sandbox::SignInError::UnknownProduct(ref name) if name == "sage200-standard"), "{err}");
}

#[tokio::test]
async fn v31_token_response_has_sage_lifetimes_and_a_long_token() {
    let sandbox = auto_sandbox().await;
    let body = login(&sandbox, "accounting-v31").await;
    assert_eq!(body["expires_in"], 300);
    assert_eq!(body["refresh_token_expires_in"], 2_678_400);
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["scope"], "full_access");
    assert_eq!(body["requested_by_id"], sage_sandbox::fixtures::USER_ID);
    assert!(body["access_token"].as_str().unwrap().len() >= 2048);
    let stats = sandbox.stats();
    assert_eq!((stats.authorize_requests, stats.token_requests, stats.authorization_code_grants), (1, 1, 1));
}

#[tokio::test]
async fn sage_id_requires_the_audience_and_returns_an_id_token() {
    let sandbox = auto_sandbox().await;
    let client = sandbox.demo_client();
    let response = authorize_response(&sandbox, "sage200-pro", &client, &[("audience", "wrong")]).await;
    // The wrong value comes after the right one in the query; the sandbox reads the last occurrence.
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(location_param(&response, "error").as_deref(), Some("invalid_request"));
    assert_eq!(location_param(&response, "state").as_deref(), Some("xyz-state"));

    let body = login(&sandbox, "sage200-standard").await;
    assert_eq!(body["expires_in"], 28_800);
    let id_token = body["id_token"].as_str().unwrap();
    let claims = id_token.split('.').nth(1).unwrap();
    let claims: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims).unwrap()).unwrap();
    assert_eq!(claims["aud"], sage_sandbox::DEMO_CLIENT_ID);
}

#[tokio::test]
async fn v3_sends_country_takes_basic_auth_and_keeps_its_refresh_token() {
    let sandbox = auto_sandbox().await;
    let client = sandbox.demo_client();
    let response = authorize_response(&sandbox, "accounting-v3", &client, &[("country", "IE")]).await;
    assert_eq!(location_param(&response, "country").as_deref(), Some("ie"));
    let code = location_param(&response, "code").unwrap();

    let endpoints = sandbox.endpoints("accounting-v3").unwrap();
    let basic = STANDARD.encode(format!("{}:{}", client.client_id, client.client_secret.clone().unwrap()));
    let form = [("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", &client.redirect_uris[0])];
    let response = http()
        .post(&endpoints.token_url)
        .header("authorization", format!("Basic {basic}"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["expires_in"], 3_600);
    assert_eq!(body["resource_owner_id"], sage_sandbox::fixtures::V3_SITE_ID);

    let refresh_token = body["refresh_token"].as_str().unwrap();
    for _ in 0..2 {
        let (status, again) = token_request(
            &sandbox,
            "accounting-v3",
            &client,
            &[("grant_type", "refresh_token"), ("refresh_token", refresh_token)],
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(again["refresh_token"], refresh_token);
    }
}

#[tokio::test]
async fn unregistered_redirect_uri_is_refused_without_redirecting() {
    let sandbox = auto_sandbox().await;
    let client = sandbox.demo_client();
    let response =
        authorize_response(&sandbox, "accounting-v31", &client, &[("redirect_uri", "http://evil.example/callback")])
            .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.headers().get("location").is_none());
}

#[tokio::test]
async fn code_exchange_needs_the_same_redirect_uri() {
    let sandbox = auto_sandbox().await;
    let client = sandbox.demo_client();
    let code = authorize(&sandbox, "accounting-v31", &client, &[]).await;
    let (status, body) = token_request(
        &sandbox,
        "accounting-v31",
        &client,
        &[("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", &client.redirect_uris[1])],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");
}

#[tokio::test]
async fn codes_are_single_use() {
    let sandbox = auto_sandbox().await;
    let client = sandbox.demo_client();
    let code = authorize(&sandbox, "accounting-v31", &client, &[]).await;
    assert_eq!(exchange(&sandbox, "accounting-v31", &client, &code).await.0, StatusCode::OK);
    let (status, body) = exchange(&sandbox, "accounting-v31", &client, &code).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");
    assert_eq!(sandbox.stats().token_errors, 1);
}

#[tokio::test]
async fn codes_only_work_at_their_own_token_endpoint() {
    let sandbox = auto_sandbox().await;
    let client = sandbox.demo_client();
    let code = authorize(&sandbox, "accounting-v31", &client, &[]).await;
    let (status, body) = exchange(&sandbox, "sage200-pro", &client, &code).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
}

#[tokio::test]
async fn codes_expire_after_sixty_scaled_seconds_floored_at_one() {
    let sandbox = Sandbox::builder().auto_approve(true).time_scale(1.0 / 300.0).start().await.unwrap();
    let client = sandbox.demo_client();
    let code = authorize(&sandbox, "accounting-v31", &client, &[]).await;
    // 60 s × 1/300 is 0.2 s, which the sandbox floors at 1 s.
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    let (status, body) = exchange(&sandbox, "accounting-v31", &client, &code).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
}

fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

#[tokio::test]
async fn pkce_s256_and_plain_are_checked() {
    let sandbox = auto_sandbox().await;
    let client = sandbox.demo_public_client();
    let verifier = "a-verifier-that-is-long-enough-for-rfc-7636-000000";
    let challenge = s256(verifier);
    let pkce = [("code_challenge", challenge.as_str()), ("code_challenge_method", "S256")];
    let redirect = client.redirect_uris[0].clone();

    let code = authorize(&sandbox, "accounting-v31", &client, &pkce).await;
    let form = [("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", &redirect)];
    let (status, body) = token_request(&sandbox, "accounting-v31", &client, &form).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")), "verifier missing");

    let code = authorize(&sandbox, "accounting-v31", &client, &pkce).await;
    let mut form = vec![("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", &redirect)];
    form.push(("code_verifier", "a-different-verifier-that-is-long-enough-000000000"));
    let (status, body) = token_request(&sandbox, "accounting-v31", &client, &form).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")), "wrong verifier");

    let code = authorize(&sandbox, "accounting-v31", &client, &pkce).await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("redirect_uri", &redirect),
        ("code_verifier", verifier),
    ];
    assert_eq!(token_request(&sandbox, "accounting-v31", &client, &form).await.0, StatusCode::OK);

    let plain = [("code_challenge", verifier), ("code_challenge_method", "plain")];
    let code = authorize(&sandbox, "sage200-pro", &client, &plain).await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("redirect_uri", &redirect),
        ("code_verifier", verifier),
    ];
    assert_eq!(token_request(&sandbox, "sage200-pro", &client, &form).await.0, StatusCode::OK);
}

#[tokio::test]
async fn redirect_uris_match_exactly_unless_the_loopback_rule_is_opted_in() {
    let sandbox = auto_sandbox().await;
    let client = sandbox.demo_public_client();
    let other_port = "http://127.0.0.1:49152/callback";
    let response = authorize_response(&sandbox, "accounting-v31", &client, &[("redirect_uri", other_port)]).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST, "Sage needs the complete URL registered");
    assert!(response.headers().get("location").is_none());
    let default_port = "http://127.0.0.1:8791/callback";
    let response = authorize_response(&sandbox, "accounting-v31", &client, &[("redirect_uri", default_port)]).await;
    assert_eq!(response.status(), StatusCode::FOUND, "the SDK's default loopback port is registered");

    let registered = Sandbox::builder().auto_approve(true).redirect_uri(other_port).start().await.unwrap();
    let response = authorize_response(&registered, "accounting-v31", &client, &[("redirect_uri", other_port)]).await;
    assert_eq!(response.status(), StatusCode::FOUND, "a URI registered with the builder matches");
}

#[tokio::test]
async fn sage_id_takes_an_authorize_request_without_state() {
    let sandbox = auto_sandbox().await;
    let client = sandbox.demo_client();
    let endpoints = sandbox.endpoints("sage200-pro").unwrap();
    let query = [
        ("response_type", "code"),
        ("client_id", client.client_id.as_str()),
        ("redirect_uri", client.redirect_uris[0].as_str()),
        ("scope", "openid profile email offline_access"),
        ("audience", "s200ukipd/sage200"),
    ];
    let response = http().get(&endpoints.authorize_url).query(&query).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    assert!(location_param(&response, "code").is_some(), "state is optional on Sage ID");
    assert_eq!(location_param(&response, "state"), None);
}

#[tokio::test]
async fn public_client_may_use_any_loopback_port_when_opted_in() {
    let sandbox = Sandbox::builder().auto_approve(true).any_loopback_port(true).start().await.unwrap();
    let client = sandbox.demo_public_client();
    let redirect = "http://127.0.0.1:49152/callback";
    let response = authorize_response(&sandbox, "accounting-v31", &client, &[("redirect_uri", redirect)]).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert!(response.headers()["location"].to_str().unwrap().starts_with(redirect));
    let code = location_param(&response, "code").unwrap();
    let form = [("grant_type", "authorization_code"), ("code", code.as_str()), ("redirect_uri", redirect)];
    assert_eq!(token_request(&sandbox, "accounting-v31", &client, &form).await.0, StatusCode::OK);
}

#[tokio::test]
async fn refresh_tokens_rotate_and_the_old_one_stops_working() {
    let sandbox = auto_sandbox().await;
    let client = sandbox.demo_client();
    for product in ["accounting-v31", "sage200-pro"] {
        let first = login(&sandbox, product).await["refresh_token"].as_str().unwrap().to_owned();
        let refresh = [("grant_type", "refresh_token"), ("refresh_token", first.as_str())];
        let (status, body) = token_request(&sandbox, product, &client, &refresh).await;
        assert_eq!(status, StatusCode::OK);
        let second = body["refresh_token"].as_str().unwrap();
        assert_ne!(second, first);

        let (status, body) = token_request(&sandbox, product, &client, &refresh).await;
        assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")), "{product}");
        let again = [("grant_type", "refresh_token"), ("refresh_token", second)];
        assert_eq!(token_request(&sandbox, product, &client, &again).await.0, StatusCode::OK);
    }
    assert_eq!(sandbox.stats().refresh_grants, 4);
}

#[tokio::test]
async fn refresh_tokens_expire_with_the_time_scale() {
    // v3.1 refresh tokens live 31 days: 1e-6 of that is about 2.7 s.
    let sandbox = Sandbox::builder().auto_approve(true).time_scale(1e-6).start().await.unwrap();
    let client = sandbox.demo_client();
    let body = login(&sandbox, "accounting-v31").await;
    assert_eq!(body["refresh_token_expires_in"], 3);
    tokio::time::sleep(Duration::from_millis(3_000)).await;
    let refresh = [("grant_type", "refresh_token"), ("refresh_token", body["refresh_token"].as_str().unwrap())];
    let (status, body) = token_request(&sandbox, "accounting-v31", &client, &refresh).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
}

#[tokio::test]
async fn client_and_grant_type_errors_use_oauth_codes() {
    let sandbox = auto_sandbox().await;
    let mut client = sandbox.demo_client();
    client.client_secret = Some("wrong".into());
    let (status, body) = token_request(&sandbox, "accounting-v31", &client, &[("grant_type", "refresh_token")]).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_client")));

    let client = sandbox.demo_client();
    let (status, body) = token_request(&sandbox, "accounting-v31", &client, &[("grant_type", "device_code")]).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("unsupported_grant_type")));
    let (status, body) =
        token_request(&sandbox, "accounting-v31", &client, &[("grant_type", "client_credentials")]).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("unauthorized_client")));
    let (status, body) = token_request(&sandbox, "accounting-v31", &client, &[]).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_request")));
}

#[tokio::test]
async fn consent_page_allow_gives_a_code_and_deny_gives_access_denied() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let client = sandbox.demo_client();
    for (decision, expected) in [("deny", "error"), ("allow", "code")] {
        let page = authorize_response(&sandbox, "accounting-v31", &client, &[]).await;
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        let consent = html.split("name=\"consent\" value=\"").nth(1).unwrap().split('"').next().unwrap();
        let response = http()
            .post(format!("{}/consent", sandbox.url()))
            .form(&[("consent", consent), ("decision", decision)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FOUND);
        assert_eq!(location_param(&response, "state").as_deref(), Some("xyz-state"));
        let value = location_param(&response, expected).unwrap();
        if decision == "deny" {
            assert_eq!(value, "access_denied");
        }
        // A consent can be answered once.
        let again = http()
            .post(format!("{}/consent", sandbox.url()))
            .form(&[("consent", consent), ("decision", "allow")])
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    }
}

#[tokio::test]
async fn sage_id_consent_deny_redirects_with_access_denied_and_no_code() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let client = sandbox.demo_client();
    let page = authorize_response(&sandbox, "sage200-pro", &client, &[]).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"action="/consent""#), "{html}");
    let consent = html.split("name=\"consent\" value=\"").nth(1).unwrap().split('"').next().unwrap();
    let response = http()
        .post(format!("{}/consent", sandbox.url()))
        .form(&[("consent", consent), ("decision", "deny")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    assert!(response.headers()["location"].to_str().unwrap().starts_with(&client.redirect_uris[0]));
    assert_eq!(location_param(&response, "error").as_deref(), Some("access_denied"));
    assert_eq!(location_param(&response, "state").as_deref(), Some("xyz-state"));
    assert_eq!(location_param(&response, "code"), None);
}

async fn revoke(sandbox: &Sandbox, token: &str) -> reqwest::Response {
    let client = sandbox.demo_client();
    let revoke_url = sandbox.endpoints("accounting-v31").unwrap().revoke_url.unwrap();
    let secret = client.client_secret.unwrap();
    let form = [("client_id", client.client_id.as_str()), ("client_secret", &secret), ("token", token)];
    http().post(&revoke_url).form(&form).send().await.unwrap()
}

#[tokio::test]
async fn v31_revokes_refresh_tokens_only() {
    let sandbox = auto_sandbox().await;
    let client = sandbox.demo_client();
    let body = login(&sandbox, "accounting-v31").await;
    let response = revoke(&sandbox, body["access_token"].as_str().unwrap()).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    let refresh_token = body["refresh_token"].as_str().unwrap();
    let response = revoke(&sandbox, refresh_token).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.json::<serde_json::Value>().await.unwrap(), serde_json::json!({"success": "ok"}));
    assert_eq!(sandbox.stats().revocations, 1);

    let refresh = [("grant_type", "refresh_token"), ("refresh_token", refresh_token)];
    let (status, body) = token_request(&sandbox, "accounting-v31", &client, &refresh).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
}

#[tokio::test]
async fn v31_authorize_also_answers_on_auth_central() {
    let sandbox = auto_sandbox().await;
    let client = sandbox.demo_client();
    let query = [
        ("response_type", "code"),
        ("client_id", client.client_id.as_str()),
        ("redirect_uri", client.redirect_uris[0].as_str()),
        ("scope", "full_access"),
        ("state", "s"),
    ];
    let response = http().get(format!("{}/auth/central", sandbox.url())).query(&query).send().await.unwrap();
    let code = location_param(&response, "code").unwrap();
    assert_eq!(exchange(&sandbox, "accounting-v31", &client, &code).await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_refresh_token_the_sandbox_does_not_know_says_why_and_what_to_do() {
    // Without a data file, a restart forgets every sign-in: the refusal says so.
    let sandbox = auto_sandbox().await;
    let client = sandbox.demo_client();
    let grant = [("grant_type", "refresh_token"), ("refresh_token", "issued-by-an-earlier-run")];
    let (status, body) = token_request(&sandbox, "accounting-v31", &client, &grant).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
    let description = body["error_description"].as_str().unwrap();
    assert!(description.contains("--data FILE") && description.contains("sign in again"), "{description}");

    // With one, sign-ins survive restarts, so the hint would mislead.
    let dir = tempfile::tempdir().unwrap();
    let kept = Sandbox::builder().auto_approve(true).data_file(dir.path().join("data.json")).start().await.unwrap();
    let client = kept.demo_client();
    let (_, body) = token_request(&kept, "accounting-v31", &client, &grant).await;
    assert!(!body["error_description"].as_str().unwrap().contains("--data"), "{body}");
}
