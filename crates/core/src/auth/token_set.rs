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
    /// Orders the sets of one sign-in: see [`generation`](Self::generation).
    pub(crate) generation: u64,
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
            generation: Self::issued_generation(now),
        }
    }

    /// The same set with another [`generation`](Self::generation); mainly for tests and imports.
    pub fn with_generation(mut self, generation: u64) -> Self {
        self.generation = generation;
        self
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

    /// Orders the token sets of one sign-in, so that the newest wins wherever copies meet (a store
    /// that lost its data and the sets instances hold in memory, a rescue file and the token file).
    /// A set issued by a consent starts at its issue time in milliseconds since the Unix epoch; a
    /// refreshed set (a rotated refresh token) is above its predecessor's, by at least one, so a
    /// later set of the same sign-in is always higher whatever the clocks say. A set stored
    /// without one (written by an earlier version) reads as generation 0.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Whether this set supersedes `other`: a higher generation, or an equal one issued later.
    pub fn is_newer_than(&self, other: &TokenSet) -> bool {
        (self.generation, self.received_at) > (other.generation, other.received_at)
    }

    /// The generation of a set issued at `issued` from `previous` (a refresh) or from a consent.
    pub(crate) fn next_generation(previous: Option<&TokenSet>, issued: DateTime<Utc>) -> u64 {
        let floor = Self::issued_generation(issued);
        match previous {
            Some(previous) => floor.max(previous.generation.saturating_add(1)),
            None => floor,
        }
    }

    fn issued_generation(issued: DateTime<Utc>) -> u64 {
        u64::try_from(issued.timestamp_millis()).unwrap_or(0)
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
    fn a_refresh_raises_the_generation_even_with_a_clock_behind() {
        let consent = TokenSet::new(SageApi::AccountingV31, AccessToken::new("a"), Duration::from_secs(300));
        assert_eq!(consent.generation(), consent.received_at().timestamp_millis() as u64);
        let early = consent.received_at() - chrono::Duration::hours(1);
        let refreshed = TokenSet::next_generation(Some(&consent), early);
        assert_eq!(refreshed, consent.generation() + 1, "a clock an hour behind still moves it on");
        let later = consent.received_at() + chrono::Duration::seconds(5);
        assert!(TokenSet::next_generation(Some(&consent), later) > refreshed);
        let legacy = consent.clone().with_generation(0);
        assert!(consent.is_newer_than(&legacy) && !legacy.is_newer_than(&consent));
        assert!(!consent.is_newer_than(&consent), "not newer than itself");
    }

    #[test]
    fn debug_redacts_every_token() {
        let set = TokenSet::new(SageApi::Sage200, AccessToken::new("access-xyz"), Duration::from_secs(1))
            .with_refresh_token(RefreshToken::new("refresh-xyz"), None);
        let debug = format!("{set:?}");
        assert!(!debug.contains("-xyz"), "{debug}");
    }
}
