//! Configuring a [`Client`]: base URL, headers, auth, retries, timeouts.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use crate::auth::Authenticate;
use crate::client::{Client, Limits};
use crate::error::{Error, Result};
use crate::headers::HeaderPolicy;
use crate::product::Product;
use crate::retry::RetryPolicy;

/// Default of [`ClientBuilder::deadline`]: every try, wait and refresh of one call together.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(120);

/// Default of [`ClientBuilder::body_limit`]: far above any Sage page of 200 records.
pub const DEFAULT_BODY_LIMIT: usize = 8 * 1024 * 1024;

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
    limits: Limits,
    http: Option<reqwest::Client>,
    limiter: crate::limit::SharedLimiter,
    #[cfg(feature = "record")]
    recorder: Option<crate::record::Recorder>,
}

impl ClientBuilder {
    pub(crate) fn new(product: Product) -> Self {
        Self {
            product,
            base_url: None,
            variables: BTreeMap::new(),
            headers: None,
            auth: None,
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(60),
            limits: Limits { deadline: Some(DEFAULT_DEADLINE), body_limit: DEFAULT_BODY_LIMIT },
            http: None,
            limiter: None,
            #[cfg(feature = "record")]
            recorder: None,
        }
    }

    /// Writes every exchange of the client (each try of each call) to `recorder`'s cassette,
    /// redacted (feature `record`; see [`crate::record`]). Clients derived from it
    /// (`with_headers`, `for_business`, …) record too.
    #[cfg(feature = "record")]
    pub fn record(mut self, recorder: &crate::record::Recorder) -> Self {
        self.recorder = Some(recorder.clone());
        self
    }

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

    /// Per-request timeout (default 60 s): one try, from sending to the end of the body.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The most one call may take, all tries, waits between them and a token refresh included
    /// (default [`DEFAULT_DEADLINE`], 120 s); then it fails with
    /// [`Error::DeadlineExceeded`]. Override per call with [`Client::with_deadline`].
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.limits.deadline = Some(deadline);
        self
    }

    /// No deadline: a call may take as long as its tries and waits add up to (each try is
    /// still bounded by [`timeout`](Self::timeout)).
    pub fn without_deadline(mut self) -> Self {
        self.limits.deadline = None;
        self
    }

    /// The largest successful response body accepted, in bytes (default [`DEFAULT_BODY_LIMIT`],
    /// 8 MiB); a larger one fails with [`Error::BodyTooLarge`] without being read in full. Error
    /// bodies are always cut after 64 KiB. Override per call with [`Client::with_body_limit`].
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.limits.body_limit = bytes;
        self
    }

    /// Uses a preconfigured `reqwest` client (proxies, custom roots). Its timeout and redirect
    /// settings are then the caller's.
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Holds calls to a client-side rate limit per (product, business or company), e.g.
    /// [`GcraLimiter`](crate::limit::GcraLimiter) in one process or a Redis-backed limiter shared by
    /// several. Before each try the call waits for its key's next slot (the wait counts against the
    /// deadline; a slot beyond it fails the call at once with [`Error::DeadlineExceeded`]), and a 429
    /// with `Retry-After` keeps every caller of that key away until then. Clients derived from this
    /// one (`for_business`, `with_headers`, …) share the limiter, each counting against its own key.
    /// Not set (the default), no limit is applied.
    pub fn rate_limit(mut self, limiter: Arc<dyn crate::limit::RateLimiter>) -> Self {
        self.limiter = Some(limiter);
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
        #[cfg(feature = "record")]
        if let Some(recorder) = &self.recorder {
            recorder.client(product.name, &base_url);
        }
        let client = Client::from_parts(http, base_url, product, auth, self.retry, headers, self.limits)
            .with_limiter(self.limiter);
        #[cfg(feature = "record")]
        let client = client.with_recorder(self.recorder);
        Ok(client)
    }
}

pub(crate) fn check_style(product: &Product, policy: &HeaderPolicy) -> Result<()> {
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
    let parsed = url::Url::parse(&url).map_err(|err| Error::Build(format!("base URL `{url}`: {err}")))?;
    if !crate::secure_url::is_secure(&parsed) {
        return Err(Error::Build(format!(
            "base URL `{url}` must use https (plain http only to this machine): bearer tokens travel with every call"
        )));
    }
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
    fn plain_http_is_refused_except_to_this_machine() {
        let none = BTreeMap::new();
        let err = resolve_base_url("http://api.example.com/v3.1", &none).unwrap_err();
        assert!(err.to_string().contains("must use https"), "{err}");
        assert!(resolve_base_url("ftp://api.example.com/", &none).is_err());
        assert!(resolve_base_url("http://127.0.0.1:8080/v3.1", &none).is_ok());
        assert!(resolve_base_url("http://localhost:8080/v3.1", &none).is_ok());
        assert!(resolve_base_url("http://[::1]:8080/", &none).is_ok());
    }
}
