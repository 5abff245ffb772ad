//! 1,000 connections on one Redis registry, their access tokens expiring at once, touched by four
//! processes: each builds its client for every connection and makes one call with it. Targets:
//! exactly 1,000 refresh requests, 0 `needs_relink`, 0 lost token sets. `SAGE_BENCH_CONNECTIONS`
//! changes the number.
//!
//! The workers are this binary again (`sage-bench connections-expiry-worker`). Each first warms
//! up (a client and a call per connection, with the tokens still valid), so every process holds
//! the token sets in memory when they expire, as long-running app instances would. Then the
//! tokens expire, and the four touch every connection in the same order, 16 at a time each, so up
//! to four processes meet on a connection at the same moment. Two ways of expiring:
//!
//! - revoked: the four products in turn; the sandbox expires every access token at once
//!   (`expire_access_tokens`), so each process learns it from a 401 and refreshes after it;
//! - clock: Accounting v3.1 only, on a sandbox whose 300 s tokens last 30 s (`time_scale` 0.1);
//!   the processes wait until every token is due (half its lifetime), so each refreshes before
//!   its call, as tokens reaching their expiry do.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use sage_connections::{Connection, Connections, Error, RedisRegistry};
use sage_core::auth::AuthError;
use sage_sandbox::Sandbox;

use crate::fleet::{self, Fleet};

const PROCESSES: usize = 4;
/// Connections one worker touches at once.
const CONCURRENCY: usize = 16;
/// Lets background writes of usage and refresh times finish before a worker exits.
const SETTLE: Duration = Duration::from_millis(500);
/// The clock run's sandbox time scale: v3.1's 300 s access tokens last 30 s.
const CLOCK_SCALE: f64 = 0.1;
/// When the clock run's tokens are due: half their 30 s lifetime (the refresh margin's cap),
/// plus a second for the connect flow's spread.
const CLOCK_DUE: Duration = Duration::from_secs(16);

/// How the access tokens expire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expiry {
    Revoked,
    Clock,
}

/// What one worker's pass over every connection did.
#[derive(Debug, Default)]
struct Pass {
    ok: u64,
    failed: u64,
    needs_relink: u64,
}

pub async fn run() {
    let Some((url, _server)) = fleet::redis() else {
        println!("connections expiry: skipped (no SAGE_BENCH_REDIS_URL and no redis-server on PATH)");
        return;
    };
    println!("connections expiry: {} connections on one Redis, {PROCESSES} processes", fleet::count());
    scenario(&url, Expiry::Revoked).await;
    scenario(&url, Expiry::Clock).await;
}

async fn scenario(url: &str, expiry: Expiry) {
    let count = fleet::count();
    let (sandbox, products) = match expiry {
        Expiry::Revoked => (Sandbox::builder().auto_approve(true).start().await, &fleet::PRODUCTS[..]),
        Expiry::Clock => {
            (Sandbox::builder().auto_approve(true).time_scale(CLOCK_SCALE).start().await, &fleet::PRODUCTS[..1])
        }
    };
    let sandbox = sandbox.expect("sandbox");
    let fleet = Fleet::of(&sandbox, products);
    let key: [u8; 32] = rand::random();
    let prefix = format!("sage-bench-expiry-{}-{expiry:?}", std::process::id());
    let registry = RedisRegistry::new(url, prefix.clone(), fleet::cipher(&key)).expect("Redis registry");
    let connections = fleet.connections(registry, fleet::cipher(&key));
    let took = fleet.connect_all(&connections, count).await;
    let connected = (Instant::now(), sandbox.stats());

    let mut workers = spawn_workers(&fleet, url, &prefix, &key);
    let mut warm = Pass::default();
    let mut readers = Vec::new();
    for worker in &mut workers {
        let (reader, line) = read_line(BufReader::new(worker.stdout.take().expect("piped stdout"))).await;
        add(&mut warm, &parse(&line));
        readers.push(reader);
    }
    let warmed = sandbox.stats();

    match expiry {
        Expiry::Revoked => sandbox.expire_access_tokens(),
        Expiry::Clock => tokio::time::sleep(CLOCK_DUE.saturating_sub(connected.0.elapsed())).await,
    }
    let before = sandbox.stats();
    let lock_attempts_before = set_calls(url);
    let started = Instant::now();
    for worker in &mut workers {
        let stdin = worker.stdin.as_mut().expect("piped stdin");
        stdin.write_all(b"go\n").and_then(|()| stdin.flush()).expect("tell the worker to go");
    }
    let mut touched = Pass::default();
    for (mut worker, reader) in workers.into_iter().zip(readers) {
        let (_, line) = read_line(reader).await;
        let status =
            tokio::task::spawn_blocking(move || worker.wait()).await.expect("waiter").expect("the worker ends");
        assert!(status.success(), "a worker failed: {status}");
        add(&mut touched, &parse(&line));
    }
    let elapsed = started.elapsed();
    let after = sandbox.stats();
    let lock_attempts = match (lock_attempts_before, set_calls(url)) {
        (Some(before), Some(after)) => (after - before).to_string(),
        _ => "n/a (no redis-cli)".into(),
    };

    let listed = connections.list().await.expect("the registry lists its connections");
    let needs_relink = listed.iter().filter(|connection| connection.status.name() == "needs_relink").count();
    let active = listed.iter().filter(|connection| connection.status.name() == "active").count();
    let (lost, why) = lost_token_sets(&sandbox, &connections, &listed).await;
    if let Some(why) = why {
        eprintln!("{why}");
    }
    // The check refreshed every stored set without saving: a rotating product's stored refresh
    // token is now spent, so the same check must find those lost. It shows the check can fail.
    let (control, _) = lost_token_sets(&sandbox, &connections, &listed).await;

    let name = match expiry {
        Expiry::Revoked => "revoked: the four products in turn, every access token expired by the sandbox at once",
        Expiry::Clock => "clock: Accounting v3.1 only, 30 s tokens all due at once",
    };
    println!("  {name}");
    println!("    connected in                       {:>6.1} s", took.as_secs_f64());
    println!(
        "    warm-up ({PROCESSES} × {count} calls)           {:>6} ok, {} failed, {} needs_relink, {} token requests",
        warm.ok,
        warm.failed,
        warm.needs_relink,
        warmed.token_requests - connected.1.token_requests
    );
    println!("    pass after expiry                  {:>6.1} s", elapsed.as_secs_f64());
    println!("    calls ok / failed                  {:>6} / {}", touched.ok, touched.failed);
    println!("    API requests                       {:>6}", after.api_requests - before.api_requests);
    println!("    of which refused 401               {:>6}", after.api_unauthorized - before.api_unauthorized);
    println!(
        "    token requests                     {:>6} (target {count})",
        after.token_requests - before.token_requests
    );
    println!("    refresh grants                     {:>6}", after.refresh_grants - before.refresh_grants);
    println!("    refused token requests             {:>6}", after.token_errors - before.token_errors);
    println!("    refresh-lock attempts (SET NX)     {lock_attempts:>6}");
    println!("    calls told needs_relink            {:>6}", touched.needs_relink);
    println!("    registry: connections listed       {:>6}", listed.len());
    println!("    registry: active / needs_relink    {:>6} / {} (target {count} / 0)", active, needs_relink);
    println!("    lost token sets                    {:>6} (target 0)", lost);
    println!("    control: the check run again       {:>6} lost (its own unsaved refreshes spent them)", control);
}

/// How many `SET` commands the Redis has run: in this scenario only the refresh lock sends them
/// (`SET NX PX`, once per attempt), so a pass's growth beyond one per refresh is processes
/// meeting on a connection. `None` without `redis-cli`.
fn set_calls(url: &str) -> Option<u64> {
    let output = Command::new("redis-cli").args(["-u", url, "INFO", "commandstats"]).output().ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    // Redis lists only commands it has run.
    let Some(line) = text.lines().find(|line| line.starts_with("cmdstat_set:")) else { return Some(0) };
    line.split(['=', ',']).nth(1)?.parse().ok()
}

fn spawn_workers(fleet: &Fleet, url: &str, prefix: &str, key: &[u8; 32]) -> Vec<Child> {
    let fleet_json = serde_json::to_string(fleet).expect("settings");
    (0..PROCESSES)
        .map(|_| {
            Command::new(std::env::current_exe().expect("own path"))
                .arg("connections-expiry-worker")
                .env("EXPIRY_FLEET", &fleet_json)
                .env("EXPIRY_REDIS_URL", url)
                .env("EXPIRY_PREFIX", prefix)
                .env("EXPIRY_KEY", fleet::to_hex(key))
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("worker starts")
        })
        .collect()
}

/// The next line a worker prints (empty if it ended), read off the async runtime.
async fn read_line<R: BufRead + Send + 'static>(mut reader: R) -> (R, String) {
    tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        reader.read_line(&mut line).expect("a worker's line");
        (reader, line)
    })
    .await
    .expect("reader")
}

/// Connections whose stored token set is missing or no longer refreshes at the sandbox, and why
/// the first of them failed. Checked with the sandbox's own OAuth client, after the counts are
/// taken; nothing is saved.
async fn lost_token_sets(
    sandbox: &Sandbox,
    connections: &Connections,
    listed: &[Connection],
) -> (usize, Option<String>) {
    let checks = futures_util::stream::iter(listed)
        .map(|connection| async move {
            let store = connections.registry().token_store(&connection.id, connection.api);
            let Ok(Some(tokens)) = store.load().await else {
                return Some(format!("connection {}: no token set stored", connection.id));
            };
            let oauth = sandbox.oauth_client(connection.product.as_str()).expect("the product's OAuth client");
            let refreshed = oauth.refresh(&tokens).await;
            refreshed
                .err()
                .map(|err| format!("connection {}: the stored token set does not refresh: {err}", connection.id))
        })
        .buffer_unordered(CONCURRENCY);
    let failures: Vec<String> = checks.filter_map(|failure| async move { failure }).collect().await;
    (failures.len(), failures.into_iter().next())
}

/// One app instance: warms up, says so, waits for `go` on stdin, then touches every connection once.
pub async fn worker() {
    let env = |name: &str| std::env::var(name).unwrap_or_else(|_| panic!("{name} is set"));
    let fleet: Fleet = serde_json::from_str(&env("EXPIRY_FLEET")).expect("settings");
    let key = fleet::from_hex(&env("EXPIRY_KEY"));
    let registry = RedisRegistry::new(&env("EXPIRY_REDIS_URL"), env("EXPIRY_PREFIX"), fleet::cipher(&key))
        .expect("Redis registry");
    let connections = fleet.connections(registry, fleet::cipher(&key));

    let warm = pass(&fleet, &connections).await;
    println!("ok={} failed={} needs_relink={}", warm.ok, warm.failed, warm.needs_relink);
    let go = tokio::task::spawn_blocking(|| std::io::stdin().lock().lines().next()).await.expect("stdin");
    assert!(matches!(go, Some(Ok(line)) if line == "go"), "the bench says go");

    let touched = pass(&fleet, &connections).await;
    tokio::time::sleep(SETTLE).await;
    println!("ok={} failed={} needs_relink={}", touched.ok, touched.failed, touched.needs_relink);
}

/// `client(id)` and one call for every connection, in order, [`CONCURRENCY`] at a time.
async fn pass(fleet: &Fleet, connections: &Connections) -> Pass {
    let outcomes = futures_util::stream::iter(0..fleet::count())
        .map(|n| async move {
            let id = fleet::id(n);
            let client = match connections.client(&id).await {
                Ok(client) => client,
                Err(Error::NeedsRelink { .. }) => return Outcome::NeedsRelink,
                Err(err) => {
                    eprintln!("worker {}: client {id}: {err}", std::process::id());
                    return Outcome::Failed;
                }
            };
            match fleet.call(&client, n).await {
                Ok(()) => Outcome::Ok,
                Err(sage_core::Error::Auth(
                    AuthError::ReauthorizationRequired { .. } | AuthError::ConnectionNeedsRelink { .. },
                )) => Outcome::NeedsRelink,
                Err(err) => {
                    eprintln!("worker {}: call {id}: {err}", std::process::id());
                    Outcome::Failed
                }
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect::<Vec<Outcome>>()
        .await;
    let mut pass = Pass::default();
    for outcome in outcomes {
        match outcome {
            Outcome::Ok => pass.ok += 1,
            Outcome::Failed => pass.failed += 1,
            Outcome::NeedsRelink => pass.needs_relink += 1,
        }
    }
    pass
}

enum Outcome {
    Ok,
    Failed,
    NeedsRelink,
}

fn parse(line: &str) -> Pass {
    let mut pass = Pass::default();
    for pair in line.split_whitespace() {
        let (name, value) = pair.split_once('=').unwrap_or((pair, "0"));
        let value = value.parse().unwrap_or(0);
        match name {
            "ok" => pass.ok = value,
            "failed" => pass.failed = value,
            "needs_relink" => pass.needs_relink = value,
            _ => {}
        }
    }
    pass
}

fn add(total: &mut Pass, one: &Pass) {
    total.ok += one.ok;
    total.failed += one.failed;
    total.needs_relink += one.needs_relink;
}
