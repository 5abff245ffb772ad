use std::io::Write;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;

use super::*;
use crate::auth::test_server::FakeTokenServer;
use crate::auth::{AuthProfile, ClientSecret, MemoryTokenStore, SageApi, StoreError};

#[path = "authenticator_store_tests.rs"]
mod store_failures;

#[path = "authenticator_file_tests.rs"]
mod file_store;

const DAY: Duration = Duration::from_secs(86_400);

fn token_set(access: &str, refresh: &str, lifetime: Duration) -> TokenSet {
    TokenSet::new(SageApi::AccountingV31, AccessToken::new(access), lifetime)
        .with_refresh_token(RefreshToken::new(refresh), Some(31 * DAY))
}

fn expired() -> TokenSet {
    token_set("access-0", "refresh-0", Duration::ZERO)
}

async fn setup(initial: TokenSet, store: Arc<dyn TokenStore>) -> (Arc<FakeTokenServer>, Authenticator) {
    let (server, token_url) = FakeTokenServer::start("refresh-0").await;
    store.save(&initial).await.unwrap();
    let profile = AuthProfile::accounting_v31().with_token_url(token_url);
    let oauth =
        OAuthClient::new(profile, "app", "http://127.0.0.1/cb").unwrap().with_client_secret(ClientSecret::new("s"));
    let auth = Authenticator::builder(oauth, store).jitter(Duration::ZERO).failure_gap(Duration::from_secs(60)).build();
    (server, auth)
}

#[tokio::test]
async fn concurrent_callers_on_an_expired_token_cause_one_refresh() {
    let store = Arc::new(MemoryTokenStore::new());
    let (server, auth) = setup(expired(), store.clone()).await;
    let auth = Arc::new(auth);
    let calls = (0..200).map(|_| {
        let auth = Arc::clone(&auth);
        tokio::spawn(async move { auth.access_token().await })
    });
    for call in futures_util::future::join_all(calls).await {
        assert_eq!(call.unwrap().unwrap().secret(), "access-1");
    }
    assert_eq!(server.requests(), 1);
    let saved = store.load().await.unwrap().unwrap();
    assert_eq!(saved.refresh_token().unwrap().secret(), "refresh-1", "the rotated refresh token is stored");
}

#[tokio::test]
async fn a_fresh_token_is_served_without_a_request() {
    let (server, auth) =
        setup(token_set("access-0", "refresh-0", Duration::from_secs(300)), Arc::new(MemoryTokenStore::new())).await;
    assert_eq!(auth.access_token().await.unwrap().secret(), "access-0");
    assert_eq!(server.requests(), 0);
}

#[tokio::test]
async fn the_margin_is_capped_at_half_the_token_lifetime() {
    let (server, auth) =
        setup(token_set("access-0", "refresh-0", Duration::from_secs(30)), Arc::new(MemoryTokenStore::new())).await;
    // A 60 s margin on a 30 s token would refresh on every call; capped at 15 s, the token is fresh.
    assert_eq!(auth.access_token().await.unwrap().secret(), "access-0");
    assert_eq!(server.requests(), 0);
}

#[tokio::test]
async fn a_rejection_refreshes_once_and_later_rejections_of_the_same_token_reuse_the_new_one() {
    let (server, auth) =
        setup(token_set("access-0", "refresh-0", Duration::from_secs(300)), Arc::new(MemoryTokenStore::new())).await;
    let rejected = auth.access_token().await.unwrap();
    assert_eq!(auth.refresh_after_rejection(&rejected).await.unwrap().secret(), "access-1");
    assert_eq!(auth.refresh_after_rejection(&rejected).await.unwrap().secret(), "access-1");
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn invalid_grant_requires_reauthorization_and_keeps_the_stored_tokens() {
    let store = Arc::new(MemoryTokenStore::new());
    let (server, auth) = setup(token_set("access-0", "revoked", Duration::ZERO), store.clone()).await;
    for _ in 0..3 {
        let err = auth.access_token().await.unwrap_err();
        assert!(
            matches!(err, AuthError::ReauthorizationRequired { ref reason } if reason.contains("invalid_grant")),
            "{err}"
        );
        assert_eq!(err.to_string().matches("re-authorization required").count(), 1, "said once: {err}");
    }
    assert_eq!(server.requests(), 1, "a refused refresh token is not sent again");
    assert_eq!(store.load().await.unwrap().unwrap().refresh_token().unwrap().secret(), "revoked");

    auth.set_tokens(token_set("access-9", "refresh-9", Duration::from_secs(300))).await.unwrap();
    assert_eq!(auth.access_token().await.unwrap().secret(), "access-9", "a new consent clears the failure");
}

#[tokio::test]
async fn failed_refreshes_wait_for_the_minimum_gap() {
    let (server, auth) = setup(expired(), Arc::new(MemoryTokenStore::new())).await;
    server.failing.store(true, Ordering::SeqCst);
    let first = auth.access_token().await.unwrap_err();
    assert!(
        matches!(first, AuthError::TokenEndpoint { ref error, .. } if error == "temporarily_unavailable"),
        "{first}"
    );
    let second = auth.access_token().await.unwrap_err();
    assert!(matches!(second, AuthError::RefreshBackoff { .. }), "{second}");
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn a_failed_proactive_refresh_still_serves_the_unexpired_token() {
    let mut nearly_expired = token_set("access-0", "refresh-0", Duration::from_secs(20));
    nearly_expired.received_at -= chrono::Duration::seconds(100);
    let (server, auth) = setup(nearly_expired, Arc::new(MemoryTokenStore::new())).await;
    server.failing.store(true, Ordering::SeqCst);
    assert_eq!(auth.access_token().await.unwrap().secret(), "access-0", "20 s left, inside the 60 s margin");
    assert_eq!(server.requests(), 1);
}

/// A store whose next `fail_saves` saves fail, as if the process died before persisting.
#[derive(Default)]
struct FlakyStore {
    inner: MemoryTokenStore,
    fail_saves: AtomicU32,
}

#[async_trait]
impl TokenStore for FlakyStore {
    async fn load(&self) -> Result<Option<TokenSet>, StoreError> {
        self.inner.load().await
    }
    async fn save(&self, tokens: &TokenSet) -> Result<(), StoreError> {
        if self.fail_saves.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok() {
            return Err(StoreError::Backend("disk full".into()));
        }
        self.inner.save(tokens).await
    }
    async fn clear(&self) -> Result<(), StoreError> {
        self.inner.clear().await
    }
}

#[tokio::test]
async fn a_failed_save_withholds_the_new_token_until_it_is_persisted() {
    let store = Arc::new(FlakyStore::default());
    let (server, auth) = setup(expired(), store.clone()).await;
    store.fail_saves.store(3, Ordering::SeqCst);
    assert!(matches!(auth.access_token().await, Err(AuthError::Store(_))));
    let kept = store.load().await.unwrap().unwrap();
    assert_eq!(kept.access_token().secret(), "access-0", "the store still holds the complete old set");
    assert_eq!(auth.access_token().await.unwrap().secret(), "access-1");
    assert_eq!(store.load().await.unwrap().unwrap().refresh_token().unwrap().secret(), "refresh-1");
    assert_eq!(server.requests(), 1, "the unsaved refresh is saved, not repeated");
}

#[tokio::test]
async fn a_crash_before_saving_leads_to_reauthorization_not_corruption() {
    let store = Arc::new(FlakyStore::default());
    let (server, first_process) = setup(expired(), store.clone()).await;
    store.fail_saves.store(3, Ordering::SeqCst);
    assert!(first_process.access_token().await.is_err());
    drop(first_process); // the rotated refresh token dies with the process
    let restarted = Authenticator::builder(
        OAuthClient::new(
            AuthProfile::accounting_v31().with_token_url(server_url(&server)),
            "app",
            "http://127.0.0.1/cb",
        )
        .unwrap(),
        store.clone(),
    )
    .build();
    assert!(matches!(restarted.access_token().await, Err(AuthError::ReauthorizationRequired { .. })));
    assert_eq!(store.load().await.unwrap().unwrap().access_token().secret(), "access-0");
}

fn server_url(server: &FakeTokenServer) -> String {
    server.url.lock().unwrap().clone()
}

#[tokio::test]
async fn tokens_of_another_api_are_refused() {
    let store = Arc::new(MemoryTokenStore::with_tokens(TokenSet::new(SageApi::Sage200, AccessToken::new("a"), DAY)));
    let oauth = OAuthClient::new(AuthProfile::accounting_v31(), "app", "http://127.0.0.1/cb").unwrap();
    let auth = Authenticator::new(oauth, store);
    let err = auth.access_token().await.unwrap_err();
    assert!(matches!(err, AuthError::WrongApi { expected: SageApi::AccountingV31, found: SageApi::Sage200 }), "{err}");
    assert!(auth.set_tokens(TokenSet::new(SageApi::AccountingV3, AccessToken::new("b"), DAY)).await.is_err());
}

#[tokio::test]
async fn an_empty_store_asks_for_authorization() {
    let oauth = OAuthClient::new(AuthProfile::sage200(), "app", "http://127.0.0.1/cb").unwrap();
    let auth = Authenticator::new(oauth, Arc::new(MemoryTokenStore::new()));
    assert!(matches!(auth.access_token().await, Err(AuthError::ReauthorizationRequired { .. })));
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn tokens_never_reach_the_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber =
        tracing_subscriber::fmt().with_max_level(tracing::Level::TRACE).with_writer(move || writer.clone()).finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let (server, auth) = setup(expired(), Arc::new(MemoryTokenStore::new())).await;
    let token = auth.access_token().await.unwrap();
    tracing::debug!(?token, authenticator = ?auth, "got a token");
    server.failing.store(true, Ordering::SeqCst);
    let _ = auth.refresh_after_rejection(&token).await;
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("refreshing access token"), "the capture works: {logs}");
    for secret in ["access-0", "access-1", "refresh-0", "refresh-1", "client_secret", "=s&"] {
        assert!(!logs.contains(secret), "`{secret}` leaked into the logs:\n{logs}");
    }
}

#[tokio::test]
async fn a_store_that_lost_its_data_gets_the_held_set_back_instead_of_a_reauthorization() {
    let store = Arc::new(MemoryTokenStore::new());
    let (server, auth) = setup(token_set("access-0", "refresh-0", Duration::from_secs(300)), store.clone()).await;
    let current = auth.access_token().await.unwrap();
    store.clear().await.unwrap(); // e.g. a Redis restarted without persistence

    assert_eq!(auth.refresh_after_rejection(&current).await.unwrap().secret(), "access-1");
    assert_eq!(store.load().await.unwrap().unwrap().refresh_token().unwrap().secret(), "refresh-1");
    assert_eq!(server.requests(), 1);

    let fresh_process = Authenticator::new(auth.oauth().clone(), Arc::new(MemoryTokenStore::new()));
    let err = fresh_process.access_token().await.unwrap_err();
    assert!(matches!(err, AuthError::ReauthorizationRequired { .. }), "nothing held, nothing restored: {err}");
}
