//! Several app instances, one Sage connection: tasks and processes sharing a Redis refresh a
//! rotating v3.1 refresh token once per expiry window, and a crashed lock holder only delays them.

mod redis_support;

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use redis_support::{authorize, oauth, refresh_bound, sandbox, unique_key, TestRedis, MARGIN};
use sage_core::auth::{Authenticate, Authenticator, TokenStore};
use sage_redis_store::{ConnectionKey, LockSettings};
use sage_sandbox::Sandbox;

const CALLS: u32 = 300;
const PAUSE: Duration = Duration::from_millis(10);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authenticators_in_separate_tasks_refresh_once_per_expiry_window() {
    let (redis, sandbox, key) = (TestRedis::start(), sandbox().await, unique_key());
    let started = Instant::now();
    let first = authorize(&oauth(&sandbox)).await;
    redis.store(&key).save(&first).await.unwrap();

    let instances = (0..4).map(|_| {
        let authenticator = Authenticator::builder(oauth(&sandbox), Arc::new(redis.store(&key)))
            .refresh_margin(MARGIN)
            .jitter(Duration::ZERO)
            .build();
        tokio::spawn(async move {
            let mut failures = Vec::new();
            for _ in 0..CALLS {
                if let Err(err) = authenticator.access_token().await {
                    failures.push(err.to_string());
                }
                tokio::time::sleep(PAUSE).await;
            }
            failures
        })
    });
    let failures: Vec<String> = join_all(instances).await.into_iter().flatten().collect();

    assert!(failures.is_empty(), "calls failed: {failures:?}");
    assert_refreshed_once_per_window(&sandbox, started.elapsed(), first.lifetime());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn worker_processes_sharing_one_redis_refresh_once_per_expiry_window() {
    let (redis, sandbox, key) = (TestRedis::start(), sandbox().await, unique_key());
    let started = Instant::now();
    let first = authorize(&oauth(&sandbox)).await;
    redis.store(&key).save(&first).await.unwrap();

    let workers: Vec<_> = (0..3).map(|_| worker(&redis, &sandbox, &key, "calls").spawn().unwrap()).collect();
    let outputs = tokio::task::spawn_blocking(move || {
        workers.into_iter().map(|worker| worker.wait_with_output().unwrap()).collect::<Vec<_>>()
    })
    .await
    .unwrap();

    for output in &outputs {
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "a worker failed: {stdout}{stderr}");
        assert_eq!(stdout.trim(), format!("calls={CALLS} failures=0"));
    }
    assert_refreshed_once_per_window(&sandbox, started.elapsed(), first.lifetime());
    assert!(sandbox.stats().refresh_grants >= 1, "the run outlived the first access token");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_lock_holder_delays_the_others_until_its_lock_expires() {
    let (redis, sandbox, key) = (TestRedis::start(), sandbox().await, unique_key());
    let first = authorize(&oauth(&sandbox)).await;
    redis.store(&key).save(&first).await.unwrap();

    let mut holder =
        worker(&redis, &sandbox, &key, "hold-lock").env("SAGE_WORKER_LOCK_TTL_MS", "1500").spawn().unwrap();
    let announced = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        let mut stdout = std::io::BufReader::new(holder.stdout.take().unwrap());
        let read = std::io::BufRead::read_line(&mut stdout, &mut line);
        holder.kill().unwrap();
        holder.wait().unwrap();
        read.unwrap();
        line
    })
    .await
    .unwrap();
    assert_eq!(announced.trim(), "locked");
    let lock_exists: bool = redis::cmd("EXISTS").arg(key.lock_key()).query_async(&mut redis.raw().await).await.unwrap();
    assert!(lock_exists, "the killed worker left its lock behind");

    // Make sure a refresh is due, so the survivor needs the lock.
    let due = (first.expires_at() - chrono::Utc::now()).to_std().unwrap_or_default();
    tokio::time::sleep(due).await;
    let settings = LockSettings { ttl: Duration::from_secs(5), max_wait: Duration::from_secs(20) };
    let survivor = Authenticator::builder(oauth(&sandbox), Arc::new(redis.store(&key).with_lock_settings(settings)))
        .refresh_margin(MARGIN)
        .jitter(Duration::ZERO)
        .build();

    let token = survivor.access_token().await.expect("the survivor refreshes once the lock expired");

    assert_ne!(&token, first.access_token());
    let stats = sandbox.stats();
    assert_eq!((stats.refresh_grants, stats.token_errors), (1, 0), "{stats:?}");
    let stored = redis.store(&key).load().await.unwrap().unwrap();
    assert_eq!(stored.access_token(), &token, "the refreshed set was saved");
    assert_ne!(stored.refresh_token(), first.refresh_token(), "the rotated refresh token was saved");
}

/// A worker process for `key`, talking to `sandbox` and `redis`.
fn worker(redis: &TestRedis, sandbox: &Sandbox, key: &ConnectionKey, mode: &str) -> Command {
    let endpoints = sandbox.endpoints("accounting-v31").unwrap();
    let demo = sandbox.demo_client();
    let mut command = Command::new(env!("CARGO_BIN_EXE_sage-redis-worker"));
    command
        .env("SAGE_WORKER_MODE", mode)
        .env("SAGE_WORKER_TOKEN_URL", endpoints.token_url)
        .env("SAGE_WORKER_CLIENT_ID", demo.client_id)
        .env("SAGE_WORKER_CLIENT_SECRET", demo.client_secret.unwrap())
        .env("SAGE_WORKER_REDIRECT_URI", &demo.redirect_uris[0])
        .env("SAGE_WORKER_REDIS_URL", &redis.url)
        .env("SAGE_WORKER_NAMESPACE", key.namespace())
        .env("SAGE_WORKER_TENANT", key.tenant())
        .env("SAGE_WORKER_USER", key.user())
        .env("SAGE_WORKER_CALLS", CALLS.to_string())
        .env("SAGE_WORKER_PAUSE_MS", PAUSE.as_millis().to_string())
        .env("SAGE_WORKER_MARGIN_MS", MARGIN.as_millis().to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

fn assert_refreshed_once_per_window(sandbox: &Sandbox, elapsed: Duration, lifetime: Duration) {
    let stats = sandbox.stats();
    let bound = refresh_bound(elapsed, lifetime);
    assert!(
        stats.refresh_grants <= bound,
        "{} refreshes in {elapsed:?}, at most {bound} expected",
        stats.refresh_grants
    );
    assert_eq!(stats.token_errors, 0, "no refresh token was used twice: {stats:?}");
}

async fn join_all<T: Send + 'static>(tasks: impl Iterator<Item = tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut results = Vec::new();
    for task in tasks.collect::<Vec<_>>() {
        results.push(task.await.expect("the task did not panic"));
    }
    results
}
