//! The key that seals the registry's tokens at rest.
//!
//! `SAGE_CONNECTIONS_KEY` is `KEY_ID:BASE64` (32 random bytes, e.g. `2026-12:$(openssl rand -base64 32)`),
//! the same key the app gives its `TokenCipher`; a bare `BASE64` gets the id `default`.
//! `SAGE_CONNECTIONS_KEY_OLD` (same format) still opens what a rotated-out key sealed. Without the
//! variable, a key file beside the registry is used, and created on first use: handy for trying things
//! out, but a key stored next to the database protects less than one kept in a secret manager.

use std::io::Write as _;
use std::path::Path;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use rand::RngCore as _;
use sage_core::auth::cipher::KEY_LEN;
use sage_core::auth::{SealingKey, TokenCipher};

/// The environment variable holding the current key.
pub const KEY_VAR: &str = "SAGE_CONNECTIONS_KEY";
/// The environment variable holding a retired key that still opens old data.
pub const OLD_KEY_VAR: &str = "SAGE_CONNECTIONS_KEY_OLD";
/// The key id written into a key file the CLI creates.
const FILE_KEY_ID: &str = "cli-key-file";
/// The key id of a bare base64 key.
const DEFAULT_KEY_ID: &str = "default";

/// Where the key came from, so commands can say so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// `SAGE_CONNECTIONS_KEY`.
    Environment,
    /// A key file (created by this command when `created`).
    File { created: bool },
}

/// The cipher from the environment, else from `key_file` (created, mode 0600, when missing).
pub fn cipher(key_file: &Path) -> Result<(TokenCipher, KeySource), String> {
    let (current, source) = match std::env::var(KEY_VAR) {
        Ok(text) => (parse(&text).map_err(|err| format!("{KEY_VAR}: {err}"))?, KeySource::Environment),
        Err(std::env::VarError::NotUnicode(_)) => return Err(format!("{KEY_VAR} is not valid text")),
        Err(std::env::VarError::NotPresent) => {
            let created = create_if_missing(key_file)?;
            let text = std::fs::read_to_string(key_file)
                .map_err(|err| format!("cannot read the key file {}: {err}", key_file.display()))?;
            let key = parse(&text).map_err(|err| format!("key file {}: {err}", key_file.display()))?;
            (key, KeySource::File { created })
        }
    };
    let mut cipher = TokenCipher::new(current);
    if let Ok(text) = std::env::var(OLD_KEY_VAR) {
        let old = parse(&text).map_err(|err| format!("{OLD_KEY_VAR}: {err}"))?;
        cipher = cipher.with_old_key(old).map_err(|err| format!("{OLD_KEY_VAR}: {err}"))?;
    }
    Ok((cipher, source))
}

/// `KEY_ID:BASE64` or a bare `BASE64`. Base64 has no `:`, so the last one ends the id.
fn parse(text: &str) -> Result<SealingKey, String> {
    let text = text.trim();
    let (id, encoded) = text.rsplit_once(':').unwrap_or((DEFAULT_KEY_ID, text));
    SealingKey::from_base64(id, encoded).map_err(|err| format!("{err} (expected KEY_ID:BASE64 of {KEY_LEN} bytes)"))
}

/// Writes a fresh random key to `path` unless a file is there; `true` when this call wrote it.
///
/// The key is written and synced under a temporary name, then hard-linked into place, which fails
/// if another process got there first: nobody ever reads a half-written key, and two first uses at
/// once end up with the same one.
fn create_if_missing(path: &Path) -> Result<bool, String> {
    if path.exists() {
        return Ok(false);
    }
    let failed = |err: std::io::Error| format!("cannot create the key file {}: {err}", path.display());
    let mut bytes = [0_u8; KEY_LEN];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let line = format!("{FILE_KEY_ID}:{}\n", STANDARD.encode(bytes));
    bytes.fill(0);
    let temporary = path.with_extension(format!("key.{}.tmp", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options.open(&temporary).and_then(|mut file| {
        file.write_all(line.as_bytes())?;
        file.sync_all()
    });
    let linked = written.and_then(|()| std::fs::hard_link(&temporary, path));
    let _ = std::fs::remove_file(&temporary);
    match linked {
        Ok(()) => Ok(true),
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(err) => Err(failed(err)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_read_with_or_without_an_id() {
        let encoded = STANDARD.encode([7_u8; KEY_LEN]);
        assert_eq!(parse(&format!("2026-12:{encoded}\n")).unwrap().id(), "2026-12");
        assert_eq!(parse(&encoded).unwrap().id(), "default");
        let short = parse(&format!("k:{}", STANDARD.encode([1_u8; 16]))).unwrap_err();
        assert!(short.contains("KEY_ID:BASE64"), "{short}");
        assert!(parse("k:not base64!").is_err());
    }

    #[cfg(unix)]
    #[test]
    fn a_key_file_is_created_once_private_and_then_reused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("connections.key");
        assert!(create_if_missing(&path).unwrap());
        let first = std::fs::read_to_string(&path).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert!(!create_if_missing(&path).unwrap());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), first, "an existing key is never replaced");
        assert_eq!(parse(&first).unwrap().id(), FILE_KEY_ID);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file is left behind");
    }
}
