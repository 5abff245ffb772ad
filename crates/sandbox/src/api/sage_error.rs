//! Sage's error body: a JSON array of `{"$severity", "$dataCode", "$message", "$source"}`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// One API error, sent as Sage sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SageError {
    pub(crate) status: StatusCode,
    pub(crate) data_code: &'static str,
    pub(crate) message: String,
    pub(crate) source: String,
    /// Seconds for `Retry-After` (429 only).
    pub(crate) retry_after: Option<u64>,
    /// Invalid data naming a record that does not exist (live Sage leaves `$source` empty then).
    pub(crate) missing_reference: bool,
}

impl SageError {
    pub(crate) fn new(status: StatusCode, data_code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            data_code,
            message: message.into(),
            source: String::new(),
            retry_after: None,
            missing_reference: false,
        }
    }

    /// Marks invalid data as a reference to a record that does not exist.
    pub(crate) fn about_missing_record(mut self) -> Self {
        self.missing_reference = true;
        self
    }

    /// The error body: one error item.
    pub(crate) fn items(&self) -> serde_json::Value {
        json!([{
            "$severity": "error",
            "$dataCode": self.data_code,
            "$message": self.message,
            "$source": self.source,
        }])
    }

    pub(crate) fn with_source(mut self, source: impl Into<String>) -> Self {
        self.source = source.into();
        self
    }

    pub(crate) fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "AuthorizationFailure", message)
    }

    pub(crate) fn missing_header(name: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "HeaderNotFound", format!("Header {name} was not found")).with_source(name)
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "RecordNotFound", message)
    }

    pub(crate) fn forbidden(message: impl Into<String>, source: &str) -> Self {
        Self::new(StatusCode::FORBIDDEN, "AccessDenied", message).with_source(source)
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "RecordInvalid", message)
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BadRequest", message)
    }
}

impl IntoResponse for SageError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.items())).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        // Kept for the live shapes, which render the items again (`live_shapes::Shapes::finish`).
        response.extensions_mut().insert(self);
        response
    }
}
