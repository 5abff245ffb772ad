//! Two instances, one connection: an instance whose save loses the compare-and-set race adopts
//! the winner's token set instead of retrying its own or refreshing again.

mod redis_support;

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use redis_support::{unique_key, TestRedis};
use sage_core::auth::{
    async_trait, AccessToken, Authenticate, Authenticator, RefreshLease, SageApi, StoreError, TokenSet, TokenStore,
};
use sage_redis_store::RedisTokenStore;
use sage_sandbox::Sandbox;

type Hook = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A Redis store that runs a hook once, just before its first save reaches Redis: the moment at
/// which another instance's write makes that save stale.
struct BeforeFirstSave {
    inner: RedisTokenStore,
    hook: Mutex<Option<Hook>>,
}

#[async_trait]
impl TokenStore for BeforeFirstSave {
    async fn load(&self) -> Result<Option<TokenSet>, StoreError> {
        self.inner.load().await
    }
    async fn save(&self, tokens: &TokenSet) -> Result<(), StoreError> {
        let hook = self.hook.lock().unwrap().take();
        if let Some(hook) = hook {
            hook.await;
        }
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
async fn a_save_that_loses_the_race_adopts_the_other_instances_set_without_another_refresh() {
    let (redis, key) = (TestRedis::start(), unique_key());
    let sandbox = Arc::new(Sandbox::builder().auto_approve(true).start().await.expect("the sandbox starts"));
    let first = sandbox.sign_in("accounting-v31").await.expect("the first consent");
    let due = TokenSet::new(SageApi::AccountingV31, AccessToken::new("due"), Duration::ZERO)
        .with_refresh_token(first.tokens.refresh_token().unwrap().clone(), None);
    redis.store(&key).save(&due).await.unwrap();

    // Instance B has read the set too; while A refreshes, the user consents again through B.
    let b = Arc::new(Authenticator::new(first.oauth.clone(), Arc::new(redis.store(&key))));
    assert!(b.tokens().await.unwrap().is_some());
    let (b_hook, sandbox_hook) = (Arc::clone(&b), Arc::clone(&sandbox));
    let new_consent: Hook = Box::pin(async move {
        let consent = sandbox_hook.sign_in("accounting-v31").await.expect("the second consent");
        b_hook.set_tokens(consent.tokens).await.expect("a new consent is stored over anything");
    });
    let a_store = BeforeFirstSave { inner: redis.store(&key), hook: Mutex::new(Some(new_consent)) };
    let a = Authenticator::new(first.oauth, Arc::new(a_store));

    let token = a.access_token().await.expect("A recovers from the refused save");

    let stored = redis.store(&key).load().await.unwrap().unwrap();
    assert_eq!(&token, stored.access_token(), "A hands out the set B stored");
    assert_eq!(b.access_token().await.unwrap(), token);
    assert_eq!(a.access_token().await.unwrap(), token);
    let stats = sandbox.stats();
    assert_eq!(stats.refresh_grants, 1, "only A's refresh, whose save was refused: {stats:?}");
    assert_eq!(stats.token_requests, 3, "two code exchanges and that one refresh: {stats:?}");
}
