//! Request counters, so tests can assert how often a client hit the sandbox (e.g. one refresh, not ten).

use std::sync::atomic::{AtomicU64, Ordering};

/// A snapshot of the sandbox's counters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Requests to any authorization endpoint.
    pub authorize_requests: u64,
    /// Requests to any token endpoint, successful or not.
    pub token_requests: u64,
    /// Successful authorization-code exchanges.
    pub authorization_code_grants: u64,
    /// Successful refresh-token grants.
    pub refresh_grants: u64,
    /// Failed token requests (any OAuth error).
    pub token_errors: u64,
    /// Successful revocations.
    pub revocations: u64,
    /// Requests to the APIs, whatever their outcome (including ones refused for auth or rate).
    pub api_requests: u64,
    /// API requests refused with 401.
    pub api_unauthorized: u64,
    /// API requests refused with 429.
    pub rate_limited: u64,
}

/// The live counters behind [`Stats`].
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) authorize_requests: AtomicU64,
    pub(crate) token_requests: AtomicU64,
    pub(crate) authorization_code_grants: AtomicU64,
    pub(crate) refresh_grants: AtomicU64,
    pub(crate) token_errors: AtomicU64,
    pub(crate) revocations: AtomicU64,
    pub(crate) api_requests: AtomicU64,
    pub(crate) api_unauthorized: AtomicU64,
    pub(crate) rate_limited: AtomicU64,
}

/// Adds one to a counter.
pub(crate) fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

impl Counters {
    pub(crate) fn snapshot(&self) -> Stats {
        let read = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        Stats {
            authorize_requests: read(&self.authorize_requests),
            token_requests: read(&self.token_requests),
            authorization_code_grants: read(&self.authorization_code_grants),
            refresh_grants: read(&self.refresh_grants),
            token_errors: read(&self.token_errors),
            revocations: read(&self.revocations),
            api_requests: read(&self.api_requests),
            api_unauthorized: read(&self.api_unauthorized),
            rate_limited: read(&self.rate_limited),
        }
    }
}
