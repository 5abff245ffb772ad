//! `FileTokenStore::encrypted`: what reaches the disk, rotation, migration and refusals.

use std::fs;
use std::path::Path;
use std::time::Duration;

use crate::auth::{AccessToken, FileTokenStore, RefreshToken, SageApi, SealingKey, StoreError, TokenSet, TokenStore};

use super::TokenCipher;

const ACCESS: &str = "access-token-3f9c1e";
const REFRESH: &str = "refresh-token-77ab20";

fn tokens(access: &str, refresh: &str) -> TokenSet {
    TokenSet::new(SageApi::AccountingV31, AccessToken::new(access), Duration::from_secs(300))
        .with_refresh_token(RefreshToken::new(refresh), Some(Duration::from_secs(31 * 24 * 3600)))
}

fn key(id: &str, byte: u8) -> SealingKey {
    SealingKey::new(id, [byte; 32]).unwrap()
}

fn contains(bytes: &[u8], needle: &str) -> bool {
    bytes.windows(needle.len()).any(|window| window == needle.as_bytes())
}

fn key_id_on_disk(path: &Path) -> String {
    let value: serde_json::Value = serde_json::from_slice(&fs::read(path).unwrap()).unwrap();
    value["sealed"]["key_id"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn the_file_holds_no_token_when_encrypted_and_both_when_not() {
    let dir = tempfile::tempdir().unwrap();
    let plain_path = dir.path().join("plain.json");
    FileTokenStore::new(&plain_path).save(&tokens(ACCESS, REFRESH)).await.unwrap();
    let plain = fs::read(&plain_path).unwrap();
    assert!(contains(&plain, ACCESS) && contains(&plain, REFRESH), "the check finds tokens in clear");

    let path = dir.path().join("sealed.json");
    let store = FileTokenStore::new(&path).encrypted(TokenCipher::new(key("k1", 1)));
    let saved = tokens(ACCESS, REFRESH);
    store.save(&saved).await.unwrap();
    let sealed = fs::read(&path).unwrap();
    assert!(!contains(&sealed, ACCESS) && !contains(&sealed, REFRESH), "{}", String::from_utf8_lossy(&sealed));
    assert!(!contains(&sealed, "access_token") && !contains(&sealed, "requested_by_id"), "the whole set is sealed");
    assert_eq!(key_id_on_disk(&path), "k1");
    assert_eq!(store.load().await.unwrap(), Some(saved));
}

#[tokio::test]
async fn an_old_key_still_opens_and_the_next_save_seals_with_the_current_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tokens.json");
    FileTokenStore::new(&path)
        .encrypted(TokenCipher::new(key("2025-01", 1)))
        .save(&tokens(ACCESS, REFRESH))
        .await
        .unwrap();
    assert_eq!(key_id_on_disk(&path), "2025-01");

    let rotated = TokenCipher::new(key("2025-06", 2)).with_old_key(key("2025-01", 1)).unwrap();
    let store = FileTokenStore::new(&path).encrypted(rotated);
    let loaded = store.load().await.unwrap().unwrap();
    assert_eq!(loaded.refresh_token().unwrap().secret(), REFRESH);
    assert_eq!(key_id_on_disk(&path), "2025-01", "a load writes nothing");
    store.save(&tokens("access-2", "refresh-2")).await.unwrap();
    assert_eq!(key_id_on_disk(&path), "2025-06");

    let old_key_dropped = FileTokenStore::new(&path).encrypted(TokenCipher::new(key("2025-06", 2)));
    assert_eq!(old_key_dropped.load().await.unwrap().unwrap().refresh_token().unwrap().secret(), "refresh-2");
}

#[tokio::test]
async fn an_unencrypted_file_is_read_and_sealed_by_the_next_save() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tokens.json");
    FileTokenStore::new(&path).save(&tokens(ACCESS, REFRESH)).await.unwrap();
    let store = FileTokenStore::new(&path).encrypted(TokenCipher::new(key("k1", 1)));
    assert_eq!(store.load().await.unwrap().unwrap().access_token().secret(), ACCESS);
    assert!(contains(&fs::read(&path).unwrap(), REFRESH), "left as it was until a save");
    let loaded = store.load().await.unwrap().unwrap();
    store.save(&loaded).await.unwrap();
    assert!(!contains(&fs::read(&path).unwrap(), REFRESH));
    assert_eq!(key_id_on_disk(&path), "k1");
}

#[tokio::test]
async fn an_unknown_key_or_an_altered_file_is_an_error_naming_the_key_and_the_file_stays() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tokens.json");
    FileTokenStore::new(&path)
        .encrypted(TokenCipher::new(key("retired", 1)))
        .save(&tokens(ACCESS, REFRESH))
        .await
        .unwrap();
    let original = fs::read(&path).unwrap();

    let store = FileTokenStore::new(&path).encrypted(TokenCipher::new(key("current", 2)));
    let err = store.load().await.unwrap_err();
    let StoreError::Corrupt { reason, .. } = &err else { panic!("not Corrupt: {err:?}") };
    assert!(reason.contains("`retired`") && reason.contains("current"), "{reason}");
    assert_eq!(fs::read(&path).unwrap(), original, "untouched");

    let without_cipher = FileTokenStore::new(&path);
    let err = without_cipher.load().await.unwrap_err().to_string();
    assert!(err.contains("`retired`") && err.contains("no cipher"), "{err}");
    assert_eq!(fs::read(&path).unwrap(), original, "untouched");

    // One byte of the ciphertext changed (base64 text, so swap one letter for another).
    let text = String::from_utf8(original.clone()).unwrap();
    let at = text.find("\"ciphertext\": \"").unwrap() + "\"ciphertext\": \"".len() + 10;
    let mut altered = text.into_bytes();
    altered[at] = if altered[at] == b'A' { b'B' } else { b'A' };
    fs::write(&path, &altered).unwrap();
    let retired = FileTokenStore::new(&path).encrypted(TokenCipher::new(key("retired", 1)));
    let err = retired.load().await.unwrap_err();
    let StoreError::Corrupt { reason, .. } = &err else { panic!("not Corrupt: {err:?}") };
    assert!(reason.contains("`retired`") && reason.contains("does not authenticate"), "{reason}");
    assert_eq!(fs::read(&path).unwrap(), altered, "untouched");
    assert!(!err.to_string().contains(ACCESS) && !format!("{err:?}").contains(REFRESH));
}

#[tokio::test]
async fn a_rescue_file_is_sealed_too_and_adopted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tokens.json");
    fs::create_dir(&path).unwrap(); // a directory in the way: the save goes to the rescue file
    fs::write(path.join("in-the-way"), b"").unwrap();
    let cipher = TokenCipher::new(key("k1", 1));
    let err = FileTokenStore::new(&path).encrypted(cipher.clone()).save(&tokens(ACCESS, REFRESH)).await.unwrap_err();
    let StoreError::Rescued { rescue, .. } = &err else { panic!("not rescued: {err:?}") };
    let kept = fs::read(rescue).unwrap();
    assert!(!contains(&kept, ACCESS) && !contains(&kept, REFRESH));

    fs::remove_dir_all(&path).unwrap();
    let loaded = FileTokenStore::new(&path).encrypted(cipher).load().await.unwrap().unwrap();
    assert_eq!(loaded.refresh_token().unwrap().secret(), REFRESH);
    assert!(!contains(&fs::read(&path).unwrap(), REFRESH), "written back sealed");
}
