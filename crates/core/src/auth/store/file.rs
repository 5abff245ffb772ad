//! A token store in one JSON file, replaced atomically on every save.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rand::Rng;

use super::file_lock::FileLock;
use super::file_rescue::{read_trusted, rescue_paths};
use super::format::Codec;
use super::{RefreshLease, TokenStore};
use crate::auth::error::StoreError;
use crate::auth::token_set::TokenSet;

/// Stores the token set in a file readable only by its owner (mode 0600 on unix).
///
/// A save writes a temporary file next to the target, flushes it to disk, renames it over the
/// target and flushes the directory, so a crash leaves either the old or the new token set, never
/// a mix. A file that cannot be parsed is reported as [`StoreError::Corrupt`] and left alone.
///
/// Processes sharing the file (parallel CLI commands, several services) refresh one at a time:
/// [`lock_for_refresh`](TokenStore::lock_for_refresh) takes an advisory lock on a sibling
/// `<name>.lock` file (released by the OS if the holder dies) and then proves the directory
/// writable, so no refresh token is spent that could not be saved.
///
/// Should the file still refuse a save, the set goes to a rescue file instead (`<name>.rescue`,
/// else one in the temp directory; see `file_rescue.rs` for why that is safe) and the save fails
/// with [`StoreError::Rescued`], naming it. A load adopts a rescued set newer than the file's and
/// writes it back, so the rotated refresh token is never lost with the process.
///
/// With [`encrypted`](Self::encrypted) (feature `encryption`) the file and any rescue file hold
/// the token set sealed, with only the key id in clear.
#[derive(Debug, Clone)]
pub struct FileTokenStore {
    path: PathBuf,
    lock_wait: Duration,
    sync_dir: fn(&Path) -> io::Result<()>,
    codec: Codec,
}

impl FileTokenStore {
    /// A store at `path`; the directory must exist, the file need not.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into(), lock_wait: Duration::from_secs(60), sync_dir, codec: Codec::default() }
    }

    /// Seals the token set with `cipher` on every save, and opens it with any key of its keyring on
    /// load. A file sealed with an older key of the keyring is read and re-sealed with the current
    /// key by the next save; so is a file written before encryption was turned on. A file sealed
    /// with a key not in the keyring, or altered, is [`StoreError::Corrupt`] naming the key id,
    /// and is left as it is.
    #[cfg(feature = "encryption")]
    #[cfg_attr(docsrs, doc(cfg(feature = "encryption")))]
    #[must_use]
    pub fn encrypted(mut self, cipher: crate::auth::TokenCipher) -> Self {
        self.codec = Codec::sealed(cipher);
        self
    }

    /// How long to wait for another process's refresh before failing with
    /// [`StoreError::LockTimeout`] (default 60 s, longer than any one refresh).
    #[must_use]
    pub fn with_lock_wait(mut self, wait: Duration) -> Self {
        self.lock_wait = wait;
        self
    }

    /// The file holding the token set.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The sibling file whose lock serializes refreshes across processes.
    pub fn lock_path(&self) -> PathBuf {
        sibling(&self.path, |name| format!("{name}.lock"))
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
        let (sync_dir, codec) = (self.sync_dir, self.codec.clone());
        self.blocking(move |path| load_or_adopt(path, sync_dir, &codec)).await
    }

    async fn save(&self, tokens: &TokenSet) -> Result<(), StoreError> {
        let (bytes, issued) = (self.codec.encode(tokens), order(tokens));
        let (sync_dir, codec) = (self.sync_dir, self.codec.clone());
        self.blocking(move |path| save_or_rescue(path, &bytes, issued, sync_dir, &codec)).await
    }

    async fn clear(&self) -> Result<(), StoreError> {
        let (sync_dir, codec) = (self.sync_dir, self.codec.clone());
        self.blocking(move |path| match fs::remove_file(path) {
            Ok(()) => {
                confirm_durability(path, sync_dir);
                remove_rescues(path, None, &codec); // a signed-out user must not be signed back in by a load
                Ok(())
            }
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                remove_rescues(path, None, &codec);
                Ok(())
            }
            Err(err) => Err(io_error(path, err)),
        })
        .await
    }

    async fn lock_for_refresh(&self) -> Result<RefreshLease, StoreError> {
        let lock = FileLock::acquire(self.lock_path(), self.lock_wait).await?;
        // A refresh rotates the refresh token: find out now, not after it is spent, if the new
        // one could not be stored. The lock is released (dropped) on failure.
        self.blocking(probe_writable).await?;
        Ok(RefreshLease::new(move || async move { drop(lock) }))
    }
}

fn read_file(path: &Path, codec: &Codec) -> Result<Option<TokenSet>, StoreError> {
    match read_bounded(path)? {
        Some(bytes) => codec.decode(&bytes, &path.display().to_string()).map(Some),
        None => Ok(None),
    }
}

/// The most a token file is read: far more than any token set takes (a few KiB, sealed or not),
/// the same cap as on token responses.
pub(super) const FILE_LIMIT: u64 = 256 * 1024;

/// The file's bytes, or `None` when there is no file. A file larger than [`FILE_LIMIT`] is
/// refused unread with [`StoreError::TooLarge`] and left alone; no more than the limit and one
/// byte is ever read, even from a file growing meanwhile or one that is not a regular file.
fn read_bounded(path: &Path) -> Result<Option<Vec<u8>>, StoreError> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(io_error(path, err)),
    };
    let too_large = |size| StoreError::TooLarge { location: path.display().to_string(), size, limit: FILE_LIMIT };
    let size = file.metadata().map_err(|err| io_error(path, err))?.len();
    if size > FILE_LIMIT {
        return Err(too_large(size));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(FILE_LIMIT + 1).read_to_end(&mut bytes).map_err(|err| io_error(path, err))?;
    if bytes.len() as u64 > FILE_LIMIT {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(Some(bytes))
}

/// Where a set stands among the sets of one sign-in: generation, then issue time (sets stored
/// before generations existed are all generation 0). See [`TokenSet::is_newer_than`].
type Order = (u64, DateTime<Utc>);

fn order(tokens: &TokenSet) -> Order {
    (tokens.generation, tokens.received_at)
}

/// The stored set, or a rescued one newer than it (see [`Order`]). That one is written back to
/// the file and its rescue files removed, unless a refresh holds the lock (its own save follows)
/// or the file is still unwritable (the rescue file stays until a later load or save succeeds).
fn load_or_adopt(
    path: &Path,
    sync_dir: fn(&Path) -> io::Result<()>,
    codec: &Codec,
) -> Result<Option<TokenSet>, StoreError> {
    let stored = read_file(path, codec)?;
    let Some((rescue, bytes, rescued)) = newest_rescue(path, stored.as_ref(), codec) else { return Ok(stored) };
    tracing::warn!(path = %path.display(), rescue = %rescue.display(), "using the newer token set kept in a rescue file");
    if let Some(_lock) = FileLock::try_acquire(&sibling(path, |name| format!("{name}.lock"))) {
        // Re-read under the lock: a refresh may have stored a newer set meanwhile.
        let still_older = match read_file(path, codec) {
            Ok(stored) => stored.is_none_or(|stored| rescued.is_newer_than(&stored)),
            Err(_) => false,
        };
        if still_older {
            match write_atomically(path, &bytes, sync_dir) {
                Ok(()) => remove_rescues(path, Some(order(&rescued)), codec),
                Err(err) => {
                    tracing::warn!(path = %path.display(), error = %err, "the rescued token set could not be written back yet")
                }
            }
        }
    }
    Ok(Some(rescued))
}

/// The newest trusted rescued set, if it is newer than `stored`: a stale rescue file (left by a
/// process that rescued an older generation than the file now holds) never replaces the file.
fn newest_rescue(path: &Path, stored: Option<&TokenSet>, codec: &Codec) -> Option<(PathBuf, Vec<u8>, TokenSet)> {
    rescue_paths(path)
        .into_iter()
        .filter_map(|rescue| {
            let bytes = read_trusted(&rescue)?;
            match codec.decode(&bytes, &rescue.display().to_string()) {
                Ok(tokens) => Some((rescue, bytes, tokens)),
                Err(err) => {
                    tracing::warn!(error = %err, "ignoring an unreadable token rescue file");
                    None
                }
            }
        })
        .filter(|(_, _, rescued)| stored.is_none_or(|stored| rescued.is_newer_than(stored)))
        .max_by_key(|(_, _, rescued)| order(rescued))
}

/// Writes the file; failing that, keeps the set in the first rescue file that can be written and
/// fails with [`StoreError::Rescued`] naming it. Only if none can is the set left to the caller.
fn save_or_rescue(
    path: &Path,
    bytes: &[u8],
    issued: Order,
    sync_dir: fn(&Path) -> io::Result<()>,
    codec: &Codec,
) -> Result<(), StoreError> {
    let source = match write_atomically(path, bytes, sync_dir) {
        Ok(()) => {
            remove_rescues(path, Some(issued), codec);
            return Ok(());
        }
        Err(err) => err,
    };
    for rescue in rescue_paths(path) {
        if write_atomically(&rescue, bytes, sync_dir).is_ok() {
            return Err(StoreError::Rescued { path: path.to_owned(), rescue, source });
        }
    }
    Err(io_error(path, source))
}

/// Removes the rescue files, all of them or only those no newer than `up_to` (the set just
/// written): a newer rescued set, from another process, must survive an older save.
fn remove_rescues(path: &Path, up_to: Option<Order>, codec: &Codec) {
    for rescue in rescue_paths(path) {
        let newer = up_to.is_some_and(|up_to| {
            read_trusted(&rescue)
                .and_then(|bytes| codec.decode(&bytes, "rescue").ok())
                .is_some_and(|set| order(&set) > up_to)
        });
        if !newer {
            let _ = fs::remove_file(rescue);
        }
    }
}

/// Creates and removes a file next to `path`, as a save would.
fn probe_writable(path: &Path) -> Result<(), StoreError> {
    let probe = temp_path(path);
    let created = create_private(&probe).and_then(|mut file| file.write_all(&[0; 512]));
    let _ = fs::remove_file(&probe);
    created.map_err(|err| io_error(path, err))
}

/// Not written is an error; written but with the directory flush failing is not: the new file is
/// in place and readable, only its survival of a power cut is unconfirmed (logged as a warning).
pub(crate) fn write_atomically(path: &Path, bytes: &[u8], sync_dir: fn(&Path) -> io::Result<()>) -> io::Result<()> {
    let temp = temp_path(path);
    let written = (|| {
        let mut file = create_private(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()
    })();
    if let Err(err) = written.and_then(|()| fs::rename(&temp, path)) {
        let _ = fs::remove_file(&temp);
        return Err(err);
    }
    confirm_durability(path, sync_dir);
    Ok(())
}

fn confirm_durability(path: &Path, sync_dir: fn(&Path) -> io::Result<()>) {
    if let Err(err) = sync_dir(path) {
        tracing::warn!(path = %path.display(), error = %err, "token file written, but its directory could not be flushed");
    }
}

/// A unique sibling name, so concurrent saves never share a temporary file.
fn temp_path(path: &Path) -> PathBuf {
    let suffix: u64 = rand::thread_rng().gen();
    sibling(path, |name| format!(".{name}.{suffix:016x}.tmp"))
}

pub(super) fn sibling(path: &Path, name: impl FnOnce(&str) -> String) -> PathBuf {
    let file_name = path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_else(|| "tokens".into());
    path.with_file_name(name(&file_name))
}

fn create_private(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Makes the rename itself durable (unix; elsewhere the rename is the best available).
pub(crate) fn sync_dir(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        File::open(dir)?.sync_all()?;
    }
    let _ = path;
    Ok(())
}

fn io_error(path: &Path, source: io::Error) -> StoreError {
    StoreError::Io { path: path.to_owned(), source }
}

/// Making a directory unwritable in tests, also for root (who ignores permission bits).
#[cfg(test)]
pub(crate) mod test_support {
    use std::path::{Path, PathBuf};
    use std::process::Command;

    /// Refuses new files in a directory until dropped: `chattr +i` as root, mode 0500 otherwise.
    pub(crate) struct Unwritable(PathBuf);

    impl Unwritable {
        pub(crate) fn make(dir: &Path) -> Self {
            set(dir, true);
            Self(dir.to_owned())
        }
    }

    impl Drop for Unwritable {
        fn drop(&mut self) {
            set(&self.0, false);
        }
    }

    #[cfg(unix)]
    fn set(dir: &Path, frozen: bool) {
        use std::os::unix::fs::PermissionsExt;
        let root = Command::new("id").arg("-u").output().map(|out| out.stdout.starts_with(b"0")).unwrap_or(false);
        if root {
            let status = Command::new("chattr").arg(if frozen { "+i" } else { "-i" }).arg(dir).status();
            assert!(status.is_ok_and(|status| status.success()), "chattr is needed to test as root");
        } else {
            let mode = if frozen { 0o500 } else { 0o700 };
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode)).unwrap();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::format::{decode, encode};
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
        let err = missing_dir.save(&tokens("rescued")).await.unwrap_err();
        assert!(matches!(err, StoreError::Rescued { .. }), "{err:?}");
        missing_dir.clear().await.unwrap(); // and its rescue file in the temp directory
        assert_eq!(store.load().await.unwrap().unwrap().access_token().secret(), "kept");
    }

    #[tokio::test]
    async fn a_directory_flush_failure_does_not_fail_a_written_save() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = FileTokenStore::new(dir.path().join("tokens.json"));
        store.sync_dir = |_| Err(io::Error::other("fsync of the directory refused"));
        store.save(&tokens("written")).await.expect("the file is in place: the save succeeded");
        assert_eq!(store.load().await.unwrap().unwrap().access_token().secret(), "written");
        store.clear().await.expect("the file is gone: the clear succeeded");
    }

    #[tokio::test]
    async fn the_refresh_lock_excludes_other_handles_on_the_same_file_until_released() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens.json");
        let first = FileTokenStore::new(&path);
        let second = FileTokenStore::new(&path).with_lock_wait(Duration::from_millis(50));
        let lease = first.lock_for_refresh().await.unwrap();
        assert!(matches!(second.lock_for_refresh().await, Err(StoreError::LockTimeout { .. })));
        lease.release().await;
        second.lock_for_refresh().await.expect("released").release().await;
        let dropped = first.lock_for_refresh().await.unwrap();
        drop(dropped); // a cancelled holder
        second.lock_for_refresh().await.expect("a dropped lease releases the lock").release().await;
    }

    #[tokio::test]
    async fn the_refresh_lock_fails_when_the_directory_is_not_writable() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileTokenStore::new(dir.path().join("tokens.json"));
        store.save(&tokens("kept")).await.unwrap();
        store.lock_for_refresh().await.unwrap().release().await; // the lock file exists from now on
        let frozen = test_support::Unwritable::make(dir.path());
        let err = store.lock_for_refresh().await.unwrap_err();
        assert!(matches!(err, StoreError::Io { .. }), "{err:?}");
        drop(frozen);
        store.lock_for_refresh().await.expect("writable again").release().await;
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|entry| entry.unwrap().file_name()).collect();
        assert_eq!(names.len(), 2, "only the token and lock files remain: {names:?}");
    }

    /// A non-empty directory where the token file should be: the rename onto it fails, while the
    /// directory around it stays writable (works for root too, unlike permission bits).
    fn obstruct(path: &Path) {
        fs::create_dir(path).unwrap();
        fs::write(path.join("in-the-way"), b"").unwrap();
    }

    #[tokio::test]
    async fn a_set_the_file_refuses_is_kept_in_a_private_rescue_file_and_adopted_by_the_next_load() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens.json");
        obstruct(&path);
        let err = FileTokenStore::new(&path).save(&tokens("rotated")).await.unwrap_err();
        let StoreError::Rescued { rescue, .. } = &err else { panic!("not rescued: {err:?}") };
        assert_eq!(rescue, &dir.path().join("tokens.json.rescue"), "beside the file first");
        assert!(err.to_string().contains(&rescue.display().to_string()) && !err.to_string().contains("rotated"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(rescue).unwrap().permissions().mode() & 0o777, 0o600);
        }

        fs::remove_dir_all(&path).unwrap();
        let next_process = FileTokenStore::new(&path);
        assert_eq!(next_process.load().await.unwrap().unwrap().access_token().secret(), "rotated");
        assert!(!rescue.exists(), "removed once written back");
        let written_back = fs::read(&path).unwrap();
        assert_eq!(decode(&written_back, "test").unwrap().access_token().secret(), "rotated");
    }

    #[tokio::test]
    async fn an_older_rescue_file_never_overrides_a_newer_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileTokenStore::new(dir.path().join("tokens.json"));
        let mut older = tokens("older");
        older.received_at -= chrono::Duration::minutes(1);
        store.save(&tokens("newer")).await.unwrap();
        for rescue in rescue_paths(store.path()) {
            write_atomically(&rescue, &encode(&older), sync_dir).unwrap();
        }
        assert_eq!(store.load().await.unwrap().unwrap().access_token().secret(), "newer");
        assert_eq!(decode(&fs::read(store.path()).unwrap(), "t").unwrap().access_token().secret(), "newer");
        store.clear().await.unwrap();
        assert!(rescue_paths(store.path()).iter().all(|rescue| !rescue.exists()), "sign-out removes rescues");
        assert!(store.load().await.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_rescue_file_of_an_older_generation_never_replaces_a_newer_file_whatever_its_clock_said() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileTokenStore::new(dir.path().join("tokens.json"));
        let newer = tokens("newer").with_generation(7);
        // Rescued by a process whose clock ran ahead, or that rescued a set it wrote back.
        let mut stale = tokens("stale").with_generation(6);
        stale.received_at += chrono::Duration::hours(1);
        store.save(&newer).await.unwrap();
        let [beside, _] = rescue_paths(store.path());
        write_atomically(&beside, &encode(&stale), sync_dir).unwrap();
        assert_eq!(store.load().await.unwrap().unwrap().access_token().secret(), "newer");
        assert_eq!(decode(&fs::read(store.path()).unwrap(), "t").unwrap().generation(), 7, "the file is untouched");

        let rescued = tokens("rescued").with_generation(8);
        write_atomically(&beside, &encode(&rescued), sync_dir).unwrap();
        assert_eq!(store.load().await.unwrap().unwrap().access_token().secret(), "rescued", "a newer one is adopted");
        assert_eq!(decode(&fs::read(store.path()).unwrap(), "t").unwrap().generation(), 8, "and written back");
        store.save(&newer).await.unwrap();
        assert_eq!(store.load().await.unwrap().unwrap().generation(), 7, "a plain save still writes the file");
    }

    #[tokio::test]
    async fn a_newer_rescue_file_survives_the_save_of_an_older_set() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileTokenStore::new(dir.path().join("tokens.json"));
        let mut older = tokens("older");
        older.received_at -= chrono::Duration::minutes(1);
        let [beside, _] = rescue_paths(store.path());
        write_atomically(&beside, &encode(&tokens("rescued")), sync_dir).unwrap();
        store.save(&older).await.unwrap();
        assert_eq!(store.load().await.unwrap().unwrap().access_token().secret(), "rescued");
        assert!(!beside.exists(), "written back, then removed");
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_rescue_file_open_to_others_is_ignored() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let store = FileTokenStore::new(dir.path().join("tokens.json"));
        let [beside, _] = rescue_paths(store.path());
        fs::write(&beside, encode(&tokens("planted"))).unwrap();
        fs::set_permissions(&beside, fs::Permissions::from_mode(0o644)).unwrap();
        assert!(store.load().await.unwrap().is_none());
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

    #[tokio::test]
    async fn a_token_file_larger_than_any_token_set_is_refused_unread_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileTokenStore::new(dir.path().join("tokens.json"));
        let huge = vec![b' '; 10 * 1024 * 1024];
        fs::write(store.path(), &huge).unwrap();
        for _ in 0..2 {
            let err = store.load().await.unwrap_err();
            assert!(matches!(err, StoreError::TooLarge { size: 10_485_760, limit: FILE_LIMIT, .. }), "{err:?}");
            let message = err.to_string();
            assert!(message.contains("holds 10485760 bytes, more than the 262144"), "{message}");
            assert!(message.contains("left untouched"), "{message}");
        }
        assert_eq!(fs::read(store.path()).unwrap(), huge, "the file is never deleted or changed");
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_token_file_that_never_ends_is_read_no_further_than_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileTokenStore::new(dir.path().join("tokens.json"));
        std::os::unix::fs::symlink("/dev/zero", store.path()).unwrap();
        let err = store.load().await.unwrap_err();
        assert!(matches!(err, StoreError::TooLarge { size, .. } if size == FILE_LIMIT + 1), "{err:?}");
    }
}
