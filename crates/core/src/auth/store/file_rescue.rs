//! Where a [`FileTokenStore`](super::FileTokenStore) keeps a token set it could not write to its
//! file, so that a rotated refresh token outlives the process instead of being lost with it.
//!
//! The first choice is `<file>.rescue` beside the token file: same directory, same trust. When
//! that directory refuses new files too, the set goes to the temp directory, under a name derived
//! from the token file's absolute path so the next process finds it. That directory is shared with
//! other users, hence (unix):
//! - the set is written to a fresh 0600 file (`create_new`, which never follows a planted symlink)
//!   renamed into place. The sticky bit of `/tmp` forbids renaming over another user's file, so a
//!   name taken by someone else means no rescue there (the save fails as it did before), never a
//!   write into their file;
//! - a rescue file is read back only if it is a regular file (not a link) owned by this user and
//!   closed to others, so a planted file can never steer the store to someone else's sign-in.

use std::fs::{self, File};
use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// The rescue locations of the token file at `path`, in the order they are tried.
pub(super) fn rescue_paths(path: &Path) -> [PathBuf; 2] {
    let beside = super::file::sibling(path, |name| format!("{name}.rescue"));
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    let digest = Sha256::digest(absolute.as_os_str().as_encoded_bytes());
    let hash: String = digest[..16].iter().map(|byte| format!("{byte:02x}")).collect();
    [beside, std::env::temp_dir().join(format!("sage-rs-tokens-{hash}.rescue"))]
}

/// The bytes of the rescue file at `path` if there is one this user can trust.
pub(super) fn read_trusted(path: &Path) -> Option<Vec<u8>> {
    let listed = fs::symlink_metadata(path).ok()?;
    let file = File::open(path).ok()?;
    let opened = file.metadata().ok()?;
    if !(listed.is_file() && trusted(&listed, &opened)) {
        tracing::warn!(rescue = %path.display(), "ignoring a token rescue file not owned by this user alone");
        return None;
    }
    // Bounded as the token file is: a rescue file holds one token set.
    let mut bytes = Vec::new();
    file.take(super::file::FILE_LIMIT + 1).read_to_end(&mut bytes).ok()?;
    if bytes.len() as u64 > super::file::FILE_LIMIT {
        tracing::warn!(rescue = %path.display(), "ignoring a token rescue file larger than a token set can be");
        return None;
    }
    Some(bytes)
}

/// Owned by this user, closed to others, and the very file that was checked (not swapped since).
#[cfg(unix)]
fn trusted(listed: &fs::Metadata, opened: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    listed.dev() == opened.dev()
        && listed.ino() == opened.ino()
        && listed.uid() == effective_uid()
        && listed.mode() & 0o077 == 0
}

/// This process's effective user id: the owner of the files it creates.
#[cfg(unix)]
fn effective_uid() -> u32 {
    // SAFETY: `geteuid` takes no arguments, touches no memory and always succeeds (POSIX).
    unsafe { libc::geteuid() }
}

/// Elsewhere the temp directory is private to the user (Windows: under the user's profile).
#[cfg(not(unix))]
fn trusted(_listed: &fs::Metadata, _opened: &fs::Metadata) -> bool {
    true
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn a_private_file_of_this_user_is_trusted_and_one_given_to_another_user_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("set.rescue");
        fs::write(&path, b"{}").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(read_trusted(&path).as_deref(), Some(&b"{}"[..]));
        // Only root can give a file away (CI runs as root); elsewhere the line above is the check.
        if effective_uid() == 0 {
            std::os::unix::fs::chown(&path, Some(65534), None).unwrap();
            assert_eq!(read_trusted(&path), None);
        }
    }

    #[test]
    fn a_rescue_file_larger_than_a_token_set_is_ignored_unread() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("set.rescue");
        fs::write(&path, vec![b' '; 10 * 1024 * 1024]).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(read_trusted(&path), None);
        assert_eq!(fs::metadata(&path).unwrap().len(), 10 * 1024 * 1024, "left as it was");
    }
}
