//! Where checkpoints live between runs, and how workers sharing a store split the feeds.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::Mutex;

use super::feed::{Checkpoint, Seen};
use crate::auth::store::file::{sync_dir, write_atomically};

/// Why a checkpoint could not be loaded or stored.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CheckpointError {
    /// The file system refused.
    #[error("checkpoint file {}: {source}", .path.display())]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// The stored data is not checkpoints this version understands; it is left untouched.
    #[error("checkpoints in {location} are unreadable: {reason}")]
    Corrupt {
        /// Where the data came from.
        location: String,
        /// What is wrong.
        reason: String,
    },
    /// The backend (e.g. Redis) failed.
    #[error("checkpoint store backend: {0}")]
    Backend(String),
    /// The lease on this key expired or was taken by another worker: the checkpoint was not stored,
    /// and the batch will be delivered again to whoever holds the key now.
    #[error("the lease on checkpoint `{0}` was lost; not stored")]
    LeaseLost(String),
}

impl Checkpoint {
    /// The furthest of two checkpoints of one feed, part by part: the later `updated` (with its
    /// `seen`) and the later `deleted` (with its `seen_deleted`), unset counting as earliest; for
    /// equal times, the versions either has seen. Stores write this instead of the checkpoint
    /// they are given, so a checkpoint never goes backwards: a worker that stalled, or one that
    /// writes back an older checkpoint after the store lost data, cannot make a feed deliver
    /// again what a newer checkpoint already covers. (To start a feed over, delete its key.)
    pub fn furthest(&self, other: &Checkpoint) -> Checkpoint {
        let (updated, seen) = furthest_part((self.updated, &self.seen), (other.updated, &other.seen));
        let (deleted, seen_deleted) =
            furthest_part((self.deleted, &self.seen_deleted), (other.deleted, &other.seen_deleted));
        Checkpoint { updated, deleted, seen, seen_deleted }
    }
}

type Part<'a> = (Option<chrono::DateTime<chrono::Utc>>, &'a Vec<Seen>);

fn furthest_part(ours: Part<'_>, theirs: Part<'_>) -> (Option<chrono::DateTime<chrono::Utc>>, Vec<Seen>) {
    match ours.0.cmp(&theirs.0) {
        std::cmp::Ordering::Greater => (ours.0, ours.1.clone()),
        std::cmp::Ordering::Less => (theirs.0, theirs.1.clone()),
        std::cmp::Ordering::Equal => {
            let mut seen = ours.1.clone();
            seen.extend(theirs.1.iter().filter(|version| !ours.1.contains(version)).cloned());
            (ours.0, seen)
        }
    }
}

/// The right to process one feed key until `expires` (renew before then).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    /// The feed key, e.g. `accounting-v31/<business>/list_contacts`.
    pub key: String,
    /// What proves this holder took it (compared on renew, store and release).
    pub token: String,
}

/// Persistent checkpoints, one per feed key. A store shared by several workers also hands out
/// [`Lease`]s so that each key is processed by one worker at a time.
#[async_trait]
pub trait CheckpointStore: Send + Sync + 'static {
    /// The stored checkpoint for `key`, `None` when there is none.
    async fn load(&self, key: &str) -> Result<Option<Checkpoint>, CheckpointError>;

    /// Stores `checkpoint` for `key`; durable when it returns. A stored checkpoint never goes
    /// backwards: the stores here keep [`Checkpoint::furthest`] of the stored one and this one.
    async fn save(&self, key: &str, checkpoint: &Checkpoint) -> Result<(), CheckpointError>;

    /// Claims `key` for `ttl`; `None` while another worker holds it. The default (one process)
    /// always grants it.
    async fn acquire(&self, key: &str, ttl: Duration) -> Result<Option<Lease>, CheckpointError> {
        let _ = ttl;
        Ok(Some(Lease { key: key.to_owned(), token: String::new() }))
    }

    /// Extends a lease; `false` when it was lost.
    async fn renew(&self, lease: &Lease, ttl: Duration) -> Result<bool, CheckpointError> {
        let _ = (lease, ttl);
        Ok(true)
    }

    /// Stores the checkpoint only while `lease` is still held ([`CheckpointError::LeaseLost`]
    /// otherwise), so a worker that stalled past its lease cannot move another's checkpoint.
    async fn save_leased(&self, lease: &Lease, checkpoint: &Checkpoint) -> Result<(), CheckpointError> {
        self.save(&lease.key, checkpoint).await
    }

    /// Gives the key back before the lease expires.
    async fn release(&self, lease: Lease) -> Result<(), CheckpointError> {
        let _ = lease;
        Ok(())
    }
}

/// Checkpoints in one JSON file (a map from key to checkpoint), readable only by its owner and
/// replaced atomically on every save, so a crash leaves the old or the new state, never a mix.
/// A save never moves a stored checkpoint backwards ([`Checkpoint::furthest`]).
/// For one process; workers on several machines share a Redis store instead.
#[derive(Debug, Clone)]
pub struct FileCheckpointStore {
    path: PathBuf,
    /// Serializes this process's read-modify-write of the file.
    guard: Arc<Mutex<()>>,
}

impl FileCheckpointStore {
    /// A store at `path`; the directory must exist, the file need not.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into(), guard: Arc::default() }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Path) -> Result<T, CheckpointError> + Send + 'static,
    ) -> Result<T, CheckpointError> {
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || work(&path))
            .await
            .map_err(|err| CheckpointError::Backend(format!("checkpoint task failed: {err}")))?
    }
}

type Checkpoints = BTreeMap<String, Checkpoint>;

fn read_all(path: &Path) -> Result<Checkpoints, CheckpointError> {
    match fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map_err(|err| CheckpointError::Corrupt { location: path.display().to_string(), reason: err.to_string() }),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(Checkpoints::new()),
        Err(source) => Err(CheckpointError::Io { path: path.to_owned(), source }),
    }
}

#[async_trait]
impl CheckpointStore for FileCheckpointStore {
    async fn load(&self, key: &str) -> Result<Option<Checkpoint>, CheckpointError> {
        let key = key.to_owned();
        self.blocking(move |path| Ok(read_all(path)?.remove(&key))).await
    }

    async fn save(&self, key: &str, checkpoint: &Checkpoint) -> Result<(), CheckpointError> {
        let _held = self.guard.lock().await;
        let (key, checkpoint) = (key.to_owned(), checkpoint.clone());
        self.blocking(move |path| {
            let mut all = read_all(path)?;
            let furthest = match all.get(&key) {
                Some(stored) if stored.furthest(&checkpoint) == *stored => return Ok(()),
                Some(stored) => stored.furthest(&checkpoint),
                None => checkpoint,
            };
            all.insert(key, furthest);
            let bytes = serde_json::to_vec_pretty(&all).map_err(|err| CheckpointError::Backend(err.to_string()))?;
            write_atomically(path, &bytes, sync_dir)
                .map_err(|source| CheckpointError::Io { path: path.to_owned(), source })
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn saves_are_private_atomic_and_keyed() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileCheckpointStore::new(dir.path().join("checkpoints.json"));
        assert_eq!(store.load("a").await.unwrap(), None);
        let first = Checkpoint::since("2026-01-01T00:00:00Z".parse().unwrap());
        store.save("a", &first).await.unwrap();
        store.save("b", &Checkpoint::default()).await.unwrap();
        assert_eq!(store.load("a").await.unwrap(), Some(first));
        assert_eq!(store.load("b").await.unwrap(), Some(Checkpoint::default()));
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|entry| entry.unwrap().file_name()).collect();
        assert_eq!(names, ["checkpoints.json"], "no temporary files left");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(store.path()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[tokio::test]
    async fn a_checkpoint_never_goes_backwards() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileCheckpointStore::new(dir.path().join("checkpoints.json"));
        let at = |text: &str| Some(text.parse().unwrap());
        let newer = Checkpoint { updated: at("2026-03-01T00:00:00Z"), ..Checkpoint::default() };
        store.save("a", &newer).await.unwrap();
        let stale = Checkpoint::since("2026-01-01T00:00:00Z".parse().unwrap());
        store.save("a", &stale).await.unwrap();
        let kept = store.load("a").await.unwrap().unwrap();
        assert_eq!(kept.updated, newer.updated, "the older updated-at is not written back");
        assert_eq!(kept.deleted, stale.deleted, "the deletion part moved forward");

        let seen = |id: &str| Seen { id: id.into(), at: "2026-03-01T00:00:00Z".parse().unwrap() };
        let one = Checkpoint { seen: vec![seen("x")], ..newer.clone() };
        let other = Checkpoint { seen: vec![seen("y"), seen("x")], ..newer.clone() };
        assert_eq!(one.furthest(&other).seen, [seen("x"), seen("y")], "equal times: both seen lists");
        assert_eq!(Checkpoint::default().furthest(&newer), newer);
    }

    #[tokio::test]
    async fn a_corrupt_file_is_an_error_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("checkpoints.json");
        fs::write(&path, b"{not json").unwrap();
        let store = FileCheckpointStore::new(&path);
        assert!(matches!(store.load("a").await, Err(CheckpointError::Corrupt { .. })));
        assert!(store.save("a", &Checkpoint::default()).await.is_err());
        assert_eq!(fs::read(&path).unwrap(), b"{not json");
    }
}
