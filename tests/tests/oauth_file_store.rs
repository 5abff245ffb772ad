//! The file token store in a real flow: permissions, atomic replacement, corrupt files.

mod oauth_support;

use std::sync::Arc;
use std::time::Duration;

use oauth_support::{authorize, confidential};
use sage_core::auth::{AuthError, Authenticate, Authenticator, FileTokenStore, StoreError, TokenStore};
use sage_sandbox::Sandbox;

fn files_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn refreshed_tokens_replace_the_file_atomically_and_privately() {
    let sandbox = Sandbox::builder().auto_approve(true).time_scale(1.0 / 300.0).start().await.unwrap();
    let client = confidential(&sandbox, "accounting-v31");
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(FileTokenStore::new(dir.path().join("tokens.json")));
    let auth = Authenticator::new(client.clone(), store.clone());
    let consented = authorize(&client).await;
    auth.set_tokens(consented.clone()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1_500)).await; // let the one-second token expire

    let token = auth.access_token().await.unwrap();
    let saved = store.load().await.unwrap().unwrap();
    assert_eq!(saved.access_token(), &token);
    assert_ne!(saved.refresh_token(), consented.refresh_token(), "the rotated refresh token is on disk");
    assert_eq!(files_in(dir.path()), ["tokens.json", "tokens.json.lock"], "no temporary files are left behind");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(store.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let on_disk = std::fs::read_to_string(store.path()).unwrap();
    assert!(on_disk.contains("\"version\": 1") && on_disk.contains("accounting-v31"));
}

#[tokio::test]
async fn a_corrupt_file_is_reported_and_left_alone() {
    let sandbox = oauth_support::sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tokens.json");
    std::fs::write(&path, "{ half a file").unwrap();
    let auth = Authenticator::new(confidential(&sandbox, "accounting-v31"), Arc::new(FileTokenStore::new(&path)));
    let err = auth.access_token().await.unwrap_err();
    assert!(matches!(err, AuthError::Store(StoreError::Corrupt { .. })), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "{ half a file", "never silently reset");
    assert_eq!(sandbox.stats().token_requests, 0);
}
