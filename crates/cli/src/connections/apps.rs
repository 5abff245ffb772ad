//! The app's OAuth registration for each product, as `connect`, `check` and `disconnect` need it:
//! the embedded sandbox's demo app, or the operator's app on real Sage (the same flags and
//! environment `sage login` reads).

use sage_connections::ProductConfig;
use sage_core::auth::AuthProfile;
use sage_sandbox::{Sandbox, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};

use super::registry::Home;
use crate::cli::AppArgs;
use crate::error::CliError;
use crate::products;

/// The subscription key the sandbox expects (it is no secret).
const SANDBOX_SUBSCRIPTION_KEY: &str = "sandbox-subscription-key";

/// Where tokens come from and calls go.
pub enum Sage {
    /// An embedded sandbox for this command, over records and tokens kept in the home, so what
    /// one command connected another can check.
    Sandbox(Sandbox),
    /// Sage itself, with the app's registration.
    Real,
}

impl Sage {
    /// The sandbox (`--sandbox`) over `home`'s data file, accepting `redirect_uri` when given; or Sage.
    pub async fn start(sandbox: bool, home: &Home, redirect_uri: Option<&str>) -> Result<Self, CliError> {
        if !sandbox {
            return Ok(Self::Real);
        }
        home.create()?;
        let mut builder = Sandbox::builder().auto_approve(true).data_file(home.sandbox_data());
        if let Some(uri) = redirect_uri {
            builder = builder.redirect_uri(uri);
        }
        let sandbox = builder.start().await.map_err(|err| CliError::Other(format!("sandbox: {err}")))?;
        Ok(Self::Sandbox(sandbox))
    }

    /// Every product's settings. For real Sage the client id is required, since without it no token
    /// can be exchanged, refreshed or revoked.
    pub fn configs(&self, app: &AppArgs, secret: Option<String>) -> Result<Vec<ProductConfig>, CliError> {
        let entries = products::all();
        match self {
            Self::Sandbox(sandbox) => entries
                .iter()
                .map(|entry| {
                    let name = entry.product.name;
                    let missing = || CliError::Other(format!("the sandbox does not serve {name}"));
                    let endpoints = sandbox.endpoints(name).ok_or_else(missing)?;
                    let oauth = sandbox.oauth_client(name).map_err(|_| missing())?;
                    Ok(ProductConfig::new(entry.product, DEMO_CLIENT_ID)
                        .client_secret(DEMO_CLIENT_SECRET)
                        .profile(oauth.profile().clone())
                        .api_base_url(endpoints.api_base_url)
                        .subscription_key(SANDBOX_SUBSCRIPTION_KEY))
                })
                .collect(),
            Self::Real => {
                let client_id = app.client_id.as_deref().ok_or_else(|| {
                    CliError::Usage(
                        "no OAuth client id: set SAGE_CLIENT_ID (or pass --client-id) to your app's, the one the \
                         connections were made with"
                            .into(),
                    )
                })?;
                let subscription_key = std::env::var("SAGE_SUBSCRIPTION_KEY").ok();
                Ok(entries
                    .iter()
                    .map(|entry| {
                        let mut config = ProductConfig::new(entry.product, client_id);
                        if let Some(profile) = overridden_profile(entry.product, app) {
                            config = config.profile(profile);
                        }
                        if let Some(secret) = &secret {
                            config = config.client_secret(secret.clone());
                        }
                        if let Some(url) = &app.base_url {
                            config = config.api_base_url(url.clone());
                        }
                        if let Some(key) = &subscription_key {
                            config = config.subscription_key(key.clone());
                        }
                        config
                    })
                    .collect())
            }
        }
    }
}

/// Sage's identity server for `product` with the URLs the command line overrides; `None` when it
/// overrides none, which keeps Accounting v3's regional token servers.
fn overridden_profile(product: sage_core::Product, app: &AppArgs) -> Option<AuthProfile> {
    if app.authorize_url.is_none() && app.token_url.is_none() && app.revoke_url.is_none() {
        return None;
    }
    let mut profile = AuthProfile::for_product(&product);
    if let Some(url) = &app.authorize_url {
        profile = profile.with_authorize_url(url.clone());
    }
    if let Some(url) = &app.token_url {
        profile = profile.with_token_url(url.clone());
    }
    if app.revoke_url.is_some() {
        profile = profile.with_revoke_url(app.revoke_url.clone());
    }
    Some(profile)
}
