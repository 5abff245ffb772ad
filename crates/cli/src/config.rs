//! What `sage login` remembers besides the tokens: where to connect and whom to address.
//! Secrets (client secret, subscription key) are never written here; they come from the
//! environment at each use.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::cli::ConnectionArgs;

/// The files of one profile and product.
#[derive(Debug, Clone)]
pub struct Paths {
    dir: PathBuf,
    stem: String,
}

impl Paths {
    /// `home` (or `<config dir>/sage-rs`), profile and product.
    pub fn new(home: Option<&Path>, profile: &str, product: &str) -> Result<Self, String> {
        let dir = match home {
            Some(home) => home.to_owned(),
            None => {
                dirs::config_dir().ok_or("no configuration directory: pass --home or set SAGE_HOME")?.join("sage-rs")
            }
        };
        Ok(Self { dir, stem: format!("{profile}.{product}") })
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
    /// API base URL override.
    pub base_url: Option<String>,
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

    #[test]
    fn a_missing_login_says_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let err = Connection::load(&dir.path().join("nope.json")).unwrap_err();
        assert!(err.contains("sage login"), "{err}");
    }
}
