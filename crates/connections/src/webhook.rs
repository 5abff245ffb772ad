//! Events POSTed to the app's URL, signed, and [`verify`] for the receiving side.
//!
//! Each delivery is a `POST` of one [`crate::Event`] as JSON with two headers:
//! [`TIMESTAMP_HEADER`], the Unix time in seconds when it was signed, and [`SIGNATURE_HEADER`],
//! the lowercase hex HMAC-SHA256, keyed by the shared secret, of `timestamp + "." + body` (the
//! exact bytes of the body). A receiver checks both with [`verify`] before trusting the body; the
//! timestamp bounds replays to the tolerance it allows.
//!
//! Deliveries run in a background task, one at a time and in order, from a bounded queue: a call
//! never waits for them. An event that finds the queue full is dropped (and logged); a delivery is
//! tried up to [`Webhook::max_attempts`] times with a doubling pause. Logs name the URL's host,
//! never the secret, the signature or the path.

use std::sync::Mutex;
use std::time::Duration;

use chrono::Utc;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio::sync::mpsc;

use crate::event::Event;

/// The header carrying the signature: lowercase hex of HMAC-SHA256(secret, `timestamp.body`).
pub const SIGNATURE_HEADER: &str = "sage-connections-signature";
/// The header carrying the Unix time (seconds) the delivery was signed at.
pub const TIMESTAMP_HEADER: &str = "sage-connections-timestamp";
/// A tolerance for [`verify`] that allows for retries and clock differences: five minutes.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

type HmacSha256 = Hmac<Sha256>;

/// Where to POST events, and the secret that signs them. `Debug` hides the secret.
#[derive(Clone)]
pub struct Webhook {
    pub(crate) url: String,
    secret: Vec<u8>,
    pub(crate) max_attempts: u32,
    pub(crate) queue: usize,
    pub(crate) timeout: Duration,
    pub(crate) first_retry: Duration,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhook")
            .field("host", &host_of(&self.url))
            .field("secret", &"[redacted]")
            .field("max_attempts", &self.max_attempts)
            .field("queue", &self.queue)
            .finish()
    }
}

impl Webhook {
    /// Events go to `url` (https, or http on the loopback interface), signed with `secret`.
    /// The URL is checked when the [`Connections`](crate::Connections) are built.
    pub fn new(url: impl Into<String>, secret: impl AsRef<[u8]>) -> Self {
        Self {
            url: url.into(),
            secret: secret.as_ref().to_vec(),
            max_attempts: 5,
            queue: 1024,
            timeout: Duration::from_secs(10),
            first_retry: Duration::from_secs(1),
        }
    }

    /// Tries per event before it is given up (default 5, at least 1).
    #[must_use]
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Events waiting for delivery before new ones are dropped (default 1024).
    #[must_use]
    pub fn queue(mut self, capacity: usize) -> Self {
        self.queue = capacity.max(1);
        self
    }

    /// How long one POST may take (default 10 s).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The pause before the first retry; it doubles after each failure, up to 60 s (default 1 s).
    #[must_use]
    pub fn first_retry(mut self, pause: Duration) -> Self {
        self.first_retry = pause;
        self
    }

    pub(crate) fn check(&self) -> Result<(), String> {
        let url = url::Url::parse(&self.url).map_err(|err| format!("webhook URL: {err}"))?;
        let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
        if url.scheme() == "https" || (url.scheme() == "http" && loopback) {
            Ok(())
        } else {
            Err("the webhook URL must use https (plain http only on the loopback interface)".into())
        }
    }
}

/// The signature of `body` sent at `timestamp` (Unix seconds): lowercase hex HMAC-SHA256 of
/// `timestamp + "." + body`.
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let mut mac = keyed(secret);
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().iter().map(|byte| format!("{byte:02x}")).collect()
}

fn keyed(secret: &[u8]) -> HmacSha256 {
    // HMAC takes a key of any length; `new_from_slice` cannot fail for it.
    <HmacSha256 as Mac>::new_from_slice(secret).unwrap_or_else(|_| unreachable!("HMAC accepts any key length"))
}

/// Why [`verify`] refused a delivery.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The timestamp header is not a Unix time in seconds.
    #[error("the timestamp header is not a Unix time in seconds")]
    MalformedTimestamp,
    /// The signature header is not 64 hex digits.
    #[error("the signature header is not 64 hex digits")]
    MalformedSignature,
    /// The timestamp is further from now than the tolerance: a replay, or a clock far off.
    #[error("the delivery was signed {age_seconds} s away from now, beyond the tolerance")]
    Stale {
        /// Now minus the timestamp (negative: from the future).
        age_seconds: i64,
    },
    /// The signature does not match the body and timestamp under this secret.
    #[error("the signature does not match the body")]
    Mismatch,
}

/// Checks a delivery on the receiving side: the timestamp within `tolerance` of now and the
/// signature matching `body` under `secret`, compared in constant time.
pub fn verify(
    secret: &[u8],
    signature_header: &str,
    timestamp_header: &str,
    body: &[u8],
    tolerance: Duration,
) -> Result<(), VerifyError> {
    let timestamp: i64 = timestamp_header.trim().parse().map_err(|_| VerifyError::MalformedTimestamp)?;
    let age_seconds = Utc::now().timestamp().saturating_sub(timestamp);
    if age_seconds.unsigned_abs() > tolerance.as_secs() {
        return Err(VerifyError::Stale { age_seconds });
    }
    let signature = decode_hex(signature_header.trim()).ok_or(VerifyError::MalformedSignature)?;
    let mut mac = keyed(secret);
    mac.update(timestamp_header.trim().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.verify_slice(&signature).map_err(|_| VerifyError::Mismatch)
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    (0..text.len()).step_by(2).map(|at| u8::from_str_radix(&text[at..at + 2], 16).ok()).collect()
}

/// The host of a URL, for logs (never its path or query, which may carry a token of the app's).
fn host_of(url: &str) -> String {
    url::Url::parse(url).ok().and_then(|url| url.host_str().map(str::to_owned)).unwrap_or_else(|| "?".into())
}

/// The sending side: a bounded queue and a worker started on the first event (inside the runtime).
pub(crate) struct WebhookQueue {
    sender: mpsc::Sender<Event>,
    idle: Mutex<Option<(mpsc::Receiver<Event>, Webhook, reqwest::Client)>>,
}

impl WebhookQueue {
    pub(crate) fn new(webhook: Webhook, http: reqwest::Client) -> Self {
        let (sender, receiver) = mpsc::channel(webhook.queue);
        Self { sender, idle: Mutex::new(Some((receiver, webhook, http))) }
    }

    pub(crate) fn enqueue(&self, event: &Event) {
        self.start();
        if let Err(err) = self.sender.try_send(event.clone()) {
            let why = match err {
                mpsc::error::TrySendError::Full(_) => "the webhook queue is full",
                mpsc::error::TrySendError::Closed(_) => "the webhook worker stopped",
            };
            tracing::warn!(event = event.name(), connection = %event.connection_id(), "{why}: event dropped");
        }
    }

    fn start(&self) {
        let mut idle = self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if idle.is_none() {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
        if let Some((receiver, webhook, http)) = idle.take() {
            runtime.spawn(deliver_all(receiver, webhook, http));
        }
    }
}

async fn deliver_all(mut receiver: mpsc::Receiver<Event>, webhook: Webhook, http: reqwest::Client) {
    while let Some(event) = receiver.recv().await {
        deliver(&webhook, &http, &event).await;
    }
}

/// One event, retried with a doubling pause; the outcome is logged, never returned.
async fn deliver(webhook: &Webhook, http: &reqwest::Client, event: &Event) {
    let body = match serde_json::to_vec(event) {
        Ok(body) => body,
        Err(err) => return tracing::error!(error = %err, "an event could not be serialized"),
    };
    let host = host_of(&webhook.url);
    let mut pause = webhook.first_retry;
    for attempt in 1..=webhook.max_attempts {
        let timestamp = Utc::now().timestamp();
        let sent = http
            .post(&webhook.url)
            .timeout(webhook.timeout)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(TIMESTAMP_HEADER, timestamp.to_string())
            .header(SIGNATURE_HEADER, sign(&webhook.secret, timestamp, &body))
            .body(body.clone())
            .send()
            .await;
        let failure = match sent {
            Ok(response) if response.status().is_success() => return,
            Ok(response) => {
                let status = response.status();
                let retryable = status.is_server_error() || status.as_u16() == 408 || status.as_u16() == 429;
                if !retryable {
                    tracing::warn!(%host, status = status.as_u16(), event = event.name(), "the webhook refused an event; not retried");
                    return;
                }
                format!("HTTP {}", status.as_u16())
            }
            Err(err) => err.without_url().to_string(),
        };
        tracing::warn!(%host, attempt, error = %failure, event = event.name(), "a webhook delivery failed");
        if attempt < webhook.max_attempts {
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(60));
        }
    }
    tracing::error!(%host, event = event.name(), connection = %event.connection_id(), "an event was given up after every webhook attempt failed");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_and_any_change_breaks_it() {
        let now = Utc::now().timestamp();
        let signature = sign(b"secret", now, b"{\"a\":1}");
        let stamp = now.to_string();
        assert_eq!(verify(b"secret", &signature, &stamp, b"{\"a\":1}", DEFAULT_TOLERANCE), Ok(()));
        assert_eq!(verify(b"secret", &signature, &stamp, b"{\"a\":2}", DEFAULT_TOLERANCE), Err(VerifyError::Mismatch));
        assert_eq!(verify(b"other", &signature, &stamp, b"{\"a\":1}", DEFAULT_TOLERANCE), Err(VerifyError::Mismatch));
        let later = (now + 1).to_string();
        assert_eq!(verify(b"secret", &signature, &later, b"{\"a\":1}", DEFAULT_TOLERANCE), Err(VerifyError::Mismatch));
        assert_eq!(verify(b"secret", "zz", &stamp, b"", DEFAULT_TOLERANCE), Err(VerifyError::MalformedSignature));
        assert_eq!(verify(b"secret", &signature, "soon", b"", DEFAULT_TOLERANCE), Err(VerifyError::MalformedTimestamp));
    }

    #[test]
    fn an_old_timestamp_is_stale_even_when_signed_right() {
        let old = Utc::now().timestamp() - 3600;
        let signature = sign(b"secret", old, b"body");
        let refused = verify(b"secret", &signature, &old.to_string(), b"body", DEFAULT_TOLERANCE);
        assert!(matches!(refused, Err(VerifyError::Stale { age_seconds }) if age_seconds >= 3600), "{refused:?}");
    }

    #[test]
    fn debug_hides_the_secret_and_the_path() {
        let webhook = Webhook::new("https://app.example/hooks/abc-token", "very-secret-value");
        let shown = format!("{webhook:?}");
        assert!(!shown.contains("very-secret-value") && !shown.contains("abc-token"), "{shown}");
        assert!(shown.contains("app.example"), "{shown}");
    }

    #[test]
    fn only_https_or_loopback_http_is_accepted() {
        assert!(Webhook::new("https://app.example/hook", "s").check().is_ok());
        assert!(Webhook::new("http://127.0.0.1:9/hook", "s").check().is_ok());
        assert!(Webhook::new("http://app.example/hook", "s").check().is_err());
        assert!(Webhook::new("not a url", "s").check().is_err());
    }
}
