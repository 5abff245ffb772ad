//! The three Sage identity families and the lifetimes and paths each one uses.

use std::time::Duration;

use sage_core::auth::SageApi;
use sage_schema::ir::AuthProfile;

/// Which identity server issued a token; a token only opens the APIs of its own family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Family {
    /// Sage ID, used by Sage 200 Professional and Standard.
    SageId,
    /// Accounting v3 (`www.sageone.com/oauth2/auth` plus regional token servers).
    AccountingV3,
    /// Accounting v3.1 (`/oauth2/auth/central` plus `oauth.accounting.sage.com`).
    AccountingV31,
}

impl Family {
    /// The family that signs users in to a product with this schema `auth_profile`.
    pub(crate) fn for_profile(profile: AuthProfile) -> Self {
        match profile {
            AuthProfile::Sage200 => Self::SageId,
            AuthProfile::AccountingV3 => Self::AccountingV3,
            AuthProfile::AccountingV31 => Self::AccountingV31,
        }
    }

    /// The SDK's name for this identity server.
    pub(crate) fn api(self) -> SageApi {
        match self {
            Self::SageId => SageApi::Sage200,
            Self::AccountingV3 => SageApi::AccountingV3,
            Self::AccountingV31 => SageApi::AccountingV31,
        }
    }

    /// A stable name for the data file.
    pub(crate) fn id(self) -> &'static str {
        match self {
            Self::SageId => "sage-id",
            Self::AccountingV3 => "accounting-v3",
            Self::AccountingV31 => "accounting-v31",
        }
    }

    /// The family a data file names, if known.
    pub(crate) fn from_id(id: &str) -> Option<Self> {
        [Self::SageId, Self::AccountingV3, Self::AccountingV31].into_iter().find(|family| family.id() == id)
    }

    /// Access-token lifetime in real seconds, before scaling.
    pub(crate) fn access_seconds(self) -> u64 {
        match self {
            Self::SageId => 28_800,
            Self::AccountingV3 => 3_600,
            Self::AccountingV31 => 300,
        }
    }

    /// Refresh-token lifetime in real seconds; `None` means it never expires (v3).
    pub(crate) fn refresh_seconds(self) -> Option<u64> {
        match self {
            Self::SageId => Some(90 * 24 * 3_600),
            Self::AccountingV3 => None,
            Self::AccountingV31 => Some(2_678_400),
        }
    }

    /// Whether every refresh hands out a new refresh token and retires the old one.
    pub(crate) fn rotates_refresh_tokens(self) -> bool {
        !matches!(self, Self::AccountingV3)
    }

    /// Random bytes in an access token; v3.1 tokens are long (~2100 characters) as Sage warns they can be.
    pub(crate) fn access_token_bytes(self) -> usize {
        match self {
            Self::AccountingV31 => 1_575,
            _ => 48,
        }
    }

    /// Token endpoint path on the sandbox host.
    pub(crate) fn token_path(self) -> &'static str {
        match self {
            Self::SageId => "/oauth/token",
            Self::AccountingV3 => "/oauth2/token",
            Self::AccountingV31 => "/token",
        }
    }

    /// Revocation endpoint path on the sandbox host.
    pub(crate) fn revoke_path(self) -> &'static str {
        match self {
            Self::SageId => "/oauth/revoke",
            Self::AccountingV3 => "/oauth2/revoke",
            Self::AccountingV31 => "/revoke",
        }
    }

    /// Authorization endpoint path on the sandbox host (v3.1 also answers on `/auth/central`).
    pub(crate) fn authorize_path(self) -> &'static str {
        match self {
            Self::SageId => "/authorize",
            Self::AccountingV3 => "/oauth2/auth",
            Self::AccountingV31 => "/oauth2/auth/central",
        }
    }
}

/// Multiplies Sage's lifetimes so tests can watch tokens expire in seconds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TimeScale(f64);

impl TimeScale {
    /// Accepts only finite factors in `(0, 1000]`, so every scaled lifetime fits a `Duration`.
    pub(crate) fn new(factor: f64) -> Option<Self> {
        (factor.is_finite() && factor > 0.0 && factor <= 1_000.0).then_some(Self(factor))
    }

    /// `seconds` of Sage time as a sandbox duration, never under one second so a slow test machine can
    /// still finish a flow (this is also the smallest `expires_in` a response can state).
    pub(crate) fn scale(self, seconds: u64) -> Duration {
        Duration::from_secs_f64(seconds as f64 * self.0).max(Duration::from_secs(1))
    }

    /// `seconds` of Sage time as the whole number of seconds to report in `expires_in` (at least 1).
    pub(crate) fn reported_seconds(self, seconds: u64) -> u64 {
        (seconds as f64 * self.0).ceil().max(1.0) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_unusable_scales() {
        assert!(TimeScale::new(0.0).is_none());
        assert!(TimeScale::new(-1.0).is_none());
        assert!(TimeScale::new(f64::NAN).is_none());
        assert!(TimeScale::new(f64::INFINITY).is_none());
    }

    #[test]
    fn scales_and_reports_whole_seconds() {
        let scale = TimeScale::new(1.0 / 300.0).unwrap();
        assert_eq!(scale.reported_seconds(300), 1);
        assert_eq!(scale.reported_seconds(28_800), 96);
        assert_eq!(scale.scale(60), Duration::from_secs(1), "floored at one second");
        let refresh = scale.scale(2_678_400).as_secs_f64();
        assert!((refresh - 8_928.0).abs() < 0.01, "{refresh}");
    }
}
