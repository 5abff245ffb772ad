//! The authenticator over a [`FileTokenStore`] shared by independent authenticators, each
//! standing for a separate process (the file lock is per open file, so it works the same).

use crate::auth::store::file::test_support::Unwritable;
use crate::auth::FileTokenStore;

use super::*;

fn process(server: &FakeTokenServer, path: &std::path::Path) -> Authenticator {
    let profile = AuthProfile::accounting_v31().with_token_url(server_url(server));
    let oauth =
        OAuthClient::new(profile, "app", "http://127.0.0.1/cb").unwrap().with_client_secret(ClientSecret::new("s"));
    Authenticator::builder(oauth, Arc::new(FileTokenStore::new(path))).jitter(Duration::ZERO).build()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn processes_sharing_a_token_file_refresh_once_and_all_get_the_new_token() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tokens.json");
    let (server, _) = setup(expired(), Arc::new(FileTokenStore::new(&path))).await;
    for round in 1..=3 {
        let calls = (0..6).map(|_| {
            let auth = process(&server, &path);
            tokio::spawn(async move { auth.access_token().await.map(|token| token.secret().to_owned()) })
        });
        for call in futures_util::future::join_all(calls).await {
            assert_eq!(call.unwrap().unwrap(), format!("access-{round}"), "round {round}");
        }
        assert_eq!(server.requests(), round, "one refresh per expiry, whatever the number of processes");
        let store = FileTokenStore::new(&path);
        let mut due = store.load().await.unwrap().unwrap();
        due.expires_at = due.received_at; // expire it for the next round
        store.save(&due).await.unwrap();
    }
}

#[tokio::test]
async fn an_unwritable_store_is_found_out_before_the_refresh_token_is_spent() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tokens.json");
    let (server, _) = setup(expired(), Arc::new(FileTokenStore::new(&path))).await;

    let frozen = Unwritable::make(dir.path());
    let err = process(&server, &path).access_token().await.unwrap_err();
    assert!(matches!(err, AuthError::Store(StoreError::Io { .. })), "{err:?}");
    assert_eq!(server.requests(), 0, "no refresh whose result could not be stored");
    drop(frozen);

    // The next command, a new process: the stored refresh token still works.
    assert_eq!(process(&server, &path).access_token().await.unwrap().secret(), "access-1");
    let stored = FileTokenStore::new(&path).load().await.unwrap().unwrap();
    assert_eq!(stored.refresh_token().unwrap().secret(), "refresh-1");
}

#[tokio::test]
async fn a_failed_save_is_retried_before_the_call_fails() {
    let store = Arc::new(FlakyStore::default());
    let (server, auth) = setup(expired(), store.clone()).await;
    store.fail_saves.store(2, Ordering::SeqCst);
    assert_eq!(auth.access_token().await.unwrap().secret(), "access-1", "the third try saves");
    assert_eq!(store.load().await.unwrap().unwrap().refresh_token().unwrap().secret(), "refresh-1");
    assert_eq!(server.requests(), 1);
}

/// A store whose saves take a while, like a slow disk.
struct SlowSaves {
    inner: MemoryTokenStore,
    delay: Duration,
}

#[async_trait]
impl TokenStore for SlowSaves {
    async fn load(&self) -> Result<Option<TokenSet>, StoreError> {
        self.inner.load().await
    }
    async fn save(&self, tokens: &TokenSet) -> Result<(), StoreError> {
        tokio::time::sleep(self.delay).await;
        self.inner.save(tokens).await
    }
    async fn clear(&self) -> Result<(), StoreError> {
        self.inner.clear().await
    }
}

#[tokio::test]
async fn a_caller_giving_up_mid_refresh_does_not_cut_the_save() {
    let store = Arc::new(SlowSaves { inner: MemoryTokenStore::new(), delay: Duration::from_millis(300) });
    let (server, auth) = setup(expired(), store.clone()).await;

    let gave_up = tokio::time::timeout(Duration::from_millis(50), auth.access_token()).await;
    assert!(gave_up.is_err(), "the caller's deadline ran out during the save");
    drop(auth);
    tokio::time::sleep(Duration::from_millis(600)).await;

    let stored = store.load().await.unwrap().unwrap();
    assert_eq!(stored.refresh_token().unwrap().secret(), "refresh-1", "the rotated refresh token was saved");
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn refresh_now_refreshes_a_fresh_token_and_stores_it() {
    let store = Arc::new(MemoryTokenStore::new());
    let (server, auth) = setup(token_set("access-0", "refresh-0", Duration::from_secs(300)), store.clone()).await;
    let refreshed = auth.refresh_now().await.unwrap();
    assert_eq!(refreshed.access_token().secret(), "access-1");
    assert_eq!(store.load().await.unwrap().unwrap().refresh_token().unwrap().secret(), "refresh-1");
    assert_eq!(auth.access_token().await.unwrap().secret(), "access-1");
    assert_eq!(server.requests(), 1);
}
