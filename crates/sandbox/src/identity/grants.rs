//! What the identity servers have handed out: pending consents, codes, access and refresh tokens.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use crate::family::Family;

/// How long a consent page stays valid before the user must start again.
const CONSENT_LIFETIME: Duration = Duration::from_secs(600);
/// The most consent pages pending at once; beyond it the oldest is dropped.
pub(crate) const MAX_PENDING_CONSENTS: usize = 10_000;
/// The most revoked refresh tokens remembered to explain a refusal; beyond it all are forgotten.
const MAX_REMEMBERED_REVOCATIONS: usize = 10_000;

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

/// Access or refresh token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    Access,
    Refresh,
}

/// A change to the issued tokens, journaled until it is written to the data file.
#[derive(Debug, Clone)]
pub(crate) enum TokenChange {
    Issued {
        kind: TokenKind,
        token: String,
        grant: Grant,
    },
    Removed {
        kind: TokenKind,
        token: String,
    },
    /// Every access token issued so far now expires at this moment.
    AccessExpired(Instant),
}

/// Everything issued, keyed by the opaque value handed out. Consents and codes live seconds to minutes,
/// so only tokens are journaled for the data file.
#[derive(Debug, Default)]
pub(crate) struct Grants {
    consents: HashMap<String, (AuthRequest, Instant)>,
    /// Consent ids oldest first, so expired ones are dropped from the front in O(1) per consent
    /// (answered ones stay here until then; removing them from `consents` again is harmless).
    consent_order: VecDeque<(Instant, String)>,
    codes: HashMap<String, (AuthRequest, Instant)>,
    access: HashMap<String, Grant>,
    refresh: HashMap<String, Grant>,
    /// Refresh tokens whose app the user revoked on the connected-apps page, so a refusal can say
    /// why (memory only; at most [`MAX_REMEMBERED_REVOCATIONS`]).
    revoked: std::collections::HashSet<String>,
    /// Token changes not yet saved; `None` without a data file, so nothing piles up.
    journal: Option<Vec<TokenChange>>,
}

/// `now + lifetime`, or `None` (never) when that would not fit an `Instant`.
pub(crate) fn deadline(now: Instant, lifetime: Option<Duration>) -> Option<Instant> {
    lifetime.and_then(|lifetime| now.checked_add(lifetime))
}

impl Grants {
    /// Grants that journal token changes for the data file.
    pub(crate) fn journaled() -> Self {
        Self { journal: Some(Vec::new()), ..Self::default() }
    }

    /// Puts back a token loaded from the data file (not journaled: it is already stored).
    pub(crate) fn restore(&mut self, kind: TokenKind, token: String, grant: Grant) {
        match kind {
            TokenKind::Access => self.access.insert(token, grant),
            TokenKind::Refresh => self.refresh.insert(token, grant),
        };
    }

    fn record(&mut self, change: impl FnOnce() -> TokenChange) {
        if let Some(journal) = &mut self.journal {
            journal.push(change());
        }
    }

    /// The journaled changes, oldest first, leaving the journal empty.
    pub(crate) fn take_changes(&mut self) -> Vec<TokenChange> {
        self.journal.as_mut().map(std::mem::take).unwrap_or_default()
    }

    /// Returns changes that could not be saved to the front of the journal, so the next save retries them.
    pub(crate) fn requeue_changes(&mut self, mut changes: Vec<TokenChange>) {
        if let Some(journal) = &mut self.journal {
            changes.append(journal);
            *journal = changes;
        }
    }

    pub(crate) fn add_consent(&mut self, id: String, request: AuthRequest, now: Instant) {
        while let Some((created, oldest)) = self.consent_order.front() {
            let expired = now.duration_since(*created) >= CONSENT_LIFETIME;
            if !expired && self.consent_order.len() < MAX_PENDING_CONSENTS {
                break;
            }
            self.consents.remove(oldest);
            self.consent_order.pop_front();
        }
        self.consent_order.push_back((now, id.clone()));
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
        self.record(|| TokenChange::Issued { kind: TokenKind::Access, token: token.clone(), grant: grant.clone() });
        self.access.insert(token, grant);
    }

    pub(crate) fn access(&self, token: &str) -> Option<&Grant> {
        self.access.get(token)
    }

    pub(crate) fn add_refresh(&mut self, token: String, grant: Grant) {
        self.record(|| TokenChange::Issued { kind: TokenKind::Refresh, token: token.clone(), grant: grant.clone() });
        self.refresh.insert(token, grant);
    }

    pub(crate) fn refresh(&self, token: &str) -> Option<&Grant> {
        self.refresh.get(token)
    }

    /// Forgets a refresh token (rotation or revocation); returns whether it existed.
    pub(crate) fn remove_refresh(&mut self, token: &str) -> bool {
        let existed = self.refresh.remove(token).is_some();
        if existed {
            self.record(|| TokenChange::Removed { kind: TokenKind::Refresh, token: token.to_owned() });
        }
        existed
    }

    /// Forgets an access token; returns whether it existed.
    pub(crate) fn remove_access(&mut self, token: &str) -> bool {
        let existed = self.access.remove(token).is_some();
        if existed {
            self.record(|| TokenChange::Removed { kind: TokenKind::Access, token: token.to_owned() });
        }
        existed
    }

    /// The apps holding live tokens: (family, client id, live refresh tokens, live access tokens),
    /// sorted, for the connected-apps page.
    pub(crate) fn apps(&self, now: Instant) -> Vec<(Family, String, usize, usize)> {
        let mut apps: std::collections::BTreeMap<(&'static str, &str), (Family, usize, usize)> = Default::default();
        let live = |grant: &&Grant| !grant.is_expired(now);
        for grant in self.refresh.values().filter(live) {
            apps.entry((grant.family.id(), &grant.client_id)).or_insert((grant.family, 0, 0)).1 += 1;
        }
        for grant in self.access.values().filter(live) {
            apps.entry((grant.family.id(), &grant.client_id)).or_insert((grant.family, 0, 0)).2 += 1;
        }
        apps.into_iter()
            .map(|((_, client), (family, refresh, access))| (family, client.to_owned(), refresh, access))
            .collect()
    }

    /// Forgets every access and refresh token `client_id` holds from `family`, as a user who revokes
    /// an app's access in their account settings; returns how many were removed.
    pub(crate) fn revoke_app(&mut self, family: Family, client_id: &str) -> usize {
        let of_app = |grant: &Grant| grant.family == family && grant.client_id == client_id;
        let refresh: Vec<String> =
            self.refresh.iter().filter(|(_, grant)| of_app(grant)).map(|(token, _)| token.clone()).collect();
        let access: Vec<String> =
            self.access.iter().filter(|(_, grant)| of_app(grant)).map(|(token, _)| token.clone()).collect();
        let removed = refresh.len() + access.len();
        if self.revoked.len() + refresh.len() > MAX_REMEMBERED_REVOCATIONS {
            self.revoked.clear();
        }
        refresh.iter().for_each(|token| {
            self.remove_refresh(token);
        });
        self.revoked.extend(refresh);
        access.iter().for_each(|token| {
            self.remove_access(token);
        });
        removed
    }

    /// Whether this refresh token's app was revoked on the connected-apps page.
    pub(crate) fn was_revoked(&self, token: &str) -> bool {
        self.revoked.contains(token)
    }

    /// Makes every access token issued so far expired.
    pub(crate) fn expire_access(&mut self, now: Instant) {
        for grant in self.access.values_mut() {
            grant.expires_at = Some(now);
        }
        self.record(|| TokenChange::AccessExpired(now));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> AuthRequest {
        AuthRequest {
            family: Family::AccountingV31,
            client_id: "app".into(),
            redirect_uri: "http://127.0.0.1/cb".into(),
            scope: "full_access".into(),
            state: None,
            challenge: None,
            country: "gb".into(),
        }
    }

    #[test]
    fn pending_consents_are_bounded_oldest_first() {
        let (mut grants, now) = (Grants::default(), Instant::now());
        for n in 0..=MAX_PENDING_CONSENTS {
            grants.add_consent(format!("c{n}"), request(), now);
        }
        assert_eq!(grants.consents.len(), MAX_PENDING_CONSENTS);
        assert!(grants.take_consent("c0", now).is_none(), "the oldest made room");
        assert!(grants.take_consent("c1", now).is_some());
        assert!(grants.take_consent(&format!("c{MAX_PENDING_CONSENTS}"), now).is_some());
    }

    fn grant(family: Family, client_id: &str) -> Grant {
        Grant { family, client_id: client_id.into(), scope: "full_access".into(), expires_at: None }
    }

    #[test]
    fn revoking_an_app_removes_its_tokens_of_that_family_only() {
        let (mut grants, now) = (Grants::journaled(), Instant::now());
        grants.add_refresh("r1".into(), grant(Family::AccountingV31, "app"));
        grants.add_access("a1".into(), grant(Family::AccountingV31, "app"), now);
        grants.add_refresh("r2".into(), grant(Family::SageId, "app"));
        grants.add_refresh("r3".into(), grant(Family::AccountingV31, "other"));
        grants.take_changes();
        assert_eq!(grants.apps(now).len(), 3);

        assert_eq!(grants.revoke_app(Family::AccountingV31, "app"), 2);
        assert!(grants.refresh("r1").is_none() && grants.access("a1").is_none());
        assert!(grants.was_revoked("r1") && !grants.was_revoked("r3"), "a refusal can say why");
        assert!(
            grants.refresh("r2").is_some() && grants.refresh("r3").is_some(),
            "other families and apps keep theirs"
        );
        assert_eq!(grants.take_changes().len(), 2, "both removals are journaled for the data file");
        let left: Vec<_> = grants.apps(now).into_iter().map(|(family, client, ..)| (family, client)).collect();
        assert_eq!(left, [(Family::AccountingV31, "other".to_owned()), (Family::SageId, "app".to_owned())]);
        assert_eq!(grants.revoke_app(Family::AccountingV31, "app"), 0, "revoking twice is harmless");
    }

    #[test]
    fn expired_and_answered_consents_leave_no_trace() {
        let (mut grants, start) = (Grants::default(), Instant::now());
        grants.add_consent("answered".into(), request(), start);
        grants.add_consent("abandoned".into(), request(), start);
        assert!(grants.take_consent("answered", start).is_some());
        grants.add_consent("later".into(), request(), start + CONSENT_LIFETIME);
        assert_eq!((grants.consents.len(), grants.consent_order.len()), (1, 1), "only `later` is left");
        assert!(grants.take_consent("later", start + CONSENT_LIFETIME).is_some());
    }
}
