//! The one retry policy: which failures are retried, how long to wait, and when to give up.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use rand::Rng;

/// Retries throttled (429) and unavailable (502/503/504) responses, timeouts and connection
/// failures, for idempotent requests only.
///
/// Waits follow `Retry-After` (seconds or HTTP date) when Sage sends it, clamped to
/// [`max_delay`](Self::max_delay); otherwise exponential backoff with full jitter. A shared
/// budget caps retries across all calls of a client, so an outage cannot multiply load.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
    retry_non_idempotent: bool,
    budget: Arc<RetryBudget>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(30),
            retry_non_idempotent: false,
            budget: Arc::new(RetryBudget::new(100)),
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        Self::default().max_attempts(1)
    }

    /// Total tries per request, including the first (default 3; 1 = never retry).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// First backoff step (default 250 ms); later steps double, with full jitter.
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// Upper bound on any single wait, including one asked for by `Retry-After` (default 30 s).
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Also retry non-idempotent requests (POST); only when duplicates are harmless to you.
    pub fn retry_non_idempotent(mut self, retry: bool) -> Self {
        self.retry_non_idempotent = retry;
        self
    }

    /// How many retries the whole client may spend (default 100); an outage cannot multiply load.
    pub fn budget(mut self, retries: u32) -> Self {
        self.budget = Arc::new(RetryBudget::new(retries));
        self
    }

    /// How long to wait before try number `attempt + 1`, or `None` to stop.
    pub(crate) fn next_delay(&self, attempt: u32, idempotent: bool, retry_after: Option<Duration>) -> Option<Duration> {
        if attempt >= self.max_attempts || !(idempotent || self.retry_non_idempotent) || !self.budget.take() {
            return None;
        }
        let delay = retry_after.unwrap_or_else(|| {
            let ceiling = self.base_delay.saturating_mul(1 << attempt.saturating_sub(1).min(16));
            let ceiling = ceiling.min(self.max_delay);
            rand::thread_rng().gen_range(Duration::ZERO..=ceiling)
        });
        Some(delay.min(self.max_delay))
    }

    /// Retries still available to this client.
    pub fn budget_remaining(&self) -> u32 {
        self.budget.remaining.load(Ordering::Relaxed)
    }
}

#[derive(Debug)]
struct RetryBudget {
    remaining: AtomicU32,
}

impl RetryBudget {
    fn new(retries: u32) -> Self {
        Self { remaining: AtomicU32::new(retries) }
    }

    fn take(&self) -> bool {
        self.remaining.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| left.checked_sub(1)).is_ok()
    }
}

/// Reads `Retry-After` as delay-seconds or an HTTP date.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_accepts_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(90));
        assert_eq!(parse_retry_after(&later, now), Some(Duration::from_secs(90)));
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(90));
        assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn waits_are_clamped_and_jittered_within_the_backoff_ceiling() {
        let policy = RetryPolicy::default().max_attempts(10).max_delay(Duration::from_secs(5));
        assert_eq!(policy.next_delay(1, true, Some(Duration::from_secs(3600))), Some(Duration::from_secs(5)));
        for attempt in 1..6 {
            let delay = policy.next_delay(attempt, true, None).unwrap();
            assert!(delay <= policy.base_delay * (1 << (attempt - 1)), "attempt {attempt}: {delay:?}");
        }
    }

    #[test]
    fn non_idempotent_requests_are_not_retried_unless_asked() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.next_delay(1, false, None), None);
        let opted_in = RetryPolicy::default().retry_non_idempotent(true);
        assert!(opted_in.next_delay(1, false, None).is_some());
    }

    #[test]
    fn attempts_and_budget_bound_the_retries() {
        let policy = RetryPolicy::default().budget(2);
        assert_eq!(policy.next_delay(3, true, None), None, "max_attempts reached");
        assert!(policy.next_delay(1, true, None).is_some());
        assert!(policy.next_delay(1, true, None).is_some());
        assert_eq!(policy.next_delay(1, true, None), None, "budget spent");
        assert_eq!(policy.budget_remaining(), 0);
    }
}
