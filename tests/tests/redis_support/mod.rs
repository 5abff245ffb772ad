//! A Redis and a Sage sandbox for the integration tests.
//!
//! Redis comes from `SAGE_TEST_REDIS_URL` (CI) or, failing that, from a `redis-server` child
//! process on a free port (developer machines). With neither, the tests fail: they never pass
//! without having talked to a real Redis.
#![allow(dead_code)]

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rand::Rng;
use sage_core::auth::{parse_redirect, AuthProfile, ClientSecret, OAuthClient, SageApi, TokenSet};
use sage_redis_store::{ConnectionKey, RedisTokenStore};
use sage_sandbox::Sandbox;

/// v3.1's 300 s access tokens last one second.
pub const TIME_SCALE: f64 = 1.0 / 300.0;
/// Refresh this long before expiry.
pub const MARGIN: Duration = Duration::from_millis(100);

/// A Redis to test against; a server this process started is killed on drop.
pub struct TestRedis {
    pub url: String,
    server: Option<Child>,
}

impl TestRedis {
    pub fn start() -> Self {
        if let Ok(url) = std::env::var("SAGE_TEST_REDIS_URL") {
            return Self { url, server: None };
        }
        let port = free_port();
        let spawned = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let server = match spawned {
            Ok(server) => server,
            Err(err) => {
                panic!("these tests need a Redis: set SAGE_TEST_REDIS_URL or put `redis-server` on PATH ({err})")
            }
        };
        let redis = Self { url: format!("redis://127.0.0.1:{port}/"), server: Some(server) };
        wait_for_port(port);
        redis
    }

    /// A store on a key no other test uses.
    pub fn store(&self, key: &ConnectionKey) -> RedisTokenStore {
        RedisTokenStore::new(&self.url, key.clone()).expect("a valid Redis URL")
    }

    /// A plain client, to look at and tamper with what the store wrote.
    pub async fn raw(&self) -> redis::aio::MultiplexedConnection {
        let client = redis::Client::open(self.url.as_str()).unwrap();
        client.get_multiplexed_async_connection().await.expect("Redis answers")
    }
}

impl Drop for TestRedis {
    fn drop(&mut self) {
        if let Some(server) = &mut self.server {
            let _ = server.kill();
            let _ = server.wait();
        }
    }
}

/// A key in a namespace of its own, so tests sharing one Redis never meet.
pub fn unique_key() -> ConnectionKey {
    let namespace = format!("sage-test-{:016x}", rand::thread_rng().gen::<u64>());
    ConnectionKey::new(SageApi::AccountingV31, "business-1", "user-1").with_namespace(namespace)
}

/// A port nothing listens on (bound, then released).
pub fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    listener.local_addr().unwrap().port()
}

fn wait_for_port(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
        assert!(Instant::now() < deadline, "redis-server did not start listening on port {port}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// An auto-approving sandbox whose v3.1 access tokens expire after one second.
pub async fn sandbox() -> Sandbox {
    Sandbox::builder().auto_approve(true).time_scale(TIME_SCALE).start().await.expect("the sandbox starts")
}

/// The sandbox's confidential demo client, speaking v3.1.
pub fn oauth(sandbox: &Sandbox) -> OAuthClient {
    let endpoints = sandbox.endpoints("accounting-v31").expect("the sandbox serves v3.1");
    let profile = AuthProfile::accounting_v31()
        .with_authorize_url(endpoints.authorize_url)
        .with_token_url(endpoints.token_url)
        .with_revoke_url(endpoints.revoke_url);
    let demo = sandbox.demo_client();
    OAuthClient::new(profile, demo.client_id, &demo.redirect_uris[0])
        .unwrap()
        .with_client_secret(ClientSecret::new(demo.client_secret.unwrap()))
}

/// Consent (auto-approved: the authorize URL redirects straight back) and code exchange.
pub async fn authorize(oauth: &OAuthClient) -> TokenSet {
    let request = oauth.authorize_url();
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let response = http.get(request.url.clone()).send().await.expect("the sandbox answers");
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let redirect = parse_redirect(&location, &request.state).expect("a valid redirect");
    oauth.exchange_code(redirect.code(), request.pkce_verifier.as_ref()).await.expect("the code exchange succeeds")
}

/// At most one refresh per window in which an access token goes from issued to due for refresh,
/// plus one for a window cut short at the start.
pub fn refresh_bound(elapsed: Duration, token_lifetime: Duration) -> u64 {
    let window = token_lifetime - MARGIN;
    (elapsed.as_secs_f64() / window.as_secs_f64()).floor() as u64 + 1
}

/// A `redis-server` of this test's own (never the shared one of `SAGE_TEST_REDIS_URL`, which other
/// tests use), without persistence, that can be killed and started again empty on the same port:
/// the fault these tests inject, from outside the code under test.
pub struct RestartableRedis {
    pub url: String,
    port: u16,
    server: Child,
}

impl RestartableRedis {
    pub fn start() -> Self {
        let port = free_port();
        let server = spawn_redis(port);
        Self { url: format!("redis://127.0.0.1:{port}/"), port, server }
    }

    /// Kills the server and starts an empty one on the same port (a restart without persistence).
    pub fn restart_empty(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
        self.server = spawn_redis(self.port);
    }

    /// A store on `key` in this server.
    pub fn store(&self, key: &ConnectionKey) -> RedisTokenStore {
        RedisTokenStore::new(&self.url, key.clone()).expect("a valid Redis URL")
    }
}

impl Drop for RestartableRedis {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

fn spawn_redis(port: u16) -> Child {
    let spawned = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let server = spawned.unwrap_or_else(|err| {
        panic!("restarting Redis needs `redis-server` on PATH (scripts/test installs it): {err}")
    });
    wait_for_port(port);
    server
}
