//! Configuring and starting a sandbox.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sage_schema::ir;
use tokio::net::TcpListener;

use crate::api::{Api, Shapes};
use crate::clients::Clients;
use crate::data_file::{DataError, DataFile};
use crate::family::TimeScale;
use crate::handle::Sandbox;
use crate::identity::grants::Grants;
use crate::state::AppState;
use crate::{schemas, StartError};

/// Settings for [`Sandbox`]; see [`Sandbox::builder`].
#[derive(Debug, Clone)]
#[must_use]
pub struct SandboxBuilder {
    auto_approve: bool,
    time_scale: f64,
    rate_limit: Option<u32>,
    port: u16,
    schemas_dir: Option<PathBuf>,
    products: Option<Vec<ir::Product>>,
    extra_redirect_uris: Vec<String>,
    any_loopback_port: bool,
    data_file: Option<PathBuf>,
    header_read_timeout: Duration,
    max_records: Option<usize>,
    spec_shapes: bool,
    seed: Option<PathBuf>,
}

impl Default for SandboxBuilder {
    fn default() -> Self {
        Self {
            auto_approve: false,
            time_scale: 1.0,
            rate_limit: None,
            port: 0,
            schemas_dir: None,
            products: None,
            extra_redirect_uris: Vec::new(),
            any_loopback_port: false,
            data_file: None,
            header_read_timeout: Duration::from_secs(10),
            max_records: None,
            spec_shapes: false,
            seed: None,
        }
    }
}

impl SandboxBuilder {
    /// `true`: the authorization endpoints redirect with a code at once (tests). `false` (default):
    /// they show an Allow / Deny form.
    pub fn auto_approve(mut self, auto_approve: bool) -> Self {
        self.auto_approve = auto_approve;
        self
    }

    /// Multiplies every lifetime (codes, access and refresh tokens) so expiry can be seen in seconds,
    /// e.g. `1.0 / 300.0`. Must be finite and in `(0, 1000]`. Scaled lifetimes are at least one second.
    pub fn time_scale(mut self, factor: f64) -> Self {
        self.time_scale = factor;
        self
    }

    /// At most this many API requests per minute (all products together); more get 429 + `Retry-After`.
    pub fn rate_limit(mut self, per_minute: Option<u32>) -> Self {
        self.rate_limit = per_minute;
        self
    }

    /// Port on 127.0.0.1; 0 (the default) picks a free one.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Serves the product schemas in this directory (one subdirectory per product, as in the sage-rs
    /// repository's `schemas/`) instead of the ones built into the sandbox. Read once per process.
    pub fn schemas_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.schemas_dir = Some(dir.into());
        self
    }

    /// Serves these products instead of reading a schemas directory (handy for tests).
    pub fn products(mut self, products: Vec<ir::Product>) -> Self {
        self.products = Some(products);
        self
    }

    /// Registers one more exact redirect URI for both demo clients.
    pub fn redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.extra_redirect_uris.push(uri.into());
        self
    }

    /// `true`: the public demo client gets codes for `http://127.0.0.1:<any port>/callback` (and
    /// `localhost`), the RFC 8252 loopback rule. `false` (default): redirect URIs must match a registered
    /// one exactly, as on Sage, where the complete URL must be registered.
    pub fn any_loopback_port(mut self, allow: bool) -> Self {
        self.any_loopback_port = allow;
        self
    }

    /// Keeps API records and issued tokens in this SQLite file across restarts (created when missing).
    /// Without it (the default) everything lives in memory.
    pub fn data_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.data_file = Some(path.into());
        self
    }

    /// How long a client may take to send a request's headers, counted from the connection's
    /// opening or from the previous answer, before its connection is closed (default 10 s), so idle
    /// connections and half-open requests cannot exhaust a shared sandbox.
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.header_read_timeout = timeout;
        self
    }

    /// The most records one collection may hold (default 10 000, so a shared sandbox cannot be
    /// filled up); raise it for load tests and benchmarks.
    pub fn max_records(mut self, limit: usize) -> Self {
        self.max_records = Some(limit);
        self
    }

    /// `true`: answers in the shapes of Sage's specs. `false` (default): as the live APIs answer, where
    /// they differ from the specs: decimals as strings (`"1.0"`), `""` for the unset dates Sage blanks,
    /// `null` for other unset fields, fields in no spec, `$items_per_page` on `GET /businesses`,
    /// `\u0026` in `$next`, `"$source": ""` on not-found and authorization errors.
    pub fn spec_shapes(mut self, spec: bool) -> Self {
        self.spec_shapes = spec;
        self
    }

    /// Loads the records of a cassette recorded with `sage_core::record` (`--seed FILE`): the items
    /// of each successful list and each record read become records of the collection their path
    /// names, for the business, site or company the request addressed (a record with an id the
    /// sandbox holds is merged into it). The cassette is read at start (64 MiB at most).
    pub fn seed(mut self, cassette: impl Into<PathBuf>) -> Self {
        self.seed = Some(cassette.into());
        self
    }

    /// Binds 127.0.0.1 and starts serving in the background.
    pub async fn start(self) -> Result<Sandbox, StartError> {
        let time_scale = TimeScale::new(self.time_scale).ok_or(StartError::TimeScale(self.time_scale))?;
        if self.rate_limit == Some(0) {
            return Err(StartError::RateLimit);
        }
        let loaded = match (self.products, &self.schemas_dir) {
            (Some(products), _) => schemas::Loaded { products, problems: Vec::new() },
            (None, Some(dir)) => schemas::load_cached(dir)?,
            (None, None) => schemas::embedded(),
        };
        let mut api = Api::new(loaded.products, self.rate_limit);
        if self.spec_shapes {
            api.set_shapes(Shapes::Spec);
        }
        if let Some(limit) = self.max_records {
            api.set_max_records(limit);
        }
        let (api, grants, data) = match &self.data_file {
            Some(path) => restore(path, api)?,
            None => (api, Grants::default(), None),
        };
        if let Some(cassette) = &self.seed {
            seed(&api, cassette)?;
        }
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, self.port))).await?;
        let address = listener.local_addr()?;
        let state = Arc::new(AppState {
            base_url: format!("http://{address}"),
            auto_approve: self.auto_approve,
            time_scale,
            clients: Clients::new(&self.extra_redirect_uris, self.any_loopback_port),
            grants: Mutex::new(grants),
            counters: Default::default(),
            schema_problems: loaded.problems,
            api,
            data,
            subscription_lapsed: Default::default(),
        });
        Ok(Sandbox::serve(listener, state, self.header_read_timeout))
    }
}

/// Opens the data file and loads the records and tokens that earlier runs stored in it.
fn restore(path: &Path, api: Api) -> Result<(Api, Grants, Option<Arc<DataFile>>), StartError> {
    let unreadable = |error: DataError| StartError::DataFile { path: path.to_owned(), reason: error.to_string() };
    let data = Arc::new(DataFile::open(path)?);
    let api = api.with_data_file(data.clone()).map_err(unreadable)?;
    let grants = data.load_grants().map_err(unreadable)?;
    Ok((api, grants, Some(data)))
}

/// Writes a cassette's records into the sandbox's data (`SandboxBuilder::seed`).
fn seed(api: &Api, path: &Path) -> Result<(), StartError> {
    let failed = |reason: String| StartError::Seed { path: path.to_owned(), reason };
    let cassette = sage_core::record::Cassette::read(path).map_err(|error| failed(error.to_string()))?;
    let policy = |product: &str| api.served(product).map(|served| served.header_policy);
    let batches = crate::replay::seed_batches(&cassette, |product| match policy(product) {
        Some(ir::HeaderPolicy::Sage200) => "x-company",
        Some(ir::HeaderPolicy::AccountingV3) => "x-site",
        _ => "x-business",
    });
    for batch in batches {
        let tenant = match (batch.tenant, policy(&batch.product)) {
            (Some(tenant), _) => tenant,
            (None, Some(ir::HeaderPolicy::Sage200)) => crate::fixtures::SAGE200_COMPANIES[0].0.to_owned(),
            (None, Some(ir::HeaderPolicy::AccountingV3)) => crate::fixtures::V3_SITE_ID.to_owned(),
            (None, _) => api.lead_business(),
        };
        api.upsert_records(&batch.product, &tenant, &batch.collection, batch.records)
            .map_err(|reason| failed(format!("{} {}: {reason}", batch.product, batch.collection)))?;
    }
    Ok(())
}
