//! A connection's whole life on both backends and the four products: connect, refresh, revoked
//! (needs_relink), reconnect, disconnect — the events (stream and callback) in order, the audit
//! trail, and a disconnect that revokes at the sandbox, deletes the tokens and stops held clients.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use sage_connections::{Error, Event, Status};
use sage_core::auth::AuthError;
use support::{list_request, Backend, Harness, Options};

/// A callback that keeps every event it is given.
fn recording() -> (Arc<Mutex<Vec<Event>>>, Options) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let configure: support::Configure = Arc::new(move |builder| {
        let sink = Arc::clone(&sink);
        builder.on_event(move |event| sink.lock().unwrap().push(event.clone()))
    });
    (seen, Options { configure: Some(configure), ..Options::default() })
}

async fn a_connection_lives_and_is_disconnected(backend: Backend, product: &str) {
    let (seen, options) = recording();
    let Some(harness) = Harness::start_with(backend, options).await else { return };
    let mut stream = harness.connections.subscribe();
    let started = Utc::now();
    let id = "customer-1";

    let connection = harness.connect(id, product).await;
    let client = harness.connections.client(id).await.unwrap();
    client.execute(&list_request(product)).await.unwrap();

    // The access token runs out: one refresh.
    harness.sandbox.expire_access_tokens();
    client.execute(&list_request(product)).await.unwrap();
    assert!(
        harness.connections.get(id).await.unwrap().last_refreshed_at.is_some(),
        "recorded before the call returned"
    );

    // The customer revokes the app at Sage: needs_relink, typed on the held client and on check.
    let store = harness.connections.registry().token_store(id, connection.api);
    let refresh = store.load().await.unwrap().unwrap().refresh_token().cloned().unwrap();
    harness.sandbox.oauth_client(product).unwrap().revoke(&refresh).await.unwrap();
    harness.sandbox.expire_access_tokens();
    let failed = client.execute(&list_request(product)).await.unwrap_err();
    assert!(matches!(failed, sage_core::Error::Auth(AuthError::ConnectionNeedsRelink { .. })), "{failed:?}");
    assert!(matches!(Error::from(failed), Error::NeedsRelink { .. }), "converts typed");
    let checked = harness.connections.check(id).await;
    assert!(matches!(&checked, Err(Error::NeedsRelink { id: which, .. }) if which == id), "{checked:?}");

    // Reconnected: the held client works again and check says so.
    harness.connect(id, product).await;
    client.execute(&list_request(product)).await.unwrap();
    assert_eq!(harness.connections.check(id).await.unwrap().status, Status::Active);

    // Disconnected: revoked at the sandbox, tokens gone, held clients stopped, typed.
    let tokens = store.load().await.unwrap().unwrap();
    let revocations = harness.sandbox.stats().revocations;
    let disconnected =
        harness.connections.disconnect(id, "ops@app.example", "the customer closed their account").await.unwrap();
    assert_eq!(disconnected.status, Status::Disconnected);
    assert_eq!(harness.connections.get(id).await.unwrap().status, Status::Disconnected);
    assert_eq!(harness.sandbox.stats().revocations, revocations + 1, "one revocation at Sage");
    assert!(store.load().await.unwrap().is_none(), "the tokens are deleted");
    let refused = harness.sandbox.oauth_client(product).unwrap().refresh(&tokens).await;
    assert!(
        matches!(refused, Err(AuthError::ReauthorizationRequired { .. })),
        "the old refresh token is dead: {refused:?}"
    );

    let quiet = harness.sandbox.stats();
    let stopped = client.execute(&list_request(product)).await.unwrap_err();
    assert!(
        matches!(&stopped, sage_core::Error::Auth(AuthError::ConnectionDisconnected { connection }) if connection == id),
        "{stopped:?}"
    );
    assert!(matches!(Error::from(stopped), Error::Disconnected(which) if which == id), "converts typed");
    assert!(matches!(harness.connections.client(id).await, Err(Error::Disconnected(_))));
    assert!(matches!(harness.connections.check(id).await, Err(Error::Disconnected(_))));
    let other_process = harness.connections_with(Duration::from_secs(600)).await;
    assert!(matches!(other_process.client(id).await, Err(Error::Disconnected(_))));
    let after = harness.sandbox.stats();
    assert_eq!((after.token_requests, after.api_requests), (quiet.token_requests, quiet.api_requests), "fail fast");

    // The events, in order, the same on the stream and through the callback.
    let mut streamed = Vec::new();
    while let Ok(event) = stream.try_recv() {
        streamed.push(event);
    }
    let names: Vec<&str> = streamed.iter().map(Event::name).collect();
    assert_eq!(names, ["connected", "refreshed", "needs_relink", "connected", "disconnected"], "{streamed:#?}");
    assert_eq!(*seen.lock().unwrap(), streamed, "the callback saw the same events");
    for event in &streamed {
        assert_eq!((event.connection_id(), event.product()), (id, product));
        assert!(event.at() >= started - chrono::Duration::seconds(1) && event.at() <= Utc::now());
    }
    assert!(matches!(&streamed[0], Event::Connected { previous_status: None, .. }));
    assert!(matches!(&streamed[2], Event::NeedsRelink { reason, .. } if reason.contains("invalid_grant")));
    assert!(matches!(&streamed[3], Event::Connected { previous_status: Some(status), .. } if status == "needs_relink"));
    let Event::Disconnected { by, why, revoked, .. } = &streamed[4] else { panic!("{:?}", streamed[4]) };
    assert_eq!((by.as_str(), why.as_str(), *revoked), ("ops@app.example", "the customer closed their account", true));
    let wire = serde_json::to_value(&streamed[2]).unwrap();
    assert_eq!(wire["event"], "needs_relink");
    assert_eq!(wire["connection_id"], id);

    // The audit trail, oldest first, with who, when and why of the disconnect.
    let audit = harness.connections.audit(id).await.unwrap();
    let actions: Vec<&str> = audit.iter().map(|record| record.action.as_str()).collect();
    assert_eq!(actions, ["connected", "needs_relink", "connected", "disconnected"], "{audit:#?}");
    let last = audit.last().unwrap();
    assert_eq!(last.by.as_deref(), Some("ops@app.example"));
    assert_eq!(last.why.as_deref(), Some("the customer closed their account"));
    assert!(last.at >= started && last.at <= Utc::now());
    assert!(last.detail.as_deref().unwrap_or_default().contains("revoked"), "{last:?}");
    assert!(audit[1].why.as_deref().unwrap_or_default().contains("invalid_grant"), "{:?}", audit[1]);

    // Connecting again makes it active, with its trail kept.
    harness.connect(id, product).await;
    let fresh = harness.connections.client(id).await.unwrap();
    fresh.execute(&list_request(product)).await.unwrap();
    assert_eq!(harness.connections.audit(id).await.unwrap().len(), 5);
}

/// A product without a revocation endpoint (Sage 200 at Sage): the tokens are deleted all the
/// same and the audit record says nothing was revoked.
async fn a_disconnect_without_a_revocation_endpoint_deletes_the_tokens(backend: Backend) {
    let Some(harness) = Harness::start(backend).await else { return };
    let product = "sage200-pro";
    let connection = harness.connect("customer-1", product).await;
    let no_revoke = harness
        .connections_configured(|builder| {
            let product = support::product(product);
            let endpoints = harness.sandbox.endpoints(product).unwrap();
            let profile =
                harness.sandbox.oauth_client(product).unwrap().profile().clone().with_revoke_url(None::<String>);
            builder.product(
                sage_connections::ProductConfig::new(product, sage_sandbox::DEMO_CLIENT_ID)
                    .client_secret(sage_sandbox::DEMO_CLIENT_SECRET)
                    .profile(profile)
                    .api_base_url(endpoints.api_base_url)
                    .subscription_key("sandbox-subscription-key"),
            )
        })
        .await;
    let revocations = harness.sandbox.stats().revocations;
    let mut events = no_revoke.subscribe();
    no_revoke.disconnect("customer-1", "support", "asked by phone").await.unwrap();
    assert_eq!(harness.sandbox.stats().revocations, revocations);
    let store = harness.connections.registry().token_store("customer-1", connection.api);
    assert!(store.load().await.unwrap().is_none());
    let record = no_revoke.audit("customer-1").await.unwrap().pop().unwrap();
    assert!(record.detail.as_deref().unwrap_or_default().contains("no revocation endpoint"), "{record:?}");
    assert!(matches!(events.try_recv(), Ok(Event::Disconnected { revoked: false, .. })));
    // Again: nothing new is recorded or emitted.
    no_revoke.disconnect("customer-1", "support", "twice").await.unwrap();
    assert_eq!(no_revoke.audit("customer-1").await.unwrap().len(), 2);
    assert!(events.try_recv().is_err());
    assert!(matches!(no_revoke.disconnect("nobody", "a", "b").await, Err(Error::NotFound(_))));
    assert!(matches!(no_revoke.audit("nobody").await, Err(Error::NotFound(_))));
}

/// A callback that panics is caught: the other callbacks and the stream still get the event.
#[tokio::test]
async fn a_panicking_callback_does_not_stop_the_others() {
    let (seen, _) = recording();
    let sink = Arc::clone(&seen);
    let configure: support::Configure = Arc::new(move |builder| {
        let sink = Arc::clone(&sink);
        builder
            .on_event(|_| panic!("a callback with a bug"))
            .on_event(move |event| sink.lock().unwrap().push(event.clone()))
    });
    let options = Options { configure: Some(configure), ..Options::default() };
    let Some(harness) = Harness::start_with(Backend::Sqlite, options).await else { return };
    let mut stream = harness.connections.subscribe();
    harness.connect("customer-1", "accounting-v31").await;
    assert!(matches!(stream.try_recv(), Ok(Event::Connected { .. })));
    assert_eq!(seen.lock().unwrap().len(), 1);
}

macro_rules! on_both_backends {
    ($($name:ident: $product:literal),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $name() {
                super::a_connection_lives_and_is_disconnected(super::Backend::Sqlite, $product).await;
            })*

            #[tokio::test]
            async fn without_a_revocation_endpoint() {
                super::a_disconnect_without_a_revocation_endpoint_deletes_the_tokens(super::Backend::Sqlite).await;
            }
        }
        mod redis {
            $(#[tokio::test]
            async fn $name() {
                super::a_connection_lives_and_is_disconnected(super::Backend::Redis, $product).await;
            })*

            #[tokio::test]
            async fn without_a_revocation_endpoint() {
                super::a_disconnect_without_a_revocation_endpoint_deletes_the_tokens(super::Backend::Redis).await;
            }
        }
    };
}

on_both_backends!(
    accounting_v31: "accounting-v31",
    accounting_v3: "accounting-v3",
    sage200_pro: "sage200-pro",
    sage200_standard: "sage200-standard",
);
