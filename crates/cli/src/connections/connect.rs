//! `sage connections connect`: the registry's connect flow, with the redirect caught on a loopback
//! listener as `sage login` catches it. The `state` is the registry's (single use, bound to this
//! connection); the listener only checks it matches before handing the callback over.

use std::time::Duration;

use sage_connections::Connections;
use sage_core::auth::{AuthError, AuthorizationResponse, CsrfState, LoopbackRedirect, DEFAULT_CALLBACK_PATH};

use super::render;
use crate::cli::ConnectArgs;
use crate::error::CliError;

/// Binds the redirect listener: `--callback-port`, else Sage's registered default, or any free
/// port for the sandbox (which is told to accept it).
pub async fn listen(args: &ConnectArgs, sandbox: bool) -> Result<LoopbackRedirect, CliError> {
    let default = if sandbox { 0 } else { sage_core::auth::DEFAULT_LOOPBACK_PORT };
    LoopbackRedirect::bind_port(args.callback_port.unwrap_or(default), DEFAULT_CALLBACK_PATH)
        .await
        .map_err(|err| CliError::Usage(format!("{err} (choose another with --callback-port)")))
}

/// Sends the customer (or the sandbox) to the consent page and completes the connection.
pub async fn run(
    connections: &Connections,
    args: &ConnectArgs,
    loopback: LoopbackRedirect,
    sandbox: bool,
) -> Result<(), CliError> {
    let entry = crate::products::find(&args.product).map_err(CliError::Usage)?;
    let redirect_uri = loopback.redirect_uri().to_owned();
    let existed = connections.get(&args.id).await.is_ok();
    let authorize = connections.begin(&args.id, entry.product, &redirect_uri).await?;
    let state = authorize
        .url
        .query_pairs()
        .find(|(name, _)| name == "state")
        .map(|(_, value)| value.into_owned())
        .ok_or_else(|| CliError::Other("the consent URL has no `state`".into()))?;
    eprintln!(
        "Connect `{}` to {}: the customer signs in to their own Sage account at\n\n  {}\n",
        render::clean(&args.id),
        entry.product.title,
        authorize.url
    );
    if sandbox {
        // The embedded sandbox approves consent itself: follow its redirect to our listener.
        let url = authorize.url.to_string();
        tokio::spawn(async move { reqwest::get(url).await });
    } else if !args.no_browser && webbrowser::open(authorize.url.as_str()).is_err() {
        eprintln!("(no browser could be opened: copy the URL into one)");
    }
    let response = loopback.wait(&CsrfState::new(state.clone()), Duration::from_secs(args.timeout)).await;
    let response = response.map_err(|err| match err {
        AuthError::AuthorizationDenied { .. } => CliError::Auth(format!("consent refused: {err}")),
        other => CliError::from(other),
    })?;
    let callback = callback_url(&redirect_uri, &state, &response)?;
    let connection = connections.complete_for(&args.id, callback.as_str()).await?;
    eprintln!("{} `{}`", if existed { "Connected again:" } else { "Connected:" }, render::clean(&connection.id));
    print!("{}", render::page(&connection));
    Ok(())
}

/// The callback as Sage sent it, rebuilt from what the listener read (the `state` matched).
fn callback_url(redirect_uri: &str, state: &str, response: &AuthorizationResponse) -> Result<reqwest::Url, CliError> {
    let mut params = vec![("code", response.code().secret()), ("state", state)];
    params.extend(response.extra_params().iter().map(|(name, value)| (name.as_str(), value.as_str())));
    reqwest::Url::parse_with_params(redirect_uri, params)
        .map_err(|err| CliError::Other(format!("cannot rebuild the callback URL: {err}")))
}
