//! What sits between a connection's client and its tokens: the relink switch and the usage times.

use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sage_core::auth::{
    AccessToken, AuthError, Authenticate, Authenticator, RefreshLease, StoreError, TokenSet, TokenStore,
};

use crate::connection::Status;
use crate::registry::Registry;

/// `last_used_at` is written at most this often per connection and process: a write per call
/// would cost more than the call.
const TOUCH_EVERY: Duration = Duration::from_secs(60);

/// What one process knows of a connection between registry reads: whether it needs relinking.
/// Shared by every client built for it, so a reconnect clears it for clients already handed out.
#[derive(Debug, Default)]
pub(crate) struct Live {
    relink: RwLock<Option<(String, DateTime<Utc>)>>,
    last_touch: Mutex<Option<Instant>>,
}

impl Live {
    pub(crate) fn relink(&self) -> Option<(String, DateTime<Utc>)> {
        self.relink.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    /// Records the refusal; `false` if one was already recorded (the registry was told then).
    fn set_relink(&self, reason: &str) -> Option<DateTime<Utc>> {
        let mut relink = self.relink.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        if relink.is_some() {
            return None;
        }
        let since = Utc::now();
        *relink = Some((reason.to_owned(), since));
        Some(since)
    }

    pub(crate) fn clear_relink(&self) {
        *self.relink.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = None;
    }

    fn due_for_touch(&self) -> bool {
        let mut last = self.last_touch.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let due = last.is_none_or(|at| at.elapsed() >= TOUCH_EVERY);
        if due {
            *last = Some(Instant::now());
        }
        due
    }
}

/// A connection's [`Authenticate`]: an [`Authenticator`] over its store that, once Sage refuses
/// the refresh token for good, marks the connection `needs_relink` and fails every later call at
/// once, with no further refresh attempt, until the connection is completed again.
pub(crate) struct ConnectionAuth {
    pub(crate) id: String,
    pub(crate) connected_at: DateTime<Utc>,
    pub(crate) inner: Authenticator,
    pub(crate) live: Arc<Live>,
    pub(crate) registry: Arc<dyn Registry>,
}

impl ConnectionAuth {
    fn fail_fast(&self) -> Result<(), AuthError> {
        match self.live.relink() {
            Some((reason, since)) => Err(AuthError::ReauthorizationRequired {
                reason: format!("connection `{}` needs to be connected again (since {since}): {reason}", self.id),
            }),
            None => Ok(()),
        }
    }

    async fn checked(&self, result: Result<AccessToken, AuthError>) -> Result<AccessToken, AuthError> {
        match result {
            Ok(token) => {
                if self.live.due_for_touch() {
                    let now = Utc::now();
                    self.spawn_update(move |connection| {
                        connection.last_used_at = Some(now);
                        true
                    });
                }
                Ok(token)
            }
            Err(AuthError::ReauthorizationRequired { reason }) => {
                if let Some(since) = self.live.set_relink(&reason) {
                    tracing::warn!(connection = %self.id, %reason, "the connection needs to be connected again");
                    let connected_at = self.connected_at;
                    let status = Status::NeedsRelink { reason: reason.clone(), since };
                    // Not if the customer reconnected meanwhile: that consent is newer than this refusal.
                    let update = Box::new(move |connection: &mut crate::Connection| {
                        let current = connection.connected_at == connected_at && connection.status == Status::Active;
                        if current {
                            connection.status = status.clone();
                        }
                        current
                    });
                    if let Err(err) = self.registry.update(&self.id, update).await {
                        tracing::error!(connection = %self.id, error = %err, "could not record that the connection needs relinking");
                    }
                }
                Err(AuthError::ReauthorizationRequired { reason })
            }
            Err(err) => Err(err),
        }
    }

    /// Writes a usage time in the background: a call never waits for it.
    fn spawn_update(&self, update: impl Fn(&mut crate::Connection) -> bool + Send + Sync + 'static) {
        let (registry, id) = (Arc::clone(&self.registry), self.id.clone());
        tokio::spawn(async move {
            if let Err(err) = registry.update(&id, Box::new(update)).await {
                tracing::debug!(connection = %id, error = %err, "could not record the connection's usage time");
            }
        });
    }
}

#[async_trait]
impl Authenticate for ConnectionAuth {
    async fn access_token(&self) -> Result<AccessToken, AuthError> {
        self.fail_fast()?;
        let result = self.inner.access_token().await;
        self.checked(result).await
    }

    async fn refresh_after_rejection(&self, rejected: &AccessToken) -> Result<AccessToken, AuthError> {
        self.fail_fast()?;
        let result = self.inner.refresh_after_rejection(rejected).await;
        self.checked(result).await
    }
}

/// A connection's token store that records `last_refreshed_at` when a refreshed set is saved.
pub(crate) struct TrackedStore {
    pub(crate) id: String,
    pub(crate) inner: Arc<dyn TokenStore>,
    pub(crate) registry: Arc<dyn Registry>,
}

#[async_trait]
impl TokenStore for TrackedStore {
    async fn load(&self) -> Result<Option<TokenSet>, StoreError> {
        self.inner.load().await
    }

    async fn save(&self, tokens: &TokenSet) -> Result<(), StoreError> {
        self.inner.save(tokens).await?;
        let (registry, id, at) = (Arc::clone(&self.registry), self.id.clone(), tokens.received_at());
        tokio::spawn(async move {
            let update = Box::new(move |connection: &mut crate::Connection| {
                connection.last_refreshed_at = Some(at);
                true
            });
            if let Err(err) = registry.update(&id, update).await {
                tracing::debug!(connection = %id, error = %err, "could not record the refresh time");
            }
        });
        Ok(())
    }

    async fn replace(&self, tokens: &TokenSet) -> Result<(), StoreError> {
        self.inner.replace(tokens).await
    }

    async fn clear(&self) -> Result<(), StoreError> {
        self.inner.clear().await
    }

    async fn lock_for_refresh(&self) -> Result<RefreshLease, StoreError> {
        self.inner.lock_for_refresh().await
    }
}
