//! What a copied registry holds: no token in clear, on either backend, and a private file —
//! after connects, refreshes, keep-alive passes, a disconnect and its audit record.

mod support;

use chrono::{Duration, Utc};
use sage_connections::KeepAlive;
use support::{Backend, Harness, Store, PRODUCTS};

async fn a_dump_of_the_registry_holds_no_token_in_clear(backend: Backend) {
    let Some(harness) = Harness::start(backend).await else { return };
    let mut secrets = Vec::new();
    for product in PRODUCTS {
        let id = format!("customer-{}", product.name);
        let connection = harness.connect(&id, product.name).await;
        let client = harness.connections.client(&id).await.unwrap();
        client.execute(&support::list_request(product.name)).await.unwrap();
        // A refresh writes the store again: that set must be sealed too.
        harness.sandbox.expire_access_tokens();
        client.execute(&support::list_request(product.name)).await.unwrap();
        secrets.extend(harness.token_values(&connection).await);
    }
    // A flow begun and never completed is in the registry too.
    harness.connections.begin("customer-pending", "accounting-v31", support::REDIRECT_URI).await.unwrap();

    // Keep-alive refreshes write new sets; a disconnect deletes one and leaves an audit record.
    let keep_alive = KeepAlive::default().jitter(std::time::Duration::ZERO);
    for later in [29, 88] {
        let report =
            harness.connections.keep_alive_pass(&keep_alive, Utc::now() + Duration::days(later)).await.unwrap();
        assert!(!report.refreshed.is_empty(), "{report:?}");
        for id in &report.refreshed {
            let connection = harness.connections.get(id).await.unwrap();
            secrets.extend(harness.token_values(&connection).await);
        }
    }
    harness.connections.disconnect("customer-sage200-pro", "ops@app.example", "closed").await.unwrap();

    let dump = harness.dump().await;
    assert!(contains(&dump, b"customer-accounting-v31"), "the dump is of the right registry");
    assert!(contains(&dump, b"ops@app.example"), "the audit trail is in the dump");
    assert!(secrets.len() >= 8 + 6, "{} token values", secrets.len());
    for secret in &secrets {
        assert!(secret.len() >= 16, "a token worth looking for");
        assert!(!contains(&dump, secret.as_bytes()), "a token value is in clear in the dump");
    }
    if let Store::Sqlite(path) = &harness.store {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "the registry file is private");
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}

#[tokio::test]
async fn sqlite_dump_holds_no_token_in_clear() {
    a_dump_of_the_registry_holds_no_token_in_clear(Backend::Sqlite).await;
}

#[tokio::test]
async fn redis_dump_holds_no_token_in_clear() {
    a_dump_of_the_registry_holds_no_token_in_clear(Backend::Redis).await;
}
