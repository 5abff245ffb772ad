//! The fields Sage adds to the standard OAuth token response.

use serde::{Deserialize, Serialize};

/// `oauth2` extension fields: Sage 200's `id_token`, v3's `resource_owner_id`, v3.1's
/// `refresh_token_expires_in` and `requested_by_id`. Unknown fields are ignored.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct SageTokenFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) id_token: Option<RedactedString>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) resource_owner_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) refresh_token_expires_in: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) requested_by_id: Option<String>,
}

impl oauth2::ExtraTokenFields for SageTokenFields {}

/// A secret field inside `oauth2`'s response type, which requires `Debug` and serde.
#[derive(Serialize, Deserialize)]
#[serde(transparent)]
pub(crate) struct RedactedString(pub(crate) String);

impl std::fmt::Debug for RedactedString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use oauth2::basic::BasicTokenType;
    use oauth2::{StandardTokenResponse, TokenResponse};

    use super::*;

    type Response = StandardTokenResponse<SageTokenFields, BasicTokenType>;

    #[test]
    fn reads_every_sage_field_and_long_tokens() {
        let long = "t".repeat(4096);
        let body = serde_json::json!({
            "access_token": long, "token_type": "bearer", "expires_in": 300, "refresh_token": "r",
            "refresh_token_expires_in": 2_678_400, "requested_by_id": "u-1", "scope": "full_access",
            "resource_owner_id": "site-1", "id_token": "id-secret", "unknown": true
        });
        let response: Response = serde_json::from_value(body).unwrap();
        assert_eq!(response.access_token().secret().len(), 4096);
        let extra = response.extra_fields();
        assert_eq!(extra.refresh_token_expires_in, Some(2_678_400));
        assert_eq!(extra.requested_by_id.as_deref(), Some("u-1"));
        assert_eq!(extra.resource_owner_id.as_deref(), Some("site-1"));
        assert!(!format!("{response:?}").contains("id-secret"));
        assert!(!format!("{response:?}").contains(&long));
    }

    #[test]
    fn a_minimal_response_is_enough() {
        let response: Response = serde_json::from_str(r#"{"access_token":"a","token_type":"Bearer"}"#).unwrap();
        assert!(response.refresh_token().is_none() && response.extra_fields().id_token.is_none());
    }
}
