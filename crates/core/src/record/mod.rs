//! Recording what a program exchanges with Sage into a **cassette**, to test against it offline
//! (feature `record`).
//!
//! A [`Recorder`] is given to the API client ([`ClientBuilder::record`](crate::ClientBuilder::record))
//! and, to capture sign-in and refreshes too, to the OAuth client
//! ([`OAuthClient::record`](crate::auth::OAuthClient::record)). Each exchange is written as soon as
//! its answer has arrived, **redacted**:
//!
//! - never written: the `Authorization` header (bearer tokens, basic client credentials),
//!   `Cookie`/`Set-Cookie`, `Ocp-Apim-Subscription-Key`, or any header not listed below;
//! - replaced by placeholders (`redacted-access_token-1`, the same value always by the same
//!   placeholder): access, refresh and ID tokens, authorization codes, PKCE verifiers, client
//!   secrets, passwords, and any JSON field named `…_token`, `…secret…`, `…password…`, `…api_key…`;
//!   a value learned once (a token from a token response, the bearer token of a call) is also
//!   hidden wherever else it appears;
//! - with [`RecorderBuilder::redact_personal_data`]: e-mail addresses (`person1@example.invalid`)
//!   and person names (`first_name`, `last_name`, `contact_name`, … → `Person 1`).
//!
//! A program with no recorder pays nothing: without the feature the hooks do not exist, and with
//! it a client without a recorder checks one `Option` per call.
//!
//! # Format
//!
//! JSON lines, UTF-8, the file created mode 0600. The first line is the header, then `client`
//! lines (one per product and base URL that recorded) and `exchange` lines in the order the
//! answers arrived:
//!
//! ```text
//! {"type":"cassette","format":"sage-rs-cassette","version":1,"personal_data_redacted":false}
//! {"type":"client","product":"accounting-v31","base_url":"https://api.accounting.sage.com/v3.1"}
//! {"type":"exchange","seq":1,"kind":"token","method":"POST","url":"https://oauth.accounting.sage.com/token",
//!  "request":{"headers":{"content-type":"application/x-www-form-urlencoded"},"body":"grant_type=authorization_code&code=redacted-code-1&…"},
//!  "response":{"status":200,"headers":{"content-type":"application/json"},"body":"{\"access_token\":\"redacted-access_token-1\",…}"}}
//! {"type":"exchange","seq":2,"kind":"api","operation":"list_contacts","method":"GET","url":"https://api.accounting.sage.com/v3.1/contacts?search=garage",
//!  "request":{"headers":{"x-business":"…"}},"response":{"status":200,"headers":{"content-type":"application/json","x-request-id":"…"},"body":"{\"$items\":[…]}"}}
//! ```
//!
//! (each exchange is one line; wrapped here for reading). Kept headers: `content-type`,
//! `x-business`, `x-company`, `x-site`, `retry-after`, `x-request-id`, `request-id`,
//! `x-correlation-id`, `x-total-count`, `location`. Bodies are the text that travelled, so a
//! replay answers byte for byte what Sage sent (`body_base64` when a body is not UTF-8).
//! Every try of a retried call is its own exchange. [`Cassette::read`] reads a file back
//! (size-capped; errors name the file and line).
//!
//! # Example
//!
//! Record a session, then serve it with `sage_sandbox::replay::Replay` (or `sage --replay FILE`):
//!
//! ```no_run
//! # #[cfg(feature = "record")]
//! # async fn example(oauth: sage_core::auth::OAuthClient, code: &sage_core::auth::AuthorizationCode, verifier: Option<&sage_core::auth::PkceVerifier>)
//! #     -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use sage_core::auth::{Authenticator, MemoryTokenStore, TokenStore};
//! use sage_core::record::{Cassette, Recorder};
//! use sage_core::{Client, Method, Product, Request};
//!
//! # let product: Product = unimplemented!();
//! let recorder = Recorder::builder("session.cassette.jsonl").redact_personal_data(true).create()?;
//! let oauth = oauth.record(&recorder); // sign-in and refreshes are recorded, their secrets replaced
//! let tokens = oauth.exchange_code(code, verifier).await?;
//! let store = Arc::new(MemoryTokenStore::with_tokens(tokens));
//! let client = Client::builder(product).auth(Authenticator::new(oauth, store)).record(&recorder).build()?;
//! client.execute(&Request::new("list_contacts", Method::Get, "/contacts")).await?;
//! let written = recorder.finish()?; // flushes; reports a write error that happened while recording
//! assert_eq!(Cassette::read("session.cassette.jsonl")?.exchanges.len() as u64, written);
//! # Ok(()) }
//! ```

mod cassette;
mod redact;

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use http::HeaderMap;

pub use cassette::{
    split_url, Cassette, CassetteError, Exchange, ExchangeKind, Line, Message, RecordedClient, ResponseMessage,
    DEFAULT_CASSETTE_LIMIT, FORMAT, VERSION,
};
use redact::Redactor;

/// Headers worth keeping: they change what a client does or tell which record answered.
const KEPT_HEADERS: [&str; 10] = [
    "content-type",
    "x-business",
    "x-company",
    "x-site",
    "retry-after",
    "x-request-id",
    "request-id",
    "x-correlation-id",
    "x-total-count",
    "location",
];

/// Why a cassette could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write cassette {}: {source}", path.display())]
pub struct RecordError {
    /// The cassette.
    pub path: PathBuf,
    /// The error.
    #[source]
    pub source: std::io::Error,
}

/// Writes every exchange of the clients it is given to a cassette file. Cheap to clone; clones
/// write to the same file. See the [module documentation](self).
#[derive(Clone)]
pub struct Recorder {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    state: Mutex<State>,
}

struct State {
    file: File,
    redactor: Redactor,
    written: u64,
    clients: BTreeSet<(String, String)>,
    error: Option<std::io::Error>,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder").field("path", &self.inner.path).field("written", &self.written()).finish()
    }
}

/// Options of a [`Recorder`]; see [`Recorder::builder`].
#[derive(Debug, Clone)]
#[must_use]
pub struct RecorderBuilder {
    path: PathBuf,
    personal_data: bool,
}

impl RecorderBuilder {
    /// `true`: also replace e-mail addresses and person names (default `false`).
    pub fn redact_personal_data(mut self, redact: bool) -> Self {
        self.personal_data = redact;
        self
    }

    /// Creates (or truncates) the file, mode 0600, and writes the header line.
    pub fn create(self) -> Result<Recorder, RecordError> {
        let fail = |source| RecordError { path: self.path.clone(), source };
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&self.path).map_err(fail)?;
        let header =
            Line::Cassette { format: FORMAT.to_owned(), version: VERSION, personal_data_redacted: self.personal_data };
        write_line(&mut file, &header).map_err(fail)?;
        let state = State {
            file,
            redactor: Redactor::new(self.personal_data),
            written: 0,
            clients: BTreeSet::new(),
            error: None,
        };
        Ok(Recorder { inner: Arc::new(Inner { path: self.path, state: Mutex::new(state) }) })
    }
}

fn write_line(file: &mut File, line: &Line) -> std::io::Result<()> {
    let mut text = serde_json::to_string(line).map_err(std::io::Error::other)?;
    text.push('\n');
    file.write_all(text.as_bytes())
}

/// An API call as the client saw it, for [`Recorder::api_exchange`].
pub(crate) struct ApiExchange<'a> {
    pub(crate) operation: &'static str,
    pub(crate) method: &'a str,
    pub(crate) url: &'a url::Url,
    pub(crate) bearer: &'a str,
    pub(crate) request_headers: &'a HeaderMap,
    pub(crate) request_body: Option<&'a [u8]>,
    pub(crate) status: u16,
    pub(crate) response_headers: &'a HeaderMap,
    pub(crate) response_body: &'a [u8],
}

impl Recorder {
    /// Options for a cassette at `path`; finish with [`RecorderBuilder::create`].
    pub fn builder(path: impl Into<PathBuf>) -> RecorderBuilder {
        RecorderBuilder { path: path.into(), personal_data: false }
    }

    /// A recorder writing to `path` (created or truncated), secrets redacted, personal data kept.
    pub fn create(path: impl Into<PathBuf>) -> Result<Recorder, RecordError> {
        Self::builder(path).create()
    }

    /// The cassette file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// How many exchanges have been written.
    pub fn written(&self) -> u64 {
        self.state().written
    }

    /// Flushes the file to disk and returns how many exchanges it holds, or the first error met
    /// while recording (a failed write never fails the call being recorded; it is reported here and
    /// logged at `warn`).
    pub fn finish(&self) -> Result<u64, RecordError> {
        let mut state = self.state();
        let fail = |source| RecordError { path: self.inner.path.clone(), source };
        if let Some(error) = state.error.take() {
            return Err(fail(error));
        }
        state.file.sync_all().map_err(fail)?;
        Ok(state.written)
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.inner.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self, state: &mut State, line: &Line) {
        if let Err(error) = write_line(&mut state.file, line) {
            tracing::warn!(cassette = %self.inner.path.display(), %error, "cannot write to the cassette");
            state.error.get_or_insert(error);
        }
    }

    /// A client was built with this recorder.
    pub(crate) fn client(&self, product: &str, base_url: &str) {
        let mut state = self.state();
        if state.clients.insert((product.to_owned(), base_url.to_owned())) {
            let line = Line::Client(RecordedClient { product: product.to_owned(), base_url: base_url.to_owned() });
            self.write(&mut state, &line);
        }
    }

    pub(crate) fn api_exchange(&self, call: ApiExchange<'_>) {
        let mut guard = self.state();
        let state = &mut *guard;
        let redactor = &mut state.redactor;
        if !call.bearer.is_empty() {
            redactor.learn_secret("access_token", call.bearer);
        }
        let request = message(redactor, call.request_headers, call.request_body);
        let response = message(redactor, call.response_headers, Some(call.response_body));
        let url = redactor.url(call.url);
        state.written += 1;
        let exchange = Exchange {
            seq: state.written,
            kind: ExchangeKind::Api,
            operation: Some(call.operation.to_owned()),
            method: call.method.to_owned(),
            url,
            request,
            response: ResponseMessage { status: call.status, message: response },
        };
        self.write(state, &Line::Exchange(exchange));
    }

    /// A token endpoint request and its answer (bodies as `oauth2` saw them).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn token_exchange(
        &self,
        method: &str,
        uri: &str,
        request_headers: &HeaderMap,
        request_body: &[u8],
        status: u16,
        response_headers: &HeaderMap,
        response_body: &[u8],
    ) {
        let mut guard = self.state();
        let state = &mut *guard;
        let redactor = &mut state.redactor;
        // The request first: a refresh request teaches the refresh token before the answer is read.
        let sent = message(redactor, request_headers, Some(request_body));
        let answer = message(redactor, response_headers, Some(response_body));
        let url = match url::Url::parse(uri) {
            Ok(url) => redactor.url(&url),
            Err(_) => redactor.scrub(uri),
        };
        state.written += 1;
        let exchange = Exchange {
            seq: state.written,
            kind: ExchangeKind::Token,
            operation: None,
            method: method.to_owned(),
            url,
            request: sent,
            response: ResponseMessage { status, message: answer },
        };
        self.write(state, &Line::Exchange(exchange));
    }
}

/// The kept headers and the redacted body of one message.
fn message(redactor: &mut Redactor, headers: &HeaderMap, body: Option<&[u8]>) -> Message {
    let mut kept = BTreeMap::new();
    for name in KEPT_HEADERS {
        if let Some(value) = headers.get(name).and_then(|value| value.to_str().ok()) {
            let value = if name == "location" {
                match url::Url::parse(value) {
                    Ok(url) => redactor.url(&url),
                    Err(_) => redactor.scrub(value),
                }
            } else {
                redactor.scrub(value)
            };
            kept.insert(name.to_owned(), value);
        }
    }
    let content_type = kept.get("content-type").map(String::as_str);
    match body.filter(|body| !body.is_empty()) {
        None => Message::with_body(kept, None, None),
        Some(bytes) => match std::str::from_utf8(bytes) {
            Ok(text) => {
                let text = redactor.body(text, content_type);
                Message::with_body(kept, Some(text), None)
            }
            Err(_) => Message::with_body(kept, None, Some(bytes)),
        },
    }
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    #[test]
    fn exchanges_are_written_redacted_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.jsonl");
        let recorder = Recorder::create(&path).unwrap();
        recorder.client("accounting-v31", "http://127.0.0.1:1/v3.1");
        recorder.client("accounting-v31", "http://127.0.0.1:1/v3.1");

        let mut form = HeaderMap::new();
        form.insert("content-type", HeaderValue::from_static("application/x-www-form-urlencoded"));
        form.insert("authorization", HeaderValue::from_static("Basic YXBwOnNlY3JldC12YWx1ZQ=="));
        let mut json = HeaderMap::new();
        json.insert("content-type", HeaderValue::from_static("application/json"));
        json.insert("set-cookie", HeaderValue::from_static("session=cookie-value"));
        recorder.token_exchange(
            "POST",
            "http://127.0.0.1:1/token",
            &form,
            b"grant_type=authorization_code&code=the-auth-code&client_secret=the-client-secret",
            200,
            &json,
            br#"{"access_token":"the-access-token","refresh_token":"the-refresh-token","expires_in":300}"#,
        );
        let mut request_headers = HeaderMap::new();
        request_headers.insert("x-business", HeaderValue::from_static("biz"));
        request_headers.insert("ocp-apim-subscription-key", HeaderValue::from_static("subscription-key-value"));
        let url = url::Url::parse("http://127.0.0.1:1/v3.1/contacts?search=x").unwrap();
        recorder.api_exchange(ApiExchange {
            operation: "list_contacts",
            method: "GET",
            url: &url,
            bearer: "the-access-token",
            request_headers: &request_headers,
            request_body: None,
            status: 200,
            response_headers: &json,
            response_body: br#"{"$items":[{"id":"1","note":"the-refresh-token"}]}"#,
        });
        assert_eq!(recorder.finish().unwrap(), 2);
        assert!(format!("{recorder:?}").contains("written: 2"));

        let text = std::fs::read_to_string(&path).unwrap();
        for secret in [
            "the-auth-code",
            "the-client-secret",
            "the-access-token",
            "the-refresh-token",
            "cookie-value",
            "YXBw",
            "subscription-key-value",
        ] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        let cassette = Cassette::read(&path).unwrap();
        assert_eq!(cassette.clients.len(), 1);
        assert_eq!(cassette.exchanges.len(), 2);
        let api = &cassette.exchanges[1];
        assert_eq!((api.kind, api.path(), api.query()), (ExchangeKind::Api, "/v3.1/contacts", "search=x"));
        assert_eq!(api.request.headers["x-business"], "biz");
        assert_eq!(
            api.response.message.body.as_deref(),
            Some(r#"{"$items":[{"id":"1","note":"redacted-refresh_token-1"}]}"#)
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }
}
