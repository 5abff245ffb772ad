//! Soak: four processes share one sign-in for two hours of simulated time (the sandbox's
//! `time_scale`), first through one token file, then through one Redis that is killed and
//! restarted empty at random moments (`SOAK_RESTARTS`, default 8). Counts requests, refreshes,
//! re-authorizations and lost token sets (target: 0 and 0).
//!
//! The processes are this binary again (`sage-bench soak-worker`), configured by environment.

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sage_accounting_v31::businesses::GetUser;
use sage_core::auth::{AuthError, Authenticator, ClientSecret, FileTokenStore, OAuthClient, SageApi, TokenStore};
use sage_core::{Client, Error};
use sage_redis_store::{ConnectionKey, RedisTokenStore};
use sage_sandbox::Sandbox;

const PROCESSES: usize = 4;
/// v3.1's 300 s access tokens last 2 s: two simulated hours take 48 s.
const TIME_SCALE: f64 = 1.0 / 150.0;
const SIMULATED: Duration = Duration::from_secs(2 * 3600);
/// Pause between one worker's calls (real time).
const PAUSE: Duration = Duration::from_millis(100);
/// Redis restarts (empty) per run, at random moments, unless `SOAK_RESTARTS` says otherwise.
const RESTARTS: usize = 8;

/// What one worker did.
#[derive(Debug, Default)]
struct Counts {
    requests: u64,
    failures: u64,
    reauthorizations: u64,
}

pub async fn run() {
    let real = SIMULATED.mul_f64(TIME_SCALE);
    println!("soak: {PROCESSES} processes, {} h simulated ({real:?} real), one sign-in", SIMULATED.as_secs() / 3600);
    let dir = std::env::temp_dir().join(format!("sage-bench-soak-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let tokens = dir.join("tokens.json");
    scenario("file store", &format!("file:{}", tokens.display()), real, None).await;
    let _ = std::fs::remove_dir_all(&dir);

    let port = free_port();
    let Some(redis) = RedisServer::start(port) else {
        println!("  Redis: skipped (no redis-server on PATH)");
        return;
    };
    let restarts = std::env::var("SOAK_RESTARTS").ok().and_then(|n| n.parse().ok()).unwrap_or(RESTARTS);
    let name = format!("Redis, restarted empty {restarts} times at random moments");
    scenario(&name, &format!("redis:redis://127.0.0.1:{port}/"), real, Some((redis, restarts))).await;
}

async fn scenario(name: &str, store: &str, real: Duration, redis: Option<(RedisServer, usize)>) {
    let sandbox = Sandbox::builder().auto_approve(true).time_scale(TIME_SCALE).start().await.expect("sandbox");
    let signed_in = sandbox.sign_in("accounting-v31").await.expect("sign in");
    open_store(store).save(&signed_in.tokens).await.expect("the consent is stored");
    let endpoints = sandbox.endpoints("accounting-v31").expect("v3.1");
    let demo = sandbox.demo_client();
    let workers: Vec<Child> = (0..PROCESSES)
        .map(|_| {
            Command::new(std::env::current_exe().expect("own path"))
                .arg("soak-worker")
                .env("SOAK_STORE", store)
                .env("SOAK_TOKEN_URL", &endpoints.token_url)
                .env("SOAK_API_BASE", &endpoints.api_base_url)
                .env("SOAK_CLIENT_ID", &demo.client_id)
                .env("SOAK_CLIENT_SECRET", demo.client_secret.as_deref().expect("confidential"))
                .env("SOAK_REDIRECT_URI", &demo.redirect_uris[0])
                .env("SOAK_SECONDS", real.as_secs_f64().to_string())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("worker starts")
        })
        .collect();
    let started = Instant::now();
    let _redis = match redis {
        Some((mut redis, restarts)) => {
            for at in random_moments(restarts, real) {
                tokio::time::sleep(at.saturating_sub(started.elapsed())).await;
                redis.restart();
                println!("  (Redis restarted empty at {:.1} s of {:.0} s)", at.as_secs_f64(), real.as_secs_f64());
            }
            Some(redis)
        }
        None => None,
    };
    let mut total = Counts::default();
    for worker in workers {
        let output = tokio::task::spawn_blocking(move || worker.wait_with_output()).await.unwrap().expect("worker");
        let counts = parse(&String::from_utf8_lossy(&output.stdout));
        total.requests += counts.requests;
        total.failures += counts.failures;
        total.reauthorizations += counts.reauthorizations;
    }
    let stats = sandbox.stats();
    let stored = open_store(store).load().await.expect("the store answers").expect("a token set is stored");
    let lost = u64::from(signed_in.oauth.refresh(&stored).await.is_err());
    println!("  {name}");
    println!("    API requests                  {:>8}", total.requests);
    println!("    failed calls                  {:>8}", total.failures);
    println!("    refreshes                     {:>8}", stats.refresh_grants);
    println!("    refused refresh tokens        {:>8}", stats.token_errors);
    println!("    re-authorizations             {:>8} (target 0)", total.reauthorizations);
    println!("    lost token sets               {:>8} (target 0)", lost);
}

fn open_store(spec: &str) -> Arc<dyn TokenStore> {
    match spec.split_once(':') {
        Some(("file", path)) => Arc::new(FileTokenStore::new(path)),
        Some(("redis", url)) => {
            let key = ConnectionKey::new(SageApi::AccountingV31, "bench", "soak").with_namespace("sage-bench-soak");
            Arc::new(RedisTokenStore::new(url, key).expect("Redis URL"))
        }
        _ => panic!("unknown store `{spec}`"),
    }
}

fn parse(line: &str) -> Counts {
    let mut counts = Counts::default();
    for pair in line.split_whitespace() {
        let (name, value) = pair.split_once('=').unwrap_or((pair, "0"));
        let value = value.parse().unwrap_or(0);
        match name {
            "requests" => counts.requests = value,
            "failures" => counts.failures = value,
            "reauthorizations" => counts.reauthorizations = value,
            _ => {}
        }
    }
    counts
}

/// One app instance: calls `GET /user` until its time is up and prints what happened.
pub async fn worker() {
    let env = |name: &str| std::env::var(name).unwrap_or_else(|_| panic!("{name} is set"));
    let profile = sage_core::auth::AuthProfile::accounting_v31().with_token_url(env("SOAK_TOKEN_URL"));
    let oauth = OAuthClient::new(profile, env("SOAK_CLIENT_ID"), &env("SOAK_REDIRECT_URI"))
        .expect("OAuth client")
        .with_client_secret(ClientSecret::new(env("SOAK_CLIENT_SECRET")));
    let auth = Authenticator::new(oauth, open_store(&env("SOAK_STORE")));
    let client = Client::builder(sage_accounting_v31::PRODUCT)
        .base_url(env("SOAK_API_BASE"))
        .auth(auth)
        .build()
        .expect("client");
    let until = Instant::now() + Duration::from_secs_f64(env("SOAK_SECONDS").parse().expect("seconds"));
    let mut counts = Counts::default();
    while Instant::now() < until {
        match GetUser::new().send(&client).await {
            Ok(_) => counts.requests += 1,
            Err(Error::Auth(AuthError::ReauthorizationRequired { reason })) => {
                counts.reauthorizations += 1;
                eprintln!("soak worker {}: re-authorization required: {reason}", std::process::id());
            }
            Err(err) => {
                counts.failures += 1;
                eprintln!("soak worker {}: {err}", std::process::id());
            }
        }
        tokio::time::sleep(PAUSE).await;
    }
    println!("requests={} failures={} reauthorizations={}", counts.requests, counts.failures, counts.reauthorizations);
}

/// A throwaway `redis-server` without persistence, restartable on the same port (the connection
/// benchmarks use one too).
pub(crate) struct RedisServer {
    port: u16,
    child: Child,
}

impl RedisServer {
    pub(crate) fn start(port: u16) -> Option<Self> {
        let child = spawn_redis(port)?;
        Some(Self { port, child })
    }

    /// Kills the server and starts an empty one on the same port, as a restart without persistence.
    fn restart(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.child = spawn_redis(self.port).expect("redis-server starts again");
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn_redis(port: u16) -> Option<Child> {
    let child = Command::new("redis-server")
        .args(["--bind", "127.0.0.1", "--port", &port.to_string(), "--save", "", "--appendonly", "no"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
        assert!(Instant::now() < deadline, "redis-server did not start on port {port}");
        std::thread::sleep(Duration::from_millis(20));
    }
    Some(child)
}

/// `count` moments spread at random over the middle 90 % of `span`, in order.
fn random_moments(count: usize, span: Duration) -> Vec<Duration> {
    use std::hash::{BuildHasher, Hasher};
    let mut moments: Vec<Duration> = (0..count)
        .map(|_| {
            let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
            hasher.write_u64(std::process::id().into());
            let unit = (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64;
            span.mul_f64(0.05 + 0.9 * unit)
        })
        .collect();
    moments.sort();
    moments
}

pub(crate) fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("a free port").local_addr().expect("address").port()
}
