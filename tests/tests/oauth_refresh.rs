//! Refresh, rotation and single-flight against the sandbox's v3.1 identity server.

mod oauth_support;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use oauth_support::{authorize, confidential, profile};
use sage_core::auth::{AuthError, Authenticate, Authenticator, MemoryTokenStore, StoreError, TokenSet, TokenStore};
use sage_core::{Client, Method, Request};
use sage_sandbox::Sandbox;

/// v3.1 with five-minute access tokens scaled to one second.
async fn fast_sandbox() -> Sandbox {
    Sandbox::builder().auto_approve(true).time_scale(1.0 / 300.0).start().await.unwrap()
}

/// Waits until a one-second token is past its expiry (a precondition, not an assertion on timing).
async fn let_the_access_token_expire() {
    tokio::time::sleep(Duration::from_millis(1_500)).await;
}

#[tokio::test]
async fn refresh_rotates_and_retires_the_old_refresh_token() {
    let sandbox = oauth_support::sandbox().await;
    let client = confidential(&sandbox, "accounting-v31");
    let first = authorize(&client).await;
    let second = client.refresh(&first).await.unwrap();
    assert_ne!(second.refresh_token(), first.refresh_token(), "v3.1 rotates refresh tokens");
    assert_ne!(second.access_token(), first.access_token());
    let reuse = client.refresh(&first).await.unwrap_err();
    assert!(matches!(reuse, AuthError::ReauthorizationRequired { ref reason } if reason.contains("invalid_grant")));
    client.refresh(&second).await.expect("the new refresh token works");
}

#[tokio::test]
async fn a_thousand_callers_on_an_expired_token_cause_one_token_request() {
    let sandbox = fast_sandbox().await;
    let client = confidential(&sandbox, "accounting-v31");
    let store = Arc::new(MemoryTokenStore::new());
    let auth = Arc::new(Authenticator::new(client.clone(), store.clone()));
    auth.set_tokens(authorize(&client).await).await.unwrap();
    let_the_access_token_expire().await;
    let before = sandbox.stats();

    let calls = (0..1000).map(|_| {
        let auth = Arc::clone(&auth);
        tokio::spawn(async move { auth.access_token().await })
    });
    let tokens: Vec<_> =
        futures_util::future::join_all(calls).await.into_iter().map(|call| call.unwrap().unwrap()).collect();

    let after = sandbox.stats();
    assert_eq!(after.token_requests - before.token_requests, 1);
    assert_eq!(after.refresh_grants - before.refresh_grants, 1);
    assert!(tokens.iter().all(|token| *token == tokens[0]), "everyone gets the refreshed token");
    assert_eq!(store.load().await.unwrap().unwrap().access_token(), &tokens[0], "saved before handed out");
}

#[tokio::test]
async fn a_401_triggers_one_refresh_and_the_call_succeeds() {
    let sandbox = oauth_support::sandbox().await;
    let client = confidential(&sandbox, "accounting-v31");
    let auth = Authenticator::new(client.clone(), Arc::new(MemoryTokenStore::new()));
    auth.set_tokens(authorize(&client).await).await.unwrap();
    let api = Client::builder(sage_accounting_v31::PRODUCT)
        .base_url(sandbox.endpoints("accounting-v31").unwrap().api_base_url)
        .auth(auth)
        .build()
        .unwrap();
    sandbox.expire_access_tokens();
    api.execute(&Request::new("get_user", Method::Get, "/user")).await.unwrap();
    let stats = sandbox.stats();
    assert_eq!((stats.api_unauthorized, stats.refresh_grants), (1, 1));
}

#[tokio::test]
async fn a_rejection_after_another_caller_refreshed_reuses_the_new_token() {
    let sandbox = oauth_support::sandbox().await;
    let client = confidential(&sandbox, "accounting-v31");
    let auth = Authenticator::new(client.clone(), Arc::new(MemoryTokenStore::new()));
    auth.set_tokens(authorize(&client).await).await.unwrap();
    let stale = auth.access_token().await.unwrap();
    let fresh = auth.refresh_after_rejection(&stale).await.unwrap();
    assert_eq!(auth.refresh_after_rejection(&stale).await.unwrap(), fresh);
    assert_eq!(sandbox.stats().refresh_grants, 1);
}

/// A store whose next saves fail, as if the process died between refresh and save.
#[derive(Default)]
struct FailingSaves {
    inner: MemoryTokenStore,
    failures_left: AtomicU32,
}

#[sage_core::auth::async_trait]
impl TokenStore for FailingSaves {
    async fn load(&self) -> Result<Option<TokenSet>, StoreError> {
        self.inner.load().await
    }
    async fn save(&self, tokens: &TokenSet) -> Result<(), StoreError> {
        if self.failures_left.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| left.checked_sub(1)).is_ok() {
            return Err(StoreError::Backend("simulated crash before the save".into()));
        }
        self.inner.save(tokens).await
    }
    async fn clear(&self) -> Result<(), StoreError> {
        self.inner.clear().await
    }
}

#[tokio::test]
async fn a_crash_between_refresh_and_save_never_corrupts_the_store() {
    let sandbox = fast_sandbox().await;
    let client = confidential(&sandbox, "accounting-v31");
    let store = Arc::new(FailingSaves::default());
    let consented = authorize(&client).await;
    store.save(&consented).await.unwrap();
    let_the_access_token_expire().await;

    store.failures_left.store(3, Ordering::SeqCst); // every try of the save
    let crashed = Authenticator::new(client.clone(), store.clone());
    assert!(matches!(crashed.access_token().await, Err(AuthError::Store(_))), "no unsaved token is handed out");
    assert_eq!(store.load().await.unwrap().unwrap(), consented, "the store still holds the whole old set");
    drop(crashed); // the rotated refresh token is lost with the process

    let restarted = Authenticator::new(client, store.clone());
    let err = restarted.access_token().await.unwrap_err();
    assert!(matches!(err, AuthError::ReauthorizationRequired { .. }), "{err}");
    assert_eq!(store.load().await.unwrap().unwrap(), consented, "kept for inspection, not deleted");
}

#[tokio::test]
async fn a_failed_save_is_retried_without_a_second_refresh() {
    let sandbox = fast_sandbox().await;
    let client = confidential(&sandbox, "accounting-v31");
    let store = Arc::new(FailingSaves::default());
    store.save(&authorize(&client).await).await.unwrap();
    let_the_access_token_expire().await;
    store.failures_left.store(3, Ordering::SeqCst); // every try of the save
    let auth = Authenticator::new(client, store.clone());
    assert!(auth.access_token().await.is_err());
    let token = auth.access_token().await.unwrap();
    assert_eq!(store.load().await.unwrap().unwrap().access_token(), &token);
    assert_eq!(sandbox.stats().refresh_grants, 1);
}

#[tokio::test]
async fn tokens_of_another_product_are_refused() {
    let sandbox = oauth_support::sandbox().await;
    let sage200_tokens = authorize(&confidential(&sandbox, "sage200-pro")).await;
    let v31 =
        sage_core::auth::OAuthClient::new(profile(&sandbox, "accounting-v31"), "x", "http://127.0.0.1/cb").unwrap();
    let auth = Authenticator::new(v31, Arc::new(MemoryTokenStore::with_tokens(sage200_tokens)));
    assert!(matches!(auth.access_token().await, Err(AuthError::WrongApi { .. })));
}
