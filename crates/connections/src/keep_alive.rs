//! Keep-alive: refreshing connections whose refresh token would otherwise expire unused.
//!
//! Accounting v3.1's refresh tokens die after 31 days without use and Sage 200's after the app's
//! Sage ID lifetime (at most 90 days); Accounting v3's do not expire. A customer who does not
//! use the app for that long would have to connect again. A pass refreshes every active
//! connection whose refresh token would expire before the pass after next could act, with a
//! safety margin; one process of a fleet runs passes at a time, through a lease in the registry
//! (Redis: `SET NX PX`, extended while the pass runs; SQLite: a lease row in the file), and
//! within a process passes never overlap.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng;
use sage_core::auth::SageApi;
use tokio::sync::{oneshot, Semaphore};
use tokio::task::JoinSet;

use crate::backoff::random_up_to;
use crate::connection::{Connection, Status};
use crate::error::Error;
use crate::manager::Connections;

/// The registry lease that makes one process of a fleet run the passes.
const LEASE_NAME: &str = "keep-alive";

/// Keep-alive settings: how often, how many at once, and how long each API's refresh tokens live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeepAlive {
    interval: Duration,
    jitter: Duration,
    margin: Duration,
    concurrency: usize,
    lease_ttl: Duration,
    /// Refresh-token lifetimes by API; an API not listed is never refreshed.
    lifetimes: Vec<(SageApi, Option<Duration>)>,
}

impl Default for KeepAlive {
    /// A pass every 6 hours (plus up to 30 minutes at random), a margin of 3 days, 4 refreshes at
    /// once; refresh tokens of 31 days on v3.1, 90 days on Sage 200 (Sage ID's longest: set the
    /// app's own with [`lifetime`](Self::lifetime)), none on v3 (they do not expire).
    fn default() -> Self {
        const DAY: u64 = 24 * 3600;
        Self {
            interval: Duration::from_secs(6 * 3600),
            jitter: Duration::from_secs(30 * 60),
            margin: Duration::from_secs(3 * DAY),
            concurrency: 4,
            lease_ttl: Duration::from_secs(60),
            lifetimes: vec![
                (SageApi::AccountingV31, Some(Duration::from_secs(31 * DAY))),
                (SageApi::AccountingV3, None),
                (SageApi::Sage200, Some(sage_core::auth::SAGE200_MAX_REFRESH_LIFETIME)),
            ],
        }
    }
}

impl KeepAlive {
    /// The pause between passes of [`Connections::keep_alive`].
    #[must_use]
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// Up to this much is added at random to each pause, so a fleet's restarts do not line up.
    #[must_use]
    pub fn jitter(mut self, jitter: Duration) -> Self {
        self.jitter = jitter;
        self
    }

    /// How long before a refresh token's end it must be refreshed at the latest, beyond the next
    /// pass (covers a pass that fails or a process that is down).
    #[must_use]
    pub fn margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    /// Refreshes running at once in a pass (at least 1).
    #[must_use]
    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency.max(1);
        self
    }

    /// How long the fleet lease lasts unless extended (it is, every third of it, while a pass runs).
    #[must_use]
    pub fn lease_ttl(mut self, ttl: Duration) -> Self {
        self.lease_ttl = ttl.max(Duration::from_millis(30));
        self
    }

    /// How long `api`'s refresh tokens live unused; `None`: they do not expire (never refreshed).
    #[must_use]
    pub fn lifetime(mut self, api: SageApi, lifetime: Option<Duration>) -> Self {
        self.lifetimes.retain(|(known, _)| *known != api);
        self.lifetimes.push((api, lifetime));
        self
    }

    fn lifetime_of(&self, api: SageApi) -> Option<Duration> {
        self.lifetimes.iter().find(|(known, _)| *known == api).and_then(|(_, lifetime)| *lifetime)
    }

    /// Whether `connection`'s refresh token, issued at its last refresh or consent, would expire
    /// before the next pass plus the margin.
    pub fn is_due(&self, connection: &Connection, now: DateTime<Utc>) -> bool {
        if connection.status != Status::Active {
            return false;
        }
        let Some(lifetime) = self.lifetime_of(connection.api) else { return false };
        let issued = connection.last_refreshed_at.map_or(connection.connected_at, |at| at.max(connection.connected_at));
        let ahead = self.interval.saturating_add(self.jitter).saturating_add(self.margin);
        let chrono = |duration: Duration| chrono::Duration::from_std(duration).unwrap_or(chrono::Duration::MAX);
        // A lifetime past the calendar's end never expires; a horizon past it reaches everything.
        let Some(expires) = issued.checked_add_signed(chrono(lifetime)) else { return false };
        now.checked_add_signed(chrono(ahead)).is_none_or(|horizon| horizon >= expires)
    }
}

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeepAliveReport {
    /// `false` when another pass held the lease (in this process or another): nothing was done.
    pub ran: bool,
    /// Connections looked at.
    pub checked: usize,
    /// Refreshed now, by id.
    pub refreshed: Vec<String>,
    /// Active but not due, by id.
    pub not_due: Vec<String>,
    /// Refused by Sage: now `needs_relink`, by id.
    pub needs_relink: Vec<String>,
    /// Failed otherwise (transient, backing off, store), by id, with the error's message.
    pub failed: Vec<(String, String)>,
}

/// The background keep-alive of [`Connections::keep_alive`]: stops when dropped or [`stop`](Self::stop)ped.
#[derive(Debug)]
pub struct KeepAliveHandle {
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl KeepAliveHandle {
    /// Stops the loop and waits for a pass under way to finish.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// Whether the loop is running (`false` if it was started outside a Tokio runtime).
    pub fn is_running(&self) -> bool {
        self.task.as_ref().is_some_and(|task| !task.is_finished())
    }
}

impl Drop for KeepAliveHandle {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Clears the process's "a pass is running" flag however the pass ends.
struct Running<'a>(&'a std::sync::atomic::AtomicBool);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

impl Connections {
    /// Runs [`keep_alive_pass`](Self::keep_alive_pass) now and then every
    /// [`interval`](KeepAlive::interval) (plus jitter) in a background task, until the handle is
    /// dropped or stopped. Opt-in: nothing refreshes idle connections unless this runs somewhere.
    /// Start it in every process of a fleet if convenient: the registry lease lets one run each
    /// pass. Called outside a Tokio runtime it logs an error and returns a handle that runs nothing.
    pub fn keep_alive(&self, settings: KeepAlive) -> KeepAliveHandle {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            tracing::error!("keep-alive needs a Tokio runtime: not started");
            return KeepAliveHandle { stop: None, task: None };
        };
        let (stop, mut stopped) = oneshot::channel();
        let connections = self.clone();
        let task = runtime.spawn(async move {
            loop {
                match connections.keep_alive_pass(&settings, Utc::now()).await {
                    Ok(report) if report.ran => tracing::info!(
                        checked = report.checked,
                        refreshed = report.refreshed.len(),
                        needs_relink = report.needs_relink.len(),
                        failed = report.failed.len(),
                        "keep-alive pass"
                    ),
                    Ok(_) => tracing::debug!("keep-alive pass skipped: another one holds the lease"),
                    Err(err) => tracing::warn!(error = %err, "keep-alive pass failed"),
                }
                let pause = settings.interval + random_up_to(settings.jitter);
                tokio::select! {
                    _ = tokio::time::sleep(pause) => {}
                    _ = &mut stopped => break,
                }
            }
        });
        KeepAliveHandle { stop: Some(stop), task: Some(task) }
    }

    /// One keep-alive pass as if it were `now` (a simulated time in tests): refreshes, at most
    /// [`concurrency`](KeepAlive::concurrency) at once and with the same single-flight, relink and
    /// backoff rules as calls, every active connection whose refresh token would expire unused
    /// before the next passes. Does nothing (`ran: false`) while another pass holds the lease.
    pub async fn keep_alive_pass(&self, settings: &KeepAlive, now: DateTime<Utc>) -> Result<KeepAliveReport, Error> {
        let running = &self.inner.keep_alive_running;
        if running.swap(true, Ordering::SeqCst) {
            return Ok(KeepAliveReport::default());
        }
        let _running = Running(running);
        let registry = Arc::clone(&self.inner.registry);
        let holder = format!("{:032x}", rand::thread_rng().gen::<u128>());
        if !registry.try_lease(LEASE_NAME, &holder, settings.lease_ttl).await? {
            return Ok(KeepAliveReport::default());
        }
        let renewing = {
            let (registry, holder, ttl) = (Arc::clone(&registry), holder.clone(), settings.lease_ttl);
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(ttl / 3).await;
                    match registry.try_lease(LEASE_NAME, &holder, ttl).await {
                        Ok(true) => {}
                        Ok(false) => {
                            tracing::warn!("the keep-alive lease was lost: another process may run a pass too")
                        }
                        Err(err) => tracing::warn!(error = %err, "the keep-alive lease could not be extended"),
                    }
                }
            })
        };
        let report = self.run_pass(settings, now).await;
        renewing.abort();
        if let Err(err) = registry.release_lease(LEASE_NAME, &holder).await {
            tracing::warn!(error = %err, "the keep-alive lease could not be released: it expires by itself");
        }
        report
    }

    async fn run_pass(&self, settings: &KeepAlive, now: DateTime<Utc>) -> Result<KeepAliveReport, Error> {
        let connections = self.list().await?;
        let mut report = KeepAliveReport { ran: true, checked: connections.len(), ..KeepAliveReport::default() };
        let slots = Arc::new(Semaphore::new(settings.concurrency));
        let mut refreshes = JoinSet::new();
        for connection in connections {
            if connection.status != Status::Active {
                continue;
            }
            if !settings.is_due(&connection, now) {
                report.not_due.push(connection.id);
                continue;
            }
            let (this, slots) = (self.clone(), Arc::clone(&slots));
            refreshes.spawn(async move {
                let _slot = slots.acquire_owned().await;
                let outcome = this.refresh_one(&connection.id).await;
                (connection.id, outcome)
            });
        }
        while let Some(joined) = refreshes.join_next().await {
            let Ok((id, outcome)) = joined else { continue };
            match outcome {
                Ok(()) => report.refreshed.push(id),
                Err(Error::NeedsRelink { .. }) => report.needs_relink.push(id),
                Err(err) => report.failed.push((id, err.to_string())),
            }
        }
        report.refreshed.sort();
        report.needs_relink.sort();
        report.failed.sort();
        Ok(report)
    }

    async fn refresh_one(&self, id: &str) -> Result<(), Error> {
        let auth = self.auth(id).await?;
        auth.refresh_now().await.map(drop).map_err(Error::from_auth)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn connection(api: SageApi, connected_days_ago: i64, refreshed_days_ago: Option<i64>) -> Connection {
        let now = Utc::now();
        let body = serde_json::json!({
            "id": "c", "product": "p", "api": api, "country": null, "region": null, "v3_site_id": null,
            "business": null, "businesses": [], "company": null, "companies": [],
            "status": {"state": "active"},
            "created_at": now - chrono::Duration::days(connected_days_ago),
            "connected_at": now - chrono::Duration::days(connected_days_ago),
            "last_used_at": null,
            "last_refreshed_at": refreshed_days_ago.map(|days| now - chrono::Duration::days(days)),
            "scopes": [], "user_id": null, "redirect_uri": "http://127.0.0.1/cb", "labels": {}
        });
        serde_json::from_value(body).unwrap()
    }

    #[test]
    fn due_means_expiring_before_the_next_pass_plus_the_margin() {
        let settings = KeepAlive::default().jitter(Duration::ZERO);
        let now = Utc::now();
        // v3.1: 31 days, less 6 h and 3 days: due from 27.75 days after the last refresh.
        assert!(!settings.is_due(&connection(SageApi::AccountingV31, 27, None), now));
        assert!(settings.is_due(&connection(SageApi::AccountingV31, 28, None), now));
        // The latest of the consent and the last refresh counts.
        assert!(!settings.is_due(&connection(SageApi::AccountingV31, 60, Some(1)), now));
        // v3 never; Sage 200 at 90 days unless the app says otherwise.
        assert!(!settings.is_due(&connection(SageApi::AccountingV3, 3650, None), now));
        assert!(!settings.is_due(&connection(SageApi::Sage200, 80, None), now));
        assert!(settings.is_due(&connection(SageApi::Sage200, 87, None), now));
        let short = settings.clone().lifetime(SageApi::Sage200, Some(Duration::from_secs(30 * 24 * 3600)));
        assert!(short.is_due(&connection(SageApi::Sage200, 27, None), now));
        // Durations past the calendar do not panic: a lifetime that long never expires, a margin
        // that long reaches every expiry.
        let forever = KeepAlive::default().lifetime(SageApi::AccountingV31, Some(Duration::MAX));
        assert!(!forever.is_due(&connection(SageApi::AccountingV31, 1, None), now));
        let cautious = KeepAlive::default().margin(Duration::MAX);
        assert!(cautious.is_due(&connection(SageApi::AccountingV31, 1, None), now));
    }

    #[test]
    fn only_active_connections_are_due() {
        let mut relink = connection(SageApi::AccountingV31, 100, None);
        relink.status = Status::NeedsRelink { reason: "invalid_grant".into(), since: Utc::now() };
        assert!(!KeepAlive::default().is_due(&relink, Utc::now()));
        relink.status = Status::Disconnected;
        assert!(!KeepAlive::default().is_due(&relink, Utc::now()));
    }
}
