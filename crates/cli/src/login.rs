//! `sage login`: the authorization-code flow through a loopback redirect.

use std::time::Duration;

use sage_core::auth::{AuthProfile, FileTokenStore, LoopbackRedirect, TokenStore};

use crate::cli::{Cli, LoginArgs};
use crate::config::{Connection, Paths};
use crate::error::CliError;
use crate::products;
use crate::session::{oauth_client, start_sandbox};
use crate::token::describe;

/// The client secret from standard input (`--client-secret-stdin`) or `SAGE_CLIENT_SECRET`.
fn client_secret(args: &LoginArgs) -> Result<Option<String>, CliError> {
    if !args.client_secret_stdin {
        return Ok(std::env::var("SAGE_CLIENT_SECRET").ok());
    }
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|err| CliError::Usage(format!("cannot read the client secret from standard input: {err}")))?;
    let secret = line.trim_end_matches(['\r', '\n']);
    if secret.is_empty() {
        return Err(CliError::Usage("--client-secret-stdin: standard input held no secret".into()));
    }
    Ok(Some(secret.to_owned()))
}

pub async fn run(cli: &Cli, args: &LoginArgs) -> Result<(), CliError> {
    let entry = products::find(&args.product).map_err(CliError::Usage)?;
    let paths = Paths::new(cli.home.as_deref(), &cli.profile, &args.product).map_err(CliError::Usage)?;
    let sandbox = if cli.sandbox { Some(start_sandbox().await?) } else { None };
    let endpoints = sandbox.as_ref().and_then(|sandbox| sandbox.endpoints(entry.product.name));
    let mut profile = AuthProfile::for_api(entry.product.api);
    if let (Some(country), sage_core::auth::SageApi::AccountingV3) = (&args.country, entry.product.api) {
        let region = sage_core::auth::V3Region::from_country(country)
            .ok_or_else(|| CliError::Usage(format!("unknown country `{country}`")))?;
        profile = AuthProfile::accounting_v3(region);
    }
    let pick = |arg: &Option<String>, sandbox: Option<String>, default: &str| {
        arg.clone().or(sandbox).unwrap_or_else(|| default.to_owned())
    };
    let loopback =
        LoopbackRedirect::bind_port(args.port, "/callback").await.map_err(|err| CliError::Usage(err.to_string()))?;
    let connection = Connection {
        client_id: args.client_id.clone(),
        redirect_uri: loopback.redirect_uri().to_owned(),
        authorize_url: pick(
            &args.connection.authorize_url,
            endpoints.as_ref().map(|e| e.authorize_url.clone()),
            profile.authorize_url(),
        ),
        token_url: pick(
            &args.connection.token_url,
            endpoints.as_ref().map(|e| e.token_url.clone()),
            profile.token_url(),
        ),
        revoke_url: args
            .connection
            .revoke_url
            .clone()
            .or_else(|| endpoints.as_ref().and_then(|e| e.revoke_url.clone()))
            .or_else(|| profile.revoke_url().map(str::to_owned)),
        base_url: args.connection.base_url.clone().or_else(|| endpoints.as_ref().map(|e| e.api_base_url.clone())),
        company: args.connection.company.clone(),
        site: args.connection.site.clone(),
        business: args.connection.business.clone(),
    };
    let oauth = oauth_client(entry, &connection, client_secret(args)?)?;
    let request = oauth.authorize_url();
    eprintln!("Sign in to {} by opening this URL:\n\n  {}\n", entry.product.title, request.url);
    if sandbox.is_some() {
        // The embedded sandbox approves consent itself: follow its redirect to our loopback listener.
        let url = request.url.to_string();
        tokio::spawn(async move { reqwest::get(url).await });
    } else if !args.no_browser && webbrowser::open(request.url.as_str()).is_err() {
        eprintln!("(no browser could be opened: copy the URL into one)");
    }
    let response = loopback
        .wait(&request.state, Duration::from_secs(args.timeout))
        .await
        .map_err(|err| CliError::Auth(err.to_string()))?;
    let tokens = oauth
        .exchange_code(response.code(), request.pkce_verifier.as_ref())
        .await
        .map_err(|err| CliError::Auth(err.to_string()))?;
    FileTokenStore::new(paths.tokens()).save(&tokens).await.map_err(|err| CliError::Other(err.to_string()))?;
    connection.save(&paths.connection()).map_err(CliError::Other)?;
    eprintln!("Signed in; tokens stored in {}", paths.tokens().display());
    print!("{}", describe(&tokens, false));
    Ok(())
}
