//! What happens to connections, told to the app: a broadcast stream, callbacks and a signed
//! webhook, all fed by one [`Events::emit`].

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use crate::webhook::WebhookQueue;

/// Something that happened to a connection. On the wire (webhooks, `serde_json`) it is an object
/// whose `event` field names the kind in snake case (`connected`, `refreshed`, `needs_relink`,
/// `recovered`, `disconnected`), beside the fields below. No variant carries a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Event {
    /// A connect flow completed: a new connection, or one connected again. A reconnect after
    /// `needs_relink` or a disconnect is `Connected` (with the status it left), not `Recovered`:
    /// the customer gave a new consent.
    Connected {
        /// The connection.
        connection_id: String,
        /// Its product's name.
        product: String,
        /// When.
        at: DateTime<Utc>,
        /// The status before (`needs_relink`, `disconnected`, `active`); `None` for a new connection.
        previous_status: Option<String>,
    },
    /// This process refreshed the connection's tokens and saved them (also emitted when it writes
    /// back a set the store had lost, which is rare: a Redis restarted empty).
    Refreshed {
        /// The connection.
        connection_id: String,
        /// Its product's name.
        product: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// Sage refused the refresh token for good: the customer must connect again. Emitted once,
    /// by the process that recorded the status.
    NeedsRelink {
        /// The connection.
        connection_id: String,
        /// Its product's name.
        product: String,
        /// When.
        at: DateTime<Utc>,
        /// Sage's explanation (`invalid_grant: …`).
        reason: String,
    },
    /// The first good token after a streak of transient refresh failures (timeouts, 5xx).
    Recovered {
        /// The connection.
        connection_id: String,
        /// Its product's name.
        product: String,
        /// When.
        at: DateTime<Utc>,
        /// How many refresh attempts failed in the streak.
        failures: u32,
        /// The last failure's message.
        last_error: String,
    },
    /// The app disconnected the connection.
    Disconnected {
        /// The connection.
        connection_id: String,
        /// Its product's name.
        product: String,
        /// When.
        at: DateTime<Utc>,
        /// Who asked (as the app named them).
        by: String,
        /// Why (as the app put it).
        why: String,
        /// Whether Sage confirmed the revocation of the refresh token.
        revoked: bool,
    },
}

impl Event {
    /// The kind, as on the wire: `connected`, `refreshed`, `needs_relink`, `recovered`, `disconnected`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Connected { .. } => "connected",
            Self::Refreshed { .. } => "refreshed",
            Self::NeedsRelink { .. } => "needs_relink",
            Self::Recovered { .. } => "recovered",
            Self::Disconnected { .. } => "disconnected",
        }
    }

    /// The connection it is about.
    pub fn connection_id(&self) -> &str {
        match self {
            Self::Connected { connection_id, .. }
            | Self::Refreshed { connection_id, .. }
            | Self::NeedsRelink { connection_id, .. }
            | Self::Recovered { connection_id, .. }
            | Self::Disconnected { connection_id, .. } => connection_id,
        }
    }

    /// The connection's product.
    pub fn product(&self) -> &str {
        match self {
            Self::Connected { product, .. }
            | Self::Refreshed { product, .. }
            | Self::NeedsRelink { product, .. }
            | Self::Recovered { product, .. }
            | Self::Disconnected { product, .. } => product,
        }
    }

    /// When it happened.
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            Self::Connected { at, .. }
            | Self::Refreshed { at, .. }
            | Self::NeedsRelink { at, .. }
            | Self::Recovered { at, .. }
            | Self::Disconnected { at, .. } => *at,
        }
    }
}

/// One entry of a connection's audit trail, kept in the registry (see [`Connections::audit`](crate::Connections::audit)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AuditRecord {
    /// The connection.
    pub connection_id: String,
    /// `connected`, `needs_relink`, `recovered` or `disconnected`.
    pub action: String,
    /// Who did it, where a person or the app did (a disconnect's `by`).
    pub by: Option<String>,
    /// Why, as given (a disconnect's `why`, a relink's reason).
    pub why: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
    /// More about it (a revocation that failed, the failures before a recovery), never a token.
    pub detail: Option<String>,
}

impl AuditRecord {
    pub(crate) fn new(connection_id: &str, action: &str, at: DateTime<Utc>) -> Self {
        Self {
            connection_id: connection_id.to_owned(),
            action: action.to_owned(),
            by: None,
            why: None,
            at,
            detail: None,
        }
    }
}

/// A callback given to [`ConnectionsBuilder::on_event`](crate::ConnectionsBuilder::on_event).
pub(crate) type Callback = Arc<dyn Fn(&Event) + Send + Sync>;

/// Where events go. Emitting never waits: callbacks run inline (they must be quick), the webhook
/// has a bounded queue of its own, and the broadcast drops the oldest events for slow receivers.
pub(crate) struct Events {
    sender: broadcast::Sender<Event>,
    callbacks: Vec<Callback>,
    webhook: Option<WebhookQueue>,
}

impl Events {
    pub(crate) fn new(capacity: usize, callbacks: Vec<Callback>, webhook: Option<WebhookQueue>) -> Self {
        let (sender, _) = broadcast::channel(capacity.max(1));
        Self { sender, callbacks, webhook }
    }

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.sender.subscribe()
    }

    pub(crate) fn emit(&self, event: Event) {
        tracing::debug!(event = event.name(), connection = %event.connection_id(), "connection event");
        for callback in &self.callbacks {
            let called = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| callback(&event)));
            if called.is_err() {
                tracing::error!(event = event.name(), "an event callback panicked; the event went on to the others");
            }
        }
        if let Some(webhook) = &self.webhook {
            webhook.enqueue(&event);
        }
        // No receiver is not an error: the stream is optional.
        let _ = self.sender.send(event);
    }
}
