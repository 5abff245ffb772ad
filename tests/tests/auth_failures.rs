//! 401s and 403s that are not about the token: Sage's words reach the caller at once and no refresh
//! token is spent, whatever the `Authenticate` implementation; a 401 for an expired token still
//! refreshes once and succeeds.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use sage_core::auth::{AccessToken, AuthError, Authenticate, StaticToken};
use sage_core::{ApiError, Client, Error, HeaderPolicy, Method, Request};
use sage_sandbox::{fixtures, Sandbox, SignedIn};
use sage_tests::{RecordingServer, Reply};

const V31: &str = "accounting-v31";
const NO_SUBSCRIPTION: &str = "No active subscription. (MSE)";

async fn sandbox() -> Sandbox {
    Sandbox::builder().auto_approve(true).start().await.expect("the sandbox starts")
}

fn get_user() -> Request {
    Request::new("get_user", Method::Get, "/user")
}

/// The call's error, which must be Sage's answer.
fn api_error(result: sage_core::Result<sage_core::RawResponse>) -> Box<ApiError> {
    match result {
        Err(Error::Api(api)) => api,
        other => panic!("expected Error::Api, got {other:?}"),
    }
}

/// Sage's subscription answer, whole: status, the one item as sent, the body, one request.
fn assert_no_subscription(api: &ApiError) {
    assert_eq!(api.status, 401);
    assert_eq!(api.items.len(), 1, "{api:?}");
    let item = &api.items[0];
    assert_eq!(item.code.as_deref(), Some("AuthorizationFailure"));
    assert_eq!(item.message.as_deref(), Some(NO_SUBSCRIPTION));
    assert_eq!(item.source.as_deref(), Some(""));
    assert!(api.body.contains(NO_SUBSCRIPTION), "{}", api.body);
    assert_eq!(api.attempts, 1);
    assert!(api.is_auth_failure());
    assert!(Error::Api(Box::new(api.clone())).to_string().contains(NO_SUBSCRIPTION), "Display shows Sage's message");
}

#[tokio::test]
async fn a_lapsed_subscription_with_a_static_token_is_sages_answer() {
    let sandbox = sandbox().await;
    let signed_in = sandbox.sign_in(V31).await.unwrap();
    let token = StaticToken::new(signed_in.tokens.access_token().secret());
    let client =
        Client::builder(sage_accounting_v31::PRODUCT).base_url(&signed_in.api_base_url).auth(token).build().unwrap();
    client.execute(&get_user()).await.expect("the token works while the subscription is active");

    sandbox.set_subscription_active(false);
    let api = api_error(client.execute(&get_user()).await);
    assert_no_subscription(&api);
    let stats = sandbox.stats();
    assert_eq!((stats.api_requests, stats.api_unauthorized), (2, 1), "sent once: {stats:?}");
}

#[tokio::test]
async fn a_lapsed_subscription_with_an_authenticator_spends_no_refresh_token() {
    let sandbox = sandbox().await;
    let client = sandbox.sign_in(V31).await.unwrap().client(sage_accounting_v31::PRODUCT).unwrap();
    client.execute(&get_user()).await.unwrap();

    sandbox.set_subscription_active(false);
    let api = api_error(client.execute(&get_user()).await);
    assert_no_subscription(&api);
    let stats = sandbox.stats();
    assert_eq!((stats.token_requests, stats.refresh_grants), (1, 0), "only the sign-in's code exchange: {stats:?}");
    assert_eq!(stats.api_unauthorized, 1, "sent once: {stats:?}");

    sandbox.set_subscription_active(true);
    client.execute(&get_user()).await.expect("renewed: the same tokens work again");
    assert_eq!(sandbox.stats().refresh_grants, 0);
}

#[tokio::test]
async fn an_expired_token_still_refreshes_once_and_the_call_succeeds() {
    let sandbox = sandbox().await;
    let client = sandbox.sign_in(V31).await.unwrap().client(sage_accounting_v31::PRODUCT).unwrap();
    sandbox.expire_access_tokens();
    client.execute(&get_user()).await.expect("refreshed and retried");
    let stats = sandbox.stats();
    assert_eq!((stats.api_unauthorized, stats.refresh_grants, stats.api_requests), (1, 1, 2), "{stats:?}");
}

#[tokio::test]
async fn an_expired_token_with_a_lapsed_subscription_refreshes_once_then_shows_sages_answer() {
    let sandbox = sandbox().await;
    let client = sandbox.sign_in(V31).await.unwrap().client(sage_accounting_v31::PRODUCT).unwrap();
    sandbox.expire_access_tokens();
    sandbox.set_subscription_active(false);
    let api = api_error(client.execute(&get_user()).await);
    assert_no_subscription(&api);
    let stats = sandbox.stats();
    assert_eq!((stats.api_unauthorized, stats.refresh_grants), (2, 1), "{stats:?}");
}

#[tokio::test]
async fn a_403_is_sages_answer_without_a_refresh() {
    let sandbox = sandbox().await;
    let signed_in: SignedIn = sandbox.sign_in("sage200-pro").await.unwrap();
    let client = signed_in.client(sage200_pro::PRODUCT).unwrap();
    let elsewhere = client.with_headers(HeaderPolicy::sage200("99", fixtures::SAGE200_SITE_ID)).unwrap();
    let api = api_error(elsewhere.execute(&Request::new("list_customers", Method::Get, "/customers")).await);
    assert_eq!(api.status, 403);
    assert_eq!(api.items[0].code.as_deref(), Some("AccessDenied"));
    assert_eq!(api.items[0].message.as_deref(), Some("You have no access to company 99"));
    assert!(api.is_auth_failure());
    let stats = sandbox.stats();
    assert_eq!((stats.refresh_grants, stats.api_requests), (0, 1), "{stats:?}");
}

#[tokio::test]
async fn the_request_id_and_body_of_a_refused_call_are_kept() {
    let body = format!(
        r#"[{{"$severity":"error","$dataCode":"AuthorizationFailure","$message":"{NO_SUBSCRIPTION}","$source":""}}]"#
    );
    let server = RecordingServer::start(vec![Reply::new(401, body.clone())
        .header("x-request-id", "req-7")
        .header("www-authenticate", "Bearer")])
    .await;
    let client = Client::builder(sage_accounting_v31::PRODUCT)
        .base_url(server.url())
        .auth(StaticToken::new("t"))
        .build()
        .unwrap();
    let api = api_error(client.execute(&get_user()).await);
    assert_no_subscription(&api);
    assert_eq!(api.request_id.as_deref(), Some("req-7"));
    assert_eq!(api.body, body);
    assert_eq!(server.seen().len(), 1);
}

/// Hands out `tok-N`, where N counts the refreshes asked for.
#[derive(Default)]
struct Counting {
    refreshes: AtomicUsize,
}

#[sage_core::auth::async_trait]
impl Authenticate for Counting {
    async fn access_token(&self) -> Result<AccessToken, AuthError> {
        Ok(AccessToken::new(format!("tok-{}", self.refreshes.load(Ordering::SeqCst))))
    }

    async fn refresh_after_rejection(&self, _rejected: &AccessToken) -> Result<AccessToken, AuthError> {
        Ok(AccessToken::new(format!("tok-{}", self.refreshes.fetch_add(1, Ordering::SeqCst) + 1)))
    }
}

#[tokio::test]
async fn an_invalid_token_challenge_is_blamed_on_the_token_whatever_the_body() {
    let body = format!(r#"[{{"$dataCode":"AuthorizationFailure","$message":"{NO_SUBSCRIPTION}"}}]"#);
    let server = RecordingServer::start(vec![
        Reply::new(401, body).header("www-authenticate", r#"Bearer error="invalid_token""#),
        Reply::new(200, "{}"),
    ])
    .await;
    let auth = Arc::new(Counting::default());
    let client =
        Client::builder(sage_accounting_v31::PRODUCT).base_url(server.url()).shared_auth(auth.clone()).build().unwrap();
    client.execute(&get_user()).await.expect("refreshed and retried");
    assert_eq!(auth.refreshes.load(Ordering::SeqCst), 1);
    let seen = server.seen();
    assert_eq!(
        (seen[0].headers["authorization"].to_str().unwrap(), seen[1].headers["authorization"].to_str().unwrap()),
        ("Bearer tok-0", "Bearer tok-1")
    );
}

#[tokio::test]
async fn a_static_token_refused_for_the_token_is_an_auth_error() {
    let server = RecordingServer::start(vec![Reply::new(401, "[]"), Reply::new(200, "{}")]).await;
    let client = Client::builder(sage_accounting_v31::PRODUCT)
        .base_url(server.url())
        .auth(StaticToken::new("t"))
        .build()
        .unwrap();
    let err = client.execute(&get_user()).await.unwrap_err();
    assert!(matches!(err, Error::Auth(AuthError::Rejected)), "{err:?}");
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn a_lapsed_subscription_never_asks_the_authenticator_for_a_refresh() {
    let body = format!(
        r#"[{{"$severity":"error","$dataCode":"AuthorizationFailure","$message":"{NO_SUBSCRIPTION}","$source":""}}]"#
    );
    let server = RecordingServer::start(vec![Reply::new(401, body), Reply::new(200, "{}")]).await;
    let auth = Arc::new(Counting::default());
    let client =
        Client::builder(sage_accounting_v31::PRODUCT).base_url(server.url()).shared_auth(auth.clone()).build().unwrap();
    assert_no_subscription(&api_error(client.execute(&get_user()).await));
    assert_eq!(auth.refreshes.load(Ordering::SeqCst), 0);
    assert_eq!(server.seen().len(), 1);
}
