//! The client: the single place where requests are sent, authenticated, retried and decoded.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use futures_util::stream::{self, BoxStream, StreamExt, TryStreamExt};
use http::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, RETRY_AFTER, WWW_AUTHENTICATE};
use tokio::sync::watch;
use tracing::Instrument;

use crate::auth::{AccessToken, Authenticate};
use crate::body::{read_capped, read_prefix};
use crate::builder::{check_style, ClientBuilder};
use crate::decode::decode;
use crate::error::{ApiError, Error, ErrorItem, Result};
use crate::headers::HeaderPolicy;
use crate::idempotency;
use crate::operation::{ListOperation, Operation, Request};
use crate::paging::{Cursor, Page};
use crate::product::{HeaderStyle, Product};
use crate::response::{LeadTracker, Response, ResponseMetadata};
use crate::retry::{parse_retry_after, RetryPolicy};

/// A configured connection to one Sage product. Cheap to clone; clones share connections.
#[derive(Clone)]
pub struct Client {
    shared: Arc<Shared>,
    headers: Arc<HeaderPolicy>,
    limits: Limits,
}

/// Bounds on one call; see [`ClientBuilder::deadline`] and [`ClientBuilder::body_limit`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) deadline: Option<Duration>,
    pub(crate) body_limit: usize,
}

/// Error bodies are kept for diagnosis only: this much of them is read.
const ERROR_BODY_PREFIX: usize = 64 * 1024;

struct Shared {
    http: reqwest::Client,
    base_url: String,
    product: Product,
    auth: Arc<dyn Authenticate>,
    retry: RetryPolicy,
    lead: LeadTracker,
    /// The client-side rate limiter ([`ClientBuilder::rate_limit`]); `None` costs one branch per call.
    limiter: crate::limit::SharedLimiter,
    /// Where exchanges are recorded; `None` costs one branch per try.
    #[cfg(feature = "record")]
    recorder: Option<crate::record::Recorder>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("product", &self.shared.product.name)
            .field("base_url", &self.shared.base_url)
            .field("headers", &self.headers)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// A response as received, before decoding. Used by [`Client::execute`].
#[derive(Debug, Clone)]
pub struct RawResponse {
    /// The body.
    pub body: bytes::Bytes,
    /// Status, request id, business.
    pub metadata: ResponseMetadata,
    /// All response headers.
    pub headers: HeaderMap,
}

impl Client {
    /// Starts configuring a client for `product` (each product crate exports its `PRODUCT`).
    pub fn builder(product: Product) -> ClientBuilder {
        ClientBuilder::new(product)
    }

    pub(crate) fn from_parts(
        http: reqwest::Client,
        base_url: String,
        product: Product,
        auth: Arc<dyn Authenticate>,
        retry: RetryPolicy,
        headers: HeaderPolicy,
        limits: Limits,
    ) -> Self {
        let shared = Shared {
            http,
            base_url,
            product,
            auth,
            retry,
            lead: LeadTracker::new(),
            limiter: None,
            #[cfg(feature = "record")]
            recorder: None,
        };
        Self { shared: Arc::new(shared), headers: Arc::new(headers), limits }
    }

    /// Sets the rate limiter of a client just built (its `Shared` is not yet shared).
    pub(crate) fn with_limiter(mut self, limiter: crate::limit::SharedLimiter) -> Self {
        if let Some(shared) = Arc::get_mut(&mut self.shared) {
            shared.limiter = limiter;
        }
        self
    }

    /// Sets the recorder of a client just built (its `Shared` is not yet shared).
    #[cfg(feature = "record")]
    pub(crate) fn with_recorder(mut self, recorder: Option<crate::record::Recorder>) -> Self {
        if let Some(shared) = Arc::get_mut(&mut self.shared) {
            shared.recorder = recorder;
        }
        self
    }

    /// Writes one try to the recorder, if there is one.
    #[cfg(feature = "record")]
    #[allow(clippy::too_many_arguments)]
    fn record(
        &self,
        request: &Request,
        url: &reqwest::Url,
        token: &AccessToken,
        status: u16,
        headers: &HeaderMap,
        body: &[u8],
    ) {
        let Some(recorder) = &self.shared.recorder else { return };
        let mut sent = HeaderMap::new();
        // The headers were applied once already for this try; a failure here cannot happen then.
        let _ = self.headers.apply(&mut sent, request.body.is_some());
        recorder.api_exchange(crate::record::ApiExchange {
            operation: request.operation,
            method: request.method.as_str(),
            url,
            bearer: token.secret(),
            request_headers: &sent,
            request_body: request.body.as_deref(),
            status,
            response_headers: headers,
            response_body: body,
        });
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
    /// Sage 200 company.
    pub fn with_headers(&self, policy: HeaderPolicy) -> Result<Client> {
        check_style(&self.shared.product, &policy)?;
        Ok(Client { shared: Arc::clone(&self.shared), headers: Arc::new(policy), limits: self.limits })
    }

    /// A client sharing this one's connections, auth and headers, whose calls each get `deadline`
    /// instead (e.g. `client.with_deadline(Duration::from_secs(5)).send(&op)` for one call).
    pub fn with_deadline(&self, deadline: Duration) -> Client {
        Client { limits: Limits { deadline: Some(deadline), ..self.limits }, ..self.clone() }
    }

    /// A client sharing this one's connections, auth and headers that accepts response bodies of
    /// up to `bytes` (e.g. for one large export page).
    pub fn with_body_limit(&self, bytes: usize) -> Client {
        Client { limits: Limits { body_limit: bytes, ..self.limits }, ..self.clone() }
    }

    /// Accounting v3.1: a client addressing `business_id` (`X-Business`) instead of the lead business.
    /// Takes the `BusinessId` a `/businesses` list returns (`&business.id`), a `&str` or a `String`.
    /// An empty id, or one with a character no Sage id has (whitespace, `/`, `\`, `%`, a control
    /// character: the rule path ids follow), is refused with [`Error::Build`](crate::Error::Build).
    pub fn for_business(&self, business_id: impl AsRef<str>) -> Result<Client> {
        let id = business_id.as_ref();
        if id.is_empty() || id.chars().any(crate::operation::refused_in_id) {
            return Err(crate::Error::Build(format!(
                "business id {id:?} is not a Sage business id: it must be non-empty, without whitespace, `/`, \
                 `\\`, `%` or control characters"
            )));
        }
        self.with_headers(HeaderPolicy::AccountingV31 { business_id: Some(id.to_owned()) })
    }

    /// Accounting v3.1: the lead business as last seen by any call that did not choose a business.
    /// The receiver wakes when a call reveals that the lead business changed.
    pub fn lead_business(&self) -> watch::Receiver<Option<String>> {
        self.shared.lead.subscribe()
    }

    /// Sends an operation and decodes its output.
    pub async fn send<O: Operation + ?Sized>(&self, operation: &O) -> Result<O::Output> {
        self.send_with_metadata(operation).await.map(|response| response.value)
    }

    /// Sends an operation and returns its output together with the response metadata (status,
    /// request id, the v3.1 business that served it, a lead-business change).
    pub async fn send_with_metadata<O: Operation + ?Sized>(&self, operation: &O) -> Result<Response<O::Output>> {
        let request = operation.request()?;
        let response = self.execute(&request).await?;
        let value = decode(request.operation, &response.body)?;
        Ok(Response { value, metadata: response.metadata })
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
    /// [`Error::Api`]. Retries happen here, and one token refresh after a 401 that blames the token
    /// (see `blames_the_token`); any other 401, and every 403, is returned at once with Sage's items.
    /// A request naming products of which this client's is not one is refused unsent
    /// ([`Error::WrongProduct`]).
    pub async fn execute(&self, request: &Request) -> Result<RawResponse> {
        self.check_product(request)?;
        // DEBUG, not INFO: an application logging at INFO pays nothing for a span per call.
        let span = tracing::debug_span!(
            "sage.call",
            product = self.shared.product.name,
            operation = request.operation,
            method = request.method.as_str(),
            path = request.path_template,
            status = tracing::field::Empty,
            attempts = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        // A disabled span (no subscriber wants it) records nothing, so the clock is not read.
        let started = (!span.is_disabled()).then(Instant::now);
        let request = idempotency::prepared(request)?;
        let deadline_at = self.limits.deadline.map(|deadline| tokio::time::Instant::now() + deadline);
        let call = self.execute_with_retries(&request, deadline_at).instrument(span.clone());
        // Cancelling at the deadline is safe: a token refresh runs in a task of its own.
        let result = match self.limits.deadline {
            Some(deadline) => {
                tokio::time::timeout(deadline, call).await.unwrap_or(Err(Error::DeadlineExceeded { deadline }))
            }
            None => call.await,
        };
        if let Some(started) = started {
            span.record("latency_ms", started.elapsed().as_millis() as u64);
            match &result {
                Ok((response, attempts)) => {
                    span.record("status", response.metadata.status);
                    span.record("attempts", attempts);
                }
                Err(err) => {
                    if let Some(status) = err.status() {
                        span.record("status", status);
                    }
                }
            }
        }
        if let Err(err) = &result {
            span.in_scope(|| tracing::debug!(error = %err, "call failed"));
        }
        result.map(|(mut response, _)| {
            self.track_lead_business(&mut response.metadata);
            response
        })
    }

    /// Refuses, before anything is sent, a request naming products of which this client's is not
    /// one ([`Error::WrongProduct`]); a request naming none is not checked.
    #[inline]
    fn check_product(&self, request: &Request) -> Result<()> {
        let client_product = self.shared.product.name;
        if request.is_for(client_product) {
            return Ok(());
        }
        Err(Error::WrongProduct { operation: request.operation, operation_products: request.products, client_product })
    }

    /// Calls that send no `X-Business` are served by the lead business; notice when it moves.
    fn track_lead_business(&self, metadata: &mut ResponseMetadata) {
        let addresses_lead = matches!(*self.headers, HeaderPolicy::AccountingV31 { business_id: None });
        if self.shared.product.headers == HeaderStyle::AccountingV31 && addresses_lead {
            if let Some(business) = &metadata.business {
                metadata.lead_change = self.shared.lead.observe(business);
            }
        }
    }

    /// The tries of one call. `deadline_at`: when the call's deadline runs out; a wait between
    /// tries that would outlast it is not started, so the answer in hand (a 429 or 503 asking for
    /// a longer wait, with its `retry_after`) is returned at once rather than a `DeadlineExceeded`
    /// when the time is up.
    async fn execute_with_retries(
        &self,
        request: &Request,
        deadline_at: Option<tokio::time::Instant>,
    ) -> Result<(RawResponse, u32)> {
        let url = self.url(request)?;
        let mut token = self.shared.auth.access_token().await?;
        let mut refreshed = false;
        let mut attempt = 0;
        let turn = self.shared.limiter.as_deref().map(|limiter| crate::limit::Turn {
            limiter,
            key: crate::limit::RateKey::for_client(&self.shared.product, &self.headers),
        });
        loop {
            attempt += 1;
            if let Some(turn) = &turn {
                turn.wait(deadline_at, self.limits.deadline).await?;
            }
            let (error, retry_after) = match self.send_once(request, &url, &token).await {
                Ok(response) if response.status().is_success() => {
                    let raw = into_raw(response, self.limits.body_limit).await?;
                    #[cfg(feature = "record")]
                    self.record(request, &url, &token, raw.metadata.status, &raw.headers, &raw.body);
                    self.shared.retry.record_success(attempt);
                    return Ok((raw, attempt));
                }
                Ok(response) => {
                    let challenge = response.headers().get(WWW_AUTHENTICATE).cloned();
                    #[cfg(feature = "record")]
                    let answered =
                        self.shared.recorder.as_ref().map(|_| (response.status().as_u16(), response.headers().clone()));
                    let error = api_error(request.operation, response, attempt).await;
                    #[cfg(feature = "record")]
                    if let (Some((status, headers)), Error::Api(api)) = (&answered, &error) {
                        self.record(request, &url, &token, *status, headers, api.body.as_bytes());
                    }
                    if !refreshed {
                        if let Error::Api(api) = &error {
                            if blames_the_token(api, challenge.as_ref()) {
                                refreshed = true;
                                token = self.shared.auth.refresh_after_rejection(&token).await?;
                                attempt -= 1;
                                continue;
                            }
                        }
                    }
                    let retry_after = match &error {
                        Error::Api(api) => api.retry_after,
                        _ => None,
                    };
                    (error, retry_after)
                }
                Err(err) => (err, None),
            };
            if let Some(turn) = &turn {
                turn.learn(&error).await;
            }
            let time_left = deadline_at.map(|at| at.saturating_duration_since(tokio::time::Instant::now()));
            if retry_after.zip(time_left).is_some_and(|(wait, left)| wait > left) {
                tracing::debug!(attempt, "the wait Sage asked for outlasts the deadline: returning its answer");
                return Err(error);
            }
            let timed_out = matches!(error, Error::Timeout);
            let delay = error
                .is_retryable()
                .then(|| self.shared.retry.next_delay(attempt, request.idempotent, retry_after, timed_out))
                .flatten();
            match delay {
                Some(delay) if time_left.is_some_and(|left| delay >= left) => return Err(error),
                Some(delay) => {
                    tracing::debug!(attempt, delay_ms = delay.as_millis() as u64, "retrying");
                    tokio::time::sleep(delay).await;
                }
                None => return Err(error),
            }
        }
    }

    /// The request's URL, parsed once for all of its tries: base URL, rendered path and the query
    /// encoded as a form (`a=1&b=x+y`, as Sage reads it).
    fn url(&self, request: &Request) -> Result<reqwest::Url> {
        let mut url = String::with_capacity(self.shared.base_url.len() + request.path_template.len() + 64);
        url.push_str(&self.shared.base_url);
        request.push_path(&mut url)?;
        if !request.query.is_empty() {
            url.push('?');
            let start = url.len();
            url = url::form_urlencoded::Serializer::for_suffix(url, start).extend_pairs(&request.query).finish();
        }
        reqwest::Url::parse(&url).map_err(|err| Error::Build(format!("request URL `{url}`: {err}")))
    }

    async fn send_once(&self, request: &Request, url: &reqwest::Url, token: &AccessToken) -> Result<reqwest::Response> {
        let mut sent = reqwest::Request::new(request.method.to_http(), url.clone());
        let headers = sent.headers_mut();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let mut bearer = HeaderValue::from_str(&format!("Bearer {}", token.secret()))
            .map_err(|_| Error::Build("the access token contains characters not allowed in a header".into()))?;
        bearer.set_sensitive(true);
        headers.insert(AUTHORIZATION, bearer);
        self.headers.apply(headers, request.body.is_some())?;
        if let Some(body) = &request.body {
            *sent.body_mut() = Some(body.clone().into());
        }
        self.shared.http.execute(sent).await.map_err(Error::transport)
    }
}

async fn into_raw(mut response: reqwest::Response, body_limit: usize) -> Result<RawResponse> {
    let metadata = ResponseMetadata::from_headers(response.status().as_u16(), response.headers());
    let headers = std::mem::take(response.headers_mut());
    let body = read_capped(response, body_limit).await.map_err(Error::body)?;
    Ok(RawResponse { body, metadata, headers })
}

async fn api_error(operation: &'static str, response: reqwest::Response, attempts: u32) -> Error {
    let metadata = ResponseMetadata::from_headers(response.status().as_u16(), response.headers());
    let retry_after = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| parse_retry_after(value, SystemTime::now()));
    let body = match read_prefix(response, ERROR_BODY_PREFIX).await {
        Ok(body) => body,
        Err(err) => return Error::body(err),
    };
    Error::Api(Box::new(ApiError {
        operation,
        status: metadata.status,
        items: ErrorItem::parse_body(&body),
        body: String::from_utf8_lossy(&body).into_owned(),
        request_id: metadata.request_id,
        attempts,
        retry_after,
    }))
}

/// Whether an error answer says the access token itself is unusable, so that one refresh and a
/// retry may succeed.
///
/// Sage answers 401 for more than bad tokens: an expired trial or a cancelled subscription gives
/// `AuthorizationFailure` "No active subscription. (MSE)", and a fresh token gets the same answer.
/// Refreshing then only spends a (rotating, single-use) refresh token and hides Sage's message, so
/// the token is blamed only when the answer says so or says nothing else:
/// - the status is 401 (a 403 is about permissions, never the token);
/// - and either the `WWW-Authenticate` challenge carries `error="invalid_token"` (RFC 6750), or
///   the body has no error items (empty, not JSON, an HTML page: nothing better to go on), or an
///   item's code names an invalid or expired token (`invalid_token`, `TokenExpired`, …) or its
///   message mentions the token ("The access token has expired", the sandbox's words; Azure API
///   Management's "Access token is missing or invalid").
fn blames_the_token(error: &ApiError, challenge: Option<&HeaderValue>) -> bool {
    if error.status != 401 {
        return false;
    }
    let challenge_blames = challenge.and_then(|value| value.to_str().ok()).is_some_and(|value| {
        let compact: String =
            value.chars().filter(|c| !c.is_whitespace() && *c != '"').collect::<String>().to_ascii_lowercase();
        compact.contains("error=invalid_token")
    });
    challenge_blames || error.items.is_empty() || error.items.iter().any(item_blames_the_token)
}

/// An error item whose code or message is about the access token.
fn item_blames_the_token(item: &ErrorItem) -> bool {
    let code_blames = item.code.as_deref().is_some_and(|code| {
        let code: String = code.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
        matches!(code.as_str(), "invalidtoken" | "tokeninvalid" | "expiredtoken" | "tokenexpired")
    });
    code_blames || item.message.as_deref().is_some_and(|message| message.to_ascii_lowercase().contains("token"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> ApiError {
        ApiError {
            operation: "get_user",
            status,
            items: ErrorItem::parse_body(body.as_bytes()),
            body: body.to_owned(),
            request_id: None,
            attempts: 1,
            retry_after: None,
        }
    }

    const NO_SUBSCRIPTION: &str = r#"[{"$severity":"error","$dataCode":"AuthorizationFailure","$message":"No active subscription. (MSE)","$source":""}]"#;

    #[test]
    fn an_expired_or_invalid_token_is_blamed() {
        for message in ["The access token has expired", "The access token is not valid"] {
            let body = format!(
                r#"[{{"$severity":"error","$dataCode":"AuthorizationFailure","$message":"{message}","$source":""}}]"#
            );
            assert!(blames_the_token(&answer(401, &body), None), "{message}");
        }
        let apim = r#"{"statusCode":401,"message":"Unauthorized. Access token is missing or invalid."}"#;
        assert!(blames_the_token(&answer(401, apim), None));
        assert!(blames_the_token(&answer(401, r#"{"error":"invalid_token"}"#), None));
        assert!(blames_the_token(&answer(401, r#"[{"$dataCode":"TokenExpired","$message":"x"}]"#), None));
    }

    #[test]
    fn a_401_that_says_nothing_is_blamed_on_the_token() {
        for body in ["", "[]", "<html>Unauthorized</html>"] {
            assert!(blames_the_token(&answer(401, body), None), "{body:?}");
        }
    }

    #[test]
    fn an_invalid_token_challenge_is_blamed_whatever_the_body() {
        let challenge =
            HeaderValue::from_static(r#"Bearer realm="sage", error="invalid_token", error_description="expired""#);
        assert!(blames_the_token(&answer(401, NO_SUBSCRIPTION), Some(&challenge)));
        assert!(!blames_the_token(&answer(401, NO_SUBSCRIPTION), Some(&HeaderValue::from_static("Bearer"))));
    }

    #[test]
    fn a_lapsed_subscription_or_any_403_is_not_blamed_on_the_token() {
        assert!(!blames_the_token(&answer(401, NO_SUBSCRIPTION), None));
        let refused = r#"[{"$dataCode":"AuthorizationFailure","$message":"Access denied. Cannot verify subscription. Please try again later. (MRF)"}]"#;
        assert!(!blames_the_token(&answer(401, refused), None));
        assert!(!blames_the_token(&answer(403, "[]"), None));
        let challenge = HeaderValue::from_static(r#"Bearer error="invalid_token""#);
        assert!(!blames_the_token(&answer(403, "The access token is not valid"), Some(&challenge)));
    }
}
