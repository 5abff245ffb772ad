//! Moving from v3 to v3.1: a stored token set remembers which API issued it, so tokens signed in
//! for v3 are never sent to v3.1. The refusal happens before any request leaves the process.

mod oauth_support;

use std::sync::Arc;

use sage_accounting_v31::contacts::ListContacts;
use sage_core::auth::{AuthError, Authenticator, FileTokenStore, SageApi, TokenStore};
use sage_core::{Client, Error};
use sage_sandbox::Sandbox;

/// A real v3 sign-in against the sandbox, saved the way an app would keep it.
async fn stored_v3_tokens(sandbox: &Sandbox, store: &FileTokenStore) {
    let v3 = oauth_support::confidential(sandbox, "accounting-v3");
    let tokens = oauth_support::authorize(&v3).await;
    assert_eq!(tokens.api(), SageApi::AccountingV3);
    store.save(&tokens).await.expect("token file written");
}

/// A v3.1 client whose authenticator reads the token file left by the v3 app.
fn v31_client(sandbox: &Sandbox, store: FileTokenStore) -> Client {
    let oauth = oauth_support::confidential(sandbox, "accounting-v31");
    let auth = Authenticator::new(oauth, Arc::new(store));
    let base_url = sandbox.endpoints("accounting-v31").expect("v3.1 is served").api_base_url;
    Client::builder(sage_accounting_v31::PRODUCT).base_url(base_url).auth(auth).build().expect("client")
}

#[tokio::test]
async fn stored_v3_tokens_are_refused_by_v31_before_any_request() {
    let sandbox = oauth_support::sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tokens.json");
    stored_v3_tokens(&sandbox, &FileTokenStore::new(&path)).await;
    let token_requests = sandbox.stats().token_requests;

    let client = v31_client(&sandbox, FileTokenStore::new(&path));
    let err = client.send(&ListContacts::new()).await.expect_err("v3 tokens must not reach v3.1");

    let Error::Auth(AuthError::WrongApi { expected, found }) = &err else { panic!("expected WrongApi, got {err:?}") };
    assert_eq!((*expected, *found), (SageApi::AccountingV31, SageApi::AccountingV3));
    assert_eq!(sandbox.stats().api_requests, 0, "nothing was sent to the API");
    assert_eq!(sandbox.stats().token_requests, token_requests, "no refresh was tried with the v3 refresh token");
    let message = err.to_string();
    assert!(message.contains("belong to accounting-v3,"), "names the API the tokens are for: {message}");
    assert!(message.contains("not accounting-v31"), "names the API that was wanted: {message}");
}

#[tokio::test]
async fn an_authenticator_for_v31_will_not_take_v3_tokens_either() {
    let sandbox = oauth_support::sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let store = FileTokenStore::new(dir.path().join("tokens.json"));
    let v3_tokens = oauth_support::authorize(&oauth_support::confidential(&sandbox, "accounting-v3")).await;
    let auth = Authenticator::new(oauth_support::confidential(&sandbox, "accounting-v31"), Arc::new(store.clone()));

    let err = auth.set_tokens(v3_tokens).await.expect_err("a v3 consent is no v3.1 consent");

    assert!(matches!(err, AuthError::WrongApi { found: SageApi::AccountingV3, .. }), "{err}");
    assert!(store.load().await.expect("readable").is_none(), "nothing was stored");
    assert_eq!(sandbox.stats().api_requests, 0);
}
