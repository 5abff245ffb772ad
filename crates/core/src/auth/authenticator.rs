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

/// Hands out access tokens from a [`TokenStore`], refreshing them shortly before they expire.
///
/// Within a process exactly one refresh runs at a time; callers arriving meanwhile wait for it and
/// then re-read the store, so any number of concurrent calls on an expired token cause one token
/// request. A refreshed token set is saved before its access token is returned, so a rotated
/// refresh token is never lost to a crash after use. A refresh token the server refused
/// (`invalid_grant`) yields [`AuthError::ReauthorizationRequired`] until a new token set is stored;
/// other failures are not retried before a minimum gap. It never starts an interactive flow.
pub struct Authenticator {
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
        Authenticator {
            oauth: self.oauth,
            store: self.store,
            margin: self.margin + jitter,
            failure_gap: self.failure_gap,
            current: RwLock::new(None),
            refresh: Mutex::new(RefreshState::default()),
        }
    }
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator").field("api", &self.oauth.api()).field("margin", &self.margin).finish()
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
        &self.oauth
    }

    /// Stores the token set of a new consent (e.g. from [`OAuthClient::exchange_code`]) and uses
    /// it from now on, even if another process saved a set since this one last read: a consent
    /// supersedes any refresh. Fails if it belongs to another API.
    pub async fn set_tokens(&self, tokens: TokenSet) -> Result<(), AuthError> {
        self.check_api(&tokens)?;
        let mut state = self.refresh.lock().await;
        self.store.replace(&tokens).await?;
        *state = RefreshState::default();
        self.remember(tokens);
        Ok(())
    }

    /// The current token set (for `resource_owner_id`, expiry times, …), as stored.
    pub async fn tokens(&self) -> Result<Option<TokenSet>, AuthError> {
        let tokens = self.store.load().await?;
        if let Some(tokens) = &tokens {
            self.check_api(tokens)?;
        }
        Ok(tokens)
    }

    /// Revokes the refresh token where the API allows it, then clears the store.
    pub async fn sign_out(&self) -> Result<(), AuthError> {
        let _state = self.refresh.lock().await;
        if let Some(tokens) = self.store.load().await? {
            if let (Some(token), Some(_)) = (tokens.refresh_token(), self.oauth.profile().revoke_url()) {
                self.oauth.revoke(token).await?;
            }
        }
        self.store.clear().await?;
        *self.write_current() = None;
        Ok(())
    }

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
                state.last_failure = Some(Failure {
                    at: Instant::now(),
                    summary: err.to_string(),
                    refresh_token: stored.refresh_token.clone(),
                    needs_reauthorization: matches!(err, AuthError::ReauthorizationRequired { .. }),
                });
                return Err(err);
            }
        };
        state.last_failure = None;
        if let Err(err) = self.store.save(&refreshed).await {
            tracing::warn!(api = %self.oauth.api(), error = %err, "refreshed tokens could not be saved");
            if !matches!(err, StoreError::Conflict { .. }) {
                state.unsaved = Some(refreshed);
            }
            return Err(err.into());
        }
        tracing::debug!(api = %self.oauth.api(), expires_at = %refreshed.expires_at, "access token refreshed");
        Ok(self.remember(refreshed))
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

    /// Loads the stored set and makes it the current one, so a later outage can fall back to it.
    async fn load_current(&self) -> Result<Arc<TokenSet>, AuthError> {
        let tokens = self.store.load().await?.ok_or_else(|| AuthError::ReauthorizationRequired {
            reason: "no token set is stored: the user has not authorized this app yet".into(),
        })?;
        self.check_api(&tokens)?;
        let tokens = Arc::new(tokens);
        *self.write_current() = Some(Arc::clone(&tokens));
        Ok(tokens)
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
        match self.cached() {
            Some(tokens) if self.usable(&tokens, None) => Ok(tokens.access_token.clone()),
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
