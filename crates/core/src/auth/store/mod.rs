//! Where token sets live between runs, and how processes sharing one agree on who refreshes.

pub(crate) mod file;
mod file_lock;
mod file_rescue;
mod format;

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;

use async_trait::async_trait;

pub use file::FileTokenStore;
pub use format::{decode, encode, Codec, FORMAT_VERSION};
#[cfg(feature = "encryption")]
pub use format::{decode_sealed, encode_sealed};

use super::error::StoreError;
use super::token_set::TokenSet;

/// Persistent home of one authorization's [`TokenSet`].
///
/// The [`Authenticator`](super::Authenticator) already lets only one task per process refresh.
/// A store shared by several processes (Redis, a database) should also override
/// [`lock_for_refresh`](TokenStore::lock_for_refresh) with a cluster-wide lock; the authenticator
/// re-reads the store after taking it, so a refresh done elsewhere is picked up instead of repeated.
#[async_trait]
pub trait TokenStore: Send + Sync + 'static {
    /// The stored token set, `None` when nothing is stored. Unreadable data is an error, never `None`.
    async fn load(&self) -> Result<Option<TokenSet>, StoreError>;

    /// Replaces the stored token set. Must be durable when it returns: a rotated refresh token is
    /// only handed out after this succeeds. A store shared by several processes may refuse the
    /// save with [`StoreError::Conflict`] when another one stored a newer set since this one read.
    async fn save(&self, tokens: &TokenSet) -> Result<(), StoreError>;

    /// Stores the token set of a new consent over whatever is stored, even a set another process
    /// saved since this one last read: a consent is newer than any refresh. Compare-and-set stores
    /// override this with an unconditional write; the default is [`save`](TokenStore::save).
    async fn replace(&self, tokens: &TokenSet) -> Result<(), StoreError> {
        self.save(tokens).await
    }

    /// Removes the stored token set (sign-out).
    async fn clear(&self) -> Result<(), StoreError>;

    /// Taken around load → refresh → save. Stores shared by several processes take a lock all of
    /// them respect, and should fail here if a save is already known to fail (an unwritable
    /// directory): the refresh would otherwise spend a refresh token whose successor is lost.
    /// The default does nothing: in-process callers are already serialized by the authenticator.
    async fn lock_for_refresh(&self) -> Result<RefreshLease, StoreError> {
        Ok(RefreshLease::none())
    }
}

type ReleaseFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Proof that a cross-process refresh lock is held. Release it with [`release`](Self::release);
/// a lease dropped without release (a cancelled task) must be expired by the backend (e.g. a TTL).
#[must_use = "release the lease once the refreshed tokens are saved"]
pub struct RefreshLease {
    release: Option<Box<dyn FnOnce() -> ReleaseFuture + Send>>,
}

impl RefreshLease {
    /// A lease that guards nothing.
    pub fn none() -> Self {
        Self { release: None }
    }

    /// A lease whose `release` runs the given unlock step.
    pub fn new<F, Fut>(release: F) -> Self
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        Self { release: Some(Box::new(move || Box::pin(release()) as ReleaseFuture)) }
    }

    /// Gives the lock back.
    pub async fn release(mut self) {
        if let Some(release) = self.release.take() {
            release().await;
        }
    }
}

impl std::fmt::Debug for RefreshLease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RefreshLease").field("held", &self.release.is_some()).finish()
    }
}

/// Keeps the token set in memory only: for tests, and for services that re-authorize on start.
#[derive(Debug, Default)]
pub struct MemoryTokenStore {
    tokens: Mutex<Option<TokenSet>>,
}

impl MemoryTokenStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// A store holding `tokens`.
    pub fn with_tokens(tokens: TokenSet) -> Self {
        Self { tokens: Mutex::new(Some(tokens)) }
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Option<TokenSet>> {
        // A panic elsewhere cannot leave a half-written `Option`, so a poisoned lock is still usable.
        self.tokens.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[async_trait]
impl TokenStore for MemoryTokenStore {
    async fn load(&self) -> Result<Option<TokenSet>, StoreError> {
        Ok(self.slot().clone())
    }

    async fn save(&self, tokens: &TokenSet) -> Result<(), StoreError> {
        *self.slot() = Some(tokens.clone());
        Ok(())
    }

    async fn clear(&self) -> Result<(), StoreError> {
        *self.slot() = None;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    use super::*;
    use crate::auth::{AccessToken, SageApi};

    #[tokio::test]
    async fn memory_store_round_trips_and_clears() {
        let store = MemoryTokenStore::new();
        assert!(store.load().await.unwrap().is_none());
        let tokens = TokenSet::new(SageApi::Sage200, AccessToken::new("a"), Duration::from_secs(60));
        store.save(&tokens).await.unwrap();
        assert_eq!(store.load().await.unwrap(), Some(tokens));
        store.clear().await.unwrap();
        assert!(store.load().await.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_lease_runs_its_release_step_once() {
        let released = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&released);
        let lease = RefreshLease::new(move || async move { flag.store(true, Ordering::SeqCst) });
        assert!(!released.load(Ordering::SeqCst));
        lease.release().await;
        assert!(released.load(Ordering::SeqCst));
        RefreshLease::none().release().await;
    }
}
