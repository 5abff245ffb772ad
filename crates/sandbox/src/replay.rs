//! Serving a cassette recorded with `sage_core::record` to the same program, with no network, and
//! turning a cassette's records into sandbox data (`--seed`).
//!
//! [`Replay::start`] listens on a free `127.0.0.1` port and answers each request with the recorded
//! exchange of the same method, path and query (query pairs compared decoded, in order; bodies and
//! headers are not compared). Identical requests get their recorded answers in order; once those
//! are used up, the last one again. A request the cassette does not hold gets a 404 whose body (a
//! Sage error item, `$dataCode` `ReplayUnmatched`) names the request and the cassette, and is listed
//! by [`Replay::unmatched`].
//!
//! The consent step of a sign-in happens in a browser and is never recorded: a `GET` carrying
//! `response_type=code` and `redirect_uri` that the cassette does not hold is answered like an
//! auto-approved consent page, a 302 to the redirect URI with `code=replayed-authorization-code`
//! and the request's `state`. The code exchange that follows is in the cassette when the OAuth
//! client recorded (`OAuthClient::record`), and answers the recorded (redacted) tokens.
//!
//! Point the program at the replay instead of Sage by its URLs' host only:
//! [`Replay::rebase`] keeps a recorded URL's path, and [`Replay::base_url`] gives a recorded
//! client's base URL on the replay.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use sage_core::auth::StaticToken;
//! use sage_sandbox::replay::Replay;
//!
//! let replay = Replay::start("session.cassette.jsonl").await?;
//! # let product: sage_core::Product = unimplemented!();
//! let client = sage_core::Client::builder(product)
//!     .base_url(replay.base_url(product.name).expect("the cassette recorded this product"))
//!     .auth(StaticToken::new("replayed"))
//!     .build()?;
//! // … run the code under test with `client` …
//! assert!(replay.unmatched().is_empty(), "{:?}", replay.unmatched());
//! # let _ = client; Ok(()) }
//! ```

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::Path;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, Method, Response, StatusCode, Uri};
use axum::Router;
use sage_core::record::{split_url, Cassette, CassetteError, Exchange, ExchangeKind, RecordedClient};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::state::lock;

/// The authorization code a replayed consent page hands out.
pub const REPLAYED_CODE: &str = "replayed-authorization-code";

/// Why a replay could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// The cassette could not be read.
    #[error(transparent)]
    Cassette(#[from] CassetteError),
    /// The port could not be bound.
    #[error("cannot listen on 127.0.0.1: {0}")]
    Bind(#[from] std::io::Error),
}

/// Requests are matched on method, path and decoded query pairs.
type Key = (String, String, Vec<(String, String)>);

#[derive(Clone)]
struct Answer {
    status: u16,
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
}

#[derive(Default)]
struct Queue {
    answers: VecDeque<Answer>,
    last: Option<Answer>,
}

struct ReplayState {
    name: String,
    queues: Mutex<HashMap<Key, Queue>>,
    unmatched: Mutex<Vec<String>>,
}

/// A running replay of one cassette; stops when dropped or on [`Replay::shutdown`].
pub struct Replay {
    url: String,
    clients: Vec<RecordedClient>,
    state: Arc<ReplayState>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Replay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Replay").field("url", &self.url).field("cassette", &self.state.name).finish_non_exhaustive()
    }
}

fn key(method: &str, path: &str, query: &str) -> Key {
    let pairs = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    (method.to_ascii_uppercase(), path.to_owned(), pairs)
}

impl Replay {
    /// Reads the cassette (at most `sage_core::record::DEFAULT_CASSETTE_LIMIT` bytes) and serves it.
    pub async fn start(path: impl AsRef<Path>) -> Result<Replay, ReplayError> {
        Self::serve(Cassette::read(path)?).await
    }

    /// Serves a cassette already read.
    pub async fn serve(cassette: Cassette) -> Result<Replay, ReplayError> {
        let mut queues: HashMap<Key, Queue> = HashMap::new();
        for exchange in &cassette.exchanges {
            let answer = Answer {
                status: exchange.response.status,
                headers: exchange.response.message.headers.clone(),
                // Checked when the cassette was read.
                body: exchange.response.message.body_bytes().unwrap_or_default(),
            };
            queues
                .entry(key(&exchange.method, exchange.path(), exchange.query()))
                .or_default()
                .answers
                .push_back(answer);
        }
        let state = Arc::new(ReplayState {
            name: cassette.path.display().to_string(),
            queues: Mutex::new(queues),
            unmatched: Mutex::default(),
        });
        let listener = TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0)).await?;
        let url = format!("http://{}", listener.local_addr()?);
        let app = Router::new().fallback(answer).with_state(state.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(Replay { url, clients: cassette.clients, state, stop: Some(stop), task: Some(task) })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// `url` (as recorded, e.g. Sage's token URL) with its scheme, host and port replaced by the
    /// replay's; path and query are kept.
    pub fn rebase(&self, url: &str) -> String {
        let (path, query) = split_url(url);
        let path = path.trim_end_matches('/');
        if query.is_empty() {
            format!("{}{path}", self.url)
        } else {
            format!("{}{path}?{query}", self.url)
        }
    }

    /// The base URL a client of `product` recorded with, on the replay.
    pub fn base_url(&self, product: &str) -> Option<String> {
        self.clients.iter().find(|client| client.product == product).map(|client| self.rebase(&client.base_url))
    }

    /// The clients that recorded into the cassette.
    pub fn clients(&self) -> &[RecordedClient] {
        &self.clients
    }

    /// The requests answered 404 because the cassette holds no exchange for them, as
    /// `METHOD /path?query`.
    pub fn unmatched(&self) -> Vec<String> {
        lock(&self.state.unmatched).clone()
    }

    /// How many recorded answers have not been served yet.
    pub fn remaining(&self) -> usize {
        lock(&self.state.queues).values().map(|queue| queue.answers.len()).sum()
    }

    /// Stops serving.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(std::time::Duration::from_secs(5), task).await;
        }
    }
}

impl Drop for Replay {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

async fn answer(State(state): State<Arc<ReplayState>>, method: Method, uri: Uri) -> Response<Body> {
    let path = uri.path();
    let query = uri.query().unwrap_or_default();
    let found = {
        let mut queues = lock(&state.queues);
        queues.get_mut(&key(method.as_str(), path, query)).and_then(|queue| match queue.answers.pop_front() {
            Some(answer) => {
                queue.last = Some(answer.clone());
                Some(answer)
            }
            None => queue.last.clone(),
        })
    };
    if let Some(answer) = found {
        let mut response = Response::new(Body::from(answer.body));
        *response.status_mut() = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        for (name, value) in &answer.headers {
            if let (Ok(name), Ok(value)) =
                (axum::http::HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(value))
            {
                response.headers_mut().insert(name, value);
            }
        }
        return response;
    }
    if method == Method::GET {
        if let Some(location) = consent_redirect(query) {
            let mut response = Response::new(Body::empty());
            *response.status_mut() = StatusCode::FOUND;
            if let Ok(location) = HeaderValue::from_str(&location) {
                response.headers_mut().insert(axum::http::header::LOCATION, location);
            }
            return response;
        }
    }
    let request = if query.is_empty() { format!("{method} {path}") } else { format!("{method} {path}?{query}") };
    lock(&state.unmatched).push(request.clone());
    let message = format!("the replayed cassette {} holds no exchange for {request}", state.name);
    let body = serde_json::json!([{
        "$severity": "error",
        "$dataCode": "ReplayUnmatched",
        "$message": message,
        "$source": "",
    }]);
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = StatusCode::NOT_FOUND;
    response.headers_mut().insert(axum::http::header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// An authorize request (`response_type=code`, `redirect_uri`): where an approving consent page
/// would send the browser.
fn consent_redirect(query: &str) -> Option<String> {
    let pairs: HashMap<String, String> = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    if pairs.get("response_type").map(String::as_str) != Some("code") {
        return None;
    }
    let mut redirect = url::Url::parse(pairs.get("redirect_uri")?).ok()?;
    {
        let mut query = redirect.query_pairs_mut();
        query.append_pair("code", REPLAYED_CODE);
        if let Some(state) = pairs.get("state") {
            query.append_pair("state", state);
        }
    }
    Some(redirect.to_string())
}

/// Records a cassette's list and read answers hold, grouped by where they go in a sandbox.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SeedBatch {
    pub(crate) product: String,
    /// The v3.1 business, v3 site or Sage 200 company; `None`: the lead business (v3.1 without
    /// `X-Business`).
    pub(crate) tenant: Option<String>,
    /// The path under the product's base, e.g. `/contacts`.
    pub(crate) collection: String,
    pub(crate) records: Vec<Value>,
}

/// The records of every successful `GET` of an API the cassette's clients name: the items of a
/// list (Accounting's `$items`, Sage 200's array) go to the list's path, a single record with an
/// `id` to its parent path. Later answers for an id are merged over earlier ones (a read with all
/// attributes completes a list's few).
pub(crate) fn seed_batches(cassette: &Cassette, tenant_header: impl Fn(&str) -> &'static str) -> Vec<SeedBatch> {
    let mut batches: Vec<SeedBatch> = Vec::new();
    let mut bases: Vec<(&str, String)> = cassette
        .clients
        .iter()
        .map(|client| (client.product.as_str(), split_url(&client.base_url).0.trim_end_matches('/').to_owned()))
        .collect();
    // The longest base first, so `/uk/sage200extra/accounts/v1` wins over a shorter prefix.
    bases.sort_by_key(|(_, base)| std::cmp::Reverse(base.len()));
    for exchange in &cassette.exchanges {
        if exchange.kind != ExchangeKind::Api
            || !exchange.method.eq_ignore_ascii_case("GET")
            || !(200..300).contains(&exchange.response.status)
        {
            continue;
        }
        let path = exchange.path();
        let Some((product, rest)) = bases.iter().find_map(|(product, base)| {
            let rest = path.strip_prefix(base.as_str())?;
            (rest.starts_with('/')).then_some((*product, rest))
        }) else {
            continue;
        };
        let Some((collection, records)) = records_of(exchange, rest) else { continue };
        let tenant = exchange.request.headers.get(tenant_header(product)).cloned();
        let batch = match batches
            .iter_mut()
            .find(|batch| batch.product == product && batch.tenant == tenant && batch.collection == collection)
        {
            Some(batch) => batch,
            None => {
                batches.push(SeedBatch { product: product.to_owned(), tenant, collection, records: Vec::new() });
                batches.last_mut().expect("just pushed")
            }
        };
        for record in records {
            merge_record(&mut batch.records, record);
        }
    }
    batches
}

fn records_of(exchange: &Exchange, rest: &str) -> Option<(String, Vec<Value>)> {
    let body: Value = serde_json::from_str(exchange.response.message.body.as_deref()?).ok()?;
    let rest = rest.trim_end_matches('/').to_owned();
    match body {
        Value::Array(items) => Some((rest, items.into_iter().filter(Value::is_object).collect())),
        Value::Object(mut fields) => match fields.remove("$items") {
            Some(Value::Array(items)) => Some((rest, items.into_iter().filter(Value::is_object).collect())),
            Some(_) => None,
            None => {
                let id = match fields.get("id")? {
                    Value::String(text) => text.clone(),
                    Value::Number(number) => number.to_string(),
                    _ => return None,
                };
                let (parent, last) = rest.rsplit_once('/')?;
                (last == id && !parent.is_empty()).then(|| (parent.to_owned(), vec![Value::Object(fields)]))
            }
        },
        _ => None,
    }
}

fn merge_record(records: &mut Vec<Value>, record: Value) {
    let id = record.get("id").cloned();
    let held = id.and_then(|id| records.iter_mut().find(|held| held.get("id") == Some(&id)));
    match (held, record) {
        (Some(Value::Object(held)), Value::Object(fields)) => held.extend(fields),
        (_, record) => records.push(record),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cassette(lines: &[String]) -> Cassette {
        let mut text =
            r#"{"type":"cassette","format":"sage-rs-cassette","version":1,"personal_data_redacted":false}"#.to_owned();
        for line in lines {
            text.push('\n');
            text.push_str(line);
        }
        Cassette::parse("t.jsonl", text.as_bytes()).unwrap()
    }

    fn exchange(seq: u64, method: &str, url: &str, status: u16, body: &str) -> String {
        serde_json::json!({
            "type": "exchange", "seq": seq, "kind": "api", "method": method, "url": url,
            "request": {"headers": {"x-business": "biz"}},
            "response": {"status": status, "headers": {"content-type": "application/json"}, "body": body},
        })
        .to_string()
    }

    #[tokio::test]
    async fn requests_are_answered_in_order_and_unknown_ones_named() {
        let cassette = cassette(&[
            r#"{"type":"client","product":"accounting-v31","base_url":"https://api.example/v3.1"}"#.to_owned(),
            exchange(1, "GET", "https://api.example/v3.1/contacts?search=a+b", 503, "[]"),
            exchange(2, "GET", "https://api.example/v3.1/contacts?search=a%20b", 200, r#"{"$items":[]}"#),
        ]);
        let replay = Replay::serve(cassette).await.unwrap();
        assert_eq!(replay.base_url("accounting-v31").unwrap(), format!("{}/v3.1", replay.url()));
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let get = |url: String| {
            let http = http.clone();
            async move {
                let response = http.get(url).send().await.unwrap();
                (response.status().as_u16(), response.text().await.unwrap())
            }
        };
        let contacts = format!("{}/v3.1/contacts?search=a+b", replay.url());
        assert_eq!(get(contacts.clone()).await, (503, "[]".to_owned()));
        assert_eq!(get(contacts.clone()).await, (200, r#"{"$items":[]}"#.to_owned()));
        assert_eq!(get(contacts).await.0, 200, "the last answer again");
        assert_eq!(replay.remaining(), 0);

        let (status, body) = get(format!("{}/v3.1/ledger_accounts", replay.url())).await;
        assert_eq!(status, 404);
        assert!(
            body.contains("ReplayUnmatched") && body.contains("GET /v3.1/ledger_accounts") && body.contains("t.jsonl")
        );
        assert_eq!(replay.unmatched(), ["GET /v3.1/ledger_accounts"]);

        let authorize = format!(
            "{}/oauth2/auth/central?response_type=code&client_id=app&redirect_uri=http%3A%2F%2F127.0.0.1%3A8791%2Fcallback&state=xyz",
            replay.url()
        );
        let response = http.get(authorize).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 302);
        assert_eq!(
            response.headers()["location"].to_str().unwrap(),
            "http://127.0.0.1:8791/callback?code=replayed-authorization-code&state=xyz"
        );
        replay.shutdown().await;
    }

    #[test]
    fn lists_and_reads_become_records_of_their_collection() {
        let cassette = cassette(&[
            r#"{"type":"client","product":"accounting-v31","base_url":"http://127.0.0.1:1/v3.1"}"#.to_owned(),
            exchange(
                1,
                "GET",
                "http://127.0.0.1:1/v3.1/contacts",
                200,
                r#"{"$items":[{"id":"c1","displayed_as":"A"}]}"#,
            ),
            exchange(2, "GET", "http://127.0.0.1:1/v3.1/contacts/c1", 200, r#"{"id":"c1","name":"A","balance":"1.0"}"#),
            exchange(3, "POST", "http://127.0.0.1:1/v3.1/contacts", 201, r#"{"id":"c2"}"#),
            exchange(4, "GET", "http://127.0.0.1:1/v3.1/contacts/c9", 404, "[]"),
            exchange(5, "GET", "http://other/elsewhere", 200, r#"[{"id":1}]"#),
        ]);
        let batches = seed_batches(&cassette, |_| "x-business");
        assert_eq!(batches.len(), 1);
        let batch = &batches[0];
        assert_eq!(
            (batch.product.as_str(), batch.tenant.as_deref(), batch.collection.as_str()),
            ("accounting-v31", Some("biz"), "/contacts")
        );
        assert_eq!(
            batch.records,
            vec![serde_json::json!({"id": "c1", "displayed_as": "A", "name": "A", "balance": "1.0"})]
        );
    }
}
