//! A sandbox, a registry on either backend, and the connect flow driven the way a browser would.
#![allow(dead_code)]

pub mod proxy;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use sage_connections::{
    Connection, Connections, ConnectionsBuilder, ProductConfig, RedisRegistry, SqliteRegistry, TokenCipher,
};
use sage_core::auth::{SageApi, SealingKey};
use sage_core::{HeaderStyle, Method, PagingStyle, Product, Request};
use sage_sandbox::{Sandbox, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};

/// Registered for the sandbox's confidential demo client.
pub const REDIRECT_URI: &str = "http://127.0.0.1:8791/callback";

/// The four products, as their generated crates declare them (those crates are not built here).
pub const PRODUCTS: [Product; 4] = [
    Product {
        name: "accounting-v31",
        title: "Sage Business Cloud Accounting v3.1",
        base_url: "https://api.accounting.sage.com/v3.1",
        api: SageApi::AccountingV31,
        headers: HeaderStyle::AccountingV31,
        paging: PagingStyle::Envelope,
    },
    Product {
        name: "accounting-v3",
        title: "Sage Business Cloud Accounting v3",
        base_url: "https://api.columbus.sage.com/{country}/sageone",
        api: SageApi::AccountingV3,
        headers: HeaderStyle::AccountingV3,
        paging: PagingStyle::Envelope,
    },
    Product {
        name: "sage200-pro",
        title: "Sage 200 Professional",
        base_url: "https://api.columbus.sage.com/uk/sage200extra/accounts/v1",
        api: SageApi::Sage200,
        headers: HeaderStyle::Sage200,
        paging: PagingStyle::OData,
    },
    Product {
        name: "sage200-standard",
        title: "Sage 200 Standard Online",
        base_url: "https://api.columbus.sage.com/uk/sage200/accounts/v1",
        api: SageApi::Sage200,
        headers: HeaderStyle::Sage200,
        paging: PagingStyle::OData,
    },
];

pub fn product(name: &str) -> Product {
    *PRODUCTS.iter().find(|product| product.name == name).expect("one of the four products")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Redis,
}

/// Where a harness keeps its connections, to dump it.
pub enum Store {
    Sqlite(PathBuf),
    Redis { url: String, prefix: String },
}

pub struct Harness {
    pub sandbox: Sandbox,
    pub connections: Connections,
    pub cipher: TokenCipher,
    pub store: Store,
    /// In front of every product's token endpoint, when the options asked for it.
    pub proxy: Option<proxy::TokenProxy>,
    _dir: tempfile::TempDir,
}

/// Changes to the builder of the harness's own handle (callbacks, a webhook, a backoff).
pub type Configure = Arc<dyn Fn(ConnectionsBuilder) -> ConnectionsBuilder + Send + Sync>;

#[derive(Default, Clone)]
pub struct Options {
    /// Token requests go through a [`proxy::TokenProxy`] (every handle of the harness).
    pub token_proxy: bool,
    /// Applied to the harness's own handle only (another "process" has no callbacks).
    pub configure: Option<Configure>,
}

pub fn cipher() -> TokenCipher {
    TokenCipher::new(SealingKey::new("test-key", rand::thread_rng().gen()).unwrap())
}

impl Harness {
    /// `None` (with a message) for Redis when `SAGE_TEST_REDIS_URL` is not set.
    pub async fn start(backend: Backend) -> Option<Self> {
        Self::start_with(backend, Options::default()).await
    }

    /// [`start`](Self::start) with options.
    pub async fn start_with(backend: Backend, options: Options) -> Option<Self> {
        let sandbox = Sandbox::builder().auto_approve(true).start().await.expect("the sandbox starts");
        let dir = tempfile::tempdir().unwrap();
        let cipher = cipher();
        let store = match backend {
            Backend::Sqlite => Store::Sqlite(dir.path().join("connections.db")),
            Backend::Redis => match std::env::var("SAGE_TEST_REDIS_URL") {
                Ok(url) => {
                    let prefix = format!("sage-connections-test-{:016x}", rand::thread_rng().gen::<u64>());
                    Store::Redis { url, prefix }
                }
                Err(_) => {
                    eprintln!("skipped: SAGE_TEST_REDIS_URL is not set (scripts/test starts a Redis and sets it)");
                    return None;
                }
            },
        };
        let proxy = match options.token_proxy {
            true => Some(proxy::TokenProxy::start(sandbox.url()).await),
            false => None,
        };
        let builder = builder(&sandbox, &store, &cipher, Duration::from_secs(600), proxy.as_ref()).await;
        let builder = match &options.configure {
            Some(configure) => configure(builder),
            None => builder,
        };
        let connections = builder.build().unwrap();
        Some(Self { sandbox, connections, cipher, store, proxy, _dir: dir })
    }

    /// Another handle on the same registry (another process, as far as caches go).
    pub async fn connections_with(&self, state_lifetime: Duration) -> Connections {
        builder(&self.sandbox, &self.store, &self.cipher, state_lifetime, self.proxy.as_ref()).await.build().unwrap()
    }

    /// Another handle, with changes to its builder.
    pub async fn connections_configured(
        &self,
        configure: impl FnOnce(ConnectionsBuilder) -> ConnectionsBuilder,
    ) -> Connections {
        let builder =
            builder(&self.sandbox, &self.store, &self.cipher, Duration::from_secs(600), self.proxy.as_ref()).await;
        configure(builder).build().unwrap()
    }

    /// Begins, approves at the sandbox, and returns the callback URL Sage would redirect to.
    pub async fn consent(&self, id: &str, product: &str) -> String {
        let authorize = self.connections.begin(id, product, REDIRECT_URI).await.unwrap();
        approve(authorize.url.as_str()).await
    }

    /// The whole flow for one connection.
    pub async fn connect(&self, id: &str, product: &str) -> Connection {
        let callback = self.consent(id, product).await;
        self.connections.complete(&callback).await.unwrap()
    }

    /// The token values stored for a connection, to look for in dumps.
    pub async fn token_values(&self, connection: &Connection) -> Vec<String> {
        let store = self.connections.registry().token_store(&connection.id, connection.api);
        let tokens = store.load().await.unwrap().expect("stored tokens");
        let mut values = vec![tokens.access_token().secret().to_owned()];
        values.extend(tokens.refresh_token().map(|token| token.secret().to_owned()));
        values
    }

    /// Every byte the backend holds: the SQLite file and its journal, or every key under the prefix.
    pub async fn dump(&self) -> Vec<u8> {
        match &self.store {
            Store::Sqlite(path) => {
                let mut bytes = Vec::new();
                for suffix in ["", "-wal", "-shm", "-journal"] {
                    let file = PathBuf::from(format!("{}{suffix}", path.display()));
                    bytes.extend(std::fs::read(file).unwrap_or_default());
                }
                bytes
            }
            Store::Redis { url, prefix } => {
                let client = redis::Client::open(url.as_str()).unwrap();
                let mut conn = client.get_multiplexed_async_connection().await.unwrap();
                let keys: Vec<String> =
                    redis::cmd("KEYS").arg(format!("{prefix}*")).query_async(&mut conn).await.unwrap();
                let mut bytes = Vec::new();
                for key in keys {
                    let kind: String = redis::cmd("TYPE").arg(&key).query_async(&mut conn).await.unwrap();
                    let values: Vec<Vec<u8>> = match kind.as_str() {
                        "hash" => redis::cmd("HGETALL").arg(&key).query_async(&mut conn).await.unwrap(),
                        "set" => redis::cmd("SMEMBERS").arg(&key).query_async(&mut conn).await.unwrap(),
                        "list" => redis::cmd("LRANGE").arg(&key).arg(0).arg(-1).query_async(&mut conn).await.unwrap(),
                        _ => vec![redis::cmd("GET").arg(&key).query_async(&mut conn).await.unwrap()],
                    };
                    bytes.extend(key.into_bytes());
                    values.into_iter().for_each(|value| bytes.extend(value));
                }
                bytes
            }
        }
    }
}

/// With auto-approve, the consent page answers with the redirect carrying the code.
pub async fn approve(authorize_url: &str) -> String {
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let response = http.get(authorize_url).send().await.unwrap();
    let location = response.headers().get(reqwest::header::LOCATION).expect("a redirect back to the app");
    location.to_str().unwrap().to_owned()
}

/// A list call of the product, to prove a client works.
pub fn list_request(product: &str) -> Request {
    match product {
        "accounting-v31" => Request::new("list_contacts", Method::Get, "/contacts"),
        "accounting-v3" => Request::new("list_contacts", Method::Get, "/accounts/v3/contacts"),
        _ => Request::new("list_customers", Method::Get, "/customers"),
    }
}

/// The `state` of an authorize URL, to forge callbacks with.
pub fn state_of(url: &url::Url) -> String {
    url.query_pairs().find(|(name, _)| name == "state").map(|(_, value)| value.into_owned()).unwrap()
}

/// A builder on the harness's registry with the sandbox's settings for the four products.
async fn builder(
    sandbox: &Sandbox,
    store: &Store,
    cipher: &TokenCipher,
    state_lifetime: Duration,
    proxy: Option<&proxy::TokenProxy>,
) -> ConnectionsBuilder {
    let mut builder = match store {
        Store::Sqlite(path) => {
            let registry = SqliteRegistry::open(path, cipher.clone()).await.unwrap();
            Connections::builder(registry, cipher.clone())
        }
        Store::Redis { url, prefix } => {
            let registry = RedisRegistry::new(url, prefix.clone(), cipher.clone()).unwrap();
            Connections::builder(registry, cipher.clone())
        }
    };
    for product in PRODUCTS {
        let endpoints = sandbox.endpoints(product).unwrap();
        let mut profile = sandbox.oauth_client(product).unwrap().profile().clone();
        if let Some(proxy) = proxy {
            let through = profile.token_url().replace(sandbox.url(), &proxy.url);
            profile = profile.with_token_url(through);
        }
        let config = ProductConfig::new(product, DEMO_CLIENT_ID)
            .client_secret(DEMO_CLIENT_SECRET)
            .profile(profile)
            .api_base_url(endpoints.api_base_url)
            .subscription_key("sandbox-subscription-key");
        builder = builder.product(config);
    }
    // The sandbox's one demo user puts every connection of a product on one business, where real
    // customers have a business each: the default per-business limit would space the tests' calls.
    // tests/rate_limit.rs turns it back on.
    builder.state_lifetime(state_lifetime).no_rate_limit()
}
