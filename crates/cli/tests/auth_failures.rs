//! Sage refusing a signed-in user for a reason other than the token (an expired trial, a cancelled
//! subscription): `sage` prints Sage's message, exits 3 and keeps the refresh token unspent.

use sage_core::auth::{FileTokenStore, TokenStore};
use sage_sandbox::Sandbox;

const PRODUCT: &str = "accounting-v31";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lapsed_subscription_prints_sages_message_and_exits_3() {
    let sandbox = Sandbox::builder().auto_approve(true).start().await.unwrap();
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
    let call = || {
        tokio::process::Command::new(env!("CARGO_BIN_EXE_sage"))
            .args(["call", PRODUCT, "list_contacts", "--query", "items_per_page=1"])
            .env("SAGE_HOME", home.path())
            .env("SAGE_CLIENT_SECRET", demo.client_secret.as_deref().unwrap())
            .output()
    };

    let working = call().await.unwrap();
    assert!(working.status.success(), "signed in: {}", String::from_utf8_lossy(&working.stderr));

    sandbox.set_subscription_active(false);
    let refused = call().await.unwrap();
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("HTTP 401"), "{stderr}");
    assert!(stderr.contains("AuthorizationFailure: No active subscription. (MSE)"), "Sage's message: {stderr}");
    assert_eq!(sandbox.stats().refresh_grants, 0, "no refresh token was spent");
    assert_eq!(FileTokenStore::new(&tokens).load().await.unwrap().as_ref(), Some(&signed_in.tokens), "sign-in kept");
}
