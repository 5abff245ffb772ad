//! The one remaining way to lose a sign-in: the process is killed after the token endpoint has
//! rotated the refresh token and before the new set is stored. The authenticator saves right after
//! the token response is parsed, so the window is the save: measured here for the file store
//! (write, fsync, rename, directory fsync) and, with `SAGE_BENCH_REDIS_URL`, for Redis.

use std::sync::Arc;
use std::time::{Duration, Instant};

use sage_core::auth::{FileTokenStore, SageApi, TokenStore};
use sage_redis_store::{ConnectionKey, RedisTokenStore};
use sage_sandbox::Sandbox;

const ROUNDS: usize = 200;

pub async fn run() {
    let sandbox = Sandbox::builder().auto_approve(true).start().await.expect("sandbox");
    let dir = std::env::temp_dir().join(format!("sage-bench-kill-window-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    println!("kill window: token response in hand → new set stored ({ROUNDS} real refreshes each)");
    let file: Arc<dyn TokenStore> = Arc::new(FileTokenStore::new(dir.join("tokens.json")));
    report("file store", measure(&sandbox, file).await);
    if let Ok(url) = std::env::var("SAGE_BENCH_REDIS_URL") {
        let key = ConnectionKey::new(SageApi::AccountingV31, "bench", "kill-window")
            .with_namespace(format!("sage-bench-{}", std::process::id()));
        let redis: Arc<dyn TokenStore> = Arc::new(RedisTokenStore::new(&url, key).expect("Redis URL"));
        report("Redis store", measure(&sandbox, redis).await);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Refreshes `ROUNDS` times, timing each save of the rotated set, as the authenticator does it.
async fn measure(sandbox: &Sandbox, store: Arc<dyn TokenStore>) -> Vec<Duration> {
    let signed_in = sandbox.sign_in("accounting-v31").await.expect("sign in");
    let mut current = signed_in.tokens;
    store.save(&current).await.expect("first save");
    let mut windows = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let refreshed = signed_in.oauth.refresh(&current).await.expect("refresh");
        let started = Instant::now();
        store.save(&refreshed).await.expect("save");
        windows.push(started.elapsed());
        current = refreshed;
    }
    windows
}

fn report(store: &str, mut windows: Vec<Duration>) {
    windows.sort();
    let at = |quantile: f64| windows[((windows.len() - 1) as f64 * quantile).round() as usize].as_secs_f64() * 1e6;
    println!("  {store:<12} median {:>8.0} µs   p99 {:>8.0} µs   max {:>8.0} µs", at(0.5), at(0.99), at(1.0));
}
