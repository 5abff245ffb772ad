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

/// Refuses new files in a directory until dropped: `chattr +i` as root (who ignores permission
/// bits), mode 0500 otherwise.
#[cfg(unix)]
struct Frozen(std::path::PathBuf);

#[cfg(unix)]
impl Frozen {
    fn set(dir: &std::path::Path, frozen: bool) {
        use std::os::unix::fs::PermissionsExt;
        let root = std::process::Command::new("id").arg("-u").output().is_ok_and(|out| out.stdout.starts_with(b"0"));
        if root {
            let status = std::process::Command::new("chattr").arg(if frozen { "+i" } else { "-i" }).arg(dir).status();
            assert!(status.is_ok_and(|status| status.success()), "chattr is needed to test as root");
        } else {
            let mode = if frozen { 0o500 } else { 0o700 };
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode)).unwrap();
        }
    }
}

#[cfg(unix)]
impl Drop for Frozen {
    fn drop(&mut self) {
        Self::set(&self.0, false);
    }
}

/// A file store whose directory turns unwritable right after the refresh lock's writability
/// probe: the refresh at the token endpoint succeeds, the save of its result cannot.
#[cfg(unix)]
struct FreezesAfterTheProbe {
    files: FileTokenStore,
    frozen: std::sync::Mutex<Option<Frozen>>,
}

#[cfg(unix)]
#[sage_core::auth::async_trait]
impl TokenStore for FreezesAfterTheProbe {
    async fn load(&self) -> Result<Option<sage_core::auth::TokenSet>, StoreError> {
        self.files.load().await
    }
    async fn save(&self, tokens: &sage_core::auth::TokenSet) -> Result<(), StoreError> {
        self.files.save(tokens).await
    }
    async fn clear(&self) -> Result<(), StoreError> {
        self.files.clear().await
    }
    async fn lock_for_refresh(&self) -> Result<sage_core::auth::RefreshLease, StoreError> {
        let lease = self.files.lock_for_refresh().await?;
        let dir = self.files.path().parent().unwrap().to_owned();
        Frozen::set(&dir, true);
        *self.frozen.lock().unwrap() = Some(Frozen(dir));
        Ok(lease)
    }
}

#[cfg(unix)]
#[tokio::test]
async fn a_refreshed_set_the_file_cannot_take_is_rescued_and_the_next_process_refreshes_with_it() {
    use std::os::unix::fs::PermissionsExt;
    let sandbox = oauth_support::sandbox().await;
    let client = confidential(&sandbox, "accounting-v31");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tokens.json");
    let consented = authorize(&client).await;
    FileTokenStore::new(&path).save(&consented).await.unwrap();

    let store = Arc::new(FreezesAfterTheProbe { files: FileTokenStore::new(&path), frozen: Default::default() });
    let err = Authenticator::new(client.clone(), store.clone()).refresh_now().await.unwrap_err();
    drop(store.frozen.lock().unwrap().take()); // writable again, as for the next command
    let AuthError::Store(StoreError::Rescued { rescue, .. }) = &err else { panic!("not rescued: {err:?}") };
    assert!(rescue.starts_with(std::env::temp_dir()), "the directory refused the sibling too: {}", rescue.display());
    assert!(err.to_string().contains(&rescue.display().to_string()), "the message says where: {err}");
    assert_eq!(std::fs::metadata(rescue).unwrap().permissions().mode() & 0o777, 0o600);
    let requests = sandbox.stats().token_requests;

    // The next process: it finds the rescued set, writes it back, and refreshes with it.
    let next = Arc::new(FileTokenStore::new(&path));
    let rescued = next.load().await.unwrap().unwrap();
    assert_ne!(rescued.refresh_token(), consented.refresh_token(), "the rotated set, not the spent one");
    assert!(!rescue.exists(), "removed once written back");
    let refreshed =
        Authenticator::new(client, next.clone()).refresh_now().await.expect("the rescued refresh token works");
    assert_ne!(refreshed.refresh_token(), rescued.refresh_token());
    assert_eq!(next.load().await.unwrap().unwrap().refresh_token(), refreshed.refresh_token());
    assert_eq!(sandbox.stats().token_requests, requests + 1);
    assert_eq!(files_in(dir.path()), ["tokens.json", "tokens.json.lock"]);
}
