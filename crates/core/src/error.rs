//! One error type for every call, layered so callers can match on what went wrong.

use std::fmt;

use serde::Deserialize;

use crate::auth::AuthError;

/// Shorthand for results of sage-rs calls.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request could not be built (a missing path parameter, an invalid header value, bad config).
    #[error("invalid request: {0}")]
    Build(String),
    /// The operation belongs to another product or edition than the client's: a Sage 200
    /// Professional-only operation on a Standard Online client, a v3.1 operation on a Sage 200
    /// client. Refused before sending (Sage would answer a bare 404); the message names both.
    #[error("{}", wrong_product(operation, operation_products, client_product))]
    WrongProduct {
        /// Operation name from the schema.
        operation: &'static str,
        /// The products that have it ([`Request::products`](crate::Request#structfield.products)).
        operation_products: &'static [&'static str],
        /// The product the client was built for ([`Product::name`](crate::Product::name)).
        client_product: &'static str,
    },
    /// The request did not reach Sage or the connection broke.
    #[error("transport error: {0}")]
    Transport(#[source] reqwest::Error),
    /// No response within the client's timeout.
    #[error("request timed out")]
    Timeout,
    /// The call (every try, the waits between them and any token refresh) did not finish within
    /// its deadline ([`ClientBuilder::deadline`](crate::ClientBuilder::deadline)). Not retried.
    /// A wait between tries that would outlast the deadline is not started: the answer that asked
    /// for it (a 429 or 503 with its [`ApiError::retry_after`]) is returned at once instead.
    #[error("the call did not complete within its deadline of {deadline:?}")]
    DeadlineExceeded {
        /// The deadline that ran out.
        deadline: std::time::Duration,
    },
    /// A successful response's body is larger than the client's limit
    /// ([`ClientBuilder::body_limit`](crate::ClientBuilder::body_limit)); it was not read further.
    #[error("the response body exceeds the limit of {limit} bytes")]
    BodyTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// No access token could be obtained.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// Sage answered with an error status.
    #[error(transparent)]
    Api(Box<ApiError>),
    /// Sage answered 2xx but the body does not match the expected shape.
    #[error(transparent)]
    Decode(Box<DecodeError>),
}

impl Error {
    /// Whether sending the same request again may succeed (throttling, outages, timeouts, resets).
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Timeout => true,
            Self::Transport(err) => err.is_connect() || err.is_timeout() || err.is_request(),
            Self::Api(api) => matches!(api.status, 429 | 502 | 503 | 504),
            _ => false,
        }
    }

    /// The HTTP status, when Sage answered with an error.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api(api) => Some(api.status),
            _ => None,
        }
    }

    pub(crate) fn body(err: crate::body::BodyError) -> Self {
        match err {
            crate::body::BodyError::TooLarge { limit } => Self::BodyTooLarge { limit },
            crate::body::BodyError::Transport(err) => Self::transport(err),
        }
    }

    pub(crate) fn transport(err: reqwest::Error) -> Self {
        if err.is_timeout() {
            Self::Timeout
        } else {
            Self::Transport(err.without_url())
        }
    }
}

/// The title of a product sage-rs generates, for messages; `None` for others.
fn product_title(name: &str) -> Option<&'static str> {
    Some(match name {
        "accounting-v31" => "Sage Business Cloud Accounting v3.1",
        "accounting-v3" => "Sage Business Cloud Accounting v3",
        "sage200-pro" => "Sage 200 Professional",
        "sage200-standard" => "Sage 200 Standard Online",
        _ => return None,
    })
}

/// `Sage 200 Professional (sage200-pro)` (`only` adds " only" after the title), or the bare name
/// of a product without a known title.
fn product_label(name: &str, only: bool) -> String {
    let only = if only { " only" } else { "" };
    match product_title(name) {
        Some(title) => format!("{title}{only} (`{name}`)"),
        None => format!("`{name}`{only}"),
    }
}

/// [`Error::WrongProduct`]'s message. An operation of one edition of the client's API (the same
/// name before the `-`: `sage200-pro` on `sage200-standard`) is "Sage 200 Professional only".
fn wrong_product(operation: &str, operation_products: &[&str], client_product: &str) -> String {
    let family = |name: &str| name.split('-').next().unwrap_or_default().to_owned();
    let edition = matches!(operation_products, [one] if family(one) == family(client_product));
    let products: Vec<String> = operation_products.iter().map(|name| product_label(name, edition)).collect();
    let is = if edition { "is" } else { "is an operation of" };
    format!(
        "`{operation}` {is} {}, and this client is for {}: not sent",
        products.join(" and "),
        product_label(client_product, false),
    )
}

/// An error status from Sage, with its error items parsed and the raw body kept.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// Operation name from the schema.
    pub operation: &'static str,
    /// HTTP status code.
    pub status: u16,
    /// Sage's error items, in order; empty when the body had none.
    pub items: Vec<ErrorItem>,
    /// The response body as received; only its first 64 KiB, the rest is never read.
    pub body: String,
    /// The request id header, when Sage sent one.
    pub request_id: Option<String>,
    /// How many times the request was sent.
    pub attempts: u32,
    /// How long Sage asked the caller to wait before trying again (`Retry-After`, in seconds or
    /// as a date; sent with 429 and 503), when it said.
    pub retry_after: Option<std::time::Duration>,
}

impl ApiError {
    /// Whether Sage refused the caller rather than the request: a 401 that a token refresh did not
    /// (or could not) cure, e.g. `AuthorizationFailure` "No active subscription. (MSE)" for an
    /// expired trial or a cancelled subscription, or a 403. The user has to act on Sage's message
    /// (sign in again, renew the subscription, get access); retrying the call does not help.
    pub fn is_auth_failure(&self) -> bool {
        matches!(self.status, 401 | 403)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} failed with HTTP {}", self.operation, self.status)?;
        for item in &self.items {
            write!(f, "; {item}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// One entry of Sage's error body (`$severity`, `$dataCode`, `$message`, `$source`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct ErrorItem {
    /// `error`, `warning`, …
    #[serde(rename = "$severity", alias = "severity", default)]
    pub severity: Option<String>,
    /// Machine-readable code, e.g. `AuthorizationFailure`, `HeaderNotFound`, `RecordInvalid`.
    #[serde(rename = "$dataCode", alias = "dataCode", alias = "code", alias = "error", default)]
    pub code: Option<String>,
    /// Human-readable message.
    #[serde(rename = "$message", alias = "message", alias = "Message", alias = "error_description", default)]
    pub message: Option<String>,
    /// The field or parameter the error is about.
    #[serde(rename = "$source", alias = "source", default)]
    pub source: Option<String>,
}

impl fmt::Display for ErrorItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let code = self.code.as_deref().unwrap_or("error");
        write!(f, "{code}: {}", self.message.as_deref().unwrap_or("(no message)"))?;
        if let Some(source) = self.source.as_deref().filter(|source| !source.is_empty()) {
            write!(f, " ({source})")?;
        }
        Ok(())
    }
}

impl ErrorItem {
    /// Parses the error items of a body in any of the shapes Sage uses: an array of items, one
    /// item, or an object wrapping them under `errors`. Unknown shapes give no items (the raw
    /// body is still kept on [`ApiError`]).
    pub fn parse_body(body: &[u8]) -> Vec<ErrorItem> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Shape {
            Many(Vec<ErrorItem>),
            Wrapped { errors: Vec<ErrorItem> },
            One(ErrorItem),
        }
        match serde_json::from_slice::<Shape>(body) {
            Ok(Shape::Many(items)) | Ok(Shape::Wrapped { errors: items }) => items,
            Ok(Shape::One(item)) if item != ErrorItem::default() => vec![item],
            _ => Vec::new(),
        }
    }
}

/// A 2xx body that does not decode into the expected type.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{operation}: cannot decode the response at `{path}`: {message}")]
pub struct DecodeError {
    /// Operation name from the schema.
    pub operation: &'static str,
    /// Path of the offending field, e.g. `$items[3].balance`.
    pub path: String,
    /// What serde reported.
    pub message: String,
    /// The response body as received.
    pub body: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_accounting_error_arrays() {
        let body =
            br#"[{"$severity":"error","$dataCode":"RecordInvalid","$message":"Name is required","$source":"name"}]"#;
        let items = ErrorItem::parse_body(body);
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].code.as_deref(), Some("RecordInvalid"));
        assert_eq!(items[0].to_string(), "RecordInvalid: Name is required (name)");
    }

    #[test]
    fn parses_single_items_and_oauth_style_errors() {
        let items =
            ErrorItem::parse_body(br#"{"$dataCode":"HeaderNotFound","$message":"Header X-Site was not found"}"#);
        assert_eq!(items[0].message.as_deref(), Some("Header X-Site was not found"));
        let items = ErrorItem::parse_body(br#"{"error":"invalid_grant","error_description":"expired"}"#);
        assert_eq!(items[0].code.as_deref(), Some("invalid_grant"));
    }

    #[test]
    fn unknown_bodies_give_no_items() {
        assert!(ErrorItem::parse_body(b"<html>Bad gateway</html>").is_empty());
        assert!(ErrorItem::parse_body(br#"{"unrelated":1}"#).is_empty());
    }

    #[test]
    fn api_errors_show_sages_message() {
        let body = r#"[{"$severity":"error","$dataCode":"AuthorizationFailure","$message":"No active subscription. (MSE)","$source":""}]"#;
        let api = ApiError {
            operation: "get_user",
            status: 401,
            items: ErrorItem::parse_body(body.as_bytes()),
            body: body.into(),
            request_id: None,
            attempts: 1,
            retry_after: None,
        };
        assert!(api.is_auth_failure());
        assert_eq!(
            Error::Api(Box::new(api)).to_string(),
            "get_user failed with HTTP 401; AuthorizationFailure: No active subscription. (MSE)"
        );
    }

    #[test]
    fn a_wrong_product_names_both_and_an_edition_only_operation_says_so() {
        let pro_only = Error::WrongProduct {
            operation: "list_x",
            operation_products: &["sage200-pro"],
            client_product: "sage200-standard",
        };
        assert_eq!(
            pro_only.to_string(),
            "`list_x` is Sage 200 Professional only (`sage200-pro`), and this client is for Sage 200 Standard Online \
             (`sage200-standard`): not sent"
        );
        let other_api = Error::WrongProduct {
            operation: "list_contacts",
            operation_products: &["accounting-v31"],
            client_product: "sage200-pro",
        };
        assert_eq!(
            other_api.to_string(),
            "`list_contacts` is an operation of Sage Business Cloud Accounting v3.1 (`accounting-v31`), and this \
             client is for Sage 200 Professional (`sage200-pro`): not sent"
        );
        let shared = Error::WrongProduct {
            operation: "list_customers",
            operation_products: &["sage200-pro", "sage200-standard"],
            client_product: "bench",
        };
        assert_eq!(
            shared.to_string(),
            "`list_customers` is an operation of Sage 200 Professional (`sage200-pro`) and Sage 200 Standard Online \
             (`sage200-standard`), and this client is for `bench`: not sent"
        );
        assert!(!pro_only.is_retryable() && pro_only.status().is_none());
    }

    #[test]
    fn retryable_statuses() {
        let api = |status| {
            Error::Api(Box::new(ApiError {
                operation: "x",
                status,
                items: vec![],
                body: String::new(),
                request_id: None,
                attempts: 1,
                retry_after: None,
            }))
        };
        assert!(api(429).is_retryable());
        assert!(api(503).is_retryable());
        assert!(!api(422).is_retryable());
        assert!(!Error::Build("x".into()).is_retryable());
    }
}
