//! Reading token and revoke requests: form or JSON bodies, and client credentials from either
//! an HTTP Basic header (Accounting v3 style) or the body (Sage ID and v3.1 style).

use std::collections::HashMap;

use axum::http::{header, HeaderMap};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use super::oauth_error::OAuthError;

/// Parameters of a token or revoke request.
#[derive(Debug, Default)]
pub(crate) struct Params(HashMap<String, String>);

impl Params {
    /// Parses a form-encoded body, or a JSON object when the content type says JSON.
    pub(crate) fn parse(headers: &HeaderMap, body: &[u8]) -> Result<Self, OAuthError> {
        let content_type = headers.get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok()).unwrap_or("");
        if content_type.trim_start().starts_with("application/json") {
            let object: HashMap<String, serde_json::Value> = serde_json::from_slice(body)
                .map_err(|_| OAuthError::invalid_request("the body is not a JSON object"))?;
            let strings = object
                .into_iter()
                .filter_map(|(key, value)| match value {
                    serde_json::Value::String(text) => Some((key, text)),
                    _ => None,
                })
                .collect();
            return Ok(Self(strings));
        }
        Ok(Self(url::form_urlencoded::parse(body).into_owned().collect()))
    }

    /// A non-empty parameter.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str).filter(|value| !value.is_empty())
    }

    /// A parameter that must be present.
    pub(crate) fn require(&self, name: &str) -> Result<&str, OAuthError> {
        self.get(name).ok_or_else(|| OAuthError::invalid_request(format!("{name} is required")))
    }
}

/// Client id and secret; a Basic header wins over body parameters.
pub(crate) fn client_credentials(headers: &HeaderMap, params: &Params) -> Result<(String, Option<String>), OAuthError> {
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        return basic_credentials(value.as_bytes())
            .ok_or_else(|| OAuthError::invalid_client("the Authorization header is not valid HTTP Basic"));
    }
    let client_id = params.get("client_id").ok_or_else(|| OAuthError::invalid_client("client_id is required"))?;
    Ok((client_id.to_owned(), params.get("client_secret").map(str::to_owned)))
}

/// `Basic base64(urlencoded(id):urlencoded(secret))`, as RFC 6749 §2.3.1 describes.
fn basic_credentials(value: &[u8]) -> Option<(String, Option<String>)> {
    let text = std::str::from_utf8(value).ok()?;
    let (scheme, encoded) = text.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let id = form_decode(id);
    let secret = form_decode(secret);
    (!id.is_empty()).then(|| (id, (!secret.is_empty()).then_some(secret)))
}

fn form_decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("v={text}").as_bytes())
        .next()
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_header_is_decoded_and_preferred() {
        let mut headers = HeaderMap::new();
        let encoded = STANDARD.encode("my%20id:s3cr%3At");
        headers.insert(header::AUTHORIZATION, format!("Basic {encoded}").parse().unwrap());
        let params = Params::parse(&HeaderMap::new(), b"client_id=other").unwrap();
        let (id, secret) = client_credentials(&headers, &params).unwrap();
        assert_eq!((id.as_str(), secret.as_deref()), ("my id", Some("s3cr:t")));
    }

    #[test]
    fn json_bodies_are_accepted_and_garbage_is_an_oauth_error() {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, "application/json".parse().unwrap());
        let params = Params::parse(&headers, br#"{"client_id":"a","n":1}"#).unwrap();
        assert_eq!(params.get("client_id"), Some("a"));
        assert_eq!(Params::parse(&headers, b"{").unwrap_err().code, "invalid_request");
    }
}
