//! Signing in from a terminal: consent in a browser, the redirect caught on `127.0.0.1`.

use std::time::Duration;

use sage::auth::{LoopbackRedirect, OAuthClient, TokenSet};

use crate::support::{env, BoxError, Target};

/// How long the user has to finish consent.
const CONSENT_TIMEOUT: Duration = Duration::from_secs(300);

/// The authorization-code flow with PKCE and a loopback redirect (RFC 8252). Returns the OAuth
/// client, which the `Authenticator` needs for refreshes, and the first tokens.
///
/// `SAGE_LOOPBACK_PORT` fixes the port, for identity servers that only accept registered exact
/// redirect URIs (Sage ID); otherwise any free port is used.
pub async fn sign_in(target: &Target) -> Result<(OAuthClient, TokenSet), BoxError> {
    let loopback = match env("SAGE_LOOPBACK_PORT") {
        Some(port) => LoopbackRedirect::bind_port(port.parse()?, "/callback").await?,
        None => LoopbackRedirect::bind("/callback").await?,
    };
    let oauth = target.oauth(loopback.redirect_uri())?;
    let request = oauth.authorize_url();
    let consent = async {
        if target.is_sandbox() {
            // The sandbox approves at once: follow its redirect to our listener, as a browser would.
            println!("Signing in to the embedded sandbox (consent is approved automatically)");
            reqwest::get(request.url.clone()).await?.error_for_status()?;
        } else {
            println!("Open this page to connect to Sage:\n\n    {}\n", request.url);
        }
        Ok::<_, BoxError>(())
    };
    let redirect = async { Ok::<_, BoxError>(loopback.wait(&request.state, CONSENT_TIMEOUT).await?) };
    let ((), redirect) = tokio::try_join!(consent, redirect)?;
    let tokens = oauth.exchange_code(redirect.code(), request.pkce_verifier.as_ref()).await?;
    Ok((oauth, tokens))
}
