//! [`Connections`]: the registry, the app's product settings, and a client cache in one handle.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sage_core::auth::{Authenticator, OAuthClient, TokenCipher};
use sage_core::limit::{Quota, RateLimiter};
use sage_core::{Client, HeaderPolicy, HeaderStyle, Product};

use crate::auth::{Blocked, ConnectionAuth, Live, TrackedStore};
use crate::backoff::TransientBackoff;
use crate::config::ProductConfig;
use crate::connection::{Connection, Region, Status};
use crate::error::Error;
use crate::event::{Callback, Event, Events};
use crate::registry::Registry;
use crate::webhook::{Webhook, WebhookQueue};

/// How long a connect flow's `state` is accepted.
pub const STATE_LIFETIME: Duration = Duration::from_secs(10 * 60);
/// Events a [`subscribe`](Connections::subscribe)r may fall behind by before it loses the oldest.
pub const EVENT_CAPACITY: usize = 1024;

/// Many customers' Sage connections: [`begin`](Self::begin) and [`complete`](Self::complete) the
/// connect flow, then [`client`](Self::client) for each connection's calls. Cheap to clone.
#[derive(Clone)]
pub struct Connections {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) registry: Arc<dyn Registry>,
    pub(crate) cipher: TokenCipher,
    pub(crate) products: BTreeMap<&'static str, ProductConfig>,
    pub(crate) http: reqwest::Client,
    pub(crate) state_lifetime: Duration,
    pub(crate) events: Arc<Events>,
    backoff: TransientBackoff,
    /// Shared by every connection's client: keyed by (product, business or company), so the
    /// connections on one business share its budget and those on others do not touch it.
    limiter: Option<Arc<dyn RateLimiter>>,
    /// Set while this process runs a keep-alive pass: passes never overlap within a process.
    pub(crate) keep_alive_running: AtomicBool,
    clients: Mutex<HashMap<String, Cached>>,
    /// Per connection id, never dropped: a client handed out keeps its `Live` after its cache
    /// entry is replaced, and a disconnect or reconnect must reach it.
    lives: Mutex<HashMap<String, Arc<Live>>>,
    /// OAuth clients by (product, region, redirect URI): each holds an HTTP client, so they are
    /// shared by every connection with the same registration.
    oauth: Mutex<HashMap<OAuthKey, OAuthClient>>,
}

/// Product name, v3 region, redirect URI.
type OAuthKey = (String, Option<Region>, String);

#[derive(Clone)]
struct Cached {
    client: Client,
    live: Arc<Live>,
    auth: Arc<ConnectionAuth>,
}

impl std::fmt::Debug for Connections {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connections")
            .field("products", &self.inner.products.keys().collect::<Vec<_>>())
            .field("cipher", &self.inner.cipher)
            .finish_non_exhaustive()
    }
}

/// Configures [`Connections`].
#[must_use]
pub struct ConnectionsBuilder {
    registry: Arc<dyn Registry>,
    cipher: TokenCipher,
    products: BTreeMap<&'static str, ProductConfig>,
    http: Option<reqwest::Client>,
    state_lifetime: Duration,
    callbacks: Vec<Callback>,
    webhook: Option<Webhook>,
    event_capacity: usize,
    backoff: TransientBackoff,
    rate_limit: RateLimit,
}

/// How the clients of the connections are held to Sage's rate limits.
enum RateLimit {
    /// The registry's limiter at this quota: in this process, or shared through Redis.
    Quota(Quota),
    /// The app's own limiter.
    Limiter(Arc<dyn RateLimiter>),
    /// None: every call goes at once.
    Off,
}

impl ConnectionsBuilder {
    /// Calls `callback` with every [`Event`] this process emits, in order, on the task that caused
    /// it: keep it quick (hand slow work to a task of its own). A panic in it is caught and logged.
    pub fn on_event(mut self, callback: impl Fn(&Event) + Send + Sync + 'static) -> Self {
        self.callbacks.push(Arc::new(callback));
        self
    }

    /// POSTs every event this process emits to the app's URL, signed (see [`crate::webhook`]).
    pub fn webhook(mut self, webhook: Webhook) -> Self {
        self.webhook = Some(webhook);
        self
    }

    /// How many events a [`subscribe`](Connections::subscribe)r may fall behind by (default
    /// [`EVENT_CAPACITY`]); past it, it loses the oldest ones.
    pub fn event_capacity(mut self, capacity: usize) -> Self {
        self.event_capacity = capacity;
        self
    }

    /// How refreshes back off after transient failures (default [`TransientBackoff::default`]).
    pub fn transient_backoff(mut self, backoff: TransientBackoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// Adds a product the app connects to, with its OAuth registration.
    pub fn product(mut self, config: ProductConfig) -> Self {
        self.products.insert(config.product.name, config);
        self
    }

    /// The HTTP client every connection's calls share (one connection pool). By default one with
    /// a 60 s timeout and no redirects, as `sage_core` builds.
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// How long a `state` is accepted (default [`STATE_LIFETIME`], 10 minutes).
    pub fn state_lifetime(mut self, lifetime: Duration) -> Self {
        self.state_lifetime = lifetime;
        self
    }

    /// Holds every connection's calls to `quota` per (product, business or company): by default
    /// Accounting v3's documented 200 calls per 60 s. The limiter comes from the registry: in this
    /// process for SQLite, shared by the whole fleet for Redis. A 429's `Retry-After` keeps every
    /// caller of that business away until then.
    pub fn rate_limit(mut self, quota: Quota) -> Self {
        self.rate_limit = RateLimit::Quota(quota);
        self
    }

    /// Uses the app's own limiter (other quotas per product, another Redis) instead of the
    /// registry's.
    pub fn rate_limiter(mut self, limiter: Arc<dyn RateLimiter>) -> Self {
        self.rate_limit = RateLimit::Limiter(limiter);
        self
    }

    /// Sends every call at once, with no client-side limit (Sage's 429s are still retried).
    pub fn no_rate_limit(mut self) -> Self {
        self.rate_limit = RateLimit::Off;
        self
    }

    /// Builds the handle.
    pub fn build(self) -> Result<Connections, Error> {
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .connect_timeout(Duration::from_secs(10))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|err| Error::Client(Box::new(sage_core::Error::Build(format!("HTTP client: {err}")))))?,
        };
        let webhook = match self.webhook {
            Some(webhook) => {
                webhook.check().map_err(|reason| Error::Client(Box::new(sage_core::Error::Build(reason))))?;
                Some(WebhookQueue::new(webhook, http.clone()))
            }
            None => None,
        };
        let limiter = match self.rate_limit {
            RateLimit::Quota(quota) => Some(self.registry.rate_limiter(quota)),
            RateLimit::Limiter(limiter) => Some(limiter),
            RateLimit::Off => None,
        };
        let inner = Inner {
            registry: self.registry,
            cipher: self.cipher,
            products: self.products,
            http,
            state_lifetime: self.state_lifetime,
            events: Arc::new(Events::new(self.event_capacity, self.callbacks, webhook)),
            backoff: self.backoff,
            limiter,
            keep_alive_running: AtomicBool::new(false),
            clients: Mutex::new(HashMap::new()),
            lives: Mutex::new(HashMap::new()),
            oauth: Mutex::new(HashMap::new()),
        };
        Ok(Connections { inner: Arc::new(inner) })
    }
}

impl Connections {
    /// Starts configuring connections kept in `registry`. `cipher` seals what the registry keeps
    /// of a connect flow (the PKCE verifier); give the backend the same one for tokens.
    pub fn builder(registry: impl Registry, cipher: TokenCipher) -> ConnectionsBuilder {
        ConnectionsBuilder {
            registry: Arc::new(registry),
            cipher,
            products: BTreeMap::new(),
            http: None,
            state_lifetime: STATE_LIFETIME,
            callbacks: Vec::new(),
            webhook: None,
            event_capacity: EVENT_CAPACITY,
            backoff: TransientBackoff::default(),
            rate_limit: RateLimit::Quota(Quota::default()),
        }
    }

    /// The events this process emits from now on, in order. A receiver that falls more than the
    /// builder's [`event_capacity`](ConnectionsBuilder::event_capacity) behind loses the oldest
    /// (its next `recv` says how many, as [`tokio::sync::broadcast::error::RecvError::Lagged`]).
    /// Each process sees its own events: one refresh is told by the process that made it.
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<Event> {
        self.inner.events.subscribe()
    }

    /// The registry backend.
    pub fn registry(&self) -> &Arc<dyn Registry> {
        &self.inner.registry
    }

    /// The connection with this id.
    pub async fn get(&self, id: &str) -> Result<Connection, Error> {
        self.inner.registry.get(id).await?.ok_or_else(|| Error::NotFound(id.to_owned()))
    }

    /// Every connection, in id order.
    pub async fn list(&self) -> Result<Vec<Connection>, Error> {
        Ok(self.inner.registry.list().await?)
    }

    /// Replaces a connection's labels.
    pub async fn set_labels(&self, id: &str, labels: BTreeMap<String, String>) -> Result<Connection, Error> {
        let update = Box::new(move |connection: &mut Connection| {
            connection.labels = labels.clone();
            true
        });
        self.inner.registry.update(id, update).await?.ok_or_else(|| Error::NotFound(id.to_owned()))
    }

    /// A ready client for a connection: its base URL, headers (business, company and site) and
    /// refreshing auth over its own token store. Built once per process and cached; every client
    /// shares one HTTP connection pool. A connection that needs relinking is
    /// [`Error::NeedsRelink`] at once, and so are calls on clients already handed out.
    pub async fn client(&self, id: &str) -> Result<Client, Error> {
        if let Some(cached) = self.cached(id) {
            return match cached.live.blocked() {
                Some(Blocked::NeedsRelink { reason, since }) => {
                    Err(Error::NeedsRelink { id: id.to_owned(), reason, since })
                }
                Some(Blocked::Disconnected) => Err(Error::Disconnected(id.to_owned())),
                None => Ok(cached.client),
            };
        }
        Ok(self.active_entry(id).await?.client)
    }

    /// The connection's auth (for checks and keep-alive), built like its client if need be.
    pub(crate) async fn auth(&self, id: &str) -> Result<Arc<ConnectionAuth>, Error> {
        match self.cached(id) {
            Some(cached) => Ok(cached.auth),
            None => Ok(self.active_entry(id).await?.auth),
        }
    }

    /// The connection with this id, if it is active: one that needs relinking is
    /// [`Error::NeedsRelink`], a disconnected one [`Error::Disconnected`].
    pub(crate) async fn get_active(&self, id: &str) -> Result<Connection, Error> {
        let connection = self.get(id).await?;
        match connection.status {
            Status::Active => Ok(connection),
            Status::NeedsRelink { reason, since } => Err(Error::NeedsRelink { id: id.to_owned(), reason, since }),
            Status::Disconnected => Err(Error::Disconnected(id.to_owned())),
        }
    }

    async fn active_entry(&self, id: &str) -> Result<Cached, Error> {
        let connection = self.get_active(id).await?;
        // The registry says active: any block this process remembers predates a reconnect.
        if let Some(live) = self.existing_live(id) {
            if live.blocked().is_some() {
                live.clear();
            }
        }
        let built = self.build_client(&connection)?;
        let mut clients = self.inner.clients.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        // Another task may have built one meanwhile: keep a single authenticator per connection.
        Ok(clients.entry(id.to_owned()).or_insert(built).clone())
    }

    fn cached(&self, id: &str) -> Option<Cached> {
        self.inner.clients.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).get(id).cloned()
    }

    /// What this process knows of `id`, shared by every client it ever built for it.
    fn live(&self, id: &str) -> Arc<Live> {
        let mut lives = self.inner.lives.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        Arc::clone(lives.entry(id.to_owned()).or_default())
    }

    fn existing_live(&self, id: &str) -> Option<Arc<Live>> {
        self.inner.lives.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).get(id).cloned()
    }

    /// Drops the cached client of `id` (after a reconnect), clearing its relink and disconnect
    /// switches so clients already handed out reach the new tokens.
    pub(crate) fn forget_client(&self, id: &str) {
        self.inner.clients.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).remove(id);
        if let Some(live) = self.existing_live(id) {
            live.clear();
        }
    }

    /// Forgets `id`'s cached client and makes the calls of every client of it this process
    /// handed out fail at once as disconnected, until it is connected again.
    pub(crate) fn block_clients(&self, id: &str) {
        self.inner.clients.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).remove(id);
        self.live(id).set_blocked(Blocked::Disconnected);
    }

    pub(crate) fn config(&self, product: &str) -> Result<&ProductConfig, Error> {
        self.inner.products.get(product).ok_or_else(|| Error::UnknownProduct(product.to_owned()))
    }

    pub(crate) fn oauth(
        &self,
        config: &ProductConfig,
        region: Option<Region>,
        redirect_uri: &str,
    ) -> Result<OAuthClient, Error> {
        let key = (config.product.name.to_owned(), region, redirect_uri.to_owned());
        let mut cache = self.inner.oauth.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(oauth) = cache.get(&key) {
            return Ok(oauth.clone());
        }
        let oauth = config.oauth(region, redirect_uri)?;
        cache.insert(key, oauth.clone());
        Ok(oauth)
    }

    fn build_client(&self, connection: &Connection) -> Result<Cached, Error> {
        let config = self.config(&connection.product)?;
        let oauth = self.oauth(config, connection.region, &connection.redirect_uri)?;
        let registry = Arc::clone(&self.inner.registry);
        let events = Arc::clone(&self.inner.events);
        let store = TrackedStore {
            id: connection.id.clone(),
            product: connection.product.clone(),
            inner: registry.token_store(&connection.id, connection.api),
            registry: Arc::clone(&registry),
            events: Arc::clone(&events),
        };
        let live = self.live(&connection.id);
        // The authenticator's own gap only holds back callers queued behind a failed refresh;
        // the growing backoff is `ConnectionAuth`'s.
        let inner = Authenticator::builder(oauth, Arc::new(store)).failure_gap(self.inner.backoff.initial).build();
        let auth = Arc::new(ConnectionAuth {
            id: connection.id.clone(),
            product: connection.product.clone(),
            connected_at: connection.connected_at,
            inner,
            live: Arc::clone(&live),
            registry,
            events,
            backoff: self.inner.backoff,
        });
        let client = api_client(&self.inner.http, config, connection, headers(config, connection)?)?
            .shared_auth(Arc::clone(&auth) as Arc<dyn sage_core::auth::Authenticate>);
        let client = match &self.inner.limiter {
            Some(limiter) => client.rate_limit(Arc::clone(limiter)),
            None => client,
        }
        .build()?;
        Ok(Cached { client, live, auth })
    }
}

/// A client builder for a product with the connection's base URL and headers, on the shared pool.
pub(crate) fn api_client(
    http: &reqwest::Client,
    config: &ProductConfig,
    connection: &Connection,
    headers: HeaderPolicy,
) -> Result<sage_core::ClientBuilder, Error> {
    let product: Product = config.product;
    let mut builder = Client::builder(product).headers(headers).http_client(http.clone());
    if let Some(url) = &config.api_base_url {
        builder = builder.base_url(url);
    }
    if let Some(country) = &connection.country {
        builder = builder.base_url_variable("country", url_country(country));
    }
    Ok(builder)
}

/// Accounting v3's `{country}` path segment for a redirect's `country`: the UK and Ireland share `uki`.
fn url_country(country: &str) -> String {
    match country.to_ascii_lowercase().as_str() {
        "gb" | "uk" | "uki" | "ie" => "uki".into(),
        other => other.to_owned(),
    }
}

fn headers(config: &ProductConfig, connection: &Connection) -> Result<HeaderPolicy, Error> {
    Ok(match config.product.headers {
        HeaderStyle::AccountingV31 => HeaderPolicy::AccountingV31 {
            business_id: connection.business.as_ref().map(|business| business.id.clone()),
        },
        HeaderStyle::AccountingV3 => {
            let site = connection.v3_site_id.clone().ok_or(Error::NothingToAddress("site"))?;
            let key = config.subscription_key.clone().ok_or_else(|| {
                Error::Client(Box::new(sage_core::Error::Build(
                    "Accounting v3 needs a subscription key: set `ProductConfig::subscription_key`".into(),
                )))
            })?;
            HeaderPolicy::AccountingV3 { site_id: site, subscription_key: key }
        }
        HeaderStyle::Sage200 => {
            let company = connection.company.as_ref().ok_or(Error::NothingToAddress("company"))?;
            HeaderPolicy::Sage200 {
                company_id: company.company_id.to_string(),
                site_id: company.site_id.clone(),
                subscription_key: config.subscription_key.clone(),
            }
        }
    })
}
