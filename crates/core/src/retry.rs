//! The one retry policy: which failures are retried, how long to wait, and when to give up.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use rand::Rng;

/// Retries throttled (429) and unavailable (502/503/504) responses, timeouts and connection
/// failures, for idempotent requests only.
///
/// Waits follow `Retry-After` (seconds or HTTP date) when Sage sends it, clamped to
/// [`max_delay`](Self::max_delay); otherwise exponential backoff with full jitter.
///
/// A token bucket shared by all calls of a client caps retries, so an outage cannot multiply
/// load: a retry takes 5 tokens (10 after a timeout), a success puts tokens back (the retry's 5,
/// or 1 for a first-try success), up to the bucket's size. During an outage the bucket drains
/// and calls fail at their first error; once calls succeed again it refills.
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

    /// The size of the client's retry bucket, counted in retries (default 100): how many
    /// retries a burst of failures may spend before successes refill it.
    pub fn budget(mut self, retries: u32) -> Self {
        self.budget = Arc::new(RetryBudget::new(retries));
        self
    }

    /// How long to wait before try number `attempt + 1`, or `None` to stop. `timed_out`: the
    /// failed try timed out, which costs more (a slow server is likely overloaded).
    pub(crate) fn next_delay(
        &self,
        attempt: u32,
        idempotent: bool,
        retry_after: Option<Duration>,
        timed_out: bool,
    ) -> Option<Duration> {
        let cost = if timed_out { TIMEOUT_RETRY_COST } else { RETRY_COST };
        if attempt >= self.max_attempts || !(idempotent || self.retry_non_idempotent) || !self.budget.take(cost) {
            return None;
        }
        let delay = retry_after.unwrap_or_else(|| {
            let ceiling = self.base_delay.saturating_mul(1 << attempt.saturating_sub(1).min(16));
            let ceiling = ceiling.min(self.max_delay);
            rand::thread_rng().gen_range(Duration::ZERO..=ceiling)
        });
        Some(delay.min(self.max_delay))
    }

    /// A call succeeded after `attempts` tries: refill the bucket.
    pub(crate) fn record_success(&self, attempts: u32) {
        self.budget.refill(if attempts > 1 { RETRY_COST } else { SUCCESS_REFILL });
    }

    /// Retries still available to this client (at the cost of a retry after an error status).
    pub fn budget_remaining(&self) -> u32 {
        self.budget.tokens.load(Ordering::Relaxed) / RETRY_COST
    }
}

/// Tokens a retry takes from the bucket; after a timeout it takes more.
const RETRY_COST: u32 = 5;
const TIMEOUT_RETRY_COST: u32 = 10;
/// Tokens a first-try success puts back.
const SUCCESS_REFILL: u32 = 1;

#[derive(Debug)]
struct RetryBudget {
    capacity: u32,
    tokens: AtomicU32,
}

impl RetryBudget {
    fn new(retries: u32) -> Self {
        let capacity = retries.saturating_mul(RETRY_COST);
        Self { capacity, tokens: AtomicU32::new(capacity) }
    }

    fn take(&self, cost: u32) -> bool {
        self.tokens.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| left.checked_sub(cost)).is_ok()
    }

    fn refill(&self, amount: u32) {
        let _ = self.tokens.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
            Some(left.saturating_add(amount).min(self.capacity))
        });
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
        assert_eq!(policy.next_delay(1, true, Some(Duration::from_secs(3600)), false), Some(Duration::from_secs(5)));
        for attempt in 1..6 {
            let delay = policy.next_delay(attempt, true, None, false).unwrap();
            assert!(delay <= policy.base_delay * (1 << (attempt - 1)), "attempt {attempt}: {delay:?}");
        }
    }

    #[test]
    fn non_idempotent_requests_are_not_retried_unless_asked() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.next_delay(1, false, None, false), None);
        let opted_in = RetryPolicy::default().retry_non_idempotent(true);
        assert!(opted_in.next_delay(1, false, None, false).is_some());
    }

    #[test]
    fn attempts_and_budget_bound_the_retries() {
        let policy = RetryPolicy::default().budget(2);
        assert_eq!(policy.next_delay(3, true, None, false), None, "max_attempts reached");
        assert!(policy.next_delay(1, true, None, false).is_some());
        assert!(policy.next_delay(1, true, None, false).is_some());
        assert_eq!(policy.next_delay(1, true, None, false), None, "budget spent");
        assert_eq!(policy.budget_remaining(), 0);
    }

    #[test]
    fn timeouts_cost_twice_as_much() {
        let policy = RetryPolicy::default().budget(2);
        assert!(policy.next_delay(1, true, None, true).is_some());
        assert_eq!(policy.next_delay(1, true, None, false), None, "one timeout spent both retries");
    }

    /// Twelve simulated hours of one call a minute: an hour-long outage drains the bucket, and
    /// the healthy hours that follow refill it, so a long-running client retries again.
    #[test]
    fn the_bucket_refills_over_hours_of_successful_calls() {
        let policy = RetryPolicy::default();
        let mut refused_after_outage = 0;
        for minute in 0..12 * 60 {
            let outage = minute < 60;
            let transient_failure = !outage && minute % 30 == 15;
            if outage {
                // Every try fails: retries until the attempts or the bucket run out.
                let mut attempt = 1;
                while policy.next_delay(attempt, true, None, false).is_some() {
                    attempt += 1;
                }
            } else if transient_failure {
                match policy.next_delay(1, true, None, false) {
                    Some(_) => policy.record_success(2),
                    None => refused_after_outage += 1,
                }
            } else {
                policy.record_success(1);
            }
            if minute == 59 {
                assert_eq!(policy.budget_remaining(), 0, "the outage drained the bucket");
            }
        }
        assert_eq!(refused_after_outage, 0, "every transient failure after the outage was retried");
        assert_eq!(policy.budget_remaining(), 100, "full again");
    }
}
