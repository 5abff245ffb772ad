//! What the identity servers have handed out: pending consents, codes, access and refresh tokens.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::family::Family;

/// How long a consent page stays valid before the user must start again.
const CONSENT_LIFETIME: Duration = Duration::from_secs(600);

/// A PKCE `code_challenge` and its method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Challenge {
    pub(crate) value: String,
    pub(crate) method: ChallengeMethod,
}

/// PKCE transformation (RFC 7636).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChallengeMethod {
    Plain,
    S256,
}

/// A validated authorization request, kept until the user answers and then inside the code.
#[derive(Debug, Clone)]
pub(crate) struct AuthRequest {
    pub(crate) family: Family,
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) scope: String,
    pub(crate) state: Option<String>,
    pub(crate) challenge: Option<Challenge>,
    /// Sent back on the v3 callback; picks the region.
    pub(crate) country: String,
}

/// Who a token belongs to and what it opens.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    pub(crate) family: Family,
    pub(crate) client_id: String,
    pub(crate) scope: String,
    /// `None`: never expires.
    pub(crate) expires_at: Option<Instant>,
}

impl Grant {
    pub(crate) fn is_expired(&self, now: Instant) -> bool {
        self.expires_at.is_some_and(|deadline| now >= deadline)
    }
}

/// Everything issued, keyed by the opaque value handed out.
#[derive(Debug, Default)]
pub(crate) struct Grants {
    consents: HashMap<String, (AuthRequest, Instant)>,
    codes: HashMap<String, (AuthRequest, Instant)>,
    access: HashMap<String, Grant>,
    refresh: HashMap<String, Grant>,
}

/// `now + lifetime`, or `None` (never) when that would not fit an `Instant`.
pub(crate) fn deadline(now: Instant, lifetime: Option<Duration>) -> Option<Instant> {
    lifetime.and_then(|lifetime| now.checked_add(lifetime))
}

impl Grants {
    pub(crate) fn add_consent(&mut self, id: String, request: AuthRequest, now: Instant) {
        self.consents.retain(|_, (_, created)| now.duration_since(*created) < CONSENT_LIFETIME);
        self.consents.insert(id, (request, now));
    }

    /// Takes a pending consent (each consent page can be answered once).
    pub(crate) fn take_consent(&mut self, id: &str, now: Instant) -> Option<AuthRequest> {
        let (request, created) = self.consents.remove(id)?;
        (now.duration_since(created) < CONSENT_LIFETIME).then_some(request)
    }

    pub(crate) fn add_code(&mut self, code: String, request: AuthRequest, expires_at: Instant, now: Instant) {
        self.codes.retain(|_, (_, deadline)| now < *deadline);
        self.codes.insert(code, (request, expires_at));
    }

    /// Takes a code: codes are single use, so a second attempt finds nothing. Expired codes give `None`.
    pub(crate) fn take_code(&mut self, code: &str, now: Instant) -> Option<AuthRequest> {
        let (request, expires_at) = self.codes.remove(code)?;
        (now < expires_at).then_some(request)
    }

    pub(crate) fn add_access(&mut self, token: String, grant: Grant, now: Instant) {
        self.access.retain(|_, grant| !grant.is_expired(now));
        self.access.insert(token, grant);
    }

    pub(crate) fn access(&self, token: &str) -> Option<&Grant> {
        self.access.get(token)
    }

    pub(crate) fn add_refresh(&mut self, token: String, grant: Grant) {
        self.refresh.insert(token, grant);
    }

    pub(crate) fn refresh(&self, token: &str) -> Option<&Grant> {
        self.refresh.get(token)
    }

    /// Forgets a refresh token (rotation or revocation); returns whether it existed.
    pub(crate) fn remove_refresh(&mut self, token: &str) -> bool {
        self.refresh.remove(token).is_some()
    }

    /// Forgets an access token; returns whether it existed.
    pub(crate) fn remove_access(&mut self, token: &str) -> bool {
        self.access.remove(token).is_some()
    }

    /// Makes every access token issued so far expired.
    pub(crate) fn expire_access(&mut self, now: Instant) {
        for grant in self.access.values_mut() {
            grant.expires_at = Some(now);
        }
    }
}
