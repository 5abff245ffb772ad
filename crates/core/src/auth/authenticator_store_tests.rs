//! The authenticator against a store that refuses saves as conflicts or is out of reach.

use std::sync::atomic::Ordering;

use super::*;
use crate::auth::test_store::{Refusal, ScriptedStore};

const FIVE_MINUTES: Duration = Duration::from_secs(300);

/// 20 s left of a 120 s token: inside the (capped) 60 s margin, so due for a refresh but valid.
fn nearly_expired(access: &str) -> TokenSet {
    let mut tokens = token_set(access, "refresh-0", Duration::from_secs(20));
    tokens.received_at -= chrono::Duration::seconds(100);
    tokens
}

async fn stored_access(store: &ScriptedStore) -> String {
    store.load().await.unwrap().unwrap().access_token().secret().to_owned()
}

#[tokio::test]
async fn a_conflicting_save_adopts_the_newer_stored_set_without_another_refresh() {
    let store = Arc::new(ScriptedStore::default());
    let (server, auth) = setup(expired(), store.clone()).await;
    store.refuse_next_save(Refusal::Conflict(token_set("access-other", "refresh-other", FIVE_MINUTES)));

    assert_eq!(auth.access_token().await.unwrap().secret(), "access-other");
    assert_eq!(server.requests(), 1, "only the refresh whose save was refused");
    assert_eq!(stored_access(&store).await, "access-other", "the newer set is kept");
}

#[tokio::test]
async fn a_conflicting_save_refreshes_once_from_a_newer_set_that_is_due() {
    let store = Arc::new(ScriptedStore::default());
    let (server, auth) = setup(expired(), store.clone()).await;
    // Another instance stored a set carrying the newest refresh token, its access token already due.
    store.refuse_next_save(Refusal::Conflict(token_set("access-other", "refresh-1", Duration::ZERO)));

    assert_eq!(auth.access_token().await.unwrap().secret(), "access-2");
    assert_eq!(server.requests(), 2);
    assert_eq!(stored_access(&store).await, "access-2");
}

#[tokio::test]
async fn a_second_conflict_is_returned_and_the_refused_set_is_not_saved_later() {
    let store = Arc::new(ScriptedStore::default());
    let (server, auth) = setup(expired(), store.clone()).await;
    store.refuse_next_save(Refusal::Conflict(token_set("access-a", "refresh-1", Duration::ZERO)));
    store.refuse_next_save(Refusal::Conflict(token_set("access-b", "refresh-2", Duration::ZERO)));

    let err = auth.access_token().await.unwrap_err();
    assert!(matches!(err, AuthError::Store(StoreError::Conflict { .. })), "{err:?}");
    assert_eq!(server.requests(), 2, "one refresh more after a conflict, never a loop");

    // Had the refused set been held as unsaved, this call would save it instead of refreshing.
    assert_eq!(auth.access_token().await.unwrap().secret(), "access-3");
    assert_eq!(server.requests(), 3);
    assert_eq!(stored_access(&store).await, "access-3");
}

#[tokio::test]
async fn an_unsaved_refresh_refused_as_a_conflict_gives_way_to_the_newer_set() {
    let store = Arc::new(ScriptedStore::default());
    let (server, auth) = setup(expired(), store.clone()).await;
    let saves_before = store.saves();
    for _ in 0..3 {
        store.refuse_next_save(Refusal::Unavailable); // every try of the save
    }
    store.refuse_next_save(Refusal::Conflict(token_set("access-other", "refresh-other", FIVE_MINUTES)));

    let err = auth.access_token().await.unwrap_err();
    assert!(matches!(err, AuthError::Store(StoreError::Unavailable { .. })), "{err:?}");
    assert_eq!(auth.access_token().await.unwrap().secret(), "access-other");
    assert_eq!(server.requests(), 1, "neither the retried save nor the adoption refreshes");
    assert_eq!(store.saves() - saves_before, 4, "the held set is saved once more, then dropped");
}

#[tokio::test]
async fn a_new_consent_replaces_whatever_another_instance_saved() {
    let store = Arc::new(ScriptedStore::default());
    let (server, auth) = setup(expired(), store.clone()).await;
    store.refuse_next_save(Refusal::Conflict(token_set("access-other", "refresh-other", FIVE_MINUTES)));

    auth.set_tokens(token_set("access-consent", "refresh-consent", FIVE_MINUTES)).await.unwrap();

    assert_eq!(stored_access(&store).await, "access-consent");
    assert_eq!(auth.access_token().await.unwrap().secret(), "access-consent");
    assert_eq!(server.requests(), 0);
}

#[tokio::test]
async fn a_store_outage_serves_the_current_token_until_it_expires_and_never_refreshes() {
    let store = Arc::new(ScriptedStore::default());
    let (server, auth) = setup(expired(), store.clone()).await;
    auth.set_tokens(nearly_expired("access-valid")).await.unwrap();
    store.down.store(true, Ordering::SeqCst);

    let current = auth.access_token().await.unwrap();
    assert_eq!(current.secret(), "access-valid", "due for a refresh, but still valid");
    let err = auth.refresh_after_rejection(&current).await.unwrap_err();
    assert!(matches!(err, AuthError::Store(StoreError::Unavailable { .. })), "a rejected token is not served: {err:?}");

    store.down.store(false, Ordering::SeqCst);
    auth.set_tokens(token_set("access-expired", "refresh-0", Duration::ZERO)).await.unwrap();
    store.down.store(true, Ordering::SeqCst);
    let err = auth.access_token().await.unwrap_err();
    assert!(matches!(err, AuthError::Store(StoreError::Unavailable { .. })), "{err:?}");
    assert_eq!(server.requests(), 0, "no refresh without the store");
}

#[tokio::test]
async fn a_refresh_lock_timeout_serves_the_current_token_until_it_expires() {
    let store = Arc::new(ScriptedStore::default());
    let (server, auth) = setup(nearly_expired("access-valid"), store.clone()).await;
    store.lock_busy.store(true, Ordering::SeqCst);
    assert_eq!(auth.access_token().await.unwrap().secret(), "access-valid");

    let (_, expired_auth) = setup(expired(), store.clone()).await;
    let err = expired_auth.access_token().await.unwrap_err();
    assert!(matches!(err, AuthError::Store(StoreError::LockTimeout { .. })), "{err:?}");
    assert_eq!(server.requests(), 0, "no refresh without the lock");
}
