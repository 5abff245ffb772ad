//! A token store double for the auth unit tests: scripted save refusals and an on/off outage.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;

use super::store::{MemoryTokenStore, RefreshLease, TokenStore};
use super::{StoreError, TokenSet};

/// How one scripted save is answered.
pub(crate) enum Refusal {
    /// Redis down, say: nothing is written.
    Unavailable,
    /// A compare-and-set refusal: the given set is stored first, as if another instance had just
    /// saved it.
    Conflict(TokenSet),
}

/// Memory-backed; each queued [`Refusal`] answers one save, then saves succeed. While `down` is set
/// every call fails with [`StoreError::Unavailable`]; while `lock_busy` is set the refresh lock
/// times out. [`replace`](TokenStore::replace) writes unconditionally, like a compare-and-set store.
#[derive(Default)]
pub(crate) struct ScriptedStore {
    inner: MemoryTokenStore,
    refusals: Mutex<VecDeque<Refusal>>,
    pub(crate) down: AtomicBool,
    pub(crate) lock_busy: AtomicBool,
    saves: AtomicU32,
}

impl ScriptedStore {
    pub(crate) fn refuse_next_save(&self, refusal: Refusal) {
        self.refusals.lock().unwrap().push_back(refusal);
    }

    /// Calls to `save`, refused or not.
    pub(crate) fn saves(&self) -> u32 {
        self.saves.load(Ordering::SeqCst)
    }

    fn reachable(&self) -> Result<(), StoreError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(StoreError::Unavailable { location: "test".into(), reason: "connection refused".into() });
        }
        Ok(())
    }
}

#[async_trait]
impl TokenStore for ScriptedStore {
    async fn load(&self) -> Result<Option<TokenSet>, StoreError> {
        self.reachable()?;
        self.inner.load().await
    }

    async fn save(&self, tokens: &TokenSet) -> Result<(), StoreError> {
        self.saves.fetch_add(1, Ordering::SeqCst);
        self.reachable()?;
        let refusal = self.refusals.lock().unwrap().pop_front();
        match refusal {
            None => self.inner.save(tokens).await,
            Some(Refusal::Unavailable) => {
                Err(StoreError::Unavailable { location: "test".into(), reason: "connection reset".into() })
            }
            Some(Refusal::Conflict(newer)) => {
                self.inner.save(&newer).await?;
                Err(StoreError::Conflict { location: "test".into() })
            }
        }
    }

    async fn replace(&self, tokens: &TokenSet) -> Result<(), StoreError> {
        self.reachable()?;
        self.inner.save(tokens).await
    }

    async fn clear(&self) -> Result<(), StoreError> {
        self.reachable()?;
        self.inner.clear().await
    }

    async fn lock_for_refresh(&self) -> Result<RefreshLease, StoreError> {
        self.reachable()?;
        if self.lock_busy.load(Ordering::SeqCst) {
            return Err(StoreError::LockTimeout { location: "test-lock".into(), waited: Duration::from_secs(60) });
        }
        Ok(RefreshLease::none())
    }
}
