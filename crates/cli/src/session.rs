//! Opening an authenticated client for a product: from the stored sign-in, or against an
//! embedded sandbox signed in automatically.

use std::sync::Arc;

use sage_core::auth::{
    AuthProfile, Authenticator, ClientSecret, FileTokenStore, MemoryTokenStore, OAuthClient, TokenSet, TokenStore,
};
use sage_core::{Client, HeaderPolicy, HeaderStyle};
use sage_sandbox::Sandbox;

use crate::cli::{Cli, ConnectionArgs};
use crate::config::{Connection, Paths};
use crate::error::CliError;
use crate::products::{self, Entry};

/// A ready client plus what produced it.
pub struct Session {
    /// The product.
    pub entry: Entry,
    /// The API client.
    pub client: Client,
    /// Hands out and refreshes tokens.
    pub authenticator: Arc<Authenticator>,
    /// Where the tokens live.
    pub store: Arc<dyn TokenStore>,
    /// Keeps an embedded sandbox running as long as the session.
    pub sandbox: Option<Sandbox>,
}

impl Session {
    /// The client for `product` as the command line asks: embedded sandbox or stored sign-in.
    pub async fn open(cli: &Cli, product: &str, args: &ConnectionArgs) -> Result<Self, CliError> {
        let entry = products::find(product).map_err(CliError::Usage)?;
        if cli.sandbox {
            let sandbox = start_sandbox().await?;
            let mut session = sandbox_session(&sandbox, entry, args).await?;
            session.sandbox = Some(sandbox);
            return Ok(session);
        }
        let paths = Paths::new(cli.home.as_deref(), &cli.profile, product).map_err(CliError::Usage)?;
        let connection = Connection::load(&paths.connection()).map_err(CliError::Auth)?.overridden_by(args);
        let oauth = oauth_client(entry, &connection, std::env::var("SAGE_CLIENT_SECRET").ok())?;
        let store: Arc<dyn TokenStore> = Arc::new(FileTokenStore::new(paths.tokens()));
        let tokens = store.load().await.map_err(|err| CliError::Auth(err.to_string()))?;
        let site_from_token = tokens.as_ref().and_then(TokenSet::resource_owner_id).map(str::to_owned);
        build(entry, oauth, store, &connection, site_from_token, None)
    }
}

/// An embedded sandbox with auto-approved consent, for `--sandbox` and `sage demo`.
pub async fn start_sandbox() -> Result<Sandbox, CliError> {
    Sandbox::builder().auto_approve(true).start().await.map_err(|err| CliError::Other(format!("sandbox: {err}")))
}

/// Signs in to `sandbox` for `entry` (auto-approved consent) and opens a client on it. For Sage 200
/// the sandbox's first company is chosen unless the arguments name one.
pub async fn sandbox_session(sandbox: &Sandbox, entry: Entry, args: &ConnectionArgs) -> Result<Session, CliError> {
    let signed_in = sandbox.sign_in(entry.product.name).await.map_err(|err| CliError::Auth(err.to_string()))?;
    let connection = Connection { base_url: Some(signed_in.api_base_url), ..Connection::default() }.overridden_by(args);
    let site_from_token = signed_in.tokens.resource_owner_id().map(str::to_owned);
    let store: Arc<dyn TokenStore> = Arc::new(MemoryTokenStore::with_tokens(signed_in.tokens));
    let sandbox_key = Some("sandbox-subscription-key".to_owned());
    let session = build(entry, signed_in.oauth, store, &connection, site_from_token, sandbox_key)?;
    if !matches!(session.client.header_policy(), HeaderPolicy::Sage200Directory { .. }) {
        return Ok(session);
    }
    let (company, site) = first_site(&session).await?;
    let client = session.client.with_headers(HeaderPolicy::sage200(company, site))?;
    Ok(Session { client, ..session })
}

/// The first company of the first site in `GET /sites` (sandbox sessions only: real users choose).
async fn first_site(session: &Session) -> Result<(String, String), CliError> {
    let request = sage_core::catalog::find(session.entry.operations, "list_sites")?.request([])?;
    let response = session.client.execute(&request).await?;
    let sites: serde_json::Value =
        serde_json::from_slice(&response.body).map_err(|err| CliError::Other(format!("GET /sites: {err}")))?;
    let first = &sites[0];
    match (first["company_id"].as_u64(), first["site_id"].as_str()) {
        (Some(company), Some(site)) => Ok((company.to_string(), site.to_owned())),
        _ => Err(CliError::Other("GET /sites listed no company".into())),
    }
}

/// The OAuth client for the saved (or sandbox) connection.
pub fn oauth_client(entry: Entry, connection: &Connection, secret: Option<String>) -> Result<OAuthClient, CliError> {
    let profile = AuthProfile::for_api(entry.product.api)
        .with_authorize_url(&connection.authorize_url)
        .with_token_url(&connection.token_url)
        .with_revoke_url(connection.revoke_url.as_deref());
    let oauth = OAuthClient::new(profile, &connection.client_id, &connection.redirect_uri)
        .map_err(|err| CliError::Usage(err.to_string()))?;
    Ok(match secret {
        Some(secret) => oauth.with_client_secret(ClientSecret::new(secret)),
        None => oauth,
    })
}

fn build(
    entry: Entry,
    oauth: OAuthClient,
    store: Arc<dyn TokenStore>,
    connection: &Connection,
    site_from_token: Option<String>,
    default_subscription_key: Option<String>,
) -> Result<Session, CliError> {
    let authenticator = Arc::new(Authenticator::new(oauth, Arc::clone(&store)));
    let headers = header_policy(entry, connection, site_from_token, default_subscription_key)?;
    let mut builder = Client::builder(entry.product).headers(headers).shared_auth(authenticator.clone());
    if let Some(url) = &connection.base_url {
        builder = builder.base_url(url);
    }
    if let Ok(country) = std::env::var("SAGE_COUNTRY") {
        builder = builder.base_url_variable("country", country);
    }
    let client = builder.build().map_err(|err| CliError::Usage(err.to_string()))?;
    Ok(Session { entry, client, authenticator, store, sandbox: None })
}

fn header_policy(
    entry: Entry,
    connection: &Connection,
    site_from_token: Option<String>,
    default_subscription_key: Option<String>,
) -> Result<HeaderPolicy, CliError> {
    let subscription_key = std::env::var("SAGE_SUBSCRIPTION_KEY").ok().or(default_subscription_key);
    match entry.product.headers {
        HeaderStyle::AccountingV31 => Ok(HeaderPolicy::AccountingV31 { business_id: connection.business.clone() }),
        HeaderStyle::AccountingV3 => {
            let site =
                connection.site.clone().or(site_from_token).ok_or_else(|| {
                    CliError::Usage("Accounting v3 needs X-Site: sign in again or pass --site".into())
                })?;
            let key = subscription_key.ok_or_else(|| {
                CliError::Usage("Accounting v3 needs SAGE_SUBSCRIPTION_KEY in the environment".into())
            })?;
            Ok(HeaderPolicy::accounting_v3(site, key))
        }
        // Without a chosen company only `list_sites` works; Sage names the missing header otherwise.
        HeaderStyle::Sage200 => Ok(match (connection.company.clone(), connection.site.clone()) {
            (Some(company), Some(site)) => HeaderPolicy::sage200(company, site),
            _ => HeaderPolicy::sage200_directory(),
        }),
    }
}
