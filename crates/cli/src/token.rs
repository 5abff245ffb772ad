//! `sage token show|refresh|revoke`.

use chrono::Utc;
use sage_core::auth::TokenSet;

use crate::cli::{Cli, ConnectionArgs, TokenAction};
use crate::error::CliError;
use crate::products;
use crate::session::Stored;

pub async fn run(cli: &Cli, action: &TokenAction) -> Result<(), CliError> {
    let product = match action {
        TokenAction::Show { product, .. } | TokenAction::Refresh { product } | TokenAction::Revoke { product } => {
            product
        }
    };
    // Tokens live with the identity server: no API base URL, company or site is needed here.
    let entry = products::find(product).map_err(CliError::Usage)?;
    let session = Stored::open(cli, entry, &ConnectionArgs::default()).await?;
    let tokens = stored(&session).await?;
    match action {
        TokenAction::Show { reveal, .. } => print!("{}", describe(&tokens, *reveal)),
        TokenAction::Refresh { .. } => {
            // Through the authenticator: under the token file's lock, saved before it is shown.
            let refreshed = session.authenticator.refresh_now().await.map_err(CliError::from)?;
            print!("refreshed\n{}", describe(&refreshed, false));
        }
        TokenAction::Revoke { .. } => {
            let refresh_token = tokens
                .refresh_token()
                .ok_or_else(|| CliError::Usage("the stored tokens have no refresh token to revoke".into()))?;
            session.authenticator.oauth().revoke(refresh_token).await.map_err(CliError::from)?;
            session.authenticator.sign_out().await.map_err(CliError::from)?;
            println!("revoked; the stored tokens are removed");
        }
    }
    Ok(())
}

async fn stored(session: &Stored) -> Result<TokenSet, CliError> {
    session
        .store
        .load()
        .await
        .map_err(CliError::from)?
        .ok_or_else(|| CliError::Auth("not signed in: run `sage login`".into()))
}

/// Expiry times and scopes; token values only when asked.
pub fn describe(tokens: &TokenSet, reveal: bool) -> String {
    let now = Utc::now();
    let remaining = |at: chrono::DateTime<Utc>| {
        let seconds = (at - now).num_seconds();
        if seconds <= 0 {
            "expired".to_owned()
        } else {
            format!("in {}", humanize(seconds))
        }
    };
    let mut out = format!("api:            {}\n", tokens.api());
    out +=
        &format!("access token:   expires {} ({})\n", tokens.expires_at().to_rfc3339(), remaining(tokens.expires_at()));
    out += &match (tokens.refresh_token(), tokens.refresh_expires_at()) {
        (None, _) => "refresh token:  none\n".to_owned(),
        (Some(_), None) => "refresh token:  does not expire\n".to_owned(),
        (Some(_), Some(at)) => format!("refresh token:  expires {} ({})\n", at.to_rfc3339(), remaining(at)),
    };
    out += &format!("scopes:         {}\n", tokens.scopes().join(" "));
    if let Some(site) = tokens.resource_owner_id() {
        out += &format!("X-Site:         {site}\n");
    }
    if reveal {
        out += &format!("access_token:   {}\n", tokens.access_token().secret());
        if let Some(refresh) = tokens.refresh_token() {
            out += &format!("refresh_token:  {}\n", refresh.secret());
        }
    }
    out
}

fn humanize(seconds: i64) -> String {
    match seconds {
        s if s < 120 => format!("{s} s"),
        s if s < 7200 => format!("{} min", s / 60),
        s if s < 172_800 => format!("{} h", s / 3600),
        s => format!("{} days", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use sage_core::auth::{AccessToken, RefreshToken, SageApi};

    use super::*;

    #[test]
    fn token_values_only_appear_when_revealed() {
        let tokens = TokenSet::new(SageApi::AccountingV31, AccessToken::new("at-secret"), Duration::from_secs(300))
            .with_refresh_token(RefreshToken::new("rt-secret"), Some(Duration::from_secs(31 * 86_400)));
        let hidden = describe(&tokens, false);
        assert!(hidden.contains("accounting-v31") && hidden.contains("in 4 min") && hidden.contains("in 30 days"));
        assert!(!hidden.contains("at-secret") && !hidden.contains("rt-secret"));
        let shown = describe(&tokens, true);
        assert!(shown.contains("at-secret") && shown.contains("rt-secret"));
    }
}
