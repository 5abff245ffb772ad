//! Registered OAuth clients: who may ask for codes, and where the codes may be sent.

use subtle::ConstantTimeEq;

/// Client id of the built-in confidential client.
pub const DEMO_CLIENT_ID: &str = "sage-sandbox-demo";
/// Secret of the built-in confidential client (public on purpose: this is a local test server).
pub const DEMO_CLIENT_SECRET: &str = "sage-sandbox-demo-secret";
/// Client id of the built-in public client (no secret; for CLI loopback flows with PKCE).
pub const DEMO_PUBLIC_CLIENT_ID: &str = "sage-sandbox-public";

/// An OAuth client registered with the sandbox, as handed to tests and demos.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoClient {
    /// `client_id`.
    pub client_id: String,
    /// `client_secret`; `None` for a public client.
    pub client_secret: Option<String>,
    /// Redirect URIs registered exactly.
    pub redirect_uris: Vec<String>,
}

/// The registered clients.
#[derive(Debug, Clone)]
pub(crate) struct Clients {
    confidential: DemoClient,
    public: DemoClient,
    /// RFC 8252 §7.3: the public client may use any port on a registered loopback URI. Off by default,
    /// as Sage matches the complete URL.
    any_loopback_port: bool,
}

/// Why a client was refused at the token or revoke endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ClientRejection {
    /// No such client id.
    Unknown,
    /// A confidential client without its secret, or with a wrong one.
    BadSecret,
}

impl Clients {
    /// The demo clients; `extra_redirect_uris` are registered for both. Both have the SDK's default
    /// loopback callback (port 8791); the public client also has the port-less loopback URIs, which only
    /// match with `any_loopback_port`.
    pub(crate) fn new(extra_redirect_uris: &[String], any_loopback_port: bool) -> Self {
        let default_uris = ["http://127.0.0.1:8791/callback", "http://localhost:8791/callback"].map(str::to_owned);
        let mut confidential_uris = default_uris.to_vec();
        confidential_uris.extend_from_slice(extra_redirect_uris);
        let mut public_uris = default_uris.to_vec();
        public_uris.extend(["http://127.0.0.1/callback", "http://localhost/callback"].map(str::to_owned));
        public_uris.extend_from_slice(extra_redirect_uris);
        Self {
            any_loopback_port,
            confidential: DemoClient {
                client_id: DEMO_CLIENT_ID.to_owned(),
                client_secret: Some(DEMO_CLIENT_SECRET.to_owned()),
                redirect_uris: confidential_uris,
            },
            public: DemoClient {
                client_id: DEMO_PUBLIC_CLIENT_ID.to_owned(),
                client_secret: None,
                redirect_uris: public_uris,
            },
        }
    }

    pub(crate) fn confidential(&self) -> &DemoClient {
        &self.confidential
    }

    pub(crate) fn public(&self) -> &DemoClient {
        &self.public
    }

    fn find(&self, client_id: &str) -> Option<&DemoClient> {
        [&self.confidential, &self.public].into_iter().find(|client| client.client_id == client_id)
    }

    /// Whether `client_id` is registered at all.
    pub(crate) fn is_known(&self, client_id: &str) -> bool {
        self.find(client_id).is_some()
    }

    /// Whether the code may be sent to `redirect_uri`: an exact registered match (as Sage requires), or,
    /// when opted in, for the public client a loopback URI that differs only by port (RFC 8252 §7.3).
    pub(crate) fn accepts_redirect(&self, client_id: &str, redirect_uri: &str) -> bool {
        let Some(client) = self.find(client_id) else { return false };
        if client.redirect_uris.iter().any(|registered| registered == redirect_uri) {
            return true;
        }
        self.any_loopback_port
            && client.client_secret.is_none()
            && is_loopback_with_any_port(redirect_uri, &client.redirect_uris)
    }

    /// Authenticates a client at the token endpoint; public clients need no secret.
    pub(crate) fn authenticate(&self, client_id: &str, secret: Option<&str>) -> Result<(), ClientRejection> {
        let client = self.find(client_id).ok_or(ClientRejection::Unknown)?;
        match (&client.client_secret, secret) {
            (None, _) => Ok(()),
            (Some(expected), Some(given)) if bool::from(expected.as_bytes().ct_eq(given.as_bytes())) => Ok(()),
            (Some(_), _) => Err(ClientRejection::BadSecret),
        }
    }
}

/// `http://127.0.0.1:<port>/path` matches a registered `http://127.0.0.1/path` (same for `localhost`).
fn is_loopback_with_any_port(redirect_uri: &str, registered: &[String]) -> bool {
    let Ok(mut url) = url::Url::parse(redirect_uri) else { return false };
    let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    if url.scheme() != "http" || !loopback || url.set_port(None).is_err() {
        return false;
    }
    registered.iter().any(|candidate| url::Url::parse(candidate).is_ok_and(|candidate| candidate == url))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_uris_match_exactly_by_default() {
        let clients = Clients::new(&[], false);
        assert!(!clients.accepts_redirect(DEMO_PUBLIC_CLIENT_ID, "http://127.0.0.1:53111/callback"));
        assert!(clients.accepts_redirect(DEMO_PUBLIC_CLIENT_ID, "http://127.0.0.1:8791/callback"));
        assert!(clients.accepts_redirect(DEMO_PUBLIC_CLIENT_ID, "http://localhost:8791/callback"));
        assert!(!clients.accepts_redirect(DEMO_PUBLIC_CLIENT_ID, "http://127.0.0.1:8791/callback/"));
    }

    #[test]
    fn opted_in_public_client_accepts_any_loopback_port_but_confidential_does_not() {
        let clients = Clients::new(&[], true);
        assert!(clients.accepts_redirect(DEMO_PUBLIC_CLIENT_ID, "http://127.0.0.1:53111/callback"));
        assert!(!clients.accepts_redirect(DEMO_PUBLIC_CLIENT_ID, "http://127.0.0.1:53111/other"));
        assert!(!clients.accepts_redirect(DEMO_PUBLIC_CLIENT_ID, "https://127.0.0.1:53111/callback"));
        assert!(!clients.accepts_redirect(DEMO_PUBLIC_CLIENT_ID, "http://evil.example:53111/callback"));
        assert!(clients.accepts_redirect(DEMO_CLIENT_ID, "http://127.0.0.1:8791/callback"));
        assert!(!clients.accepts_redirect(DEMO_CLIENT_ID, "http://127.0.0.1:8792/callback"));
    }

    #[test]
    fn confidential_client_needs_its_secret() {
        let clients = Clients::new(&[], false);
        assert_eq!(clients.authenticate(DEMO_CLIENT_ID, Some(DEMO_CLIENT_SECRET)), Ok(()));
        assert_eq!(clients.authenticate(DEMO_CLIENT_ID, Some("nope")), Err(ClientRejection::BadSecret));
        assert_eq!(clients.authenticate(DEMO_CLIENT_ID, None), Err(ClientRejection::BadSecret));
        assert_eq!(clients.authenticate("who", None), Err(ClientRejection::Unknown));
        assert_eq!(clients.authenticate(DEMO_PUBLIC_CLIENT_ID, None), Ok(()));
    }
}
