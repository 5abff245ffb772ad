//! The state every handler shares.

use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::api::Api;
use crate::clients::Clients;
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
}

/// Locks a mutex, carrying on after a poisoning panic: the data stays usable for a test server.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
