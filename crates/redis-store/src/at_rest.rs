//! What a [`RedisTokenStore`](crate::RedisTokenStore) does to a token set before Redis keeps it:
//! sealing (optional) and the key's time to live.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sage_core::auth::store::Codec;
use sage_core::auth::TokenSet;

/// How long the token key outlives the refresh token by default.
pub(crate) const DEFAULT_EXPIRY_MARGIN: Duration = Duration::from_secs(24 * 3600);

#[derive(Debug, Clone)]
pub(crate) struct AtRest {
    /// Plain, or sealed with the store's cipher.
    pub(crate) codec: Codec,
    /// `None`: the key never expires.
    pub(crate) expiry_margin: Option<Duration>,
}

impl Default for AtRest {
    fn default() -> Self {
        Self { codec: Codec::default(), expiry_margin: Some(DEFAULT_EXPIRY_MARGIN) }
    }
}

impl AtRest {
    /// The key's time to live in milliseconds as a `PEXPIRE` argument, `""` for none: until the set
    /// is of no use any more (its refresh token expires, or, without one, its access token) plus
    /// the margin. A refresh token that never expires (Accounting v3) keeps the key forever.
    pub(crate) fn ttl_millis(&self, tokens: &TokenSet, now: DateTime<Utc>) -> String {
        let Some(margin) = self.expiry_margin else { return String::new() };
        let useless_from = match (tokens.refresh_token(), tokens.refresh_expires_at()) {
            (Some(_), Some(at)) => at,
            (Some(_), None) => return String::new(),
            (None, _) => tokens.expires_at(),
        };
        let left = (useless_from - now).to_std().unwrap_or_default();
        // Millisecond counts beyond `u64` would be millions of years: saturate.
        let millis = u64::try_from(left.saturating_add(margin).as_millis()).unwrap_or(u64::MAX);
        // Redis refuses a PEXPIRE that overflows its clock; a few thousand years is plenty.
        millis.clamp(1, 100_000_000_000_000).to_string()
    }
}

#[cfg(test)]
mod tests {
    use sage_core::auth::{AccessToken, RefreshToken, SageApi};

    use super::*;

    const DAY: Duration = Duration::from_secs(24 * 3600);

    fn set(refresh: Option<Option<Duration>>) -> TokenSet {
        let set = TokenSet::new(SageApi::AccountingV31, AccessToken::new("a"), Duration::from_secs(300));
        match refresh {
            Some(lifetime) => set.with_refresh_token(RefreshToken::new("r"), lifetime),
            None => set,
        }
    }

    #[test]
    fn the_key_outlives_the_refresh_token_by_the_margin() {
        let at_rest = AtRest::default();
        let tokens = set(Some(Some(31 * DAY)));
        let ttl: u128 = at_rest.ttl_millis(&tokens, tokens.received_at()).parse().unwrap();
        assert_eq!(ttl, (32 * DAY).as_millis());
        let sage_id = set(Some(Some(90 * DAY)));
        let ttl: u128 = at_rest.ttl_millis(&sage_id, sage_id.received_at()).parse().unwrap();
        assert_eq!(ttl, (91 * DAY).as_millis());
    }

    #[test]
    fn no_ttl_for_refresh_tokens_that_never_expire_or_when_turned_off() {
        let tokens = set(Some(None));
        assert_eq!(AtRest::default().ttl_millis(&tokens, tokens.received_at()), "");
        let off = AtRest { expiry_margin: None, ..AtRest::default() };
        let expiring = set(Some(Some(DAY)));
        assert_eq!(off.ttl_millis(&expiring, expiring.received_at()), "");
    }

    #[test]
    fn without_a_refresh_token_the_access_token_counts_and_the_past_leaves_the_margin() {
        let at_rest = AtRest { expiry_margin: Some(Duration::from_secs(60)), ..AtRest::default() };
        let tokens = set(None);
        assert_eq!(at_rest.ttl_millis(&tokens, tokens.received_at()), "360000");
        let later = tokens.received_at() + chrono::Duration::days(400);
        assert_eq!(at_rest.ttl_millis(&tokens, later), "60000");
        let zero = AtRest { expiry_margin: Some(Duration::ZERO), ..AtRest::default() };
        assert_eq!(zero.ttl_millis(&tokens, later), "1", "never 0, which Redis reads as delete");
    }
}
