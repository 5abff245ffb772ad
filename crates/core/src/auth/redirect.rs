//! Reading the identity server's redirect back to the app.

use std::collections::BTreeMap;

use super::error::AuthError;
use super::secret::{AuthorizationCode, CsrfState};

/// A successful authorization redirect whose `state` matched.
#[derive(Debug, Clone)]
pub struct AuthorizationResponse {
    code: AuthorizationCode,
    extra: BTreeMap<String, String>,
}

impl AuthorizationResponse {
    /// The single-use code to exchange for tokens.
    pub fn code(&self) -> &AuthorizationCode {
        &self.code
    }

    /// Parameters besides `code` and `state`, e.g. Accounting v3's `country`.
    pub fn extra_params(&self) -> &BTreeMap<String, String> {
        &self.extra
    }

    /// Accounting's `country` parameter, which picks v3's regional token server.
    pub fn country(&self) -> Option<&str> {
        self.extra.get("country").map(String::as_str)
    }
}

/// Checks a redirect — a full URL, a path with a query, or just the query string — against the
/// `state` sent in the authorization request, then reads its code or error.
///
/// The state is checked first and in constant time, so a forged redirect learns nothing and its
/// error or code is never acted on. Repeated parameters are refused as ambiguous.
pub fn parse_redirect(redirect: &str, expected_state: &CsrfState) -> Result<AuthorizationResponse, AuthError> {
    let mut params = query_params(redirect)?;
    let state = params.remove("state").ok_or_else(|| invalid("the `state` parameter is missing"))?;
    if CsrfState::new(state) != *expected_state {
        return Err(AuthError::StateMismatch);
    }
    if let Some(error) = params.remove("error") {
        return Err(AuthError::AuthorizationDenied { error, description: params.remove("error_description") });
    }
    let code = params.remove("code").filter(|code| !code.is_empty());
    let code = code.ok_or_else(|| invalid("the `code` parameter is missing"))?;
    Ok(AuthorizationResponse { code: AuthorizationCode::new(code), extra: params })
}

fn query_params(redirect: &str) -> Result<BTreeMap<String, String>, AuthError> {
    let redirect = redirect.trim();
    let query = match redirect.split_once('?') {
        Some((_, query)) => query,
        None if redirect.contains('=') => redirect,
        None => return Err(invalid("no query string")),
    };
    let query = query.split_once('#').map_or(query, |(query, _fragment)| query);
    let mut params = BTreeMap::new();
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        if params.insert(name.to_string(), value.into_owned()).is_some() {
            return Err(invalid(&format!("the `{name}` parameter is repeated")));
        }
    }
    Ok(params)
}

fn invalid(reason: &str) -> AuthError {
    AuthError::InvalidRedirect(reason.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> CsrfState {
        CsrfState::new("s-123")
    }

    #[test]
    fn accepts_urls_and_bare_queries_and_keeps_extra_params() {
        let response = parse_redirect("https://app.example/cb?code=c%2B1&state=s-123&country=GB", &state()).unwrap();
        assert_eq!(response.code().secret(), "c+1");
        assert_eq!(response.country(), Some("GB"));
        let response = parse_redirect("?state=s-123&code=c2", &state()).unwrap();
        assert_eq!(response.code().secret(), "c2");
        assert!(parse_redirect("state=s-123&code=c3", &state()).is_ok());
    }

    #[test]
    fn refuses_a_wrong_or_missing_state_before_reading_anything_else() {
        let wrong = parse_redirect("/cb?code=c&state=s-124", &state()).unwrap_err();
        assert!(matches!(wrong, AuthError::StateMismatch));
        let forged_error = parse_redirect("/cb?error=access_denied&state=evil", &state()).unwrap_err();
        assert!(matches!(forged_error, AuthError::StateMismatch));
        assert!(matches!(parse_redirect("/cb?code=c", &state()), Err(AuthError::InvalidRedirect(_))));
    }

    #[test]
    fn reports_denial_as_a_typed_error() {
        let err =
            parse_redirect("/cb?error=access_denied&error_description=User+said+no&state=s-123", &state()).unwrap_err();
        let AuthError::AuthorizationDenied { error, description } = err else { panic!("expected a denial") };
        assert_eq!(error, "access_denied");
        assert_eq!(description.as_deref(), Some("User said no"));
    }

    #[test]
    fn refuses_ambiguous_or_empty_input() {
        assert!(parse_redirect("/cb?code=a&code=b&state=s-123", &state()).is_err());
        assert!(parse_redirect("/cb?code=&state=s-123", &state()).is_err());
        assert!(parse_redirect("https://app.example/cb", &state()).is_err());
        assert!(parse_redirect("", &state()).is_err());
    }
}
