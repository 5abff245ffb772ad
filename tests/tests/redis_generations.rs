//! Issue #32.1: a Redis restarted empty while app instances hold different generations of one
//! sign-in. The fault is injected from outside: each test runs a `redis-server` of its own, kills it
//! and starts it again empty on the same port. The sandbox's identity server, which answers a spent
//! refresh token with `invalid_grant`, says whether the sign-in survived.

mod redis_support;

use std::sync::Arc;
use std::time::Duration;

use redis_support::{authorize, oauth, unique_key, RestartableRedis};
use sage_core::auth::{AccessToken, Authenticate, Authenticator, SageApi, StoreError, TokenSet, TokenStore};
use sage_core::changes::{Checkpoint, CheckpointError, CheckpointStore};
use sage_redis_store::{ConnectionKey, RedisCheckpointStore, RedisTokenStore};
use sage_sandbox::Sandbox;

/// v3.1's 300 s access tokens last 6 s: due after 3 s (the margin is capped at half the lifetime),
/// so a stale instance still serves its own access token while it waits for the newest set.
const TIME_SCALE: f64 = 1.0 / 50.0;

struct Instance {
    auth: Authenticator,
    store: Arc<RedisTokenStore>,
}

fn instance(redis: &RestartableRedis, key: &ConnectionKey, sandbox: &Sandbox) -> Instance {
    let store = Arc::new(redis.store(key));
    let auth = Authenticator::builder(oauth(sandbox), store.clone())
        .refresh_margin(Duration::from_secs(3600))
        .jitter(Duration::ZERO)
        .build();
    Instance { auth, store }
}

/// Waits until the store's connection to the restarted server works again.
async fn reconnect(store: &RedisTokenStore) {
    for _ in 0..200 {
        if store.stored_revision().await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the store did not reconnect to the restarted Redis");
}

/// Instance `i` holds generation `i` of one sign-in (instance `n - 1` the only live refresh
/// token); Redis restarts empty; the instances notice in `order`. Returns the sandbox's refused
/// refresh tokens.
async fn restart_with_generations(generations: usize, order: &[usize]) -> u64 {
    let sandbox = Sandbox::builder().auto_approve(true).time_scale(TIME_SCALE).start().await.expect("sandbox");
    let (mut redis, key) = (RestartableRedis::start(), unique_key());
    let consent = authorize(&oauth(&sandbox)).await;
    redis.store(&key).save(&consent).await.unwrap();

    let instances: Vec<Instance> = (0..generations).map(|_| instance(&redis, &key, &sandbox)).collect();
    for instance in &instances {
        assert_eq!(&instance.auth.access_token().await.unwrap(), consent.access_token());
    }
    let mut held = vec![consent.clone()];
    for instance in &instances[1..] {
        held.push(instance.auth.refresh_now().await.expect("a refresh"));
    }
    assert!(held.windows(2).all(|pair| pair[1].generation() > pair[0].generation()), "generations rise");
    let newest = held.last().unwrap().clone();

    redis.restart_empty();
    for instance in &instances {
        reconnect(&instance.store).await;
    }
    // Every instance's access token is due (none expired): each reads the store on its next call.
    let due = newest.received_at() + chrono::Duration::milliseconds(newest.lifetime().as_millis() as i64 / 2 + 100);
    tokio::time::sleep((due - chrono::Utc::now()).to_std().unwrap_or_default()).await;
    assert!(held[0].is_fresh(chrono::Utc::now(), Duration::from_secs(1)), "the oldest token still works");

    for &index in order {
        instances[index]
            .auth
            .access_token()
            .await
            .unwrap_or_else(|err| panic!("order {order:?}, instance {index}: {err}"));
    }
    let tokens: Vec<AccessToken> = {
        let mut tokens = Vec::new();
        for instance in &instances {
            tokens.push(instance.auth.access_token().await.expect("every instance has a token"));
        }
        tokens
    };
    assert!(tokens.windows(2).all(|pair| pair[0] == pair[1]), "order {order:?}: all use one set");

    let stored = redis.store(&key).load().await.unwrap().expect("a set is stored");
    assert_eq!(stored.access_token(), &tokens[0]);
    assert!(stored.generation() > newest.generation(), "order {order:?}: the newest set was refreshed");
    let stats = sandbox.stats();
    // The sign-in survived: the stored refresh token is live.
    oauth(&sandbox).refresh(&stored).await.unwrap_or_else(|err| panic!("order {order:?}: sign-in lost: {err}"));
    stats.token_errors
}

/// Where the instance holding the newest set stands in `order`: each stale instance noticing
/// before it tries its own (spent) refresh token once, and serves its access token meanwhile.
fn stale_before_newest(order: &[usize], newest: usize) -> u64 {
    order.iter().position(|&index| index == newest).unwrap() as u64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_survive_a_restart_whoever_notices_first() {
    let orders = [[0, 1], [1, 0]]; // the stale instance first, then the fresh one first
    let runs = orders.map(|order| tokio::spawn(async move { (order, restart_with_generations(2, &order).await) }));
    for run in runs {
        let (order, refused) = run.await.unwrap();
        assert_eq!(refused, stale_before_newest(&order, 1), "order {order:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_with_three_generations_survive_every_order() {
    let orders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
    let runs = orders.map(|order| tokio::spawn(async move { (order, restart_with_generations(3, &order).await) }));
    for run in runs {
        let (order, refused) = run.await.unwrap();
        assert_eq!(refused, stale_before_newest(&order, 2), "order {order:?}");
    }
}

fn tokens(access: &str, generation: u64) -> TokenSet {
    TokenSet::new(SageApi::AccountingV31, AccessToken::new(access), Duration::from_secs(300))
        .with_generation(generation)
}

#[tokio::test]
async fn a_write_back_never_replaces_a_newer_generation() {
    let (mut redis, key) = (RestartableRedis::start(), unique_key());
    let fresh = redis.store(&key);
    fresh.save(&tokens("t7", 7)).await.unwrap();
    redis.restart_empty();
    reconnect(&fresh).await;
    // Both write back what they hold, the fresh one first.
    fresh.save(&tokens("t7", 7)).await.expect("Redis is empty: written");
    let stale = redis.store(&key);
    let refused = stale.save(&tokens("t5", 5)).await;
    assert!(matches!(refused, Err(StoreError::Conflict { .. })), "{refused:?}");
    assert_eq!(stale.load().await.unwrap().unwrap().access_token().secret(), "t7");
    stale.save(&tokens("t7-again", 7)).await.expect("the same generation is no older");
    fresh.load().await.unwrap();
    fresh.save(&tokens("t8", 8)).await.expect("a refresh moves on");
    stale.replace(&tokens("consent", 1)).await.expect("a consent is written whatever is stored");
    assert_eq!(fresh.load().await.unwrap().unwrap().generation(), 1);
}

#[tokio::test]
async fn a_set_stored_before_generations_counts_as_generation_0() {
    let (redis, key) = (RestartableRedis::start(), unique_key());
    let legacy = tokens("legacy", 0);
    let mut json: serde_json::Value = serde_json::from_slice(&sage_core::auth::store::encode(&legacy)).unwrap();
    json["tokens"].as_object_mut().unwrap().remove("generation");
    let client = redis::Client::open(redis.url.as_str()).unwrap();
    let mut raw = client.get_multiplexed_async_connection().await.unwrap();
    let () = redis::cmd("HSET")
        .arg(key.tokens_key())
        .arg("revision")
        .arg(3)
        .arg("tokens")
        .arg(serde_json::to_vec(&json).unwrap())
        .query_async(&mut raw)
        .await
        .unwrap();
    let store = redis.store(&key);
    assert_eq!(store.load().await.unwrap().unwrap().generation(), 0);
    store.save(&tokens("rotated", 1)).await.expect("any generation is newer than none");
    assert_eq!(redis.store(&key).load().await.unwrap().unwrap().access_token().secret(), "rotated");
}

#[tokio::test]
async fn a_checkpoint_written_back_after_a_restart_never_goes_backwards() {
    let mut redis = RestartableRedis::start();
    let namespace = format!("test-{:016x}", rand::random::<u64>());
    let store = RedisCheckpointStore::new(&redis.url).unwrap().with_namespace(namespace);
    let key = "accounting-v31/b/list_contacts";
    let at = |text: &str| Checkpoint::since(text.parse().unwrap());
    let (older, newer) = (at("2026-01-01T00:00:00Z"), at("2026-03-01T00:00:00Z"));
    store.save(key, &newer).await.unwrap();
    store.save(key, &older).await.unwrap();
    assert_eq!(store.load(key).await.unwrap(), Some(newer.clone()), "a stale save does not move it back");

    redis.restart_empty();
    let mut reconnected = false;
    for _ in 0..200 {
        if store.load(key).await.is_ok() {
            reconnected = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(reconnected, "reconnects to the restarted Redis");
    store.save(key, &older).await.unwrap(); // the stale worker writes back first
    store.save(key, &newer).await.unwrap();
    store.save(key, &older).await.unwrap();
    assert_eq!(store.load(key).await.unwrap(), Some(newer.clone()));

    let lease = store.acquire(key, Duration::from_millis(50)).await.unwrap().expect("free");
    tokio::time::sleep(Duration::from_millis(120)).await;
    let later = at("2026-06-01T00:00:00Z");
    assert!(matches!(store.save_leased(&lease, &later).await, Err(CheckpointError::LeaseLost(_))));
    assert_eq!(store.load(key).await.unwrap(), Some(newer));
}
