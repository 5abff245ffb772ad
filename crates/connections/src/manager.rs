//! [`Connections`]: the registry, the app's product settings, and a client cache in one handle.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sage_core::auth::{Authenticator, OAuthClient, TokenCipher};
use sage_core::{Client, HeaderPolicy, HeaderStyle, Product};

use crate::auth::{ConnectionAuth, Live, TrackedStore};
use crate::config::ProductConfig;
use crate::connection::{Connection, Region, Status};
use crate::error::Error;
use crate::registry::Registry;

/// How long a connect flow's `state` is accepted.
pub const STATE_LIFETIME: Duration = Duration::from_secs(10 * 60);

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
    clients: Mutex<HashMap<String, Cached>>,
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
}

impl ConnectionsBuilder {
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
        let inner = Inner {
            registry: self.registry,
            cipher: self.cipher,
            products: self.products,
            http,
            state_lifetime: self.state_lifetime,
            clients: Mutex::new(HashMap::new()),
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
        }
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
            return match cached.live.relink() {
                Some((reason, since)) => Err(Error::NeedsRelink { id: id.to_owned(), reason, since }),
                None => Ok(cached.client),
            };
        }
        let connection = self.get(id).await?;
        match &connection.status {
            Status::Active => {}
            Status::NeedsRelink { reason, since } => {
                return Err(Error::NeedsRelink { id: id.to_owned(), reason: reason.clone(), since: *since })
            }
            Status::Disconnected => return Err(Error::Disconnected(id.to_owned())),
        }
        let built = self.build_client(&connection)?;
        let mut clients = self.inner.clients.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        // Another task may have built one meanwhile: keep a single authenticator per connection.
        Ok(clients.entry(id.to_owned()).or_insert(built).client.clone())
    }

    fn cached(&self, id: &str) -> Option<Cached> {
        self.inner.clients.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).get(id).cloned()
    }

    /// Drops the cached client of `id` (after a reconnect), clearing its relink switch so clients
    /// already handed out reach the new tokens.
    pub(crate) fn forget_client(&self, id: &str) {
        let removed = self.inner.clients.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).remove(id);
        if let Some(cached) = removed {
            cached.live.clear_relink();
        }
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
        let store = TrackedStore {
            id: connection.id.clone(),
            inner: registry.token_store(&connection.id, connection.api),
            registry: Arc::clone(&registry),
        };
        let live = Arc::new(Live::default());
        let auth = ConnectionAuth {
            id: connection.id.clone(),
            connected_at: connection.connected_at,
            inner: Authenticator::new(oauth, Arc::new(store)),
            live: Arc::clone(&live),
            registry,
        };
        let client = api_client(&self.inner.http, config, connection, headers(config, connection)?)?
            .shared_auth(Arc::new(auth))
            .build()?;
        Ok(Cached { client, live })
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
