//! The tokens of one authorization, with absolute expiry times and the API they belong to.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::profile::SageApi;
use super::secret::{AccessToken, IdToken, RefreshToken};

/// Everything one consent produced. Expiry times are absolute (computed from `expires_in` on
/// receipt), so a stored set stays meaningful after a restart. `Debug` redacts the tokens; the
/// only way the secrets are serialized is [`encode`](super::store::encode) for token stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSet {
    pub(crate) api: SageApi,
    pub(crate) access_token: AccessToken,
    pub(crate) refresh_token: Option<RefreshToken>,
    pub(crate) id_token: Option<IdToken>,
    pub(crate) token_type: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) received_at: DateTime<Utc>,
    pub(crate) expires_at: DateTime<Utc>,
    pub(crate) refresh_expires_at: Option<DateTime<Utc>>,
    pub(crate) resource_owner_id: Option<String>,
    pub(crate) requested_by_id: Option<String>,
}

impl TokenSet {
    /// A token set for `api` with an access token valid for `lifetime` from now; mainly for tests
    /// and for importing tokens obtained elsewhere.
    pub fn new(api: SageApi, access_token: AccessToken, lifetime: Duration) -> Self {
        let now = Utc::now();
        Self {
            api,
            access_token,
            refresh_token: None,
            id_token: None,
            token_type: "Bearer".into(),
            scopes: Vec::new(),
            received_at: now,
            expires_at: now + to_chrono(lifetime),
            refresh_expires_at: None,
            resource_owner_id: None,
            requested_by_id: None,
        }
    }

    /// Adds a refresh token expiring `lifetime` from now (`None`: never).
    pub fn with_refresh_token(mut self, token: RefreshToken, lifetime: Option<Duration>) -> Self {
        self.refresh_token = Some(token);
        self.refresh_expires_at = lifetime.map(|lifetime| self.received_at + to_chrono(lifetime));
        self
    }

    /// The API these tokens were issued for.
    pub fn api(&self) -> SageApi {
        self.api
    }

    /// The bearer token.
    pub fn access_token(&self) -> &AccessToken {
        &self.access_token
    }

    /// The refresh token, if the server issued one.
    pub fn refresh_token(&self) -> Option<&RefreshToken> {
        self.refresh_token.as_ref()
    }

    /// Sage 200's OpenID Connect ID token.
    pub fn id_token(&self) -> Option<&IdToken> {
        self.id_token.as_ref()
    }

    /// The token type, normally `Bearer`.
    pub fn token_type(&self) -> &str {
        &self.token_type
    }

    /// The granted scopes.
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    /// When the token response arrived.
    pub fn received_at(&self) -> DateTime<Utc> {
        self.received_at
    }

    /// When the access token stops working.
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.expires_at
    }

    /// When the refresh token stops working; `None` when it does not expire (v3) or is absent.
    pub fn refresh_expires_at(&self) -> Option<DateTime<Utc>> {
        self.refresh_expires_at
    }

    /// Accounting v3's `resource_owner_id`: the value of the `X-Site` header.
    pub fn resource_owner_id(&self) -> Option<&str> {
        self.resource_owner_id.as_deref()
    }

    /// Accounting v3.1's `requested_by_id`: the user who consented.
    pub fn requested_by_id(&self) -> Option<&str> {
        self.requested_by_id.as_deref()
    }

    /// Whether the access token is still valid `margin` from now.
    pub fn is_fresh(&self, now: DateTime<Utc>, margin: Duration) -> bool {
        now + to_chrono(margin) < self.expires_at
    }

    /// Whether the refresh token is known to have expired.
    pub fn refresh_expired(&self, now: DateTime<Utc>) -> bool {
        self.refresh_expires_at.is_some_and(|at| at <= now)
    }

    /// How long the access token was issued for.
    pub fn lifetime(&self) -> Duration {
        (self.expires_at - self.received_at).to_std().unwrap_or_default()
    }
}

/// Converts without overflow: absurd lifetimes (a hostile `expires_in`) are capped at ten years.
pub(crate) fn to_chrono(duration: Duration) -> chrono::Duration {
    const TEN_YEARS: Duration = Duration::from_secs(10 * 365 * 24 * 3600);
    chrono::Duration::from_std(duration.min(TEN_YEARS)).unwrap_or(chrono::Duration::zero())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freshness_accounts_for_the_margin() {
        let set = TokenSet::new(SageApi::AccountingV31, AccessToken::new("a"), Duration::from_secs(300));
        let now = set.received_at();
        assert!(set.is_fresh(now, Duration::from_secs(60)));
        assert!(!set.is_fresh(now, Duration::from_secs(300)));
        assert_eq!(set.lifetime(), Duration::from_secs(300));
    }

    #[test]
    fn huge_lifetimes_do_not_overflow() {
        let set = TokenSet::new(SageApi::Sage200, AccessToken::new("a"), Duration::from_secs(u64::MAX));
        assert!(set.expires_at() > set.received_at());
    }

    #[test]
    fn debug_redacts_every_token() {
        let set = TokenSet::new(SageApi::Sage200, AccessToken::new("access-xyz"), Duration::from_secs(1))
            .with_refresh_token(RefreshToken::new("refresh-xyz"), None);
        let debug = format!("{set:?}");
        assert!(!debug.contains("-xyz"), "{debug}");
    }
}
