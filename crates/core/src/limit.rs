//! Client-side rate limits per (product, business or company): [`RateLimiter`], its in-process
//! GCRA ([`GcraLimiter`]) and the hooks [`Client`](crate::Client) calls before each try and after a 429.
//!
//! GCRA (the generic cell rate algorithm) keeps one instant per key, the *theoretical arrival
//! time* (TAT) of the next call. A call reserves the slot `max(now, TAT − tolerance)` and moves the
//! TAT one emission interval (`period / limit`) on, so callers are served in the order they asked,
//! each a fixed interval after the previous one: fair between the workers and connections sharing
//! a key, and never more than `limit` calls in any `period` (with the default burst of 1).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use tokio::time::Instant;

use crate::error::{Error, Result};
use crate::headers::HeaderPolicy;
use crate::product::Product;

/// What one rate limit counts calls against: a product and the business, site or company the
/// calls address (`X-Business`, v3's `X-Site`, Sage 200's `X-Company`; empty for v3.1's lead
/// business and Sage 200 before a company is chosen).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RateKey {
    product: &'static str,
    tenant: String,
}

impl RateKey {
    /// The key of `tenant` on the product named `product` (a [`Product::name`]).
    pub fn new(product: &'static str, tenant: impl Into<String>) -> Self {
        Self { product, tenant: tenant.into() }
    }

    /// The key a client with these headers counts its calls against.
    pub fn for_client(product: &Product, headers: &HeaderPolicy) -> Self {
        let tenant = match headers {
            HeaderPolicy::Sage200 { company_id, .. } => company_id.as_str(),
            HeaderPolicy::AccountingV3 { site_id, .. } => site_id.as_str(),
            HeaderPolicy::AccountingV31 { business_id } => business_id.as_deref().unwrap_or(""),
            HeaderPolicy::Sage200Directory { .. } => "",
        };
        Self::new(product.name, tenant)
    }

    /// The product's name.
    pub fn product(&self) -> &'static str {
        self.product
    }

    /// The business, site or company; empty for the lead business or no company.
    pub fn tenant(&self) -> &str {
        &self.tenant
    }
}

impl fmt::Display for RateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.product, self.tenant)
    }
}

/// A rate: at most `limit` calls per `period`, spaced evenly, with a small margin.
///
/// The default is Accounting v3's documented limit, 200 calls per 60 s per business.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quota {
    limit: u32,
    period: Duration,
    burst: u32,
    margin: f64,
}

impl Default for Quota {
    fn default() -> Self {
        Self::per(200, Duration::from_secs(60))
    }
}

impl Quota {
    /// `limit` calls per `period` (a `limit` of 0 counts as 1), burst 1, margin 2 %.
    pub fn per(limit: u32, period: Duration) -> Self {
        Self { limit: limit.max(1), period, burst: 1, margin: 0.02 }
    }

    /// How many calls may go at once after an idle spell (default 1: calls are always spaced, so
    /// no window of `period` sees more than `limit`). A burst of `n` lets a window see up to
    /// `limit + n − 1`; use it only against a server that tolerates that.
    pub fn burst(mut self, calls: u32) -> Self {
        self.burst = calls.max(1);
        self
    }

    /// Spaces calls this fraction wider than the limit allows (default 0.02, i.e. 2 %), so the
    /// jitter of the network between the limiter and the server does not push the `limit + 1`-th
    /// call into a server window that is already full. 0 paces at exactly the limit.
    pub fn margin(mut self, fraction: f64) -> Self {
        self.margin = if fraction.is_finite() { fraction.clamp(0.0, 1.0) } else { 0.0 };
        self
    }

    /// Calls allowed per period.
    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// The period the limit counts over.
    pub fn period(&self) -> Duration {
        self.period
    }

    /// The time between two calls' slots: `period × (1 + margin) / limit`.
    pub fn emission_interval(&self) -> Duration {
        self.period.mul_f64(1.0 + self.margin) / self.limit
    }

    /// How far ahead of its theoretical time a call may go: `(burst − 1)` intervals.
    pub fn tolerance(&self) -> Duration {
        self.emission_interval() * (self.burst - 1)
    }
}

/// A client-side rate limiter, shared by every client it is given to
/// ([`ClientBuilder::rate_limit`](crate::ClientBuilder::rate_limit)).
///
/// Before each try, the client asks for a slot and waits the time returned (the wait counts
/// against the call's deadline); when Sage answers 429 with `Retry-After`, the client tells the
/// limiter, which keeps every caller of that key away until then.
#[async_trait]
pub trait RateLimiter: Send + Sync + fmt::Debug + 'static {
    /// Reserves the next slot for `key` and returns how long to wait for it. `None`: the slot is
    /// further away than `max_wait`, and nothing was reserved.
    async fn acquire(&self, key: &RateKey, max_wait: Option<Duration>) -> Option<Duration>;

    /// Sage answered 429 asking to wait `retry_after`: no slot for `key` before then.
    async fn penalize(&self, key: &RateKey, retry_after: Duration);
}

/// Above this many keys, keys whose limit has fully recovered are dropped (they hold no state a
/// fresh key would not).
const PRUNE_ABOVE: usize = 1024;

/// An in-process GCRA per [`RateKey`]: one [`Quota`] for every product, or one per product.
///
/// ```
/// use std::time::Duration;
/// use sage_core::limit::{GcraLimiter, Quota};
///
/// let limiter = GcraLimiter::new(Quota::default())
///     .with_quota("sage200-pro", Quota::per(100, Duration::from_secs(60)));
/// # let _ = limiter;
/// ```
#[derive(Debug)]
pub struct GcraLimiter {
    quota: Quota,
    per_product: HashMap<&'static str, Quota>,
    /// Each key's theoretical arrival time.
    tats: Mutex<HashMap<RateKey, Instant>>,
}

impl Default for GcraLimiter {
    fn default() -> Self {
        Self::new(Quota::default())
    }
}

impl GcraLimiter {
    /// A limiter applying `quota` to every key.
    pub fn new(quota: Quota) -> Self {
        Self { quota, per_product: HashMap::new(), tats: Mutex::new(HashMap::new()) }
    }

    /// Applies `quota` to the keys of the product named `product` instead.
    #[must_use]
    pub fn with_quota(mut self, product: &'static str, quota: Quota) -> Self {
        self.per_product.insert(product, quota);
        self
    }

    /// The quota `key` is held to.
    pub fn quota(&self, key: &RateKey) -> Quota {
        self.per_product.get(key.product).copied().unwrap_or(self.quota)
    }

    /// [`RateLimiter::acquire`] at `now`, without waiting.
    pub fn reserve(&self, key: &RateKey, now: Instant, max_wait: Option<Duration>) -> Option<Duration> {
        let quota = self.quota(key);
        let mut tats = self.tats.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let tat = tats.get(key).copied().unwrap_or(now).max(now);
        let wait = tat.saturating_duration_since(now).saturating_sub(quota.tolerance());
        if max_wait.is_some_and(|most| wait > most) {
            return None;
        }
        if tats.len() >= PRUNE_ABOVE && !tats.contains_key(key) {
            tats.retain(|_, tat| *tat > now);
        }
        tats.insert(key.clone(), tat + quota.emission_interval());
        Some(wait)
    }

    /// [`RateLimiter::penalize`] at `now`: the next slot of `key` is no earlier than `now + retry_after`.
    pub fn push_back(&self, key: &RateKey, now: Instant, retry_after: Duration) {
        let quota = self.quota(key);
        let mut tats = self.tats.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let earliest = now + retry_after + quota.tolerance();
        let tat = tats.entry(key.clone()).or_insert(earliest);
        *tat = (*tat).max(earliest);
    }
}

#[async_trait]
impl RateLimiter for GcraLimiter {
    async fn acquire(&self, key: &RateKey, max_wait: Option<Duration>) -> Option<Duration> {
        self.reserve(key, Instant::now(), max_wait)
    }

    async fn penalize(&self, key: &RateKey, retry_after: Duration) {
        self.push_back(key, Instant::now(), retry_after);
    }
}

/// The limiter of one call and the key it counts against.
pub(crate) struct Turn<'a> {
    pub(crate) limiter: &'a dyn RateLimiter,
    pub(crate) key: RateKey,
}

impl Turn<'_> {
    /// Waits for the next slot; fails at once with [`Error::DeadlineExceeded`] if it comes after
    /// the deadline (then no slot is taken).
    pub(crate) async fn wait(&self, deadline_at: Option<Instant>, deadline: Option<Duration>) -> Result<()> {
        let left = deadline_at.map(|at| at.saturating_duration_since(Instant::now()));
        match self.limiter.acquire(&self.key, left).await {
            Some(Duration::ZERO) => Ok(()),
            Some(wait) => {
                tracing::debug!(key = %self.key, wait_ms = wait.as_millis() as u64, "waiting for a rate-limit slot");
                tokio::time::sleep(wait).await;
                Ok(())
            }
            None => Err(Error::DeadlineExceeded { deadline: deadline.unwrap_or_default() }),
        }
    }

    /// After an error: a 429 with `Retry-After` pushes the key's next slot.
    pub(crate) async fn learn(&self, error: &Error) {
        if let Error::Api(api) = error {
            if let (429, Some(retry_after)) = (api.status, api.retry_after) {
                self.limiter.penalize(&self.key, retry_after).await;
            }
        }
    }
}

/// The shared limiter of a client; `None` (the default) costs one branch per try.
pub(crate) type SharedLimiter = Option<Arc<dyn RateLimiter>>;

#[cfg(test)]
mod tests {
    //! The arithmetic at given instants: `reserve` and `push_back` take `now`, so no clock runs.
    use super::*;

    fn key() -> RateKey {
        RateKey::new("accounting-v3", "site-1")
    }

    #[test]
    fn calls_are_spaced_one_interval_apart_in_the_order_they_asked() {
        let limiter = GcraLimiter::new(Quota::per(10, Duration::from_secs(1)).margin(0.0));
        let now = Instant::now();
        let waits: Vec<_> = (0..5).map(|_| limiter.reserve(&key(), now, None).unwrap()).collect();
        let ms: Vec<u128> = waits.iter().map(Duration::as_millis).collect();
        assert_eq!(ms, [0, 100, 200, 300, 400]);
        // Time passes: the next slot is where the queue ended, not earlier.
        let later = now + Duration::from_millis(250);
        assert_eq!(limiter.reserve(&key(), later, None), Some(Duration::from_millis(250)));
        // After a long idle spell, no credit is banked (burst 1).
        let idle = now + Duration::from_secs(60);
        assert_eq!(limiter.reserve(&key(), idle, None), Some(Duration::ZERO));
        assert_eq!(limiter.reserve(&key(), idle, None), Some(Duration::from_millis(100)));
    }

    #[test]
    fn no_window_of_one_period_sees_more_than_the_limit() {
        let quota = Quota::per(20, Duration::from_secs(6));
        let limiter = GcraLimiter::new(quota);
        let now = Instant::now();
        let slots: Vec<Instant> = (0..200).map(|_| now + limiter.reserve(&key(), now, None).unwrap()).collect();
        for (i, start) in slots.iter().enumerate() {
            let within = slots[i..].iter().take_while(|slot| **slot < *start + quota.period()).count();
            assert!(within <= 20, "{within} slots in the window starting at slot {i}");
        }
        // The margin costs 2 %: 200 slots take 200 × 6 s × 1.02 / 20.
        let span = slots[199] - slots[0];
        assert_eq!(span, quota.emission_interval() * 199);
        assert!(quota.emission_interval() == Duration::from_millis(306), "{:?}", quota.emission_interval());
    }

    #[test]
    fn a_burst_goes_at_once_then_calls_are_spaced() {
        let limiter = GcraLimiter::new(Quota::per(10, Duration::from_secs(1)).burst(3).margin(0.0));
        let now = Instant::now();
        let ms: Vec<u128> = (0..5).map(|_| limiter.reserve(&key(), now, None).unwrap().as_millis()).collect();
        assert_eq!(ms, [0, 0, 0, 100, 200]);
    }

    #[test]
    fn a_slot_past_the_longest_wait_is_refused_and_not_taken() {
        let limiter = GcraLimiter::new(Quota::per(1, Duration::from_secs(10)).margin(0.0));
        let now = Instant::now();
        assert_eq!(limiter.reserve(&key(), now, Some(Duration::from_secs(1))), Some(Duration::ZERO));
        assert_eq!(limiter.reserve(&key(), now, Some(Duration::from_secs(1))), None);
        assert_eq!(limiter.reserve(&key(), now, Some(Duration::from_secs(10))), Some(Duration::from_secs(10)));
    }

    #[test]
    fn retry_after_pushes_the_next_slot_and_keys_are_apart() {
        let limiter = GcraLimiter::new(Quota::per(100, Duration::from_secs(1)).margin(0.0));
        let now = Instant::now();
        limiter.push_back(&key(), now, Duration::from_secs(2));
        assert_eq!(limiter.reserve(&key(), now, None), Some(Duration::from_secs(2)));
        assert_eq!(limiter.reserve(&key(), now, None), Some(Duration::from_millis(2_010)));
        // A shorter penalty never pulls the slot earlier.
        limiter.push_back(&key(), now, Duration::from_secs(1));
        assert_eq!(limiter.reserve(&key(), now, None), Some(Duration::from_millis(2_020)));
        let other = RateKey::new("accounting-v3", "site-2");
        assert_eq!(limiter.reserve(&other, now, None), Some(Duration::ZERO));
        let v31 = RateKey::new("accounting-v31", "site-1");
        assert_eq!(limiter.reserve(&v31, now, None), Some(Duration::ZERO));
    }

    #[test]
    fn products_can_have_quotas_of_their_own() {
        let limiter =
            GcraLimiter::default().with_quota("sage200-pro", Quota::per(2, Duration::from_secs(1)).margin(0.0));
        let now = Instant::now();
        let sage200 = RateKey::new("sage200-pro", "1");
        limiter.reserve(&sage200, now, None);
        assert_eq!(limiter.reserve(&sage200, now, None), Some(Duration::from_millis(500)));
        limiter.reserve(&key(), now, None);
        assert_eq!(limiter.reserve(&key(), now, None), Some(Duration::from_millis(306)));
    }

    #[test]
    fn keys_follow_the_headers() {
        let product = Product {
            name: "accounting-v31",
            title: "",
            base_url: "",
            api: crate::auth::SageApi::AccountingV31,
            headers: crate::HeaderStyle::AccountingV31,
            paging: crate::PagingStyle::Envelope,
        };
        assert_eq!(RateKey::for_client(&product, &HeaderPolicy::accounting_v31()).tenant(), "");
        let business = HeaderPolicy::AccountingV31 { business_id: Some("b1".into()) };
        assert_eq!(RateKey::for_client(&product, &business).to_string(), "accounting-v31:b1");
        assert_eq!(RateKey::for_client(&product, &HeaderPolicy::sage200(7, "s")).tenant(), "7");
        assert_eq!(RateKey::for_client(&product, &HeaderPolicy::accounting_v3("site", "key")).tenant(), "site");
    }
}
