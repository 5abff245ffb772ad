//! One error taxonomy over the products: what went wrong, in the model's terms, and whether trying
//! again can help.

use std::time::Duration;

use sage_core::auth::AuthError;
use sage_core::ErrorItem;

use crate::resource::{ProductKind, Resource};

/// Shorthand for results of the finance model.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a call through the model failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The product cannot do this (the resource, the operation or a field of it); refused before
    /// sending, from the capability table.
    #[error("{product} cannot {what} for {resource}", what = unsupported_what(.field))]
    Unsupported {
        /// The client's product.
        product: ProductKind,
        /// The resource asked for.
        resource: Resource,
        /// The model field the product cannot take; `None`: the operation itself.
        field: Option<String>,
    },
    /// A field the product requires is not set; refused before sending.
    #[error("{resource}: `{field}` is required")]
    Missing {
        /// The resource being written.
        resource: Resource,
        /// The model field (`item_lines[1].account_id`).
        field: String,
    },
    /// The product refused the values sent (HTTP 400, 409, 422 with error items).
    #[error("invalid {}: {message} ({code})", field.as_deref().unwrap_or("request"))]
    Validation {
        /// The model field the first error item is about, where it maps onto one; else the
        /// product's own field name; `None` when the product named none.
        field: Option<String>,
        /// The product's code (`RecordInvalid`, …).
        code: String,
        /// The product's message.
        message: String,
        /// Every error item as sent, the first included.
        items: Vec<ErrorItem>,
    },
    /// No record with this id.
    #[error("no {resource} with id `{id}`")]
    NotFound {
        /// The resource asked for.
        resource: Resource,
        /// The id asked for.
        id: String,
    },
    /// The product is throttling this client; retry after the wait it asked for.
    #[error("rate limited{}", retry_after.map(|wait| format!("; retry after {wait:?}")).unwrap_or_default())]
    RateLimited {
        /// How long the product asked to wait, when it said.
        retry_after: Option<Duration>,
    },
    /// The user's sign-in is refused for good (revoked, expired, disconnected): they must connect
    /// again before any call can succeed.
    #[error("the connection must be made again: {reason}")]
    NeedsRelink {
        /// Why, without any token value.
        reason: String,
    },
    /// No usable access token, or the product refused the user (401/403: no subscription, no access).
    #[error("not authorized: {reason}")]
    Auth {
        /// Why, without any token value.
        reason: String,
    },
    /// A create that is not idempotent on this product got no answer: it may or may not have been
    /// made. Do not send it again blindly; look it up first as `how_to_find` says.
    #[error("{resource} create may or may not have been made (its answer was lost: {cause}); {how_to_find}")]
    UncertainWrite {
        /// The resource being created.
        resource: Resource,
        /// How to find out whether it was made.
        how_to_find: String,
        /// What happened to the answer.
        cause: String,
    },
    /// A write the product makes in several calls stopped part way: what `made` names exists in
    /// the books and stays there; `failed` is why the next call did not succeed. Do not send the
    /// whole write again: finish it from what was made.
    #[error("{made}; then: {failed}")]
    PartlyMade {
        /// What was created before the failure, with how to find it (ids, URNs, references).
        made: String,
        /// Why the next step failed.
        failed: Box<Error>,
    },
    /// The product could not be reached, or did not answer in time.
    #[error("transport: {message}")]
    Transport {
        /// What happened.
        message: String,
        /// Whether sending again may succeed.
        retryable: bool,
    },
    /// The product answered with an error the other variants do not cover.
    #[error("the product answered HTTP {status}{}", items.first().map(|item| format!(": {item}")).unwrap_or_default())]
    Provider {
        /// HTTP status.
        status: u16,
        /// Its error items.
        items: Vec<ErrorItem>,
        /// The body as received (its first 64 KiB).
        body: String,
    },
    /// The product answered 2xx with a body that does not read as the record.
    #[error("unexpected answer: {0}")]
    Decode(String),
    /// The call could not be built (a bad id, a wrong product, a bad configuration).
    #[error("invalid call: {0}")]
    Invalid(String),
}

fn unsupported_what(field: &Option<String>) -> String {
    match field {
        Some(field) => format!("take `{field}`"),
        None => "do this".into(),
    }
}

impl Error {
    /// Whether the same call may succeed if sent again (after [`Error::RateLimited::retry_after`]
    /// for a rate limit). An [`Error::UncertainWrite`] is not: look the record up first.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::RateLimited { .. } => true,
            Self::Transport { retryable, .. } => *retryable,
            Self::Provider { status, .. } => matches!(status, 500 | 502 | 503 | 504),
            _ => false,
        }
    }
}

/// What a failed call was doing, for turning a product error into the model's.
#[derive(Clone, Copy)]
pub(crate) struct Context<'a> {
    pub product: ProductKind,
    pub resource: Resource,
    /// The id of a get.
    pub id: Option<&'a str>,
    /// For a create the product does not make idempotent: how to find whether it was made.
    pub uncertain: Option<&'a str>,
    /// Maps a product's field name (`$source`) onto the model's.
    pub field: fn(Resource, &str) -> Option<String>,
}

impl<'a> Context<'a> {
    /// A read (a list, a get with its `id`, a change feed).
    pub fn read(product: ProductKind, resource: Resource, id: Option<&'a str>) -> Self {
        Self { product, resource, id, uncertain: None, field: |_, _| None }
    }
}

impl Error {
    /// The model's error for a failed call of the product's typed client.
    pub(crate) fn from_core(err: sage_core::Error, context: Context<'_>) -> Self {
        use sage_core::Error as Core;
        let lost = |cause: String| match context.uncertain {
            Some(how_to_find) => {
                Self::UncertainWrite { resource: context.resource, how_to_find: how_to_find.to_owned(), cause }
            }
            None => Self::Transport { message: cause, retryable: true },
        };
        match err {
            Core::Timeout => lost("no answer within the timeout".into()),
            Core::DeadlineExceeded { deadline } => lost(format!("the deadline of {deadline:?} ran out")),
            // A connection never made means the request was never sent: safe to send again.
            Core::Transport(err) if err.is_connect() => Self::Transport { message: err.to_string(), retryable: true },
            Core::Transport(err) => lost(err.to_string()),
            Core::Auth(err) => auth(err),
            Core::Api(api) => {
                let api = *api;
                if context.uncertain.is_some() && matches!(api.status, 500 | 502 | 503 | 504) {
                    return lost(format!("HTTP {}", api.status));
                }
                match api.status {
                    401 | 403 => Self::Auth { reason: api.to_string() },
                    404 if context.id.is_some() => {
                        Self::NotFound { resource: context.resource, id: context.id.unwrap_or_default().to_owned() }
                    }
                    429 => Self::RateLimited { retry_after: api.retry_after },
                    400 | 409 | 422 if !api.items.is_empty() => validation(api.items, context),
                    status => Self::Provider { status, items: api.items, body: api.body },
                }
            }
            Core::Decode(err) => Self::Decode(err.to_string()),
            Core::BodyTooLarge { limit } => Self::Decode(format!("the answer is larger than {limit} bytes")),
            other => Self::Invalid(format!("{} ({}): {other}", context.resource, context.product)),
        }
    }
}

/// Refusals that only the user can cure by connecting again, apart from other auth failures.
fn auth(err: AuthError) -> Error {
    match err {
        AuthError::ReauthorizationRequired { .. }
        | AuthError::ConnectionNeedsRelink { .. }
        | AuthError::ConnectionDisconnected { .. }
        | AuthError::Rejected => Error::NeedsRelink { reason: err.to_string() },
        AuthError::Transport(message) => Error::Transport { message, retryable: true },
        other => Error::Auth { reason: other.to_string() },
    }
}

/// The first error-severity item (or the first item) names the field; all items are kept.
fn validation(items: Vec<ErrorItem>, context: Context<'_>) -> Error {
    let first = items
        .iter()
        .find(|item| item.severity.as_deref().is_none_or(|severity| severity.eq_ignore_ascii_case("error")))
        .or(items.first())
        .cloned()
        .unwrap_or_default();
    let field = first
        .source
        .as_deref()
        .filter(|source| !source.is_empty())
        .map(|source| (context.field)(context.resource, source).unwrap_or_else(|| source.to_owned()));
    Error::Validation {
        field,
        code: first.code.unwrap_or_else(|| "invalid".into()),
        message: first.message.unwrap_or_default(),
        items,
    }
}
