//! The state every handler shares.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::api::Api;
use crate::clients::Clients;
use crate::data_file::{DataError, DataFile};
use crate::family::TimeScale;
use crate::identity::grants::Grants;
use crate::stats::Counters;

/// Configuration and in-memory data of one running sandbox.
#[derive(Debug)]
pub(crate) struct AppState {
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub(crate) base_url: String,
    pub(crate) auto_approve: bool,
    pub(crate) time_scale: TimeScale,
    pub(crate) clients: Clients,
    pub(crate) grants: Mutex<Grants>,
    pub(crate) counters: Counters,
    /// Product directories that failed to load (and are not served).
    pub(crate) schema_problems: Vec<String>,
    pub(crate) api: Api,
    /// Where tokens are kept across restarts (`--data`); `None`: memory only.
    pub(crate) data: Option<Arc<DataFile>>,
    /// Set by [`Sandbox::set_subscription_active`](crate::Sandbox::set_subscription_active)`(false)`.
    pub(crate) subscription_lapsed: std::sync::atomic::AtomicBool,
}

impl AppState {
    /// Writes the token changes journaled so far to the data file, if there is one. On failure they stay
    /// journaled, so the next save retries them.
    pub(crate) fn save_tokens(&self) -> Result<(), DataError> {
        let Some(data) = &self.data else { return Ok(()) };
        let mut grants = lock(&self.grants);
        let changes = grants.take_changes();
        if changes.is_empty() {
            return Ok(());
        }
        let saved = data.save_tokens(&changes);
        if saved.is_err() {
            grants.requeue_changes(changes);
        }
        saved
    }
}

/// Locks a mutex, carrying on after a poisoning panic: the data stays usable for a test server.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
