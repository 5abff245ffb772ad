//! The client: the single place where requests are sent, authenticated, retried and decoded.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use futures_util::stream::{self, BoxStream, StreamExt, TryStreamExt};
use http::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use serde::de::DeserializeOwned;
use tracing::Instrument;

use crate::auth::{AccessToken, Authenticate};
use crate::error::{ApiError, DecodeError, Error, ErrorItem, Result};
use crate::headers::HeaderPolicy;
use crate::operation::{ListOperation, Operation, Request};
use crate::paging::Page;
use crate::product::{PagingStyle, Product};
use crate::retry::{parse_retry_after, RetryPolicy};

/// Page size asked for when walking a Sage 200 list whose `$top` the caller left unset
/// (Sage 200's own default).
const ODATA_PAGE_SIZE: u64 = 500;

/// A configured connection to one Sage product. Cheap to clone; clones share connections.
#[derive(Clone)]
pub struct Client {
    shared: Arc<Shared>,
    headers: Arc<HeaderPolicy>,
}

struct Shared {
    http: reqwest::Client,
    base_url: String,
    product: Product,
    auth: Arc<dyn Authenticate>,
    retry: RetryPolicy,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("product", &self.shared.product.name)
            .field("base_url", &self.shared.base_url)
            .field("headers", &self.headers)
            .finish_non_exhaustive()
    }
}

/// A response as received, before decoding. Used by [`Client::execute`].
#[derive(Debug, Clone)]
pub struct RawResponse {
    /// HTTP status (always 2xx: error statuses become [`Error::Api`]).
    pub status: u16,
    /// Response headers.
    pub headers: HeaderMap,
    /// Response body.
    pub body: Vec<u8>,
}

impl Client {
    /// Starts configuring a client for `product` (each product crate exports its `PRODUCT`).
    pub fn builder(product: Product) -> ClientBuilder {
        ClientBuilder {
            product,
            base_url: None,
            variables: BTreeMap::new(),
            headers: None,
            auth: None,
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(60),
            http: None,
        }
    }

    /// The product this client talks to.
    pub fn product(&self) -> &Product {
        &self.shared.product
    }

    /// The resolved base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    /// The headers this client sends.
    pub fn header_policy(&self) -> &HeaderPolicy {
        &self.headers
    }

    /// A client sharing this one's connections and auth but sending other headers, e.g. another
    /// v3.1 business or Sage 200 company.
    pub fn with_headers(&self, policy: HeaderPolicy) -> Result<Client> {
        check_style(&self.shared.product, &policy)?;
        Ok(Client { shared: Arc::clone(&self.shared), headers: Arc::new(policy) })
    }

    /// Sends an operation and decodes its output.
    pub async fn send<O: Operation + ?Sized>(&self, operation: &O) -> Result<O::Output> {
        let request = operation.request()?;
        let response = self.execute(&request).await?;
        decode(request.operation, &response.body)
    }

    /// Every item of a list operation, fetching pages lazily as the stream is polled.
    ///
    /// Stops at the last page, and defensively when a page is empty, repeats the previous `$next`
    /// link or the server's `$total` has been reached.
    pub fn items<O: ListOperation + ?Sized>(&self, operation: &O) -> BoxStream<'static, Result<O::Item>> {
        self.pages(operation).map_ok(|page| stream::iter(page.items.into_iter().map(Ok))).try_flatten().boxed()
    }

    /// Every page of a list operation, fetched lazily.
    pub fn pages<O: ListOperation + ?Sized>(&self, operation: &O) -> BoxStream<'static, Result<Page<O::Item>>> {
        let request = match operation.request() {
            Ok(request) => request,
            Err(err) => return stream::once(async { Err(err) }).boxed(),
        };
        let cursor = Cursor::start(self.shared.product.paging, request);
        let client = self.clone();
        stream::try_unfold(cursor, move |mut cursor| {
            let client = client.clone();
            async move {
                let Some(request) = cursor.next_request() else { return Ok(None) };
                let response = client.execute(&request).await?;
                let page: Page<O::Item> = decode(request.operation, &response.body)?;
                cursor.advance(&page);
                Ok(Some((page, cursor)))
            }
        })
        .boxed()
    }

    /// Sends a request description and returns the raw 2xx response. Error statuses become
    /// [`Error::Api`]. Retries and one refresh-after-401 happen here.
    pub async fn execute(&self, request: &Request) -> Result<RawResponse> {
        let span = tracing::info_span!(
            "sage.call",
            product = self.shared.product.name,
            operation = request.operation,
            method = request.method.as_str(),
            path = request.path_template,
            status = tracing::field::Empty,
            attempts = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        let result = self.execute_with_retries(request).instrument(span.clone()).await;
        span.record("latency_ms", started.elapsed().as_millis() as u64);
        match &result {
            Ok((response, attempts)) => {
                span.record("status", response.status);
                span.record("attempts", attempts);
            }
            Err(err) => {
                if let Some(status) = err.status() {
                    span.record("status", status);
                }
                span.in_scope(|| tracing::debug!(error = %err, "call failed"));
            }
        }
        result.map(|(response, _)| response)
    }

    async fn execute_with_retries(&self, request: &Request) -> Result<(RawResponse, u32)> {
        let url = format!("{}{}", self.shared.base_url, request.render_path()?);
        let mut token = self.shared.auth.access_token().await?;
        let mut refreshed = false;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let outcome = self.send_once(request, &url, &token).await;
            let retry_after = match &outcome {
                Ok(response) if response.status().is_success() => {
                    let response = into_raw(outcome?).await?;
                    return Ok((response, attempt));
                }
                Ok(response) if response.status() == 401 && !refreshed => {
                    refreshed = true;
                    token = self.shared.auth.refresh_after_rejection(&token).await?;
                    attempt -= 1;
                    continue;
                }
                Ok(response) => response
                    .headers()
                    .get(RETRY_AFTER)
                    .and_then(|value| value.to_str().ok())
                    .and_then(|value| parse_retry_after(value, SystemTime::now())),
                Err(_) => None,
            };
            let error = match outcome {
                Ok(response) => api_error(request.operation, response, attempt).await,
                Err(err) => err,
            };
            let delay = error
                .is_retryable()
                .then(|| self.shared.retry.next_delay(attempt, request.idempotent, retry_after))
                .flatten();
            match delay {
                Some(delay) => {
                    tracing::debug!(attempt, delay_ms = delay.as_millis() as u64, "retrying");
                    tokio::time::sleep(delay).await;
                }
                None => return Err(error),
            }
        }
    }

    async fn send_once(&self, request: &Request, url: &str, token: &AccessToken) -> Result<reqwest::Response> {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let mut bearer = HeaderValue::from_str(&format!("Bearer {}", token.secret()))
            .map_err(|_| Error::Build("the access token contains characters not allowed in a header".into()))?;
        bearer.set_sensitive(true);
        headers.insert(AUTHORIZATION, bearer);
        self.headers.apply(&mut headers)?;
        let mut builder =
            self.shared.http.request(request.method.to_http(), url).headers(headers).query(&request.query);
        if let Some(body) = &request.body {
            builder = builder.header(CONTENT_TYPE, "application/json").body(body.clone());
        }
        builder.send().await.map_err(Error::transport)
    }
}

async fn into_raw(response: reqwest::Response) -> Result<RawResponse> {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.bytes().await.map_err(Error::transport)?.to_vec();
    Ok(RawResponse { status, headers, body })
}

async fn api_error(operation: &'static str, response: reqwest::Response, attempts: u32) -> Error {
    let status = response.status().as_u16();
    let request_id = ["x-request-id", "request-id", "x-correlation-id"]
        .iter()
        .find_map(|name| response.headers().get(*name))
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let body = match response.bytes().await {
        Ok(body) => body,
        Err(err) => return Error::transport(err),
    };
    Error::Api(Box::new(ApiError {
        operation,
        status,
        items: ErrorItem::parse_body(&body),
        body: String::from_utf8_lossy(&body).into_owned(),
        request_id,
        attempts,
    }))
}

/// Decodes a body, naming the path of the first field that does not fit. An empty body
/// (204 No Content) decodes as JSON `null`, which `()` accepts.
pub(crate) fn decode<T: DeserializeOwned>(operation: &'static str, body: &[u8]) -> Result<T> {
    let body_or_null: &[u8] = if body.iter().all(u8::is_ascii_whitespace) { b"null" } else { body };
    let mut deserializer = serde_json::Deserializer::from_slice(body_or_null);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        Error::Decode(Box::new(DecodeError {
            operation,
            path: err.path().to_string(),
            message: err.inner().to_string(),
            body: String::from_utf8_lossy(body).into_owned(),
        }))
    })
}

/// Where a paged walk is, and which request fetches the next page.
struct Cursor {
    style: PagingStyle,
    request: Request,
    done: bool,
    fetched: u64,
    last_next: Option<String>,
}

impl Cursor {
    fn start(style: PagingStyle, mut request: Request) -> Self {
        match style {
            PagingStyle::Envelope if request.query_value("page").is_none() => request.set_query("page", 1),
            PagingStyle::OData if request.query_value("$top").is_none() => request.set_query("$top", ODATA_PAGE_SIZE),
            _ => {}
        }
        Self { style, request, done: false, fetched: 0, last_next: None }
    }

    fn next_request(&self) -> Option<Request> {
        (!self.done).then(|| self.request.clone())
    }

    fn advance<T>(&mut self, page: &Page<T>) {
        let count = page.items.len() as u64;
        self.fetched += count;
        let reached_total = page.total.is_some_and(|total| self.fetched >= total);
        match self.style {
            PagingStyle::Envelope => {
                let repeated = page.next.is_some() && page.next == self.last_next;
                self.done = count == 0 || page.next.is_none() || repeated || reached_total;
                self.last_next = page.next.clone();
                let current = self.request.query_value("page").and_then(|page| page.parse::<u64>().ok()).unwrap_or(1);
                self.request.set_query("page", current + 1);
            }
            PagingStyle::OData => {
                let top =
                    self.request.query_value("$top").and_then(|top| top.parse::<u64>().ok()).unwrap_or(ODATA_PAGE_SIZE);
                self.done = count == 0 || count < top || reached_total;
                let skip = self.request.query_value("$skip").and_then(|skip| skip.parse::<u64>().ok()).unwrap_or(0);
                self.request.set_query("$skip", skip + count);
            }
        }
    }
}

/// Configures a [`Client`].
#[must_use]
pub struct ClientBuilder {
    product: Product,
    base_url: Option<String>,
    variables: BTreeMap<String, String>,
    headers: Option<HeaderPolicy>,
    auth: Option<Arc<dyn Authenticate>>,
    retry: RetryPolicy,
    timeout: Duration,
    http: Option<reqwest::Client>,
}

impl ClientBuilder {
    /// Replaces the product's default base URL, e.g. with the sandbox's. May contain `{variables}`.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Fills a `{name}` variable of the base URL, e.g. `country` for Accounting v3.
    pub fn base_url_variable(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.variables.insert(name.into(), value.into());
        self
    }

    /// The company/site/business headers; required for Sage 200 and Accounting v3.
    pub fn headers(mut self, policy: HeaderPolicy) -> Self {
        self.headers = Some(policy);
        self
    }

    /// Where bearer tokens come from.
    pub fn auth(mut self, auth: impl Authenticate) -> Self {
        self.auth = Some(Arc::new(auth));
        self
    }

    /// Where bearer tokens come from, shared with other clients.
    pub fn shared_auth(mut self, auth: Arc<dyn Authenticate>) -> Self {
        self.auth = Some(auth);
        self
    }

    /// The retry policy (default: [`RetryPolicy::default`]).
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Per-request timeout (default 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Uses a preconfigured `reqwest` client (proxies, custom roots). Its timeout and redirect
    /// settings are then the caller's.
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<Client> {
        let product = self.product;
        let auth = self.auth.ok_or_else(|| Error::Build("no authenticator configured: call `.auth(…)`".into()))?;
        let headers = match self.headers {
            Some(policy) => policy,
            None => HeaderPolicy::default_for(product.headers).ok_or_else(|| {
                Error::Build(format!("{} needs company/site headers: call `.headers(…)`", product.title))
            })?,
        };
        check_style(&product, &headers)?;
        let base_url = resolve_base_url(self.base_url.as_deref().unwrap_or(product.base_url), &self.variables)?;
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .timeout(self.timeout)
                .connect_timeout(Duration::from_secs(10))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|err| Error::Build(format!("HTTP client: {err}")))?,
        };
        Ok(Client {
            shared: Arc::new(Shared { http, base_url, product, auth, retry: self.retry }),
            headers: Arc::new(headers),
        })
    }
}

fn check_style(product: &Product, policy: &HeaderPolicy) -> Result<()> {
    if policy.style() == product.headers {
        Ok(())
    } else {
        Err(Error::Build(format!("{:?} headers do not fit {}", policy.style(), product.title)))
    }
}

fn resolve_base_url(template: &str, variables: &BTreeMap<String, String>) -> Result<String> {
    let mut url = template.trim_end_matches('/').to_owned();
    for (name, value) in variables {
        url = url.replace(&format!("{{{name}}}"), value);
    }
    if let Some(start) = url.find('{') {
        let name: String = url[start + 1..].chars().take_while(|c| *c != '}').collect();
        return Err(Error::Build(format!(
            "base URL variable `{name}` is not set: call `.base_url_variable(\"{name}\", …)`"
        )));
    }
    url::Url::parse(&url).map_err(|err| Error::Build(format!("base URL `{url}`: {err}")))?;
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_variables_must_all_be_set() {
        let mut vars = BTreeMap::new();
        let template = "https://api.columbus.sage.com/{country}/sageone/";
        assert!(resolve_base_url(template, &vars).unwrap_err().to_string().contains("`country`"));
        vars.insert("country".to_owned(), "uki".to_owned());
        assert_eq!(resolve_base_url(template, &vars).unwrap(), "https://api.columbus.sage.com/uki/sageone");
        assert!(resolve_base_url("not a url", &BTreeMap::new()).is_err());
    }

    #[test]
    fn decode_errors_name_the_field_path() {
        let err =
            decode::<Page<BTreeMap<String, u32>>>("list_things", br#"{"$items":[{"a":1},{"a":"x"}]}"#).unwrap_err();
        let Error::Decode(decode) = err else { panic!("expected a decode error") };
        assert_eq!(decode.path, "$items[1].a");
        assert_eq!(decode.operation, "list_things");
    }

    #[test]
    fn empty_bodies_decode_as_unit() {
        decode::<()>("delete_contact", b"").unwrap();
        assert!(decode::<u32>("get", b"").is_err());
    }

    fn envelope(items: usize, next: Option<&str>, total: Option<u64>) -> Page<u8> {
        Page { items: vec![0; items], next: next.map(str::to_owned), total, ..Page::from_items(vec![]) }
    }

    #[test]
    fn envelope_cursor_follows_next_and_stops_defensively() {
        let base = Request::new("list", crate::Method::Get, "/x");
        let mut cursor = Cursor::start(PagingStyle::Envelope, base.clone());
        assert_eq!(cursor.next_request().unwrap().query_value("page"), Some("1"));
        cursor.advance(&envelope(2, Some("/x?page=2"), None));
        assert_eq!(cursor.next_request().unwrap().query_value("page"), Some("2"));
        cursor.advance(&envelope(2, Some("/x?page=2"), None));
        assert!(cursor.next_request().is_none(), "a repeated $next link ends the walk");

        let mut cursor = Cursor::start(PagingStyle::Envelope, base.clone());
        cursor.advance(&envelope(3, Some("/x?page=2"), Some(3)));
        assert!(cursor.next_request().is_none(), "$total reached");

        let mut cursor = Cursor::start(PagingStyle::Envelope, base);
        cursor.advance(&envelope(0, Some("/x?page=2"), None));
        assert!(cursor.next_request().is_none(), "empty page");
    }

    #[test]
    fn odata_cursor_skips_by_page_size() {
        let request = Request::new("list", crate::Method::Get, "/x").query("$top", &Some(2_u64));
        let mut cursor = Cursor::start(PagingStyle::OData, request);
        cursor.advance(&Page::from_items(vec![1_u8, 2]));
        assert_eq!(cursor.next_request().unwrap().query_value("$skip"), Some("2"));
        cursor.advance(&Page::from_items(vec![3_u8]));
        assert!(cursor.next_request().is_none(), "a short page is the last");
    }
}
