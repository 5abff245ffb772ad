//! What sits between a connection's client and its tokens: the relink and disconnect switches,
//! the transient backoff, the usage times and the events they cause.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sage_core::auth::{
    AccessToken, AuthError, Authenticate, Authenticator, RefreshLease, StoreError, TokenSet, TokenStore,
};

use crate::backoff::{is_transient, Streak, TransientBackoff};
use crate::connection::{Connection, Status};
use crate::event::{AuditRecord, Event, Events};
use crate::registry::Registry;

/// `last_used_at` is written at most this often per connection and process: a write per call
/// would cost more than the call.
const TOUCH_EVERY: Duration = Duration::from_secs(60);
/// During a backoff, a stored token this fresh (another process's refresh) is used at once.
const ADOPT_MARGIN: Duration = Duration::from_secs(120);
/// During a backoff, the store is looked at for such a token at most this often: the calls in
/// between fail without any I/O.
const LOOK_EVERY: Duration = Duration::from_secs(1);

/// Why a connection's calls fail at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Blocked {
    NeedsRelink { reason: String, since: DateTime<Utc> },
    Disconnected,
}

impl Blocked {
    pub(crate) fn error(&self, id: &str) -> AuthError {
        match self {
            Self::NeedsRelink { reason, since } => {
                AuthError::ConnectionNeedsRelink { connection: id.to_owned(), reason: reason.clone(), since: *since }
            }
            Self::Disconnected => AuthError::ConnectionDisconnected { connection: id.to_owned() },
        }
    }
}

/// What one process knows of a connection between registry reads. Shared by every client built
/// for it, so a reconnect clears it for clients already handed out.
#[derive(Debug, Default)]
pub(crate) struct Live {
    blocked: RwLock<Option<Blocked>>,
    last_touch: Mutex<Option<Instant>>,
    streak: Mutex<Option<Streak>>,
}

impl Live {
    pub(crate) fn blocked(&self) -> Option<Blocked> {
        self.blocked.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    /// Records a refusal; `None` if the connection was blocked already (the registry was told then).
    fn block_relink(&self, reason: &str) -> Option<DateTime<Utc>> {
        let mut blocked = self.blocked.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        if blocked.is_some() {
            return None;
        }
        let since = Utc::now();
        *blocked = Some(Blocked::NeedsRelink { reason: reason.to_owned(), since });
        Some(since)
    }

    pub(crate) fn set_blocked(&self, state: Blocked) {
        *self.blocked.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(state);
    }

    /// A new consent: calls go through again, with no backoff left over.
    pub(crate) fn clear(&self) {
        *self.blocked.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = None;
        *self.streak() = None;
    }

    fn streak(&self) -> std::sync::MutexGuard<'_, Option<Streak>> {
        self.streak.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
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

/// A connection's [`Authenticate`]: an [`Authenticator`] over its store that
/// - once Sage refuses the refresh token for good, marks the connection `needs_relink`, emits
///   [`Event::NeedsRelink`] and fails every later call at once with
///   [`AuthError::ConnectionNeedsRelink`], with no further refresh attempt, until it is completed
///   again (a disconnected one fails with [`AuthError::ConnectionDisconnected`]);
/// - after a transient failure, backs off (see [`TransientBackoff`]) and emits
///   [`Event::Recovered`] on the first good token after the streak.
pub(crate) struct ConnectionAuth {
    pub(crate) id: String,
    pub(crate) product: String,
    pub(crate) connected_at: DateTime<Utc>,
    pub(crate) inner: Authenticator,
    pub(crate) live: Arc<Live>,
    pub(crate) registry: Arc<dyn Registry>,
    pub(crate) events: Arc<Events>,
    pub(crate) backoff: TransientBackoff,
}

impl ConnectionAuth {
    fn fail_fast(&self) -> Result<(), AuthError> {
        match self.live.blocked() {
            Some(blocked) => Err(blocked.error(&self.id)),
            None => Ok(()),
        }
    }

    /// While a backoff runs, no refresh: only a token another process stored meanwhile is taken.
    async fn wait_out_backoff(&self, rejected: Option<&AccessToken>) -> Result<(), AuthError> {
        let (retry_in, last_error, refused, look) = {
            let mut streak = self.live.streak();
            match streak.as_mut() {
                Some(streak) => match streak.retry_at.checked_duration_since(Instant::now()) {
                    Some(retry_in) if !retry_in.is_zero() => {
                        // Claimed before looking, so concurrent calls do not all look.
                        let look = streak.looked_at.is_none_or(|at| at.elapsed() >= LOOK_EVERY);
                        if look {
                            streak.looked_at = Some(Instant::now());
                        }
                        (retry_in, streak.last_error.clone(), rejected.or(streak.rejected.as_ref()).cloned(), look)
                    }
                    _ => return Ok(()),
                },
                None => return Ok(()),
            }
        };
        if !look {
            return Err(AuthError::RefreshBackoff { last_error, retry_in });
        }
        if let Ok(Some(stored)) = self.inner.tokens().await {
            // Not the token the API refused: that call would only be refused again.
            if stored.is_fresh(Utc::now(), ADOPT_MARGIN) && Some(stored.access_token()) != refused.as_ref() {
                // The next call may look again at once (the refused token's retry adopts it).
                if let Some(streak) = self.live.streak().as_mut() {
                    streak.looked_at = None;
                }
                return Ok(());
            }
        }
        Err(AuthError::RefreshBackoff { last_error, retry_in })
    }

    /// Refreshes now (keep-alive), under the same locks and rules as a call's refresh, backoff
    /// included. Not a use: `last_used_at` is left as it is.
    pub(crate) async fn refresh_now(&self) -> Result<TokenSet, AuthError> {
        self.fail_fast()?;
        self.wait_out_backoff(None).await?;
        match self.inner.refresh_now().await {
            Ok(tokens) => {
                self.end_streak(tokens.access_token());
                Ok(tokens)
            }
            Err(AuthError::ReauthorizationRequired { reason }) => Err(self.refused(reason).await),
            Err(err) => {
                if is_transient(&err) {
                    self.extend_streak(&err, None);
                }
                Err(err)
            }
        }
    }

    async fn checked(
        &self,
        result: Result<AccessToken, AuthError>,
        rejected: Option<&AccessToken>,
    ) -> Result<AccessToken, AuthError> {
        match result {
            Ok(token) => {
                self.end_streak(&token);
                if self.live.due_for_touch() {
                    let now = Utc::now();
                    self.spawn_update(move |connection| {
                        connection.last_used_at = Some(now);
                        true
                    });
                }
                Ok(token)
            }
            Err(AuthError::ReauthorizationRequired { reason }) => Err(self.refused(reason).await),
            Err(err) => {
                if is_transient(&err) {
                    self.extend_streak(&err, rejected);
                }
                Err(err)
            }
        }
    }

    fn extend_streak(&self, err: &AuthError, rejected: Option<&AccessToken>) {
        let mut streak = self.live.streak();
        let failures = streak.as_ref().map_or(0, |streak| streak.failures) + 1;
        let pause = self.backoff.pause(failures);
        let rejected = streak.as_mut().and_then(|streak| streak.rejected.take()).or_else(|| rejected.cloned());
        tracing::warn!(connection = %self.id, failures, pause_ms = pause.as_millis() as u64, error = %err, "token refresh failed; backing off");
        let retry_at = Instant::now() + pause;
        *streak = Some(Streak { failures, retry_at, last_error: err.to_string(), rejected, looked_at: None });
    }

    fn end_streak(&self, token: &AccessToken) {
        let ended = {
            let mut streak = self.live.streak();
            match streak.as_ref() {
                Some(current) if current.rejected.as_ref() != Some(token) => streak.take(),
                _ => None,
            }
        };
        let Some(ended) = ended else { return };
        let at = Utc::now();
        tracing::info!(connection = %self.id, failures = ended.failures, "token refresh recovered");
        self.events.emit(Event::Recovered {
            connection_id: self.id.clone(),
            product: self.product.clone(),
            at,
            failures: ended.failures,
            last_error: ended.last_error.clone(),
        });
        let mut record = AuditRecord::new(&self.id, "recovered", at);
        record.detail = Some(format!("after {} failed refresh attempts; last: {}", ended.failures, ended.last_error));
        let (registry, id) = (Arc::clone(&self.registry), self.id.clone());
        tokio::spawn(async move {
            if let Err(err) = registry.append_audit(&record).await {
                tracing::warn!(connection = %id, error = %err, "could not keep the audit record of a recovery");
            }
        });
    }

    /// Sage refused the refresh token (or the store has none): records `needs_relink` unless the
    /// connection was reconnected or disconnected meanwhile, and says which it is.
    async fn refused(&self, reason: String) -> AuthError {
        *self.live.streak() = None;
        let Some(since) = self.live.block_relink(&reason) else {
            return self.live.blocked().map_or(AuthError::ReauthorizationRequired { reason }, |b| b.error(&self.id));
        };
        let changed = Arc::new(AtomicBool::new(false));
        let (connected_at, status) = (self.connected_at, Status::NeedsRelink { reason: reason.clone(), since });
        let flag = Arc::clone(&changed);
        // Not if the customer reconnected meanwhile: that consent is newer than this refusal.
        let update = Box::new(move |connection: &mut Connection| {
            let current = connection.connected_at == connected_at && connection.status == Status::Active;
            if current {
                connection.status = status.clone();
            }
            flag.store(current, Ordering::SeqCst);
            current
        });
        let stored = match self.registry.update(&self.id, update).await {
            Ok(stored) => stored,
            Err(err) => {
                tracing::error!(connection = %self.id, error = %err, "could not record that the connection needs relinking");
                None
            }
        };
        if changed.load(Ordering::SeqCst) {
            tracing::warn!(connection = %self.id, %reason, "the connection needs to be connected again");
            self.events.emit(Event::NeedsRelink {
                connection_id: self.id.clone(),
                product: self.product.clone(),
                at: since,
                reason: reason.clone(),
            });
            let mut record = AuditRecord::new(&self.id, "needs_relink", since);
            record.why = Some(reason.clone());
            if let Err(err) = self.registry.append_audit(&record).await {
                tracing::warn!(connection = %self.id, error = %err, "could not keep the audit record of a relink");
            }
        }
        // The registry's word wins: a disconnect (whose tokens are gone) or another process's refusal.
        match stored.map(|connection| connection.status) {
            Some(Status::Disconnected) => self.live.set_blocked(Blocked::Disconnected),
            Some(Status::NeedsRelink { reason, since }) => {
                self.live.set_blocked(Blocked::NeedsRelink { reason, since })
            }
            _ => {}
        }
        self.live.blocked().map_or(AuthError::ReauthorizationRequired { reason }, |blocked| blocked.error(&self.id))
    }

    /// Writes a usage time in the background: a call never waits for it.
    fn spawn_update(&self, update: impl Fn(&mut Connection) -> bool + Send + Sync + 'static) {
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
        self.wait_out_backoff(None).await?;
        let result = self.inner.access_token().await;
        self.checked(result, None).await
    }

    async fn refresh_after_rejection(&self, rejected: &AccessToken) -> Result<AccessToken, AuthError> {
        self.fail_fast()?;
        self.wait_out_backoff(Some(rejected)).await?;
        let result = self.inner.refresh_after_rejection(rejected).await;
        self.checked(result, Some(rejected)).await
    }
}

/// A connection's token store that records `last_refreshed_at` and emits [`Event::Refreshed`]
/// when this process saves a refreshed set.
pub(crate) struct TrackedStore {
    pub(crate) id: String,
    pub(crate) product: String,
    pub(crate) inner: Arc<dyn TokenStore>,
    pub(crate) registry: Arc<dyn Registry>,
    pub(crate) events: Arc<Events>,
}

#[async_trait]
impl TokenStore for TrackedStore {
    async fn load(&self) -> Result<Option<TokenSet>, StoreError> {
        self.inner.load().await
    }

    async fn save(&self, tokens: &TokenSet) -> Result<(), StoreError> {
        self.inner.save(tokens).await?;
        let at = tokens.received_at();
        let update = Box::new(move |connection: &mut Connection| {
            connection.last_refreshed_at = Some(at);
            true
        });
        if let Err(err) = self.registry.update(&self.id, update).await {
            tracing::debug!(connection = %self.id, error = %err, "could not record the refresh time");
        }
        self.events.emit(Event::Refreshed { connection_id: self.id.clone(), product: self.product.clone(), at });
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
