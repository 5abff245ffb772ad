//! The sandbox as a dev server shared by a team: slow or half-open clients, oversized requests and
//! the data file's permissions.

mod common;

use std::time::Duration;

use common::*;
use sage_sandbox::Sandbox;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    let sandbox = Sandbox::builder()
        .products(api_products())
        .header_read_timeout(Duration::from_millis(200))
        .start()
        .await
        .unwrap();
    let address = sandbox.url().trim_start_matches("http://").to_owned();
    let mut half_open = tokio::net::TcpStream::connect(&address).await.unwrap();
    half_open.write_all(b"GET /v3.1/contacts HTTP/1.1\r\nHost: sandbox\r\n").await.unwrap();

    // Bounded only so that the old behaviour (kept open for good) fails instead of hanging.
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(10), half_open.read_to_end(&mut rest)).await;
    assert!(closed.is_ok(), "the half-open request is still open");

    let healthy = http().get(format!("{}/v3.1/user", sandbox.url())).send().await.unwrap();
    assert_ne!(healthy.status().as_u16(), 0, "complete requests are still served");
}

#[tokio::test]
async fn an_oversized_record_is_refused() {
    let sandbox = api_sandbox(None).await;
    let token = access_token(&sandbox, "accounting-v31").await;
    let base = sandbox.endpoints("accounting-v31").unwrap().api_base_url;
    let huge = serde_json::json!({"contact": {"name": "x".repeat(1024 * 1024)}});
    let response = http().post(format!("{base}/contacts")).bearer_auth(&token).json(&huge).send().await.unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::PAYLOAD_TOO_LARGE);
    let small = serde_json::json!({"contact": {"name": "Ada"}});
    let response = http().post(format!("{base}/contacts")).bearer_auth(&token).json(&small).send().await.unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::CREATED);
}

#[cfg(unix)]
#[tokio::test]
async fn the_data_file_is_private_to_its_owner() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let (new, existing) = (dir.path().join("new.db"), dir.path().join("existing.db"));
    std::fs::write(&existing, b"").unwrap();
    std::fs::set_permissions(&existing, std::fs::Permissions::from_mode(0o644)).unwrap();
    for file in [&new, &existing] {
        let sandbox = Sandbox::builder().products(api_products()).data_file(file).start().await.unwrap();
        sandbox.shutdown().await;
        let mode = std::fs::metadata(file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", file.display());
    }
}
