//! Which registry the commands work on — a SQLite file (the default) or a Redis — and the key that
//! seals its tokens.
//!
//! Sandbox connections live apart, under `<home>/sandbox/`: their tokens mean nothing to real Sage,
//! and checking one against real Sage would mark it as needing a new consent.

use std::path::{Path, PathBuf};

use rand::Rng as _;
use sage_connections::{Connections, ConnectionsBuilder, RedisRegistry, SqliteRegistry, TokenCipher};
use sage_core::auth::SealingKey;

use super::key::{self, KeySource, KEY_VAR};
use crate::cli::ConnectionsArgs;
use crate::error::CliError;

/// Where the connections are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A SQLite file.
    Sqlite(PathBuf),
    /// A Redis URL (never printed: it may hold a password) and the prefix of the app's keys.
    Redis { url: String, prefix: String },
}

/// What a command does with tokens: only reading connections needs no key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyUse {
    /// `list`, `show`: connections only, never a token.
    ReadOnly,
    /// `connect`, `check`, `disconnect`: tokens are opened or sealed.
    Tokens,
}

/// The files of the CLI's own registry: `<home>/` for real Sage, `<home>/sandbox/` for the sandbox.
#[derive(Debug, Clone)]
pub struct Home {
    dir: PathBuf,
}

impl Home {
    /// `home` (or `<config dir>/sage-rs`), or its `sandbox` directory.
    pub fn new(home: Option<&Path>, sandbox: bool) -> Result<Self, CliError> {
        let base = crate::config::home_dir(home).map_err(CliError::Usage)?;
        Ok(Self { dir: if sandbox { base.join("sandbox") } else { base } })
    }

    /// The default registry file.
    pub fn database(&self) -> PathBuf {
        self.dir.join("connections.db")
    }

    /// The key file used when `SAGE_CONNECTIONS_KEY` is not set.
    pub fn key_file(&self) -> PathBuf {
        self.dir.join("connections.key")
    }

    /// The embedded sandbox's records and issued tokens, kept across commands.
    pub fn sandbox_data(&self) -> PathBuf {
        self.dir.join("sandbox-data.db")
    }

    /// Creates the directory, mode 0700 (it holds tokens and maybe a key).
    pub fn create(&self) -> Result<(), CliError> {
        crate::config::create_private_dir(&self.dir).map_err(CliError::Usage)
    }
}

impl Location {
    /// `--registry` / `SAGE_CONNECTIONS_REGISTRY`, else the home's file.
    pub fn new(args: &ConnectionsArgs, home: &Home) -> Result<Self, CliError> {
        let Some(given) = args.registry.as_deref().filter(|given| !given.is_empty()) else {
            return Ok(Self::Sqlite(home.database()));
        };
        if given.starts_with("redis://") || given.starts_with("rediss://") {
            return Ok(Self::Redis { url: given.to_owned(), prefix: args.redis_prefix.clone() });
        }
        if let Some((scheme, _)) = given.split_once("://") {
            return Err(CliError::Usage(format!(
                "--registry: `{scheme}://` is not a registry; give a SQLite file path or a redis:// or rediss:// URL"
            )));
        }
        Ok(Self::Sqlite(PathBuf::from(given)))
    }

    /// How to name it in messages: the file, or Redis with its prefix (never the URL).
    pub fn describe(&self) -> String {
        match self {
            Self::Sqlite(path) => path.display().to_string(),
            Self::Redis { prefix, .. } => format!("Redis (prefix `{prefix}`)"),
        }
    }

    /// Whether there can be connections to read: a SQLite file that does not exist holds none, and
    /// reading commands do not create it.
    pub fn may_hold_connections(&self) -> bool {
        match self {
            Self::Sqlite(path) => path.exists(),
            Self::Redis { .. } => true,
        }
    }

    /// The registry's builder with the key `use_` needs.
    pub async fn open(&self, home: &Home, use_: KeyUse) -> Result<ConnectionsBuilder, CliError> {
        let cipher = match use_ {
            // Nothing is sealed or opened: a throwaway key, so reading needs no key and creates none.
            KeyUse::ReadOnly => TokenCipher::new(
                SealingKey::new("read-only", rand::thread_rng().gen())
                    .map_err(|err| CliError::Other(err.to_string()))?,
            ),
            KeyUse::Tokens => self.cipher(home)?,
        };
        Ok(match self {
            Self::Sqlite(path) => {
                let registry = SqliteRegistry::open(path, cipher.clone()).await.map_err(registry_error)?;
                Connections::builder(registry, cipher)
            }
            Self::Redis { url, prefix } => {
                let registry = RedisRegistry::new(url, prefix.clone(), cipher.clone()).map_err(registry_error)?;
                Connections::builder(registry, cipher)
            }
        })
    }

    /// The app's key from the environment; for a SQLite registry, else the home's key file, which is
    /// only created along with a new registry (one that exists was sealed with some app's key).
    fn cipher(&self, home: &Home) -> Result<TokenCipher, CliError> {
        let key_file = home.key_file();
        let env_set = std::env::var_os(KEY_VAR).is_some();
        match self {
            Self::Redis { .. } if !env_set => {
                return Err(CliError::Usage(format!(
                    "a Redis registry is sealed with your app's key: set {KEY_VAR} to it (KEY_ID:BASE64)"
                )))
            }
            Self::Sqlite(path) if !env_set && !key_file.exists() && path.exists() => {
                return Err(CliError::Usage(format!(
                    "{} exists but {} does not: set {KEY_VAR} to the key its tokens were sealed with (KEY_ID:BASE64)",
                    path.display(),
                    key_file.display()
                )))
            }
            _ => {}
        }
        home.create()?;
        let (cipher, source) = key::cipher(&key_file).map_err(CliError::Usage)?;
        if source == (KeySource::File { created: true }) {
            eprintln!(
                "Created the key that seals this registry's tokens: {}. Keep it: without it the tokens cannot be \
                 read. An app sharing the registry needs it too ({KEY_VAR}); a secret manager protects it better \
                 than a file beside the database.",
                key_file.display()
            );
        }
        Ok(cipher)
    }
}

fn registry_error(err: sage_connections::RegistryError) -> CliError {
    CliError::from(sage_connections::Error::Registry(err))
}
