//! A token store in one JSON file, replaced atomically on every save.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use rand::Rng;

use super::format::{decode, encode};
use super::TokenStore;
use crate::auth::error::StoreError;
use crate::auth::token_set::TokenSet;

/// Stores the token set in a file readable only by its owner (mode 0600 on unix).
///
/// A save writes a temporary file next to the target, flushes it to disk, renames it over the
/// target and flushes the directory, so a crash leaves either the old or the new token set, never
/// a mix. A file that cannot be parsed is reported as [`StoreError::Corrupt`] and left alone.
/// Refreshes are coordinated within one process only: do not share the file between processes.
#[derive(Debug, Clone)]
pub struct FileTokenStore {
    path: PathBuf,
}

impl FileTokenStore {
    /// A store at `path`; the directory must exist, the file need not.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The file holding the token set.
    pub fn path(&self) -> &Path {
        &self.path
    }

    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Path) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || work(&path))
            .await
            .map_err(|err| StoreError::Backend(format!("token store task failed: {err}")))?
    }
}

#[async_trait]
impl TokenStore for FileTokenStore {
    async fn load(&self) -> Result<Option<TokenSet>, StoreError> {
        self.blocking(|path| match fs::read(path) {
            Ok(bytes) => decode(&bytes, &path.display().to_string()).map(Some),
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(io_error(path, err)),
        })
        .await
    }

    async fn save(&self, tokens: &TokenSet) -> Result<(), StoreError> {
        let bytes = encode(tokens);
        self.blocking(move |path| write_atomically(path, &bytes)).await
    }

    async fn clear(&self) -> Result<(), StoreError> {
        self.blocking(|path| match fs::remove_file(path) {
            Ok(()) => sync_dir(path),
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(err) => Err(io_error(path, err)),
        })
        .await
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let temp = temp_path(path);
    let written = (|| {
        let mut file = create_private(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()
    })();
    if let Err(err) = written.and_then(|()| fs::rename(&temp, path)) {
        let _ = fs::remove_file(&temp);
        return Err(io_error(path, err));
    }
    sync_dir(path)
}

/// A unique sibling name, so concurrent saves never share a temporary file.
fn temp_path(path: &Path) -> PathBuf {
    let name = path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_else(|| "tokens".into());
    let suffix: u64 = rand::thread_rng().gen();
    path.with_file_name(format!(".{name}.{suffix:016x}.tmp"))
}

fn create_private(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Makes the rename itself durable (unix; elsewhere the rename is the best available).
fn sync_dir(path: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        File::open(dir).and_then(|dir| dir.sync_all()).map_err(|err| io_error(dir, err))?;
    }
    let _ = path;
    Ok(())
}

fn io_error(path: &Path, source: io::Error) -> StoreError {
    StoreError::Io { path: path.to_owned(), source }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::auth::{AccessToken, SageApi};

    fn tokens(value: &str) -> TokenSet {
        TokenSet::new(SageApi::Sage200, AccessToken::new(value), Duration::from_secs(60))
    }

    #[tokio::test]
    async fn saves_replace_the_file_and_leave_no_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileTokenStore::new(dir.path().join("tokens.json"));
        assert!(store.load().await.unwrap().is_none());
        store.save(&tokens("first")).await.unwrap();
        store.save(&tokens("second")).await.unwrap();
        assert_eq!(store.load().await.unwrap().unwrap().access_token().secret(), "second");
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|entry| entry.unwrap().file_name()).collect();
        assert_eq!(names, ["tokens.json"]);
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn the_file_is_private_to_its_owner() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let store = FileTokenStore::new(dir.path().join("tokens.json"));
        store.save(&tokens("a")).await.unwrap();
        let mode = fs::metadata(store.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[tokio::test]
    async fn a_corrupt_file_is_an_error_and_stays_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens.json");
        fs::write(&path, b"{\"format\":\"sage-rs/token-set\",\"version\":1,\"tokens\":").unwrap();
        let store = FileTokenStore::new(&path);
        assert!(matches!(store.load().await, Err(StoreError::Corrupt { .. })));
        assert!(fs::read(&path).unwrap().ends_with(b"\"tokens\":"));
    }

    #[tokio::test]
    async fn a_failed_save_keeps_the_previous_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileTokenStore::new(dir.path().join("tokens.json"));
        store.save(&tokens("kept")).await.unwrap();
        let missing_dir = FileTokenStore::new(dir.path().join("missing").join("tokens.json"));
        assert!(matches!(missing_dir.save(&tokens("lost")).await, Err(StoreError::Io { .. })));
        assert_eq!(store.load().await.unwrap().unwrap().access_token().secret(), "kept");
    }

    #[tokio::test]
    async fn clear_removes_the_file_and_tolerates_absence() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileTokenStore::new(dir.path().join("tokens.json"));
        store.save(&tokens("a")).await.unwrap();
        store.clear().await.unwrap();
        store.clear().await.unwrap();
        assert!(store.load().await.unwrap().is_none());
    }
}
