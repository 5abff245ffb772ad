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
        if let Some(session) = crate::record::replay_session(entry, args)? {
            return Ok(session);
        }
        if cli.sandbox {
            let sandbox = start_sandbox().await?;
            if let Some((field, value)) = &cli.sandbox_break {
                let (model, field) = field.split_once('.').ok_or_else(|| {
                    CliError::Usage(format!("--sandbox-break {field}=…: name the field as Model.field"))
                })?;
                let value = serde_json::from_str(value).unwrap_or_else(|_| serde_json::Value::from(value.as_str()));
                sandbox.break_field(model, field, value);
            }
            let mut session = sandbox_session(&sandbox, entry, args).await?;
            session.sandbox = Some(sandbox);
            return Ok(session);
        }
        let stored = Stored::open(cli, entry, args).await?;
        let tokens = stored.store.load().await.map_err(CliError::from)?;
        let site_from_token = tokens.as_ref().and_then(TokenSet::resource_owner_id).map(str::to_owned);
        let session = build(entry, stored.authenticator, stored.store, &stored.connection, site_from_token, None)?;
        choose_company(session, &stored.connection, false).await
    }
}

/// A stored sign-in without an API client: all the `token` commands need.
pub struct Stored {
    /// The saved settings, overridden by the command line.
    pub connection: Connection,
    /// Hands out and refreshes tokens.
    pub authenticator: Arc<Authenticator>,
    /// Where the tokens live.
    pub store: Arc<dyn TokenStore>,
}

impl Stored {
    /// The sign-in that `sage login` stored for `entry` under the profile.
    pub async fn open(cli: &Cli, entry: Entry, args: &ConnectionArgs) -> Result<Self, CliError> {
        let paths = Paths::new(cli.home.as_deref(), &cli.profile, entry.product.name).map_err(CliError::Usage)?;
        let connection = Connection::load(&paths.connection()).map_err(CliError::Auth)?.overridden_by(args);
        let oauth = oauth_client(entry, &connection, std::env::var("SAGE_CLIENT_SECRET").ok())?;
        let store: Arc<dyn TokenStore> = Arc::new(FileTokenStore::new(paths.tokens()));
        let authenticator = Arc::new(Authenticator::new(oauth, Arc::clone(&store)));
        Ok(Self { connection, authenticator, store })
    }
}

/// An embedded sandbox with auto-approved consent, for `--sandbox` and `sage demo`.
pub async fn start_sandbox() -> Result<Sandbox, CliError> {
    started(Sandbox::builder().auto_approve(true)).await
}

/// An embedded sandbox that also accepts `redirect_uri` (`sage --sandbox login` on any callback port).
pub async fn start_sandbox_for(redirect_uri: &str) -> Result<Sandbox, CliError> {
    started(Sandbox::builder().auto_approve(true).redirect_uri(redirect_uri)).await
}

async fn started(builder: sage_sandbox::SandboxBuilder) -> Result<Sandbox, CliError> {
    builder.start().await.map_err(|err| CliError::Other(format!("sandbox: {err}")))
}

/// Signs in to `sandbox` for `entry` (auto-approved consent) and opens a client on it. For Sage 200
/// the sandbox's first company is chosen unless the arguments name one.
pub async fn sandbox_session(sandbox: &Sandbox, entry: Entry, args: &ConnectionArgs) -> Result<Session, CliError> {
    let signed_in = sandbox.sign_in(entry.product.name).await.map_err(|err| CliError::Auth(err.to_string()))?;
    let connection = Connection { base_url: Some(signed_in.api_base_url), ..Connection::default() }.overridden_by(args);
    let site_from_token = signed_in.tokens.resource_owner_id().map(str::to_owned);
    let store: Arc<dyn TokenStore> = Arc::new(MemoryTokenStore::with_tokens(signed_in.tokens));
    let authenticator = Arc::new(Authenticator::new(signed_in.oauth, Arc::clone(&store)));
    let sandbox_key = Some("sandbox-subscription-key".to_owned());
    let session = build(entry, authenticator, store, &connection, site_from_token, sandbox_key)?;
    choose_company(session, &connection, true).await
}

/// Sage 200: the `X-Company`/`X-Site` pair. A company alone is completed with its site from
/// `GET /sites` (an error if it has none or several); with neither, sandbox sessions take the
/// first company and real ones stay on the site directory, where Sage names the missing header.
async fn choose_company(session: Session, connection: &Connection, first_if_none: bool) -> Result<Session, CliError> {
    if !matches!(session.client.header_policy(), HeaderPolicy::Sage200Directory { .. }) {
        return Ok(session);
    }
    let (company, site) = match (&connection.company, &connection.site) {
        (Some(company), _) => (company.clone(), site_of(&session, company).await?),
        (None, Some(_)) => {
            return Err(CliError::Usage("--site needs --company (see `sage call <product> list_sites`)".into()))
        }
        (None, None) if first_if_none => first_company(&session).await?,
        (None, None) => return Ok(session),
    };
    let client = session.client.with_headers(HeaderPolicy::sage200(company, site))?;
    Ok(Session { client, ..session })
}

/// `GET /sites`: one row per company, with its site.
async fn sites(session: &Session) -> Result<Vec<(String, String)>, CliError> {
    let request = sage_core::catalog::find(session.entry.operations, "list_sites")?.request([])?;
    let response = session.client.execute(&request).await?;
    let sites: serde_json::Value =
        serde_json::from_slice(&response.body).map_err(|err| CliError::Other(format!("GET /sites: {err}")))?;
    let rows = sites.as_array().map(Vec::as_slice).unwrap_or_default();
    Ok(rows
        .iter()
        .filter_map(|row| {
            let company = match &row["company_id"] {
                serde_json::Value::String(text) => text.clone(),
                other => other.as_u64()?.to_string(),
            };
            Some((company, row["site_id"].as_str()?.to_owned()))
        })
        .collect())
}

/// The site of `company`, when `GET /sites` names exactly one.
async fn site_of(session: &Session, company: &str) -> Result<String, CliError> {
    let rows = sites(session).await?;
    let mut found: Vec<&str> = rows.iter().filter(|(id, _)| id == company).map(|(_, site)| site.as_str()).collect();
    found.dedup();
    match found.as_slice() {
        [site] => Ok((*site).to_owned()),
        [] => {
            let known: Vec<&str> = rows.iter().map(|(id, _)| id.as_str()).collect();
            Err(CliError::Usage(format!("no company `{company}` in GET /sites; known: {}", known.join(", "))))
        }
        several => Err(CliError::Usage(format!(
            "company `{company}` is on several sites ({}): pass --site too",
            several.join(", ")
        ))),
    }
}

/// The first company of the first site in `GET /sites` (sandbox sessions only: real users choose).
async fn first_company(session: &Session) -> Result<(String, String), CliError> {
    sites(session).await?.into_iter().next().ok_or_else(|| CliError::Other("GET /sites listed no company".into()))
}

/// The OAuth client for the saved (or sandbox) connection.
pub fn oauth_client(entry: Entry, connection: &Connection, secret: Option<String>) -> Result<OAuthClient, CliError> {
    let profile = AuthProfile::for_api(entry.product.api)
        .with_authorize_url(&connection.authorize_url)
        .with_token_url(&connection.token_url)
        .with_revoke_url(connection.revoke_url.as_deref());
    let oauth = OAuthClient::new(profile, &connection.client_id, &connection.redirect_uri)
        .map_err(|err| CliError::Usage(err.to_string()))?;
    let oauth = crate::record::oauth(oauth);
    Ok(match secret {
        Some(secret) => oauth.with_client_secret(ClientSecret::new(secret)),
        None => oauth,
    })
}

fn build(
    entry: Entry,
    authenticator: Arc<Authenticator>,
    store: Arc<dyn TokenStore>,
    connection: &Connection,
    site_from_token: Option<String>,
    default_subscription_key: Option<String>,
) -> Result<Session, CliError> {
    let headers = header_policy(entry, connection, site_from_token, default_subscription_key)?;
    let mut builder =
        crate::record::client(Client::builder(entry.product).headers(headers).shared_auth(authenticator.clone()));
    match &connection.base_url {
        Some(url) => builder = builder.base_url(url),
        None if entry.product.base_url.contains('{') => {
            return Err(CliError::Usage(format!(
                "no API base URL for {}: sign in again with `sage login {}` or pass --base-url",
                entry.product.title, entry.product.name
            )))
        }
        None => {}
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
        // Until a company is chosen (see `choose_company`), only `list_sites` works.
        HeaderStyle::Sage200 => Ok(match (connection.company.clone(), connection.site.clone()) {
            (Some(company), Some(site)) => HeaderPolicy::sage200(company, site),
            _ => HeaderPolicy::sage200_directory(),
        }),
    }
}
