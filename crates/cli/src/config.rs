//! What `sage login` remembers besides the tokens: where to connect and whom to address.
//! Secrets (client secret, subscription key) are never written here; they come from the
//! environment at each use.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::cli::ConnectionArgs;

/// `home` (`--home`, `SAGE_HOME`), else `<config dir>/sage-rs`.
pub fn home_dir(home: Option<&Path>) -> Result<PathBuf, String> {
    match home {
        Some(home) => Ok(home.to_owned()),
        None => {
            Ok(dirs::config_dir().ok_or("no configuration directory: pass --home or set SAGE_HOME")?.join("sage-rs"))
        }
    }
}

/// Creates `dir` and its parents, mode 0700 on Unix: what the CLI keeps there (tokens, keys) is
/// for this user only.
pub fn create_private_dir(dir: &Path) -> Result<(), String> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|err| format!("cannot create {}: {err}", dir.display()))
}

/// The files of one profile and product.
#[derive(Debug, Clone)]
pub struct Paths {
    dir: PathBuf,
    stem: String,
}

impl Paths {
    /// `home` (or `<config dir>/sage-rs`), profile and product.
    pub fn new(home: Option<&Path>, profile: &str, product: &str) -> Result<Self, String> {
        Ok(Self { dir: home_dir(home)?, stem: format!("{profile}.{product}") })
    }

    /// Creates the directory (mode 0700: it holds tokens) and proves it is writable, so a sign-in never
    /// exchanges its single-use code only to fail when saving the tokens.
    pub fn prepare(&self) -> Result<(), String> {
        create_private_dir(&self.dir)?;
        let probe = self.dir.join(format!(".{}.write-check", self.stem));
        std::fs::write(&probe, b"")
            .and_then(|()| std::fs::remove_file(&probe))
            .map_err(|err| format!("cannot write tokens to {}: {err}", self.dir.display()))
    }

    /// The token file (written by the file token store, mode 0600).
    pub fn tokens(&self) -> PathBuf {
        self.dir.join(format!("{}.tokens.json", self.stem))
    }

    /// The connection settings file.
    pub fn connection(&self) -> PathBuf {
        self.dir.join(format!("{}.connection.json", self.stem))
    }
}

/// Non-secret settings saved at login and reused by later commands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Connection {
    /// OAuth client id.
    pub client_id: String,
    /// The redirect URI used at login (needed again for some token servers).
    pub redirect_uri: String,
    /// Authorize URL actually used.
    pub authorize_url: String,
    /// Token URL actually used.
    pub token_url: String,
    /// Revoke URL, if the product has one.
    pub revoke_url: Option<String>,
    /// API base URL, when not the product's default (v3: the region's, from the sign-in).
    pub base_url: Option<String>,
    /// Accounting v3: the country the sign-in named, e.g. `us`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Sage 200 `X-Company`.
    pub company: Option<String>,
    /// `X-Site` (Sage 200; v3 override).
    pub site: Option<String>,
    /// v3.1 `X-Business`.
    pub business: Option<String>,
}

impl Connection {
    /// Reads the settings saved by `sage login`.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read(path).map_err(|err| match err.kind() {
            std::io::ErrorKind::NotFound => {
                format!("not signed in: run `sage login` first ({} is missing)", path.display())
            }
            _ => format!("cannot read {}: {err}", path.display()),
        })?;
        serde_json::from_slice(&text).map_err(|err| format!("{} is not valid: {err}", path.display()))
    }

    /// Writes the settings, creating the directory.
    pub fn save(&self, path: &Path) -> Result<(), String> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|err| format!("cannot create {}: {err}", dir.display()))?;
        }
        let text = serde_json::to_vec_pretty(self).map_err(|err| err.to_string())?;
        std::fs::write(path, text).map_err(|err| format!("cannot write {}: {err}", path.display()))
    }

    /// Command-line values win over saved ones.
    pub fn overridden_by(mut self, args: &ConnectionArgs) -> Self {
        let pick = |arg: &Option<String>, saved: &mut Option<String>| {
            if arg.is_some() {
                saved.clone_from(arg);
            }
        };
        pick(&args.base_url, &mut self.base_url);
        pick(&args.company, &mut self.company);
        pick(&args.site, &mut self.site);
        pick(&args.business, &mut self.business);
        pick(&args.revoke_url, &mut self.revoke_url);
        if let Some(url) = &args.authorize_url {
            self.authorize_url.clone_from(url);
        }
        if let Some(url) = &args.token_url {
            self.token_url.clone_from(url);
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_and_arguments_win() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::new(Some(dir.path()), "work", "accounting-v31").unwrap();
        let saved = Connection { client_id: "app".into(), business: Some("b1".into()), ..Connection::default() };
        saved.save(&paths.connection()).unwrap();
        let loaded = Connection::load(&paths.connection()).unwrap();
        assert_eq!(loaded, saved);
        let args = ConnectionArgs { business: Some("b2".into()), ..ConnectionArgs::default() };
        assert_eq!(loaded.overridden_by(&args).business.as_deref(), Some("b2"));
    }

    #[cfg(unix)]
    #[test]
    fn prepare_creates_a_private_directory_and_refuses_a_read_only_one() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("fresh/sage-rs");
        let paths = Paths::new(Some(&home), "default", "accounting-v31").unwrap();
        paths.prepare().unwrap();
        assert_eq!(std::fs::metadata(&home).unwrap().permissions().mode() & 0o777, 0o700);
        assert_eq!(std::fs::read_dir(&home).unwrap().count(), 0, "the write check leaves nothing behind");
        std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o500)).unwrap();
        let writable = std::fs::write(home.join("x"), b"").is_ok(); // root writes anyway
        if !writable {
            assert!(paths.prepare().unwrap_err().contains("cannot write tokens"));
        }
    }

    #[test]
    fn a_missing_login_says_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let err = Connection::load(&dir.path().join("nope.json")).unwrap_err();
        assert!(err.contains("sage login"), "{err}");
    }
}
