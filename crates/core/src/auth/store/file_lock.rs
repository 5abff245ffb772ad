//! The inter-process refresh lock of a [`FileTokenStore`](super::FileTokenStore): an advisory
//! lock (`flock` on unix) on a sibling `.lock` file, released when the holder exits or crashes.

use std::fs::{File, OpenOptions, TryLockError};
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::time::Instant;

use crate::auth::error::StoreError;

const FIRST_POLL: Duration = Duration::from_millis(5);
const LONGEST_POLL: Duration = Duration::from_millis(100);

/// An exclusive lock on the lock file; dropping it releases the lock.
#[derive(Debug)]
pub(super) struct FileLock {
    file: File,
}

impl FileLock {
    /// Waits up to `max_wait` for the lock at `path`, polling so a stuck holder cannot hang us.
    pub(super) async fn acquire(path: PathBuf, max_wait: Duration) -> Result<Self, StoreError> {
        let opened = path.clone();
        let file = tokio::task::spawn_blocking(move || open(&opened))
            .await
            .map_err(|err| StoreError::Backend(format!("token store task failed: {err}")))?
            .map_err(|source| StoreError::Io { path: path.clone(), source })?;
        let started = Instant::now();
        let mut pause = FIRST_POLL;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(Self { file }),
                Err(TryLockError::WouldBlock) => {}
                Err(TryLockError::Error(source)) => return Err(StoreError::Io { path, source }),
            }
            if started.elapsed() >= max_wait {
                let location = path.display().to_string();
                return Err(StoreError::LockTimeout { location, waited: started.elapsed() });
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(LONGEST_POLL);
        }
    }
}

impl FileLock {
    /// The lock if nobody holds it now (this process included: a held refresh lease counts);
    /// `None` if it is held or cannot be opened.
    pub(super) fn try_acquire(path: &Path) -> Option<Self> {
        let file = open(path).ok()?;
        file.try_lock().ok()?;
        Some(Self { file })
    }
}

impl Drop for FileLock {
    fn drop(&mut self) {
        // Closing the file releases the lock too; unlocking first makes it explicit.
        let _ = self.file.unlock();
    }
}

fn open(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}
