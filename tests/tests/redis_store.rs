//! The store against a real Redis: compare-and-set saves, the stored format, lock ownership, and
//! errors (never a refresh) when Redis or the lock is out of reach.

mod redis_support;

use std::sync::Arc;
use std::time::Duration;

use redis_support::{authorize, free_port, oauth, sandbox, unique_key, TestRedis};
use sage_core::auth::store::decode;
use sage_core::auth::{
    AccessToken, AuthError, Authenticate, Authenticator, RefreshToken, SageApi, StoreError, TokenSet, TokenStore,
};
use sage_redis_store::{LockSettings, RedisStoreError, RedisTokenStore};

fn tokens(access: &str) -> TokenSet {
    TokenSet::new(SageApi::AccountingV31, AccessToken::new(access), Duration::from_secs(300))
}

/// The message of an `Unavailable` error, to check what it shows of the URL.
fn unavailable_message(result: Result<impl std::fmt::Debug, StoreError>) -> String {
    match result {
        Err(err @ StoreError::Unavailable { .. }) => err.to_string(),
        other => panic!("expected Redis to be unavailable, got {other:?}"),
    }
}

#[tokio::test]
async fn a_stale_write_is_refused_and_the_newer_set_kept() {
    let (redis, key) = (TestRedis::start(), unique_key());
    redis.store(&key).save(&tokens("first")).await.unwrap();
    let (slow, fast) = (redis.store(&key), redis.store(&key));
    slow.load().await.unwrap();
    fast.load().await.unwrap();

    fast.save(&tokens("newer")).await.unwrap();
    let refused = slow.save(&tokens("stale")).await;

    assert!(matches!(refused, Err(StoreError::Conflict { .. })), "{refused:?}");
    let stored = redis.store(&key).load().await.unwrap().unwrap();
    assert_eq!(stored.access_token().secret(), "newer");
    assert_eq!(fast.stored_revision().await.unwrap(), 2);
}

#[tokio::test]
async fn a_writer_that_read_before_a_clear_is_refused_after_it() {
    let (redis, key) = (TestRedis::start(), unique_key());
    redis.store(&key).save(&tokens("old consent")).await.unwrap();
    let (stale, other) = (redis.store(&key), redis.store(&key));
    stale.load().await.unwrap();

    other.clear().await.unwrap();
    assert!(other.load().await.unwrap().is_none());
    other.save(&tokens("new consent")).await.unwrap();

    assert!(matches!(stale.save(&tokens("stale")).await, Err(StoreError::Conflict { .. })));
    assert_eq!(other.load().await.unwrap().unwrap().access_token().secret(), "new consent");
}

#[tokio::test]
async fn an_instance_that_never_read_stores_a_new_consent_over_anything() {
    let (redis, key) = (TestRedis::start(), unique_key());
    let earlier = redis.store(&key);
    earlier.save(&tokens("first")).await.unwrap();
    earlier.save(&tokens("second")).await.unwrap();

    redis.store(&key).save(&tokens("consent")).await.unwrap();

    assert_eq!(earlier.load().await.unwrap().unwrap().access_token().secret(), "consent");
    assert_eq!(earlier.stored_revision().await.unwrap(), 3, "each save moved the revision on");
}

#[tokio::test]
async fn replace_stores_a_new_consent_over_a_set_saved_since_this_instance_read() {
    let (redis, key) = (TestRedis::start(), unique_key());
    redis.store(&key).save(&tokens("first")).await.unwrap();
    let (consenting, refreshing) = (redis.store(&key), redis.store(&key));
    consenting.load().await.unwrap();
    refreshing.load().await.unwrap();
    refreshing.save(&tokens("refreshed")).await.unwrap();

    assert!(matches!(consenting.save(&tokens("consent")).await, Err(StoreError::Conflict { .. })));
    consenting.replace(&tokens("consent")).await.unwrap();

    let inspector = redis.store(&key);
    assert_eq!(inspector.load().await.unwrap().unwrap().access_token().secret(), "consent");
    assert_eq!(inspector.stored_revision().await.unwrap(), 3, "the replace moved the revision on");
    assert!(
        matches!(refreshing.save(&tokens("stale")).await, Err(StoreError::Conflict { .. })),
        "an instance that read before the replace is refused after it"
    );
}

#[tokio::test]
async fn the_set_is_stored_as_the_versioned_token_set_json_next_to_its_revision() {
    let (redis, key) = (TestRedis::start(), unique_key());
    let saved = tokens("a").with_refresh_token(RefreshToken::new("r"), Some(Duration::from_secs(60)));
    redis.store(&key).save(&saved).await.unwrap();

    let mut raw = redis.raw().await;
    let (revision, json): (String, Vec<u8>) =
        redis::cmd("HMGET").arg(key.tokens_key()).arg("revision").arg("tokens").query_async(&mut raw).await.unwrap();

    assert_eq!(revision, "1");
    let text = String::from_utf8(json.clone()).unwrap();
    assert!(text.contains("\"format\": \"sage-rs/token-set\"") && text.contains("\"version\": 1"), "{text}");
    assert_eq!(decode(&json, "test").unwrap(), saved);
}

#[tokio::test]
async fn unreadable_data_is_an_error_never_an_empty_store() {
    let (redis, key) = (TestRedis::start(), unique_key());
    let mut raw = redis.raw().await;
    let _: () = redis::cmd("HSET")
        .arg(key.tokens_key())
        .arg("revision")
        .arg(1)
        .arg("tokens")
        .arg("{\"format\":")
        .query_async(&mut raw)
        .await
        .unwrap();
    assert!(matches!(redis.store(&key).load().await, Err(StoreError::Corrupt { .. })));

    let other = unique_key();
    let _: () = redis::cmd("SET").arg(other.tokens_key()).arg("not a hash").query_async(&mut raw).await.unwrap();
    let wrong_type = redis.store(&other).load().await;
    assert!(matches!(wrong_type, Err(StoreError::Backend(_))), "a refused command: {wrong_type:?}");
}

#[tokio::test]
async fn only_the_owner_releases_the_lock() {
    let (redis, key) = (TestRedis::start(), unique_key());
    let mut raw = redis.raw().await;
    let first = redis.store(&key).lock_for_refresh().await.unwrap();
    // The first holder's TTL runs out (simulated), and a second instance takes the lock.
    let _: () = redis::cmd("DEL").arg(key.lock_key()).query_async(&mut raw).await.unwrap();
    let second = redis.store(&key).lock_for_refresh().await.unwrap();

    first.release().await;
    let held: bool = redis::cmd("EXISTS").arg(key.lock_key()).query_async(&mut raw).await.unwrap();
    assert!(held, "a late release must not free someone else's lock");

    second.release().await;
    let held: bool = redis::cmd("EXISTS").arg(key.lock_key()).query_async(&mut raw).await.unwrap();
    assert!(!held);
}

#[tokio::test]
async fn a_lease_dropped_unreleased_frees_the_lock_in_the_background() {
    let (redis, key) = (TestRedis::start(), unique_key());
    let mut raw = redis.raw().await;
    drop(redis.store(&key).lock_for_refresh().await.unwrap());

    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let held: bool = redis::cmd("EXISTS").arg(key.lock_key()).query_async(&mut raw).await.unwrap();
        if !held {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the dropped lease was never released");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn stores_sharing_a_connection_keep_their_keys_apart() {
    let redis = TestRedis::start();
    let first = redis.store(&unique_key());
    let second = first.for_key(unique_key());
    first.save(&tokens("first")).await.unwrap();

    assert!(second.load().await.unwrap().is_none());
    second.save(&tokens("second")).await.unwrap();
    assert_eq!(first.load().await.unwrap().unwrap().access_token().secret(), "first");
}

#[tokio::test]
async fn a_held_lock_carries_its_ttl() {
    let (redis, key) = (TestRedis::start(), unique_key());
    let settings = LockSettings { ttl: Duration::from_secs(30), max_wait: Duration::from_secs(1) };
    let lease = redis.store(&key).with_lock_settings(settings).lock_for_refresh().await.unwrap();

    let ttl_ms: i64 = redis::cmd("PTTL").arg(key.lock_key()).query_async(&mut redis.raw().await).await.unwrap();

    assert!(ttl_ms > 0 && ttl_ms <= 30_000, "the lock carries the configured TTL, got {ttl_ms} ms");
    lease.release().await;
}

#[tokio::test]
async fn a_waiter_that_never_gets_the_lock_fails_without_refreshing() {
    let (redis, sandbox, key) = (TestRedis::start(), sandbox().await, unique_key());
    let consent = authorize(&oauth(&sandbox)).await;
    let due = TokenSet::new(SageApi::AccountingV31, AccessToken::new("expired"), Duration::ZERO)
        .with_refresh_token(consent.refresh_token().unwrap().clone(), None);
    redis.store(&key).save(&due).await.unwrap();
    let holder = redis.store(&key).lock_for_refresh().await.unwrap();
    let settings = LockSettings { ttl: Duration::from_secs(30), max_wait: Duration::from_millis(300) };
    let waiter = Authenticator::new(oauth(&sandbox), Arc::new(redis.store(&key).with_lock_settings(settings)));

    let err = waiter.access_token().await.unwrap_err();

    assert!(matches!(err, AuthError::Store(StoreError::LockTimeout { .. })), "{err:?}");
    assert_eq!(sandbox.stats().refresh_grants, 0, "no refresh without the lock");
    holder.release().await;
    assert_ne!(waiter.access_token().await.unwrap().secret(), "expired", "the lock freed, the refresh runs");
}

#[tokio::test]
async fn redis_down_is_a_typed_error_and_no_token_request_is_made() {
    let sandbox = sandbox().await;
    let url = format!("redis://:hunter2@127.0.0.1:{}/", free_port());
    let store = RedisTokenStore::new(&url, unique_key()).unwrap();
    let message = unavailable_message(store.lock_for_refresh().await);
    assert!(message.contains("redis://:***@") && !message.contains("hunter2"), "{message}");

    let authenticator = Authenticator::new(oauth(&sandbox), Arc::new(store));
    let err = authenticator.access_token().await.unwrap_err();

    assert!(matches!(err, AuthError::Store(StoreError::Unavailable { .. })), "{err:?}");
    assert!(!err.to_string().contains("hunter2"));
    assert_eq!(sandbox.stats().token_requests, 0);
}

#[tokio::test]
async fn tls_urls_are_supported_and_their_password_never_shown() {
    // A server that hangs up at once: the TLS handshake fails (and a build without TLS would
    // refuse the `rediss://` URL itself).
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || listener.incoming().for_each(drop));
    let store = RedisTokenStore::new(&format!("rediss://app:hunter2@localhost:{port}/0"), unique_key()).unwrap();

    let debug = format!("{store:?}");
    assert!(debug.contains("rediss://app:***@") && !debug.contains("hunter2"), "{debug}");
    let message = unavailable_message(store.load().await);
    assert!(message.contains("rediss://app:***@") && !message.contains("hunter2"), "{message}");
}

#[test]
fn an_unusable_url_is_refused_without_echoing_its_password() {
    let err = RedisTokenStore::new("http://:hunter2@cache/", unique_key()).unwrap_err();
    assert!(matches!(err, RedisStoreError::InvalidUrl { .. }), "{err:?}");
    assert!(!err.to_string().contains("hunter2") && !format!("{err:?}").contains("hunter2"), "{err}");
}
