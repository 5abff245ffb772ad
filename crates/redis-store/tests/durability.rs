//! A Redis that loses its data (restart without persistence) and a refresh slower than the lock's
//! TTL: neither may cost the user a sign-in.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{authorize, oauth, sandbox, unique_key, TestRedis, MARGIN};
use sage_core::auth::{
    async_trait, AccessToken, Authenticate, Authenticator, RefreshLease, SageApi, StoreError, TokenSet, TokenStore,
};
use sage_redis_store::{LockSettings, RedisTokenStore};
use sage_sandbox::Sandbox;

fn tokens(access: &str) -> TokenSet {
    TokenSet::new(SageApi::AccountingV31, AccessToken::new(access), Duration::from_secs(300))
}

/// Empties Redis for `key`, as a restart without persistence does.
async fn lose_data(redis: &TestRedis, key: &sage_redis_store::ConnectionKey) {
    let _: () = redis::cmd("DEL").arg(key.tokens_key()).query_async(&mut redis.raw().await).await.unwrap();
}

#[tokio::test]
async fn a_save_after_redis_lost_the_set_is_written_not_refused() {
    let (redis, key) = (TestRedis::start(), unique_key());
    let store = redis.store(&key);
    store.save(&tokens("first")).await.unwrap();
    store.save(&tokens("second")).await.unwrap();
    store.load().await.unwrap();
    lose_data(&redis, &key).await;

    store.save(&tokens("refreshed")).await.expect("a lower stored revision is data loss, not a conflict");

    assert_eq!(redis.store(&key).load().await.unwrap().unwrap().access_token().secret(), "refreshed");
    assert_eq!(store.stored_revision().await.unwrap(), 3, "the revision continues above the one read");
    let stale = redis.store(&key);
    stale.load().await.unwrap();
    store.save(&tokens("newer")).await.unwrap();
    assert!(matches!(stale.save(&tokens("stale")).await, Err(StoreError::Conflict { .. })), "newer still wins");
}

#[tokio::test]
async fn an_authenticator_writes_its_set_back_after_redis_restarted_empty() {
    let (redis, sandbox, key) = (TestRedis::start(), sandbox().await, unique_key());
    let consent = authorize(&oauth(&sandbox)).await;
    redis.store(&key).save(&consent).await.unwrap();
    let auth = Authenticator::builder(oauth(&sandbox), Arc::new(redis.store(&key)))
        .refresh_margin(MARGIN)
        .jitter(Duration::ZERO)
        .build();
    assert_eq!(&auth.access_token().await.unwrap(), consent.access_token());

    lose_data(&redis, &key).await;
    tokio::time::sleep((consent.expires_at() - chrono::Utc::now()).to_std().unwrap_or_default()).await;
    let token = auth.access_token().await.expect("no re-authorization: the held set is written back and refreshed");

    assert_ne!(&token, consent.access_token());
    let stored = redis.store(&key).load().await.unwrap().expect("the set is back in Redis");
    assert_eq!(stored.access_token(), &token);
    assert_eq!(sandbox.stats().token_errors, 0, "no refresh token was refused");
}

/// A Redis store whose saves take `delay`: a locked section slower than the lock's TTL.
struct SlowSave {
    inner: RedisTokenStore,
    delay: Duration,
}

#[async_trait]
impl TokenStore for SlowSave {
    async fn load(&self) -> Result<Option<TokenSet>, StoreError> {
        self.inner.load().await
    }
    async fn save(&self, tokens: &TokenSet) -> Result<(), StoreError> {
        tokio::time::sleep(self.delay).await;
        self.inner.save(tokens).await
    }
    async fn clear(&self) -> Result<(), StoreError> {
        self.inner.clear().await
    }
    async fn lock_for_refresh(&self) -> Result<RefreshLease, StoreError> {
        self.inner.lock_for_refresh().await
    }
}

#[tokio::test]
async fn a_held_lock_outlives_its_ttl_while_the_holder_works() {
    let (redis, key) = (TestRedis::start(), unique_key());
    let short = LockSettings { ttl: Duration::from_secs(1), max_wait: Duration::from_millis(300) };
    let holder = redis.store(&key).with_lock_settings(short).lock_for_refresh().await.unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await;

    let waiter = redis.store(&key).with_lock_settings(short).lock_for_refresh().await;
    assert!(matches!(waiter, Err(StoreError::LockTimeout { .. })), "still held after 3 TTLs: {waiter:?}");
    holder.release().await;
    redis.store(&key).with_lock_settings(short).lock_for_refresh().await.expect("released").release().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refresh_slower_than_the_lock_ttl_causes_no_reauthorization() {
    // Real-time token lifetimes: the refreshed token must still be fresh after the slow save.
    let sandbox = Sandbox::builder().auto_approve(true).start().await.expect("the sandbox starts");
    let (redis, key) = (TestRedis::start(), unique_key());
    let consent = authorize(&oauth(&sandbox)).await;
    let due = TokenSet::new(SageApi::AccountingV31, AccessToken::new("due"), Duration::ZERO)
        .with_refresh_token(consent.refresh_token().unwrap().clone(), None);
    redis.store(&key).save(&due).await.unwrap();
    let settings = LockSettings { ttl: Duration::from_secs(1), max_wait: Duration::from_secs(20) };
    let instance = |delay| {
        let store = SlowSave { inner: redis.store(&key).with_lock_settings(settings), delay };
        Authenticator::builder(oauth(&sandbox), Arc::new(store)).jitter(Duration::ZERO).build()
    };
    let (slow, other) = (instance(Duration::from_secs(3)), instance(Duration::ZERO));

    let slow_call = tokio::spawn(async move { slow.access_token().await });
    tokio::time::sleep(Duration::from_millis(200)).await; // the slow instance holds the lock
    let other_token = other.access_token().await.expect("waits for the slow refresh, then uses its set");
    let slow_token = slow_call.await.unwrap().expect("the slow refresh succeeds");

    assert_eq!(other_token, slow_token, "one refresh, shared");
    let stats = sandbox.stats();
    assert_eq!((stats.refresh_grants, stats.token_errors), (1, 0), "{stats:?}");
}
