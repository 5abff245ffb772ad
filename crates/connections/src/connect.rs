//! The connect flow of a web app: [`Connections::begin`] sends the customer to Sage with a
//! single-use `state` kept server-side; [`Connections::complete`] takes the callback.

use std::collections::BTreeMap;

use chrono::Utc;
use sage_core::auth::{parse_redirect, AuthError, CsrfState, PkceVerifier, Sealed, TokenSet};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use url::Url;

use crate::connection::{Connection, Region, Status};
use crate::discover::discover;
use crate::error::Error;
use crate::event::{AuditRecord, Event};
use crate::manager::Connections;
use crate::registry::{PendingState, Taken};

/// Where to send the customer, from [`Connections::begin`]. `Debug` hides the `state`.
#[derive(Clone)]
#[non_exhaustive]
pub struct AuthorizeUrl {
    /// Sage's consent page for this flow (redirect the browser here).
    pub url: Url,
    /// The connection the flow completes.
    pub connection_id: String,
    /// When the flow's `state` stops being accepted.
    pub expires_at: chrono::DateTime<Utc>,
}

impl std::fmt::Debug for AuthorizeUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut url = self.url.clone();
        let pairs: Vec<(String, String)> = self
            .url
            .query_pairs()
            .map(|(name, value)| (name.to_string(), if name == "state" { "[redacted]".into() } else { value.into() }))
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
        f.debug_struct("AuthorizeUrl")
            .field("url", &url.as_str())
            .field("connection_id", &self.connection_id)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

pub use sage_core::ProductName;

/// What is sealed in the registry until the callback: nothing here is ever in clear at rest.
#[derive(Serialize, Deserialize)]
struct Flow {
    product: String,
    redirect_uri: String,
    pkce_verifier: Option<String>,
}

/// The sealing context binds a flow to its connection: a row moved to another id does not open.
fn context(connection_id: &str) -> String {
    format!("sage-connections/connect-state/{connection_id}")
}

/// Registries key flows by a hash of the `state`, so a dump of them cannot answer a callback.
fn state_key(state: &str) -> String {
    Sha256::digest(state.as_bytes()).iter().map(|byte| format!("{byte:02x}")).collect()
}

fn check_id(id: &str) -> Result<(), Error> {
    if id.is_empty() || id.len() > 200 || id.chars().any(char::is_control) {
        return Err(Error::InvalidConnectionId(format!(
            "{:?} must be 1 to 200 bytes without control characters",
            id.chars().take(40).collect::<String>()
        )));
    }
    Ok(())
}

impl Connections {
    /// Starts connecting `connection_id` (the caller's key for its customer) to `product`: the
    /// URL of Sage's consent page, with a random single-use `state` bound to this connection and
    /// kept in the registry for ten minutes. `redirect_uri` must be registered with Sage for the app.
    pub async fn begin(
        &self,
        connection_id: &str,
        product: impl ProductName,
        redirect_uri: &str,
    ) -> Result<AuthorizeUrl, Error> {
        check_id(connection_id)?;
        let config = self.config(product.product_name())?;
        let oauth = self.oauth(config, None, redirect_uri)?;
        let request = oauth.authorize_url();
        let flow = Flow {
            product: config.product.name.to_owned(),
            redirect_uri: redirect_uri.to_owned(),
            pkce_verifier: request.pkce_verifier.as_ref().map(|verifier| verifier.secret().to_owned()),
        };
        let plain = serde_json::to_vec(&flow).unwrap_or_default();
        let sealed = self.inner.cipher.seal(&context(connection_id), &plain);
        let lifetime = chrono::Duration::from_std(self.inner.state_lifetime).unwrap_or_default();
        let expires_at = Utc::now() + lifetime;
        let pending = PendingState {
            connection_id: connection_id.to_owned(),
            expires_at,
            sealed: serde_json::to_string(&sealed).unwrap_or_default(),
        };
        self.inner.registry.put_state(&state_key(request.state.secret()), &pending).await?;
        Ok(AuthorizeUrl { url: request.url, connection_id: connection_id.to_owned(), expires_at })
    }

    /// Finishes the flow the callback's `state` belongs to: checks the `state` (known, unused,
    /// unexpired), exchanges the code, lists the account's businesses (v3.1) or companies and sites
    /// (Sage 200), takes v3's region from `country`, stores the tokens and the connection (active,
    /// addressing the lead business or the first company) and returns it. Any failure stores
    /// nothing; the `state` is used up all the same, except when it is unknown.
    pub async fn complete(&self, callback_url: &str) -> Result<Connection, Error> {
        self.complete_inner(callback_url, None).await
    }

    /// [`complete`](Self::complete), refusing a `state` that was issued for another connection
    /// ([`Error::StateOfAnotherConnection`], leaving it usable by its own): for apps whose
    /// callback knows which customer is signed in.
    pub async fn complete_for(&self, connection_id: &str, callback_url: &str) -> Result<Connection, Error> {
        self.complete_inner(callback_url, Some(connection_id)).await
    }

    async fn complete_inner(&self, callback_url: &str, expected: Option<&str>) -> Result<Connection, Error> {
        let state = callback_state(callback_url)?;
        let pending = match self.inner.registry.take_state(&state_key(&state), expected).await? {
            Taken::Unknown => return Err(Error::UnknownState),
            Taken::Reused => return Err(Error::ReusedState),
            Taken::OtherConnection => {
                return Err(Error::StateOfAnotherConnection { expected: expected.unwrap_or_default().to_owned() })
            }
            Taken::Pending(pending) => pending,
        };
        if pending.expires_at <= Utc::now() {
            return Err(Error::ExpiredState { expired_at: pending.expires_at });
        }
        let flow = self.open_flow(&pending)?;
        let response = match parse_redirect(callback_url, &CsrfState::new(state)) {
            Ok(response) => response,
            Err(AuthError::AuthorizationDenied { error, description }) => {
                return Err(Error::ConsentDenied { error, description })
            }
            Err(AuthError::InvalidRedirect(reason)) => return Err(Error::InvalidCallback(reason)),
            Err(err) => return Err(err.into()),
        };
        let config = self.config(&flow.product)?;
        let country = response.country().map(str::to_ascii_lowercase);
        let region = match config.product.api {
            sage_core::auth::SageApi::AccountingV3 => {
                let country = country.as_deref().ok_or_else(|| {
                    Error::InvalidCallback("Accounting v3's callback has no `country` to pick the token server".into())
                })?;
                Some(Region::from_country(country).ok_or_else(|| {
                    Error::InvalidCallback(format!("Accounting v3's callback names an unknown country `{country}`"))
                })?)
            }
            _ => None,
        };
        let oauth = self.oauth(config, region, &flow.redirect_uri)?;
        let verifier = flow.pkce_verifier.map(PkceVerifier::new);
        let tokens = oauth.exchange_code(response.code(), verifier.as_ref()).await?;
        let mut connection = self.new_connection(&pending.connection_id, &flow.redirect_uri, config, &tokens);
        connection.country = country.filter(|_| region.is_some());
        connection.region = region;
        discover(&self.inner.http, config, &mut connection, &tokens).await?;
        self.store(connection, &tokens).await
    }

    fn open_flow(&self, pending: &PendingState) -> Result<Flow, Error> {
        let corrupt = |reason: String| {
            Error::Registry(crate::RegistryError::Corrupt { location: "connect state".into(), reason })
        };
        let sealed: Sealed = serde_json::from_str(&pending.sealed).map_err(|_| corrupt("not a sealed flow".into()))?;
        let plain = self
            .inner
            .cipher
            .open(&context(&pending.connection_id), &sealed)
            .map_err(|err| corrupt(err.to_string()))?;
        serde_json::from_slice(&plain).map_err(|_| corrupt("the sealed flow is not readable".into()))
    }

    fn new_connection(
        &self,
        id: &str,
        redirect_uri: &str,
        config: &crate::ProductConfig,
        tokens: &TokenSet,
    ) -> Connection {
        let now = Utc::now();
        Connection {
            id: id.to_owned(),
            product: config.product.name.to_owned(),
            api: config.product.api,
            country: None,
            region: None,
            v3_site_id: tokens.resource_owner_id().map(str::to_owned),
            business: None,
            businesses: Vec::new(),
            company: None,
            companies: Vec::new(),
            status: Status::Active,
            created_at: now,
            connected_at: now,
            last_used_at: None,
            last_refreshed_at: None,
            scopes: tokens.scopes().to_vec(),
            user_id: tokens.requested_by_id().map(str::to_owned),
            redirect_uri: redirect_uri.to_owned(),
            labels: BTreeMap::new(),
        }
    }

    /// Tokens first, then the connection: a connection is never listed without its tokens.
    async fn store(&self, mut connection: Connection, tokens: &TokenSet) -> Result<Connection, Error> {
        let registry = &self.inner.registry;
        let mut previous_status = None;
        if let Some(previous) = registry.get(&connection.id).await? {
            connection.created_at = previous.created_at;
            connection.labels = previous.labels;
            previous_status = Some(previous.status.name().to_owned());
            if previous.api != connection.api {
                registry.token_store(&previous.id, previous.api).clear().await?;
            }
        }
        registry.token_store(&connection.id, connection.api).replace(tokens).await?;
        registry.put(&connection).await?;
        self.forget_client(&connection.id);
        tracing::info!(connection = %connection.id, product = %connection.product, "connection completed");
        let at = connection.connected_at;
        let mut record = AuditRecord::new(&connection.id, "connected", at);
        record.detail = Some(match &previous_status {
            Some(status) => format!("{} connected again (was {status})", connection.product),
            None => format!("{} connected", connection.product),
        });
        if let Err(err) = registry.append_audit(&record).await {
            tracing::warn!(connection = %connection.id, error = %err, "could not keep the audit record of a connect");
        }
        self.inner.events.emit(Event::Connected {
            connection_id: connection.id.clone(),
            product: connection.product.clone(),
            at,
            previous_status,
        });
        Ok(connection)
    }
}

/// The callback's `state`, read before anything else in it is trusted.
fn callback_state(callback_url: &str) -> Result<String, Error> {
    let query = match callback_url.split_once('?') {
        Some((_, query)) => query,
        None => callback_url,
    };
    let query = query.split_once('#').map_or(query, |(query, _)| query);
    let mut states = url::form_urlencoded::parse(query.as_bytes()).filter(|(name, _)| name == "state");
    match (states.next(), states.next()) {
        (Some((_, state)), None) if !state.is_empty() => Ok(state.into_owned()),
        (Some(_), Some(_)) => Err(Error::InvalidCallback("the `state` parameter is repeated".into())),
        _ => Err(Error::InvalidCallback("the `state` parameter is missing".into())),
    }
}
