//! 1,000 connections in one process (the four products, 250 each; `SAGE_BENCH_CONNECTIONS`
//! changes the number): the heap each idle connection keeps once its client is built and used,
//! and the time `Connections::client(id)` takes from the cache. Targets: ≤ 10 KiB per idle
//! connection, HTTP pool excluded; ≤ 5 µs median.
//!
//! The sandbox runs on threads of its own whose allocations are not counted, so the figures are
//! the app's. The HTTP pool is shared by every client and does not grow with the number of
//! connections: it is excluded by measuring from after the first connection's client has made a
//! call (its pool connection is open), with the other calls made one at a time over it.

use std::time::{Duration, Instant};

use sage_connections::{Connections, RedisRegistry, SqliteRegistry};
use sage_sandbox::Sandbox;

use crate::alloc;
use crate::fleet::{self, Fleet};

/// Rounds of `client(id)` over every connection for the timing.
const ROUNDS: usize = 100;
/// Long enough for the background writes of usage and refresh times to finish.
const SETTLE: Duration = Duration::from_millis(1_500);

pub async fn run() {
    let sandbox = alloc::uncounted_sandbox(Sandbox::builder().auto_approve(true), |_| ());
    let fleet = Fleet::of(&sandbox, &fleet::PRODUCTS);
    println!("connections memory: {} connections in one process, the four products in turn", fleet::count());
    let dir = std::env::temp_dir().join(format!("sage-bench-connections-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let key: [u8; 32] = rand::random();
    let registry =
        SqliteRegistry::open(dir.join("connections.db"), fleet::cipher(&key)).await.expect("SQLite registry");
    measure("SQLite registry", &fleet, fleet.connections(registry, fleet::cipher(&key))).await;
    let _ = std::fs::remove_dir_all(&dir);

    let Some((url, _server)) = fleet::redis() else {
        println!("  Redis registry: skipped (no SAGE_BENCH_REDIS_URL and no redis-server on PATH)");
        return;
    };
    let prefix = format!("sage-bench-memory-{}", std::process::id());
    let registry = RedisRegistry::new(&url, prefix, fleet::cipher(&key)).expect("Redis registry");
    measure("Redis registry", &fleet, fleet.connections(registry, fleet::cipher(&key))).await;
}

async fn measure(name: &str, fleet: &Fleet, connections: Connections) {
    let count = fleet::count();
    let took = fleet.connect_all(&connections, count).await;
    tokio::time::sleep(SETTLE).await;
    let connected = alloc::live();

    // The first connection opens the shared pool's connection and whatever else is built once.
    let first = connections.client(&fleet::id(0)).await.expect("client");
    fleet.call(&first, 0).await.expect("the first call");
    drop(first);
    tokio::time::sleep(SETTLE).await;
    let (base_live, base_allocated) = (alloc::live(), alloc::allocated());

    let mut builds = Vec::with_capacity(count);
    for n in 1..count {
        let started = Instant::now();
        connections.client(&fleet::id(n)).await.expect("client");
        builds.push(started.elapsed());
    }
    let (built_live, built_allocated) = (alloc::live(), alloc::allocated());
    builds.sort();

    for n in 1..count {
        let client = connections.client(&fleet::id(n)).await.expect("client");
        fleet.call(&client, n).await.expect("a call");
    }
    tokio::time::sleep(SETTLE).await;
    let used_live = alloc::live();

    let others = (count - 1) as f64;
    let per = |bytes: usize, since: usize| bytes.saturating_sub(since) as f64 / others;
    let timings = time_cached_clients(&connections, count).await;
    println!("  {name} (connected in {:.1} s)", took.as_secs_f64());
    println!("    heap after connecting, before any client   {:>10} B", connected);
    println!("    allocated per client built                 {:>10.0} B", per(built_allocated, base_allocated));
    println!("    kept per connection, client built          {:>10.0} B", per(built_live, base_live));
    println!("    kept per idle connection, after one call   {:>10.0} B (target ≤ 10 240)", per(used_live, base_live));
    println!(
        "    client(id) first time (registry read, build)  median {:.1} µs, p99 {:.1} µs",
        micros(fleet::percentile(&builds, 0.5)),
        micros(fleet::percentile(&builds, 0.99)),
    );
    println!(
        "    client(id) from cache, {} calls              median {:.2} µs, p99 {:.2} µs, max {:.1} µs (target median ≤ 5)",
        timings.len(),
        micros(fleet::percentile(&timings, 0.5)),
        micros(fleet::percentile(&timings, 0.99)),
        micros(timings[timings.len() - 1]),
    );
}

/// Every call of `client(id)` timed on its own, [`ROUNDS`] times over every connection; sorted.
async fn time_cached_clients(connections: &Connections, count: usize) -> Vec<Duration> {
    let ids: Vec<String> = (0..count).map(fleet::id).collect();
    let mut timings = Vec::with_capacity(ROUNDS * ids.len());
    for _ in 0..ROUNDS {
        for id in &ids {
            let started = Instant::now();
            let client = connections.client(id).await;
            let elapsed = started.elapsed();
            client.expect("a cached client");
            timings.push(elapsed);
        }
    }
    timings.sort();
    timings
}

fn micros(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e6
}
