//! Secrets at rest in Redis (#32.6): with `RedisTokenStore::encrypted`, no token value is in what
//! Redis holds (the raw hash and a `DUMP` of it); rotation by key id; an unknown key or an altered
//! set is an error naming the key id and leaves Redis as it was; the token key's TTL outlives the
//! refresh token and is renewed by every save.

mod redis_support;

use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use redis_support::{oauth, sandbox, unique_key, TestRedis};
use sage_core::auth::{
    AccessToken, AuthError, Authenticate, Authenticator, RefreshToken, SageApi, SealingKey, StoreError, TokenCipher,
    TokenSet, TokenStore,
};
use sage_redis_store::ConnectionKey;

const DAY: Duration = Duration::from_secs(24 * 3600);

/// Token values that occur nowhere else (hex: no run of them is repeated by the JSON around them).
fn secret(kind: &str) -> String {
    format!("{kind}{:032x}", rand::thread_rng().gen::<u128>())
}

fn tokens(access: &str, refresh: &str, refresh_lifetime: Option<Duration>) -> TokenSet {
    TokenSet::new(SageApi::AccountingV31, AccessToken::new(access), Duration::from_secs(300))
        .with_refresh_token(RefreshToken::new(refresh), refresh_lifetime)
}

fn key(id: &str, byte: u8) -> SealingKey {
    SealingKey::new(id, [byte; 32]).unwrap()
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle.as_bytes())
}

/// Every field and value of the token hash, as Redis returns them.
async fn raw_hash(redis: &TestRedis, key: &ConnectionKey) -> Vec<(Vec<u8>, Vec<u8>)> {
    redis::cmd("HGETALL").arg(key.tokens_key()).query_async(&mut redis.raw().await).await.unwrap()
}

fn flatten(hash: &[(Vec<u8>, Vec<u8>)]) -> Vec<u8> {
    hash.iter().flat_map(|(field, value)| field.iter().chain(value).copied()).collect()
}

/// `DUMP` of the token key (RDB serialization), uncompressed if the server lets us turn LZF off.
async fn dump(redis: &TestRedis, key: &ConnectionKey) -> Option<Vec<u8>> {
    let mut raw = redis.raw().await;
    let uncompressed: redis::RedisResult<()> =
        redis::cmd("CONFIG").arg("SET").arg("rdbcompression").arg("no").query_async(&mut raw).await;
    if uncompressed.is_err() {
        return None; // a managed Redis without CONFIG: the raw hash check still runs
    }
    redis::cmd("DUMP").arg(key.tokens_key()).query_async(&mut raw).await.unwrap()
}

/// The key id stored in clear beside the sealed set.
async fn stored_key_id(redis: &TestRedis, key: &ConnectionKey) -> String {
    let json: Vec<u8> =
        redis::cmd("HGET").arg(key.tokens_key()).arg("tokens").query_async(&mut redis.raw().await).await.unwrap();
    let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
    value["sealed"]["key_id"].as_str().unwrap_or("(not sealed)").to_owned()
}

async fn pttl(redis: &TestRedis, key: &ConnectionKey) -> i64 {
    redis::cmd("PTTL").arg(key.tokens_key()).query_async(&mut redis.raw().await).await.unwrap()
}

#[tokio::test]
async fn redis_holds_no_token_value_when_encrypted_and_both_when_not() {
    let redis = TestRedis::start();
    let (access, refresh) = (secret("access-"), secret("refresh-"));

    // Unencrypted: the check finds both values, so it can fail.
    let plain = unique_key();
    redis.store(&plain).save(&tokens(&access, &refresh, Some(31 * DAY))).await.unwrap();
    let hash = flatten(&raw_hash(&redis, &plain).await);
    assert!(contains(&hash, &access) && contains(&hash, &refresh));
    if let Some(dump) = dump(&redis, &plain).await {
        assert!(contains(&dump, &access) && contains(&dump, &refresh), "the DUMP check finds values in clear");
    }

    let sealed = unique_key();
    let store = redis.store(&sealed).encrypted(TokenCipher::new(key("k1", 1)));
    let saved = tokens(&access, &refresh, Some(31 * DAY));
    store.save(&saved).await.unwrap();
    let hash = raw_hash(&redis, &sealed).await;
    let fields: Vec<_> = hash.iter().map(|(field, _)| String::from_utf8_lossy(field).into_owned()).collect();
    assert!(fields.contains(&"tokens".to_owned()) && fields.contains(&"revision".to_owned()), "{fields:?}");
    let hash = flatten(&hash);
    assert!(!contains(&hash, &access) && !contains(&hash, &refresh), "{}", String::from_utf8_lossy(&hash));
    assert!(!contains(&hash, "access_token"), "the whole set is sealed, not only the tokens");
    if let Some(dump) = dump(&redis, &sealed).await {
        assert!(!contains(&dump, &access) && !contains(&dump, &refresh));
    }
    assert_eq!(stored_key_id(&redis, &sealed).await, "k1");
    assert_eq!(store.load().await.unwrap(), Some(saved));
}

#[tokio::test]
async fn an_old_key_still_opens_and_the_next_save_seals_with_the_new_key_id() {
    let (redis, key_name) = (TestRedis::start(), unique_key());
    let old = TokenCipher::new(key("2025-01", 1));
    redis.store(&key_name).encrypted(old).save(&tokens("a-1", "r-1", Some(31 * DAY))).await.unwrap();
    assert_eq!(stored_key_id(&redis, &key_name).await, "2025-01");

    let rotated = TokenCipher::new(key("2025-06", 2)).with_old_key(key("2025-01", 1)).unwrap();
    let store = redis.store(&key_name).encrypted(rotated);
    let loaded = store.load().await.unwrap().unwrap();
    assert_eq!(loaded.refresh_token().unwrap().secret(), "r-1");
    assert_eq!(stored_key_id(&redis, &key_name).await, "2025-01", "a load writes nothing");

    store.save(&tokens("a-2", "r-2", Some(31 * DAY))).await.unwrap();
    assert_eq!(stored_key_id(&redis, &key_name).await, "2025-06");
    let new_only = redis.store(&key_name).encrypted(TokenCipher::new(key("2025-06", 2)));
    assert_eq!(new_only.load().await.unwrap().unwrap().refresh_token().unwrap().secret(), "r-2");
}

#[tokio::test]
async fn an_unencrypted_set_is_read_and_sealed_by_the_next_save() {
    let (redis, key_name) = (TestRedis::start(), unique_key());
    let refresh = secret("refresh-");
    redis.store(&key_name).save(&tokens("a", &refresh, Some(31 * DAY))).await.unwrap();

    let store = redis.store(&key_name).encrypted(TokenCipher::new(key("k1", 1)));
    let loaded = store.load().await.unwrap().unwrap();
    assert_eq!(loaded.refresh_token().unwrap().secret(), refresh);
    assert!(contains(&flatten(&raw_hash(&redis, &key_name).await), &refresh), "untouched until a save");
    store.save(&loaded).await.unwrap();
    assert!(!contains(&flatten(&raw_hash(&redis, &key_name).await), &refresh));
    assert_eq!(stored_key_id(&redis, &key_name).await, "k1");
}

#[tokio::test]
async fn an_unknown_key_or_an_altered_set_is_an_error_naming_the_key_and_redis_is_left_as_it_was() {
    let (redis, key_name) = (TestRedis::start(), unique_key());
    let refresh = secret("refresh-");
    let retired = TokenCipher::new(key("retired", 1));
    redis.store(&key_name).encrypted(retired.clone()).save(&tokens("a", &refresh, Some(31 * DAY))).await.unwrap();
    let before = raw_hash(&redis, &key_name).await;

    let current = TokenCipher::new(key("current", 2));
    let err = redis.store(&key_name).encrypted(current.clone()).load().await.unwrap_err();
    let StoreError::Corrupt { reason, .. } = &err else { panic!("not Corrupt: {err:?}") };
    assert!(reason.contains("`retired`") && reason.contains("current"), "{reason}");
    assert!(!err.to_string().contains(&refresh) && !format!("{err:?}").contains(&refresh));

    let err = redis.store(&key_name).load().await.unwrap_err();
    assert!(err.to_string().contains("`retired`") && err.to_string().contains("no cipher"), "{err}");

    // An instance with the wrong keyring asks for a token: an error, and nothing is written.
    let sandbox = sandbox().await;
    let authenticator = Authenticator::new(oauth(&sandbox), Arc::new(redis.store(&key_name).encrypted(current)));
    let err = authenticator.access_token().await.unwrap_err();
    assert!(
        matches!(&err, AuthError::Store(StoreError::Corrupt { reason, .. }) if reason.contains("`retired`")),
        "{err:?}"
    );
    assert_eq!(raw_hash(&redis, &key_name).await, before, "the hash is untouched, revision included");

    // One character of the ciphertext changed.
    let json: Vec<u8> =
        redis::cmd("HGET").arg(key_name.tokens_key()).arg("tokens").query_async(&mut redis.raw().await).await.unwrap();
    let text = String::from_utf8(json).unwrap();
    let at = text.find("\"ciphertext\": \"").unwrap() + "\"ciphertext\": \"".len() + 10;
    let mut altered = text.into_bytes();
    altered[at] = if altered[at] == b'A' { b'B' } else { b'A' };
    let _: () = redis::cmd("HSET")
        .arg(key_name.tokens_key())
        .arg("tokens")
        .arg(&altered)
        .query_async(&mut redis.raw().await)
        .await
        .unwrap();
    let tampered = raw_hash(&redis, &key_name).await;
    let err = redis.store(&key_name).encrypted(retired).load().await.unwrap_err();
    let StoreError::Corrupt { reason, .. } = &err else { panic!("not Corrupt: {err:?}") };
    assert!(reason.contains("`retired`") && reason.contains("does not authenticate"), "{reason}");
    assert_eq!(raw_hash(&redis, &key_name).await, tampered, "left as it was");
}

#[tokio::test]
async fn the_token_key_outlives_the_refresh_token_and_every_save_renews_it() {
    let (redis, key_name) = (TestRedis::start(), unique_key());
    let store = redis.store(&key_name).encrypted(TokenCipher::new(key("k1", 1)));
    let close_to = |ttl: i64, expected: Duration| {
        let expected = expected.as_millis() as i64;
        assert!(ttl <= expected && ttl > expected - 60_000, "TTL {ttl} ms, expected about {expected} ms");
    };

    // Accounting v3.1: 31 days, plus the default margin of a day.
    store.save(&tokens("a", "r", Some(31 * DAY))).await.unwrap();
    close_to(pttl(&redis, &key_name).await, 32 * DAY);

    // Renewed by the next save (here, after the TTL was cut short behind the store's back).
    let _: () =
        redis::cmd("PEXPIRE").arg(key_name.tokens_key()).arg(5_000).query_async(&mut redis.raw().await).await.unwrap();
    store.load().await.unwrap();
    assert!(pttl(&redis, &key_name).await <= 5_000, "a load does not touch the TTL");
    store.save(&tokens("a2", "r2", Some(31 * DAY))).await.unwrap();
    close_to(pttl(&redis, &key_name).await, 32 * DAY);

    // Sage ID: up to 90 days; a replace (new consent) sets it too.
    store.replace(&tokens("a3", "r3", Some(90 * DAY))).await.unwrap();
    close_to(pttl(&redis, &key_name).await, 91 * DAY);

    // A refresh token that never expires (Accounting v3): no TTL, even where there was one.
    store.save(&tokens("a4", "r4", None)).await.unwrap();
    assert_eq!(pttl(&redis, &key_name).await, -1, "persistent");

    // The margin can be set, and the expiry turned off.
    let other = unique_key();
    let margin = redis.store(&other).with_expiry_margin(Duration::from_secs(3600));
    margin.save(&tokens("a", "r", Some(31 * DAY))).await.unwrap();
    close_to(pttl(&redis, &other).await, 31 * DAY + Duration::from_secs(3600));
    let off = redis.store(&other).without_expiry();
    off.load().await.unwrap();
    off.save(&tokens("a", "r", Some(31 * DAY))).await.unwrap();
    assert_eq!(pttl(&redis, &other).await, -1);

    // A refused save leaves the TTL alone.
    let stale = redis.store(&other);
    stale.load().await.unwrap();
    redis.store(&other).save(&tokens("newer", "r", Some(DAY))).await.unwrap();
    let ttl = pttl(&redis, &other).await;
    assert!(matches!(stale.save(&tokens("stale", "r", Some(31 * DAY))).await, Err(StoreError::Conflict { .. })));
    assert!(pttl(&redis, &other).await <= ttl);
    close_to(ttl, 2 * DAY);
}
