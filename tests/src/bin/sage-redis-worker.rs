//! Test helper: one "app instance" sharing a Sage v3.1 connection through Redis. The crate's
//! integration tests start several of these as separate processes.
//!
//! Configured by environment variables:
//! `SAGE_WORKER_TOKEN_URL`, `SAGE_WORKER_CLIENT_ID`, `SAGE_WORKER_CLIENT_SECRET`,
//! `SAGE_WORKER_REDIRECT_URI`, `SAGE_WORKER_REDIS_URL`, `SAGE_WORKER_NAMESPACE`,
//! `SAGE_WORKER_TENANT`, `SAGE_WORKER_USER`; optional `SAGE_WORKER_MODE` (`calls`, the default,
//! or `hold-lock`), `SAGE_WORKER_CALLS` (300), `SAGE_WORKER_PAUSE_MS` (10),
//! `SAGE_WORKER_MARGIN_MS` (100) and `SAGE_WORKER_LOCK_TTL_MS` (45000).
//!
//! `calls` asks for an access token `CALLS` times and prints `calls=N failures=M`; it exits with 1
//! if any call failed. `hold-lock` takes the refresh lock, prints `locked` and sleeps until killed.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use sage_core::auth::{AuthProfile, Authenticate, Authenticator, ClientSecret, OAuthClient, SageApi, TokenStore};
use sage_redis_store::{ConnectionKey, LockSettings, RedisTokenStore};

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(code) => code,
        Err(message) => {
            eprintln!("sage-redis-worker: {message}");
            ExitCode::from(2)
        }
    }
}

async fn run() -> Result<ExitCode, String> {
    let key = ConnectionKey::new(SageApi::AccountingV31, var("SAGE_WORKER_TENANT")?, var("SAGE_WORKER_USER")?)
        .with_namespace(var("SAGE_WORKER_NAMESPACE")?);
    let lock = LockSettings { ttl: millis("SAGE_WORKER_LOCK_TTL_MS", 45_000)?, ..LockSettings::default() };
    let store = RedisTokenStore::new(&var("SAGE_WORKER_REDIS_URL")?, key)
        .map_err(|err| err.to_string())?
        .with_lock_settings(lock);
    match std::env::var("SAGE_WORKER_MODE").as_deref() {
        Ok("hold-lock") => hold_lock(store).await,
        Ok("calls") | Err(_) => make_calls(store).await,
        Ok(other) => Err(format!("unknown SAGE_WORKER_MODE `{other}`")),
    }
}

/// Takes the lock and never gives it back: the test kills this process to play a crashed holder.
async fn hold_lock(store: RedisTokenStore) -> Result<ExitCode, String> {
    let lease = store.lock_for_refresh().await.map_err(|err| err.to_string())?;
    println!("locked");
    tokio::time::sleep(Duration::from_secs(600)).await;
    lease.release().await;
    Ok(ExitCode::SUCCESS)
}

async fn make_calls(store: RedisTokenStore) -> Result<ExitCode, String> {
    let profile = AuthProfile::accounting_v31().with_token_url(var("SAGE_WORKER_TOKEN_URL")?);
    let oauth = OAuthClient::new(profile, var("SAGE_WORKER_CLIENT_ID")?, &var("SAGE_WORKER_REDIRECT_URI")?)
        .map_err(|err| err.to_string())?
        .with_client_secret(ClientSecret::new(var("SAGE_WORKER_CLIENT_SECRET")?));
    let authenticator = Authenticator::builder(oauth, Arc::new(store))
        .refresh_margin(millis("SAGE_WORKER_MARGIN_MS", 100)?)
        .jitter(Duration::ZERO)
        .build();
    let calls = number("SAGE_WORKER_CALLS", 300)?;
    let pause = millis("SAGE_WORKER_PAUSE_MS", 10)?;
    let mut failures = 0;
    for _ in 0..calls {
        if let Err(err) = authenticator.access_token().await {
            failures += 1;
            eprintln!("call failed: {err}");
        }
        tokio::time::sleep(pause).await;
    }
    println!("calls={calls} failures={failures}");
    Ok(if failures == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn var(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("{name} is not set"))
}

fn number(name: &str, default: u64) -> Result<u64, String> {
    match std::env::var(name) {
        Ok(text) => text.parse().map_err(|_| format!("{name} must be a whole number")),
        Err(_) => Ok(default),
    }
}

fn millis(name: &str, default: u64) -> Result<Duration, String> {
    number(name, default).map(Duration::from_millis)
}
