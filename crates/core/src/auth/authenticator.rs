//! The store-backed, self-refreshing [`Authenticate`] implementation.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::Utc;
use rand::Rng;
use tokio::sync::Mutex;

use super::error::{AuthError, StoreError};
use super::oauth::OAuthClient;
use super::secret::{AccessToken, RefreshToken};
use super::store::TokenStore;
use super::token_set::TokenSet;
use super::Authenticate;

/// Tries per save of a refreshed set before it is held in memory for the next call.
const SAVE_ATTEMPTS: u32 = 3;
const SAVE_RETRY_PAUSE: Duration = Duration::from_millis(50);
/// Writes of a held set newer than the stored one before the stored one is taken as it is.
const WRITE_BACK_ATTEMPTS: u32 = 3;

/// Hands out access tokens from a [`TokenStore`], refreshing them shortly before they expire.
///
/// Within a process exactly one refresh runs at a time; callers arriving meanwhile wait for it and
/// then re-read the store, so any number of concurrent calls on an expired token cause one token
/// request. A refreshed token set is saved before its access token is returned, so a rotated
/// refresh token is never lost to a crash after use. A refresh token the server refused
/// (`invalid_grant`) yields [`AuthError::ReauthorizationRequired`] until a new token set is stored;
/// other failures are not retried before a minimum gap. It never starts an interactive flow.
///
/// A refresh, once started, runs to its end in a task of its own even if the caller gives up
/// (a call deadline, a dropped future): cancelled between the token response and the save, it
/// would lose the rotated refresh token. The only remaining loss is the process being killed in
/// that window (the README's "Keeping the sign-in" section gives its measured size).
pub struct Authenticator {
    inner: Arc<Inner>,
}

struct Inner {
    oauth: OAuthClient,
    store: Arc<dyn TokenStore>,
    margin: Duration,
    failure_gap: Duration,
    current: RwLock<Option<Arc<TokenSet>>>,
    refresh: Mutex<RefreshState>,
}

#[derive(Default)]
struct RefreshState {
    /// Refreshed tokens whose save failed: saved (and only then used) on the next call.
    unsaved: Option<TokenSet>,
    last_failure: Option<Failure>,
}

struct Failure {
    at: Instant,
    summary: String,
    refresh_token: Option<RefreshToken>,
    needs_reauthorization: bool,
}

/// Configures an [`Authenticator`].
#[must_use]
pub struct AuthenticatorBuilder {
    oauth: OAuthClient,
    store: Arc<dyn TokenStore>,
    margin: Duration,
    jitter: Duration,
    failure_gap: Duration,
}

impl AuthenticatorBuilder {
    /// How long before expiry to refresh (default 60 s). Capped at half the token's lifetime so
    /// short-lived tokens are not refreshed on every call.
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    /// Up to this much is added to the margin, chosen once per authenticator, so processes sharing
    /// a store do not all refresh at the same instant (default 10 s).
    pub fn jitter(mut self, jitter: Duration) -> Self {
        self.jitter = jitter;
        self
    }

    /// Minimum time between failed refresh attempts (default 5 s).
    pub fn failure_gap(mut self, gap: Duration) -> Self {
        self.failure_gap = gap;
        self
    }

    /// Builds the authenticator.
    pub fn build(self) -> Authenticator {
        let jitter = match self.jitter.as_millis() {
            0 => Duration::ZERO,
            max => Duration::from_millis(rand::thread_rng().gen_range(0..max.min(u128::from(u64::MAX)) as u64)),
        };
        let inner = Inner {
            oauth: self.oauth,
            store: self.store,
            margin: self.margin + jitter,
            failure_gap: self.failure_gap,
            current: RwLock::new(None),
            refresh: Mutex::new(RefreshState::default()),
        };
        Authenticator { inner: Arc::new(inner) }
    }
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let inner = &self.inner;
        f.debug_struct("Authenticator").field("api", &inner.oauth.api()).field("margin", &inner.margin).finish()
    }
}

impl Authenticator {
    /// Starts configuring an authenticator over `store`, refreshing through `oauth`.
    pub fn builder(oauth: OAuthClient, store: Arc<dyn TokenStore>) -> AuthenticatorBuilder {
        AuthenticatorBuilder {
            oauth,
            store,
            margin: Duration::from_secs(60),
            jitter: Duration::from_secs(10),
            failure_gap: Duration::from_secs(5),
        }
    }

    /// An authenticator with the default margin, jitter and failure gap.
    pub fn new(oauth: OAuthClient, store: Arc<dyn TokenStore>) -> Self {
        Self::builder(oauth, store).build()
    }

    /// The OAuth client used for refreshes.
    pub fn oauth(&self) -> &OAuthClient {
        &self.inner.oauth
    }

    /// Stores the token set of a new consent (e.g. from [`OAuthClient::exchange_code`]) and uses
    /// it from now on, even if another process saved a set since this one last read: a consent
    /// supersedes any refresh. Fails if it belongs to another API.
    pub async fn set_tokens(&self, mut tokens: TokenSet) -> Result<(), AuthError> {
        let inner = &self.inner;
        inner.check_api(&tokens)?;
        let mut state = inner.refresh.lock().await;
        // A consent supersedes every set of an earlier one, even with this machine's clock behind.
        if let Some(held) = inner.cached() {
            tokens.generation = tokens.generation.max(held.generation.saturating_add(1));
        }
        inner.store.replace(&tokens).await?;
        *state = RefreshState::default();
        inner.remember(tokens);
        Ok(())
    }

    /// The current token set (for `resource_owner_id`, expiry times, …), as stored.
    pub async fn tokens(&self) -> Result<Option<TokenSet>, AuthError> {
        let tokens = self.inner.store.load().await?;
        if let Some(tokens) = &tokens {
            self.inner.check_api(tokens)?;
        }
        Ok(tokens)
    }

    /// Refreshes now, even though the stored access token is still fresh, under the same locks
    /// as any refresh; if another process refreshed meanwhile, its set is used instead.
    pub async fn refresh_now(&self) -> Result<TokenSet, AuthError> {
        let stored = self.inner.load_current().await?;
        self.obtain(Some(&stored.access_token)).await?;
        self.inner
            .cached()
            .map(|tokens| (*tokens).clone())
            .ok_or_else(|| AuthError::Other("no token set after a refresh".into()))
    }

    /// Revokes the refresh token where the API allows it, then clears the store.
    pub async fn sign_out(&self) -> Result<(), AuthError> {
        let inner = &self.inner;
        let _state = inner.refresh.lock().await;
        if let Some(tokens) = inner.store.load().await? {
            if let (Some(token), Some(_)) = (tokens.refresh_token(), inner.oauth.profile().revoke_url()) {
                inner.oauth.revoke(token).await?;
            }
        }
        inner.store.clear().await?;
        *inner.write_current() = None;
        Ok(())
    }

    /// Runs [`Inner::obtain`] in a task of its own, so that dropping this future cannot cut a
    /// refresh between the token response and the save.
    async fn obtain(&self, rejected: Option<&AccessToken>) -> Result<AccessToken, AuthError> {
        let inner = Arc::clone(&self.inner);
        let rejected = rejected.cloned();
        tokio::spawn(async move { inner.obtain(rejected.as_ref()).await })
            .await
            .unwrap_or_else(|err| Err(AuthError::Other(format!("the token refresh task failed: {err}"))))
    }
}

impl Inner {
    /// Refreshes unless a usable token (other than `rejected`) is already available.
    async fn obtain(&self, rejected: Option<&AccessToken>) -> Result<AccessToken, AuthError> {
        let mut state = self.refresh.lock().await;
        if let Some(tokens) = self.cached().filter(|tokens| self.usable(tokens, rejected)) {
            return Ok(tokens.access_token.clone());
        }
        match self.renew(&mut state, rejected).await {
            Err(err) => self.fall_back(rejected, err),
            ok => ok,
        }
    }

    /// Saves a held refresh, or adopts a usable stored set, or refreshes under the store's lease.
    async fn renew(&self, state: &mut RefreshState, rejected: Option<&AccessToken>) -> Result<AccessToken, AuthError> {
        if let Some(token) = self.save_unsaved(state).await? {
            return Ok(token);
        }
        let stored = self.load_current().await?;
        if self.usable(&stored, rejected) {
            return Ok(stored.access_token.clone());
        }
        if let Some(err) = self.blocked_by_failure(state, &stored) {
            return Err(err);
        }
        let lease = self.store.lock_for_refresh().await?;
        let result = self.refresh_locked(state, rejected).await;
        lease.release().await;
        result
    }

    /// Retries the save of an earlier refresh. `Ok(None)` when nothing is held, or when the store
    /// refused it as a conflict: another process's newer set wins, so saving it again is pointless.
    async fn save_unsaved(&self, state: &mut RefreshState) -> Result<Option<AccessToken>, AuthError> {
        let Some(unsaved) = state.unsaved.take() else { return Ok(None) };
        match self.store.save(&unsaved).await {
            Ok(()) => {
                tracing::info!(api = %self.oauth.api(), "saved the token set of an earlier refresh");
                Ok(Some(self.remember(unsaved)))
            }
            Err(StoreError::Conflict { .. }) => {
                tracing::warn!(api = %self.oauth.api(), "a newer token set was stored meanwhile: dropping an unsaved refresh");
                Ok(None)
            }
            Err(err) => {
                state.unsaved = Some(unsaved);
                Err(err.into())
            }
        }
    }

    /// Runs with the in-process mutex and the store's lease held.
    async fn refresh_locked(
        &self,
        state: &mut RefreshState,
        rejected: Option<&AccessToken>,
    ) -> Result<AccessToken, AuthError> {
        // Another process may have refreshed between our read and taking the lease.
        let stored = self.load_current().await?;
        if self.usable(&stored, rejected) {
            return Ok(stored.access_token.clone());
        }
        match self.refresh_and_save(state, &stored).await {
            Err(AuthError::Store(StoreError::Conflict { .. })) => {
                // Another process stored a newer set while we refreshed (a new consent, or it took
                // over an expired lease): its set wins. Refresh from it at most once more, so two
                // processes can never chase each other's saves.
                let newer = self.load_current().await?;
                if self.usable(&newer, rejected) {
                    return Ok(newer.access_token.clone());
                }
                self.refresh_and_save(state, &newer).await
            }
            result => result,
        }
    }

    /// Refreshes `stored` and saves the new set before handing out its token. A save refused as a
    /// conflict drops the new set; any other failed save holds it for the next call, because its
    /// rotated refresh token is the only one that still works.
    async fn refresh_and_save(&self, state: &mut RefreshState, stored: &TokenSet) -> Result<AccessToken, AuthError> {
        if stored.refresh_expired(Utc::now()) {
            return Err(AuthError::ReauthorizationRequired { reason: "the refresh token has expired".into() });
        }
        let refreshed = match self.oauth.refresh(stored).await {
            Ok(refreshed) => refreshed,
            Err(err) => {
                tracing::warn!(api = %self.oauth.api(), error = %err, "token refresh failed");
                let summary = match &err {
                    AuthError::ReauthorizationRequired { reason } => reason.clone(),
                    other => other.to_string(),
                };
                state.last_failure = Some(Failure {
                    at: Instant::now(),
                    summary,
                    refresh_token: stored.refresh_token.clone(),
                    needs_reauthorization: matches!(err, AuthError::ReauthorizationRequired { .. }),
                });
                return Err(err);
            }
        };
        state.last_failure = None;
        if let Err(err) = self.save_refreshed(&refreshed).await {
            match &err {
                StoreError::Conflict { .. } => {}
                // The message names the rescue file, which the next load (in any process) adopts.
                StoreError::Rescued { .. } => {
                    tracing::error!(api = %self.oauth.api(), error = %err, "refreshed tokens could not be saved to the token store");
                }
                _ => tracing::error!(
                    api = %self.oauth.api(), error = %err,
                    "refreshed tokens could not be saved: they are held in memory and saved by the next call; \
                     should this process end first, the user must sign in again"
                ),
            }
            if !matches!(err, StoreError::Conflict { .. }) {
                state.unsaved = Some(refreshed);
            }
            return Err(err.into());
        }
        tracing::debug!(api = %self.oauth.api(), expires_at = %refreshed.expires_at, "access token refreshed");
        Ok(self.remember(refreshed))
    }

    /// Saves a refreshed set, trying again briefly: its refresh token is the only one that works.
    async fn save_refreshed(&self, tokens: &TokenSet) -> Result<(), StoreError> {
        let mut pause = SAVE_RETRY_PAUSE;
        for _ in 1..SAVE_ATTEMPTS {
            match self.store.save(tokens).await {
                Err(err) if !matches!(err, StoreError::Conflict { .. }) => {
                    tracing::warn!(api = %self.oauth.api(), error = %err, "saving refreshed tokens failed; trying again");
                    tokio::time::sleep(pause).await;
                    pause *= 4;
                }
                result => return result,
            }
        }
        self.store.save(tokens).await
    }

    /// The error to return instead of refreshing `stored` again, if its last attempt failed.
    fn blocked_by_failure(&self, state: &RefreshState, stored: &TokenSet) -> Option<AuthError> {
        let failure = state.last_failure.as_ref()?;
        if failure.refresh_token != stored.refresh_token {
            return None; // a new consent or another process replaced the refresh token
        }
        if failure.needs_reauthorization {
            return Some(AuthError::ReauthorizationRequired { reason: failure.summary.clone() });
        }
        let retry_in = self.failure_gap.checked_sub(failure.at.elapsed())?;
        Some(AuthError::RefreshBackoff { last_error: failure.summary.clone(), retry_in })
    }

    /// When no new token could be had, the current one is still served until it actually expires
    /// (unless the API just rejected it). That covers a failed proactive refresh, and a store out
    /// of reach ([`Unavailable`](StoreError::Unavailable), [`LockTimeout`](StoreError::LockTimeout)):
    /// no refresh ran, since one without the shared lock could burn a rotated refresh token, and
    /// the token in hand is as good as it was. Other store failures (corrupt data, a refused
    /// command, a failed save) need attention and are returned at once.
    fn fall_back(&self, rejected: Option<&AccessToken>, err: AuthError) -> Result<AccessToken, AuthError> {
        let may_serve = match &err {
            AuthError::Store(store) => matches!(store, StoreError::Unavailable { .. } | StoreError::LockTimeout { .. }),
            _ => true,
        };
        match self.cached() {
            Some(current)
                if may_serve
                    && current.is_fresh(Utc::now(), Duration::ZERO)
                    && rejected != Some(&current.access_token) =>
            {
                tracing::debug!(api = %self.oauth.api(), error = %err, "serving the current access token until it expires");
                Ok(current.access_token.clone())
            }
            _ => Err(err),
        }
    }

    /// Loads the newest set (see [`load_newest`](Self::load_newest)) and makes it the current
    /// one, so a later outage can fall back to it.
    async fn load_current(&self) -> Result<Arc<TokenSet>, AuthError> {
        let tokens = self.load_newest().await?;
        self.check_api(&tokens)?;
        let tokens = Arc::new(tokens);
        *self.write_current() = Some(Arc::clone(&tokens));
        Ok(tokens)
    }

    /// The stored set, unless this authenticator holds a newer one (a higher
    /// [`generation`](TokenSet::generation)) than the store: then the store lost data (a Redis
    /// restarted empty, perhaps refilled since by an instance holding an older set) and the held
    /// set, which may carry the only refresh token that still works, is written back instead of
    /// adopting the older one. The store decides whether that write goes through (Redis writes
    /// only over nothing or an older generation); a write refused as a conflict means something
    /// else was stored meanwhile, which is looked at again. A sign-out here forgets the held set.
    /// A failed write leaves the held set in memory, still the current one.
    async fn load_newest(&self) -> Result<TokenSet, AuthError> {
        let not_authorized = AuthError::no_stored_sign_in;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let stored = self.store.load().await?;
            let held = self.cached().filter(|held| held.api == self.oauth.api());
            let held = match (held, stored) {
                (Some(held), None) => {
                    tracing::warn!(api = %self.oauth.api(), "the token store lost its token set: writing back the one held in memory");
                    held
                }
                (Some(held), Some(stored)) if held.generation > stored.generation => {
                    tracing::warn!(
                        api = %self.oauth.api(), held = held.generation, stored = stored.generation,
                        "the token store holds an older token set than this instance: writing back the one held in memory"
                    );
                    held
                }
                (_, Some(stored)) => return Ok(stored),
                (None, None) => return Err(not_authorized()),
            };
            match self.store.save(&held).await {
                Ok(()) => return Ok((*held).clone()),
                Err(StoreError::Conflict { .. }) if attempt < WRITE_BACK_ATTEMPTS => {}
                Err(err) => return Err(err.into()),
            }
        }
    }

    fn check_api(&self, tokens: &TokenSet) -> Result<(), AuthError> {
        if tokens.api == self.oauth.api() {
            Ok(())
        } else {
            Err(AuthError::WrongApi { expected: self.oauth.api(), found: tokens.api })
        }
    }

    fn usable(&self, tokens: &TokenSet, rejected: Option<&AccessToken>) -> bool {
        let margin = self.margin.min(tokens.lifetime() / 2);
        tokens.is_fresh(Utc::now(), margin) && rejected != Some(&tokens.access_token)
    }

    fn cached(&self) -> Option<Arc<TokenSet>> {
        self.current.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    fn write_current(&self) -> std::sync::RwLockWriteGuard<'_, Option<Arc<TokenSet>>> {
        // Only whole `Option<Arc<_>>` values are ever written, so a poisoned lock holds a valid one.
        self.current.write().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn remember(&self, tokens: TokenSet) -> AccessToken {
        let token = tokens.access_token.clone();
        *self.write_current() = Some(Arc::new(tokens));
        token
    }
}

#[async_trait]
impl Authenticate for Authenticator {
    async fn access_token(&self) -> Result<AccessToken, AuthError> {
        match self.inner.cached() {
            Some(tokens) if self.inner.usable(&tokens, None) => Ok(tokens.access_token.clone()),
            _ => self.obtain(None).await,
        }
    }

    async fn refresh_after_rejection(&self, rejected: &AccessToken) -> Result<AccessToken, AuthError> {
        self.obtain(Some(rejected)).await
    }
}

#[cfg(test)]
#[path = "authenticator_tests.rs"]
mod tests;
