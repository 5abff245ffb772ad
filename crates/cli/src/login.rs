//! `sage login`: the authorization-code flow through a loopback redirect.
//!
//! The profile directory is created and checked writable before the browser opens: an authorization
//! code is single use and short-lived, so nothing may fail between receiving it and saving the tokens
//! that could have been checked before. Accounting v3 finishes its configuration from the redirect,
//! whose `country` names the regional token server and API.

use std::time::Duration;

use sage_core::auth::{AuthProfile, FileTokenStore, LoopbackRedirect, SageApi, TokenStore, V3Region};

use crate::cli::{Cli, LoginArgs};
use crate::config::{Connection, Paths};
use crate::error::CliError;
use crate::products;
use crate::session::{oauth_client, start_sandbox_for};
use crate::token::describe;

/// The client secret from standard input (`--client-secret-stdin`) or `SAGE_CLIENT_SECRET`.
pub fn client_secret(from_stdin: bool) -> Result<Option<String>, CliError> {
    if !from_stdin {
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
    paths.prepare().map_err(CliError::Usage)?;
    let loopback = LoopbackRedirect::bind_port(args.callback_port, sage_core::auth::DEFAULT_CALLBACK_PATH)
        .await
        .map_err(|err| CliError::Usage(format!("{err} (choose another with --callback-port)")))?;
    let sandbox = match cli.sandbox {
        true => Some(start_sandbox_for(loopback.redirect_uri()).await?),
        false => None,
    };
    let endpoints = sandbox.as_ref().and_then(|sandbox| sandbox.endpoints(entry.product.name));
    let is_v3 = entry.product.api == SageApi::AccountingV3;
    let given = &args.connection;
    let mut connection = Connection {
        client_id: args.client_id.clone(),
        redirect_uri: loopback.redirect_uri().to_owned(),
        authorize_url: given
            .authorize_url
            .clone()
            .or_else(|| endpoints.as_ref().map(|e| e.authorize_url.clone()))
            .unwrap_or_else(|| AuthProfile::for_api(entry.product.api).authorize_url().to_owned()),
        token_url: given
            .token_url
            .clone()
            .or_else(|| endpoints.as_ref().map(|e| e.token_url.clone()))
            .unwrap_or_default(),
        revoke_url: given.revoke_url.clone().or_else(|| endpoints.as_ref().and_then(|e| e.revoke_url.clone())),
        base_url: given.base_url.clone().or_else(|| endpoints.as_ref().map(|e| e.api_base_url.clone())),
        country: None,
        company: given.company.clone(),
        site: given.site.clone(),
        business: given.business.clone(),
    };
    if !is_v3 {
        let profile = AuthProfile::for_api(entry.product.api);
        fill_identity_defaults(&mut connection, &profile);
    }
    // Read once: standard input holds the secret only once.
    let secret = client_secret(args.client_secret_stdin)?;
    let oauth = oauth_client(entry, &regional(&connection, V3Region::Europe), secret.clone())?;
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
    if is_v3 {
        let country = response.country().or(args.country.as_deref()).unwrap_or("gb").to_ascii_lowercase();
        connection = for_v3_country(connection, entry.product.base_url, &country)?;
    }
    let oauth = oauth_client(entry, &connection, secret)?;
    let tokens = oauth.exchange_code(response.code(), request.pkce_verifier.as_ref()).await.map_err(CliError::from)?;
    FileTokenStore::new(paths.tokens()).save(&tokens).await.map_err(|err| CliError::Other(err.to_string()))?;
    connection.save(&paths.connection()).map_err(CliError::Other)?;
    eprintln!("Signed in; tokens stored in {}", paths.tokens().display());
    print!("{}", describe(&tokens, false));
    Ok(())
}

/// Token and revoke URLs from `profile` where neither the command line nor a sandbox set them.
fn fill_identity_defaults(connection: &mut Connection, profile: &AuthProfile) {
    if connection.token_url.is_empty() {
        connection.token_url = profile.token_url().to_owned();
    }
    if connection.revoke_url.is_none() {
        connection.revoke_url = profile.revoke_url().map(str::to_owned);
    }
}

/// A v3 connection for one region: overrides get `{region}` filled in, the rest come from the
/// region's profile.
fn regional(connection: &Connection, region: V3Region) -> Connection {
    let code = match region {
        V3Region::NorthAmerica => "na",
        V3Region::Europe => "eu",
    };
    let mut regional = connection.clone();
    regional.token_url = regional.token_url.replace("{region}", code);
    regional.revoke_url = regional.revoke_url.map(|url| url.replace("{region}", code));
    fill_identity_defaults(&mut regional, &AuthProfile::accounting_v3(region));
    regional
}

/// The v3 connection for the country the redirect named: the region's token server and the
/// country's API base, both stored so later commands need no configuration.
fn for_v3_country(connection: Connection, default_base_url: &str, country: &str) -> Result<Connection, CliError> {
    let (Some(region), Some(api_country)) = (V3Region::from_country(country), v3_api_country(country)) else {
        return Err(CliError::Auth(format!(
            "Sage named country `{country}`, which Accounting v3 does not serve (gb, ie, us, ca, de, es, fr)"
        )));
    };
    let mut connection = regional(&connection, region);
    let base = connection.base_url.as_deref().unwrap_or(default_base_url);
    connection.base_url = Some(base.replace("{country}", api_country));
    connection.country = Some(country.to_owned());
    Ok(connection)
}

/// The `{country}` segment of v3's API base URL for a country code.
fn v3_api_country(country: &str) -> Option<&'static str> {
    match country {
        "gb" | "uk" | "uki" | "ie" => Some("uki"),
        "us" => Some("us"),
        "ca" => Some("ca"),
        "de" => Some("de"),
        "es" => Some("es"),
        "fr" => Some("fr"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_us_redirect_picks_the_north_american_servers_and_api() {
        let connection = for_v3_country(Connection::default(), sage_accounting_v3::PRODUCT.base_url, "us").unwrap();
        assert_eq!(connection.token_url, "https://oauth.na.sageone.com/token");
        assert_eq!(connection.revoke_url.as_deref(), Some("https://oauth.na.sageone.com/revoke"));
        assert_eq!(connection.base_url.as_deref(), Some("https://api.columbus.sage.com/us/sageone"));
        let ireland = for_v3_country(Connection::default(), sage_accounting_v3::PRODUCT.base_url, "ie").unwrap();
        assert_eq!(ireland.token_url, "https://oauth.eu.sageone.com/token");
        assert_eq!(ireland.base_url.as_deref(), Some("https://api.columbus.sage.com/uki/sageone"));
    }

    #[test]
    fn overrides_get_the_region_filled_in_and_unknown_countries_are_refused() {
        let given = Connection {
            token_url: "http://127.0.0.1:9/{region}/token".into(),
            base_url: Some("http://127.0.0.1:9/{country}/sageone".into()),
            ..Connection::default()
        };
        let connection = for_v3_country(given.clone(), "", "ca").unwrap();
        assert_eq!(connection.token_url, "http://127.0.0.1:9/na/token");
        assert_eq!(connection.base_url.as_deref(), Some("http://127.0.0.1:9/ca/sageone"));
        assert!(for_v3_country(given, "", "xx").is_err());
    }
}
