//! The running sandbox and what tests ask of it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::api::route;
use crate::builder::SandboxBuilder;
use crate::clients::DemoClient;
use crate::family::Family;
use crate::state::{lock, AppState};
use crate::stats::Stats;

/// How long [`Sandbox::shutdown`] lets open connections finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Where a client finds one product's identity server and API on the sandbox. All absolute URLs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// Which Sage identity server the product uses (and so which token rules apply).
    pub api: sage_core::auth::SageApi,
    /// Authorization endpoint (browser).
    pub authorize_url: String,
    /// Token endpoint.
    pub token_url: String,
    /// Revocation endpoint.
    pub revoke_url: Option<String>,
    /// API base URL (what the product's `base_url` becomes).
    pub api_base_url: String,
}

/// A running sandbox on 127.0.0.1. Dropping it stops the server.
#[derive(Debug)]
pub struct Sandbox {
    state: Arc<AppState>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Sandbox {
    /// Starts configuring a sandbox.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }

    pub(crate) fn serve(listener: TcpListener, state: Arc<AppState>, header_read_timeout: Duration) -> Self {
        let (stop, stopped) = oneshot::channel::<()>();
        let app = crate::router(state.clone());
        let task = tokio::spawn(crate::serve::run(listener, app, header_read_timeout, stopped));
        Self { state, stop: Some(stop), task: Some(task) }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.state.base_url
    }

    /// Identity and API URLs of a served product: a [`sage_core::Product`] (e.g.
    /// `sage_accounting_v31::PRODUCT`) or its name (`sage200-pro`, `sage200-standard`, `accounting-v3`,
    /// `accounting-v31`); `None` for any other.
    pub fn endpoints(&self, product: impl ProductName) -> Option<Endpoints> {
        let served = self.state.api.served(product.product_name())?;
        let family = Family::for_profile(served.auth_profile);
        let base = self.url();
        Some(Endpoints {
            api: family.api(),
            authorize_url: format!("{base}{}", family.authorize_path()),
            token_url: format!("{base}{}", family.token_path()),
            revoke_url: Some(format!("{base}{}", family.revoke_path())),
            api_base_url: format!("{base}{}", route::concrete_base_path(&served.base_url)),
        })
    }

    /// The registered confidential client.
    pub fn demo_client(&self) -> DemoClient {
        self.state.clients.confidential().clone()
    }

    /// The registered public client (no secret, for PKCE flows; exact redirect URIs unless
    /// [`SandboxBuilder::any_loopback_port`](crate::SandboxBuilder::any_loopback_port)).
    pub fn demo_public_client(&self) -> DemoClient {
        self.state.clients.public().clone()
    }

    /// Product schema directories that failed to load, one message each; those products are not served.
    pub fn schema_problems(&self) -> &[String] {
        &self.state.schema_problems
    }

    /// Names of the products whose APIs are served.
    pub fn served_products(&self) -> Vec<String> {
        self.state.api.product_names()
    }

    /// Current counters.
    pub fn stats(&self) -> Stats {
        self.state.counters.snapshot()
    }

    /// Makes `id` the v3.1 lead business; returns `false` (and changes nothing) for an unknown id.
    pub fn set_lead_business(&self, id: &str) -> bool {
        self.state.api.set_lead_business(id)
    }

    /// The v3.1 lead business id.
    pub fn lead_business(&self) -> String {
        self.state.api.lead_business()
    }

    /// Makes the server's clock run `skew_ms` milliseconds ahead of real time (negative: behind), as
    /// Sage's clocks may differ from the client's. Record times and time filters follow it.
    pub fn set_clock_skew(&self, skew_ms: i64) {
        self.state.api.clock.set_skew(skew_ms);
    }

    /// Stamps writes `lag` before they become visible, like a transaction that took its timestamp
    /// when it started and committed later: the in-flight writes a change feed's overlap covers.
    pub fn set_write_lag(&self, lag: Duration) {
        self.state.api.clock.set_lag(i64::try_from(lag.as_millis()).unwrap_or(i64::MAX));
    }

    /// Appends records to a tenant's collection without HTTP (bulk data for tests and benchmarks).
    /// `tenant` is the v3.1 business id, the v3 site id or the Sage 200 company id; `collection` is
    /// the path under the product's base (`/contacts`, `/accounts/v3/contacts`, `/customers`).
    /// Records without an `id` get one; records without an updated time are stamped now.
    pub fn insert_records(
        &self,
        product: impl ProductName,
        tenant: &str,
        collection: &str,
        records: Vec<serde_json::Value>,
    ) -> Result<usize, String> {
        self.state.api.insert_records(product.product_name(), tenant, collection, records)
    }

    /// Updates up to `count` records spread over a collection (merging `fields`, stamping them as
    /// updated now) without HTTP, as another user of the business would; returns their ids.
    pub fn touch_records(
        &self,
        product: impl ProductName,
        tenant: &str,
        collection: &str,
        count: usize,
        fields: serde_json::Map<String, serde_json::Value>,
    ) -> Vec<String> {
        self.state.api.touch_records(product.product_name(), tenant, collection, count, &fields)
    }

    /// Expires every access token issued so far (refresh tokens keep working).
    pub fn expire_access_tokens(&self) {
        lock(&self.state.grants).expire_access(Instant::now());
        // A failed write stays journaled and is retried with the next token change.
        let _ = self.state.save_tokens();
    }

    /// `false`: every API call with a valid token answers 401 `AuthorizationFailure` "No active
    /// subscription. (MSE)" (`"$source": ""`), as Sage does for an expired trial or a cancelled
    /// subscription; tokens and refreshes keep working. `true` (the default) serves calls again.
    pub fn set_subscription_active(&self, active: bool) {
        self.state.subscription_lapsed.store(!active, std::sync::atomic::Ordering::Relaxed);
    }

    /// Test knob: from now on every record of `model` (a schema name, e.g. `Contact`) the API answers
    /// carries `value` in `field` (e.g. `"12abc"` for a number), as a Sage whose answers drifted
    /// would; `sage doctor` must then name the field.
    pub fn break_field(&self, model: &str, field: &str, value: serde_json::Value) {
        self.state.api.break_field(model, field, value);
    }

    /// Stops the server and waits (briefly) for open connections to finish.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take() {
            if tokio::time::timeout(SHUTDOWN_GRACE, &mut task).await.is_err() {
                task.abort();
            }
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Every call names a product the same way: a [`sage_core::Product`] or its name.
pub use sage_core::ProductName;
