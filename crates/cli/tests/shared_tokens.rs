//! Parallel `sage` processes sharing one sign-in (one token file) across many token expiries:
//! one of them refreshes, the others use its tokens, and nobody is asked to sign in again.

use std::process::Stdio;
use std::time::Duration;

use sage_core::auth::{FileTokenStore, TokenStore};
use sage_sandbox::Sandbox;
use tokio::process::Command;

const PRODUCT: &str = "accounting-v31";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_commands_after_each_expiry_never_need_a_new_sign_in() {
    // v3.1's 300 s access tokens last one second.
    let sandbox = Sandbox::builder().auto_approve(true).time_scale(1.0 / 300.0).start().await.unwrap();
    let signed_in = sandbox.sign_in(PRODUCT).await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let tokens = home.path().join(format!("default.{PRODUCT}.tokens.json"));
    FileTokenStore::new(&tokens).save(&signed_in.tokens).await.unwrap();
    let (endpoints, demo) = (sandbox.endpoints(PRODUCT).unwrap(), sandbox.demo_client());
    let connection = serde_json::json!({
        "client_id": demo.client_id, "redirect_uri": demo.redirect_uris[0],
        "authorize_url": endpoints.authorize_url, "token_url": endpoints.token_url,
        "revoke_url": endpoints.revoke_url, "base_url": endpoints.api_base_url,
    });
    let connection_file = home.path().join(format!("default.{PRODUCT}.connection.json"));
    std::fs::write(connection_file, serde_json::to_vec(&connection).unwrap()).unwrap();

    for round in 1..=4 {
        tokio::time::sleep(Duration::from_millis(1_100)).await; // the access token has expired
        let calls: Vec<_> = (0..6)
            .map(|_| {
                Command::new(env!("CARGO_BIN_EXE_sage"))
                    .args(["call", PRODUCT, "list_contacts", "--query", "items_per_page=1"])
                    .env("SAGE_HOME", home.path())
                    .env("SAGE_CLIENT_SECRET", demo.client_secret.as_deref().unwrap())
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for call in calls {
            let output = call.wait_with_output().await.unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(output.status.success(), "round {round}: exit {:?}: {stderr}", output.status.code());
        }
    }
    let stats = sandbox.stats();
    assert_eq!(stats.token_errors, 0, "no refresh token was presented twice: {stats:?}");
    assert!(stats.refresh_grants >= 4, "every round refreshed: {stats:?}");
}
