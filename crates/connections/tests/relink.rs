//! A connection whose refresh token Sage revoked: one refresh attempt, then `needs_relink`, calls
//! failing at once, and a reconnect clearing it.

mod support;

use std::time::Duration;

use sage_connections::{Error, Status};
use sage_core::auth::AuthError;
use support::{list_request, Backend, Harness};

async fn a_revoked_connection_needs_relinking_after_one_refresh_attempt(backend: Backend, product: &str) {
    let Some(harness) = Harness::start(backend).await else { return };
    let connection = harness.connect("customer-1", product).await;
    let client = harness.connections.client("customer-1").await.unwrap();
    client.execute(&list_request(product)).await.unwrap();

    // The customer revokes the app at Sage, and the access token runs out.
    let store = harness.connections.registry().token_store("customer-1", connection.api);
    let refresh = store.load().await.unwrap().unwrap().refresh_token().cloned().expect("a refresh token");
    harness.sandbox.oauth_client(product).unwrap().revoke(&refresh).await.unwrap();
    harness.sandbox.expire_access_tokens();

    let before = harness.sandbox.stats();
    let failed = client.execute(&list_request(product)).await.unwrap_err();
    assert!(
        matches!(&failed, sage_core::Error::Auth(AuthError::ConnectionNeedsRelink { connection, reason, .. })
            if connection == "customer-1" && reason.contains("invalid_grant")),
        "{failed:?}"
    );
    let after = harness.sandbox.stats();
    assert_eq!(after.token_requests - before.token_requests, 1, "exactly one refresh attempt");

    let stored = harness.connections.get("customer-1").await.unwrap();
    let Status::NeedsRelink { reason, .. } = &stored.status else { panic!("{:?}", stored.status) };
    assert!(reason.contains("invalid_grant"), "{reason}");

    // Fail fast: neither the identity server nor the API hears of the next calls.
    let again = client.execute(&list_request(product)).await.unwrap_err();
    assert!(matches!(again, sage_core::Error::Auth(AuthError::ConnectionNeedsRelink { .. })), "{again:?}");
    assert!(again.to_string().contains("needs to be connected again"), "{again}");
    assert!(matches!(harness.connections.client("customer-1").await, Err(Error::NeedsRelink { .. })));
    let other_process = harness.connections_with(Duration::from_secs(600)).await;
    assert!(matches!(other_process.client("customer-1").await, Err(Error::NeedsRelink { .. })));
    let last = harness.sandbox.stats();
    assert_eq!((last.token_requests, last.api_requests), (after.token_requests, after.api_requests));

    // Reconnecting clears it, for the client already handed out too.
    let reconnected = harness.connect("customer-1", product).await;
    assert_eq!(reconnected.status, Status::Active);
    assert_eq!(reconnected.created_at, connection.created_at, "the same connection, connected again");
    let fresh = harness.connections.client("customer-1").await.unwrap();
    fresh.execute(&list_request(product)).await.unwrap();
    client.execute(&list_request(product)).await.unwrap();
}

macro_rules! on_both_backends {
    ($($name:ident: $product:literal),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $name() {
                super::a_revoked_connection_needs_relinking_after_one_refresh_attempt(super::Backend::Sqlite, $product).await;
            })*
        }
        mod redis {
            $(#[tokio::test]
            async fn $name() {
                super::a_revoked_connection_needs_relinking_after_one_refresh_attempt(super::Backend::Redis, $product).await;
            })*
        }
    };
}

on_both_backends!(
    accounting_v31: "accounting-v31",
    accounting_v3: "accounting-v3",
    sage200_pro: "sage200-pro",
    sage200_standard: "sage200-standard",
);
