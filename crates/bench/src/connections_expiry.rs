//! 1,000 connections (the four products, 250 each) on one Redis registry, their access tokens
//! expired at once, touched by four processes: each builds its client for every connection and
//! makes one call with it. Targets: exactly 1,000 refresh requests, 0 `needs_relink`, 0 lost
//! token sets.
//!
//! The workers are this binary again (`sage-bench connections-expiry-worker`). Each first warms
//! up (a client and a call per connection, with the tokens still valid), so every process holds
//! the token sets in memory when they expire, as long-running app instances would; then the
//! sandbox expires every access token and the four touch every connection in the same order, 16
//! at a time each, so up to four processes meet on a connection at the same moment.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use sage_connections::{Connection, Connections, Error, RedisRegistry};
use sage_core::auth::AuthError;
use sage_sandbox::Sandbox;

use crate::fleet::{self, Fleet};
use crate::soak::{free_port, RedisServer};

const CONNECTIONS: usize = 1_000;
const PROCESSES: usize = 4;
/// Connections one worker touches at once.
const CONCURRENCY: usize = 16;
/// Lets background writes of usage and refresh times finish before a worker exits.
const SETTLE: Duration = Duration::from_millis(500);

/// What one worker's pass over every connection did.
#[derive(Debug, Default)]
struct Pass {
    ok: u64,
    failed: u64,
    needs_relink: u64,
}

pub async fn run() {
    let (url, _server) = match std::env::var("SAGE_BENCH_REDIS_URL") {
        Ok(url) => (url, None),
        Err(_) => {
            let port = free_port();
            let Some(server) = RedisServer::start(port) else {
                println!("connections expiry: skipped (no SAGE_BENCH_REDIS_URL and no redis-server on PATH)");
                return;
            };
            (format!("redis://127.0.0.1:{port}/"), Some(server))
        }
    };
    let sandbox = Sandbox::builder().auto_approve(true).start().await.expect("sandbox");
    let fleet = Fleet::of(&sandbox);
    let key: [u8; 32] = rand::random();
    let prefix = format!("sage-bench-expiry-{}", std::process::id());
    let registry = RedisRegistry::new(&url, prefix.clone(), fleet::cipher(&key)).expect("Redis registry");
    let connections = fleet.connections(registry, fleet::cipher(&key));
    let took = fleet.connect_all(&connections, CONNECTIONS).await;
    println!(
        "connections expiry: {CONNECTIONS} connections (the four products, 250 each) on one Redis, connected in {:.1} s",
        took.as_secs_f64()
    );

    let fleet_json = serde_json::to_string(&fleet).expect("settings");
    let mut workers: Vec<Child> = (0..PROCESSES)
        .map(|_| {
            Command::new(std::env::current_exe().expect("own path"))
                .arg("connections-expiry-worker")
                .env("EXPIRY_FLEET", &fleet_json)
                .env("EXPIRY_REDIS_URL", &url)
                .env("EXPIRY_PREFIX", &prefix)
                .env("EXPIRY_KEY", fleet::to_hex(&key))
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("worker starts")
        })
        .collect();
    let mut readers = Vec::new();
    for worker in &mut workers {
        let mut reader = BufReader::new(worker.stdout.take().expect("piped stdout"));
        let line = tokio::task::spawn_blocking(move || {
            let mut line = String::new();
            reader.read_line(&mut line).expect("the worker's warm-up line");
            (reader, line)
        });
        readers.push(line);
    }
    let mut warm = Pass::default();
    let mut outputs = Vec::new();
    for reader in readers {
        let (reader, line) = reader.await.expect("reader");
        add(&mut warm, &parse(&line));
        outputs.push(reader);
    }

    let before = sandbox.stats();
    sandbox.expire_access_tokens();
    let started = Instant::now();
    for worker in &mut workers {
        let stdin = worker.stdin.as_mut().expect("piped stdin");
        stdin.write_all(b"go\n").and_then(|()| stdin.flush()).expect("tell the worker to go");
    }
    let mut touched = Pass::default();
    for (mut worker, mut reader) in workers.into_iter().zip(outputs) {
        let line = tokio::task::spawn_blocking(move || {
            let mut line = String::new();
            reader.read_line(&mut line).expect("the worker's result line");
            (line, worker.wait().expect("the worker ends"))
        })
        .await
        .expect("reader");
        let (line, status) = line;
        assert!(status.success(), "a worker failed: {status}");
        add(&mut touched, &parse(&line));
    }
    let elapsed = started.elapsed();
    let after = sandbox.stats();

    let listed = connections.list().await.expect("the registry lists its connections");
    let needs_relink = listed.iter().filter(|connection| connection.status.name() == "needs_relink").count();
    let active = listed.iter().filter(|connection| connection.status.name() == "active").count();
    let lost = lost_token_sets(&sandbox, &connections, &listed).await;

    println!(
        "  warm-up: {PROCESSES} processes × {CONNECTIONS} calls, tokens valid: {} ok, {} failed, {} needs_relink",
        warm.ok, warm.failed, warm.needs_relink
    );
    println!(
        "  every access token expired at once; {PROCESSES} processes touch every connection once ({:.1} s)",
        elapsed.as_secs_f64()
    );
    println!("    calls ok / failed                  {:>6} / {}", touched.ok, touched.failed);
    println!("    API requests                       {:>6}", after.api_requests - before.api_requests);
    println!("    of which refused 401               {:>6}", after.api_unauthorized - before.api_unauthorized);
    println!(
        "    token requests                     {:>6} (target {CONNECTIONS})",
        after.token_requests - before.token_requests
    );
    println!("    refresh grants                     {:>6}", after.refresh_grants - before.refresh_grants);
    println!("    refused token requests             {:>6}", after.token_errors - before.token_errors);
    println!("    calls told needs_relink            {:>6}", touched.needs_relink);
    println!("    registry: connections listed       {:>6}", listed.len());
    println!("    registry: active / needs_relink    {:>6} / {} (target {CONNECTIONS} / 0)", active, needs_relink);
    println!("    lost token sets                    {:>6} (target 0)", lost);
}

/// Connections whose stored token set is missing or no longer refreshes at the sandbox. Checked
/// with the sandbox's own OAuth client, after the counts are taken; nothing is saved.
async fn lost_token_sets(sandbox: &Sandbox, connections: &Connections, listed: &[Connection]) -> usize {
    let checks = futures_util::stream::iter(listed)
        .map(|connection| async move {
            let store = connections.registry().token_store(&connection.id, connection.api);
            let Ok(Some(tokens)) = store.load().await else {
                eprintln!("connection {}: no token set stored", connection.id);
                return 1;
            };
            let oauth = sandbox.oauth_client(connection.product.as_str()).expect("the product's OAuth client");
            match oauth.refresh(&tokens).await {
                Ok(_) => 0,
                Err(err) => {
                    eprintln!("connection {}: the stored token set does not refresh: {err}", connection.id);
                    1
                }
            }
        })
        .buffer_unordered(CONCURRENCY);
    checks.collect::<Vec<usize>>().await.into_iter().sum()
}

/// One app instance: warms up, says so, waits for `go` on stdin, then touches every connection once.
pub async fn worker() {
    let env = |name: &str| std::env::var(name).unwrap_or_else(|_| panic!("{name} is set"));
    let fleet: Fleet = serde_json::from_str(&env("EXPIRY_FLEET")).expect("settings");
    let key = fleet::from_hex(&env("EXPIRY_KEY"));
    let registry = RedisRegistry::new(&env("EXPIRY_REDIS_URL"), env("EXPIRY_PREFIX"), fleet::cipher(&key))
        .expect("Redis registry");
    let connections = fleet.connections(registry, fleet::cipher(&key));

    let warm = pass(&connections).await;
    println!("ok={} failed={} needs_relink={}", warm.ok, warm.failed, warm.needs_relink);
    let go = tokio::task::spawn_blocking(|| std::io::stdin().lock().lines().next()).await.expect("stdin");
    assert!(matches!(go, Some(Ok(line)) if line == "go"), "the bench says go");

    let touched = pass(&connections).await;
    tokio::time::sleep(SETTLE).await;
    println!("ok={} failed={} needs_relink={}", touched.ok, touched.failed, touched.needs_relink);
}

/// `client(id)` and one call for every connection, in order, [`CONCURRENCY`] at a time.
async fn pass(connections: &Connections) -> Pass {
    let outcomes = futures_util::stream::iter(0..CONNECTIONS)
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
            match fleet::call(&client, n).await {
                Ok(()) => Outcome::Ok,
                Err(sage_core::Error::Auth(AuthError::ReauthorizationRequired { .. })) => Outcome::NeedsRelink,
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
