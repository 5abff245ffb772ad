//! What the connection benchmarks share: the four products as the sandbox serves them, a
//! [`Connections`] handle configured for them (in this process or, from the same settings, in
//! another), and the connect flow driven the way a browser would with auto-approve.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use sage_connections::{Connections, ProductConfig, Registry, TokenCipher};
use sage_core::auth::{AuthProfile, SageApi, SealingKey};
use sage_core::{Client, HeaderStyle, Method, PagingStyle, Product, Request};
use sage_sandbox::{Sandbox, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};
use serde::{Deserialize, Serialize};

use crate::soak::{free_port, RedisServer};

/// The four products. Only v3.1's crate is a dependency of the bench (the others are large to
/// build), so the rest are declared here as their crates do.
pub const PRODUCTS: [Product; 4] = [
    sage_accounting_v31::PRODUCT,
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

/// Connections connected at once while setting up.
const CONNECT_CONCURRENCY: usize = 8;

/// The app's id for its `n`th customer.
pub fn id(n: usize) -> String {
    format!("customer-{n:05}")
}

/// How many connections a scenario connects: `SAGE_BENCH_CONNECTIONS`, else 1,000.
pub fn count() -> usize {
    std::env::var("SAGE_BENCH_CONNECTIONS").ok().and_then(|n| n.parse().ok()).filter(|&n| n > 1).unwrap_or(1_000)
}

/// One product's sandbox URLs.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Served {
    name: String,
    authorize_url: String,
    token_url: String,
    revoke_url: Option<String>,
    api_base_url: String,
}

/// The sandbox's URLs for some of the four products and the redirect URI the connect flow uses:
/// all a process needs to build a [`Connections`] handle for them. Connection `n` is of the
/// `n % len`th product. Serialized (JSON) for worker processes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Fleet {
    redirect_uri: String,
    served: Vec<Served>,
}

impl Fleet {
    /// The running sandbox's settings for `products`.
    pub fn of(sandbox: &Sandbox, products: &[Product]) -> Self {
        let served = products
            .iter()
            .map(|product| {
                let endpoints = sandbox.endpoints(product.name).expect("the sandbox serves the four products");
                Served {
                    name: product.name.to_owned(),
                    authorize_url: endpoints.authorize_url,
                    token_url: endpoints.token_url,
                    revoke_url: endpoints.revoke_url,
                    api_base_url: endpoints.api_base_url,
                }
            })
            .collect();
        let redirect_uri = sandbox.demo_client().redirect_uris[0].clone();
        Self { redirect_uri, served }
    }

    /// A handle on `registry` with the sandbox's confidential demo client for every product.
    pub fn connections(&self, registry: impl Registry, cipher: TokenCipher) -> Connections {
        // The sandbox's one demo user puts every connection of a product on one business, where
        // real customers have a business each: Sage's per-business limit would serialize them all.
        let mut builder = Connections::builder(registry, cipher).no_rate_limit();
        for served in &self.served {
            let product = by_name(&served.name);
            let profile = AuthProfile::for_api(product.api)
                .with_authorize_url(&served.authorize_url)
                .with_token_url(&served.token_url)
                .with_revoke_url(served.revoke_url.as_deref());
            let config = ProductConfig::new(product, DEMO_CLIENT_ID)
                .client_secret(DEMO_CLIENT_SECRET)
                .profile(profile)
                .api_base_url(&served.api_base_url)
                .subscription_key("sandbox-subscription-key");
            builder = builder.product(config);
        }
        builder.build().expect("the connections handle")
    }

    /// Connects customers `0..count` (begin, consent, complete); returns how long it took.
    pub async fn connect_all(&self, connections: &Connections, count: usize) -> Duration {
        let browser = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("browser");
        let started = Instant::now();
        futures_util::stream::iter(0..count)
            .map(|n| {
                let browser = &browser;
                async move {
                    let product = self.product(n);
                    let authorize = connections.begin(&id(n), product, &self.redirect_uri).await.expect("begin");
                    let response = browser.get(authorize.url.as_str()).send().await.expect("the consent page");
                    let location = response.headers().get(reqwest::header::LOCATION).expect("a redirect back");
                    let callback = location.to_str().expect("an ASCII callback URL");
                    connections.complete(callback).await.expect("complete");
                }
            })
            .buffer_unordered(CONNECT_CONCURRENCY)
            .collect::<Vec<()>>()
            .await;
        started.elapsed()
    }

    /// The product of connection `n`.
    pub fn product(&self, n: usize) -> Product {
        by_name(&self.served[n % self.served.len()].name)
    }

    /// One list call of connection `n`'s product: proof that its client works.
    pub async fn call(&self, client: &Client, n: usize) -> sage_core::Result<()> {
        call(client, self.product(n)).await
    }
}

fn by_name(name: &str) -> Product {
    *PRODUCTS.iter().find(|product| product.name == name).expect("one of the four products")
}

async fn call(client: &Client, product: Product) -> sage_core::Result<()> {
    let request = match product.name {
        "accounting-v31" => Request::new("list_contacts", Method::Get, "/contacts"),
        "accounting-v3" => Request::new("list_contacts", Method::Get, "/accounts/v3/contacts"),
        _ => Request::new("list_customers", Method::Get, "/customers"),
    };
    client.execute(&request).await.map(drop)
}

/// The Redis the connection benchmarks use: `SAGE_BENCH_REDIS_URL`, else a throwaway `redis-server`
/// of their own (running while the returned server lives); `None` when there is neither.
pub(crate) fn redis() -> Option<(String, Option<RedisServer>)> {
    if let Ok(url) = std::env::var("SAGE_BENCH_REDIS_URL") {
        return Some((url, None));
    }
    let port = free_port();
    let server = RedisServer::start(port)?;
    Some((format!("redis://127.0.0.1:{port}/"), Some(server)))
}

/// A cipher whose key travels to worker processes as hex.
pub fn cipher(key: &[u8; 32]) -> TokenCipher {
    TokenCipher::new(SealingKey::new("sage-bench", *key).expect("a 32-byte key"))
}

/// `key` as lower-case hex.
pub fn to_hex(key: &[u8; 32]) -> String {
    key.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// A key written by [`to_hex`].
pub fn from_hex(text: &str) -> [u8; 32] {
    let mut key = [0; 32];
    assert_eq!(text.len(), 64, "a 32-byte key in hex");
    for (byte, pair) in key.iter_mut().zip(text.as_bytes().chunks(2)) {
        *byte = u8::from_str_radix(std::str::from_utf8(pair).expect("hex"), 16).expect("hex");
    }
    key
}

/// `values` sorted; the value at `fraction` of the way (0.5: the median).
pub fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    let index = ((sorted.len() - 1) as f64 * fraction).round() as usize;
    sorted[index]
}
