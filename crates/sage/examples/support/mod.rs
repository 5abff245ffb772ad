//! What every example needs: where to sign in and call — real Sage when `SAGE_CLIENT_ID` is set,
//! otherwise a sandbox started inside the example — so the same code runs in both places.

use sage::auth::{AuthProfile, ClientSecret, OAuthClient};
use sage::core::Product;
use sage::sandbox::{DemoClient, Sandbox};

/// The boxed error the examples return from `main`.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// An environment variable, ignoring empty values.
pub fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}

/// The identity server, API and app registration an example talks to.
pub struct Target {
    profile: AuthProfile,
    client_id: String,
    client_secret: Option<ClientSecret>,
    base_url: Option<String>,
    /// The embedded sandbox, when not talking to Sage; kept alive as long as the target.
    sandbox: Option<Sandbox>,
}

impl Target {
    /// Real Sage when `SAGE_CLIENT_ID` is set (with the `SAGE_*` URL overrides), else a fresh sandbox
    /// whose `sandbox_app` (`Sandbox::demo_client` or `Sandbox::demo_public_client`) signs in.
    /// The sandbox approves consent at once when `auto_approve` is set; `redirect_uri` is
    /// registered with it for confidential apps, which are only redirected to exact URIs.
    pub async fn from_env(
        product: &Product,
        sandbox_app: fn(&Sandbox) -> DemoClient,
        auto_approve: bool,
        redirect_uri: Option<&str>,
    ) -> Result<Self, BoxError> {
        let api = product.api;
        if let Some(client_id) = env("SAGE_CLIENT_ID") {
            let mut profile = AuthProfile::for_api(api);
            if let Some(url) = env("SAGE_AUTHORIZE_URL") {
                profile = profile.with_authorize_url(url);
            }
            if let Some(url) = env("SAGE_TOKEN_URL") {
                profile = profile.with_token_url(url);
            }
            let client_secret = env("SAGE_CLIENT_SECRET").map(ClientSecret::new);
            return Ok(Self { profile, client_id, client_secret, base_url: env("SAGE_BASE_URL"), sandbox: None });
        }
        // The loopback helper picks a free port unless `SAGE_LOOPBACK_PORT` is set: the sandbox's RFC 8252
        // opt-in accepts it (real Sage needs the exact URL registered).
        let mut builder = Sandbox::builder().auto_approve(auto_approve).any_loopback_port(true);
        if let Some(uri) = redirect_uri {
            builder = builder.redirect_uri(uri);
        }
        let sandbox = builder.start().await?;
        let endpoints = sandbox.endpoints(product.name).ok_or("the sandbox does not serve this product")?;
        let app = sandbox_app(&sandbox);
        let profile = AuthProfile::for_api(api)
            .with_authorize_url(endpoints.authorize_url)
            .with_token_url(endpoints.token_url)
            .with_revoke_url(endpoints.revoke_url);
        Ok(Self {
            profile,
            client_id: app.client_id,
            client_secret: app.client_secret.map(ClientSecret::new),
            base_url: Some(endpoints.api_base_url),
            sandbox: Some(sandbox),
        })
    }

    /// Whether this is the embedded sandbox (consent can be followed without a person).
    pub fn is_sandbox(&self) -> bool {
        self.sandbox.is_some()
    }

    /// The OAuth client of this app, sending the user back to `redirect_uri`.
    pub fn oauth(&self, redirect_uri: &str) -> Result<OAuthClient, BoxError> {
        let oauth = OAuthClient::new(self.profile.clone(), &self.client_id, redirect_uri)?;
        Ok(match &self.client_secret {
            Some(secret) => oauth.with_client_secret(secret.clone()),
            None => oauth,
        })
    }

    /// A client builder for `product`, pointed at the sandbox or at `SAGE_BASE_URL` when set.
    pub fn client_builder(&self, product: Product) -> sage::ClientBuilder {
        let builder = sage::Client::builder(product);
        match &self.base_url {
            Some(url) => builder.base_url(url),
            None => builder,
        }
    }
}
