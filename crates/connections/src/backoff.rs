//! How a connection's refreshes back off after transient failures (timeouts, 5xx, no route).

use std::time::{Duration, Instant};

use rand::Rng;
use sage_core::auth::{AccessToken, AuthError};

/// Pauses between refresh attempts after transient failures: `initial`, doubling per failure up
/// to `max`, each with up to a quarter more at random so processes do not retry in step. While a
/// connection waits, its calls fail at once with [`AuthError::RefreshBackoff`] (unless the store
/// already holds a good token another process refreshed), so a thousand calls make no token
/// request. The status stays `active`: only Sage's refusal (`invalid_grant`) means relinking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransientBackoff {
    /// The pause after the first failure.
    pub initial: Duration,
    /// The longest pause.
    pub max: Duration,
}

impl Default for TransientBackoff {
    /// 2 s, doubling up to 2 minutes.
    fn default() -> Self {
        Self { initial: Duration::from_secs(2), max: Duration::from_secs(120) }
    }
}

impl TransientBackoff {
    /// `initial`, doubling up to `max`.
    pub fn new(initial: Duration, max: Duration) -> Self {
        Self { initial, max: max.max(initial) }
    }

    /// The pause after `failures` failures in a row, jitter included.
    pub(crate) fn pause(&self, failures: u32) -> Duration {
        let doubled = self.initial.saturating_mul(2_u32.saturating_pow(failures.saturating_sub(1).min(30)));
        let base = doubled.min(self.max);
        base + random_up_to(Duration::from_millis(base.as_millis() as u64 / 4))
    }
}

/// A random pause from zero to `max`, in whole milliseconds, so processes do not act in step.
pub(crate) fn random_up_to(max: Duration) -> Duration {
    let max_ms = max.as_millis() as u64;
    Duration::from_millis(if max_ms == 0 { 0 } else { rand::thread_rng().gen_range(0..=max_ms) })
}

/// Transient refresh failures in a row, and when the next attempt is allowed.
#[derive(Debug)]
pub(crate) struct Streak {
    pub(crate) failures: u32,
    pub(crate) retry_at: Instant,
    pub(crate) last_error: String,
    /// The token the API refused when the streak began, if it began so: getting it again is no recovery.
    pub(crate) rejected: Option<AccessToken>,
    /// When the store was last looked at for another process's refresh during the backoff.
    pub(crate) looked_at: Option<Instant>,
}

/// Whether a refresh failed in a way that may pass: the identity server unreachable, timing out,
/// answering 5xx or something that is not a token response.
pub(crate) fn is_transient(err: &AuthError) -> bool {
    match err {
        AuthError::Transport(_) | AuthError::InvalidTokenResponse(_) => true,
        AuthError::TokenEndpoint { error, .. } => {
            matches!(error.as_str(), "server_error" | "temporarily_unavailable") || error.starts_with("HTTP 5")
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_double_up_to_the_cap_with_at_most_a_quarter_of_jitter() {
        let backoff = TransientBackoff::new(Duration::from_millis(100), Duration::from_millis(1000));
        for (failures, base) in [(1, 100), (2, 200), (3, 400), (4, 800), (5, 1000), (40, 1000)] {
            let pause = backoff.pause(failures).as_millis() as u64;
            assert!((base..=base + base / 4).contains(&pause), "{failures} failures: {pause} ms");
        }
    }

    #[test]
    fn only_failures_that_may_pass_are_transient() {
        assert!(is_transient(&AuthError::Transport("timed out".into())));
        assert!(is_transient(&AuthError::InvalidTokenResponse("HTTP 503".into())));
        assert!(is_transient(&AuthError::TokenEndpoint { error: "temporarily_unavailable".into(), description: None }));
        assert!(!is_transient(&AuthError::TokenEndpoint { error: "invalid_client".into(), description: None }));
        assert!(!is_transient(&AuthError::ReauthorizationRequired { reason: "invalid_grant".into() }));
    }
}
