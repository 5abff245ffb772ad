//! `sage` processes sharing one sign-in (one token file) across token expiries: parallel commands
//! refresh once and nobody is asked to sign in again, and a home that cannot be written does not
//! burn the refresh token.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use sage_core::auth::{FileTokenStore, TokenStore};
use sage_sandbox::Sandbox;
use tokio::process::{Child, Command};

const PRODUCT: &str = "accounting-v31";

/// A sandbox whose v3.1 access tokens last one second, and a `--home` signed in to it.
async fn signed_in_home() -> (Sandbox, tempfile::TempDir, String) {
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
    (sandbox, home, demo.client_secret.unwrap())
}

fn call(home: &Path, secret: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_sage"))
        .args(["call", PRODUCT, "list_contacts", "--query", "items_per_page=1"])
        .env("SAGE_HOME", home)
        .env("SAGE_CLIENT_SECRET", secret)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Refuses new files in `dir` (`chattr +i` as root, who ignores modes; mode 0500 otherwise).
#[cfg(unix)]
fn set_unwritable(dir: &Path, frozen: bool) {
    let root = std::process::Command::new("id").arg("-u").output().is_ok_and(|out| out.stdout.starts_with(b"0"));
    if root {
        let flag = if frozen { "+i" } else { "-i" };
        let status = std::process::Command::new("chattr").arg(flag).arg(dir).status().unwrap();
        assert!(status.success(), "chattr is needed to run this test as root");
    } else {
        use std::os::unix::fs::PermissionsExt;
        let mode = if frozen { 0o500 } else { 0o700 };
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode)).unwrap();
    }
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unwritable_home_fails_the_command_but_keeps_the_sign_in() {
    let (sandbox, home, secret) = signed_in_home().await;
    tokio::time::sleep(Duration::from_millis(1_100)).await; // the access token has expired

    set_unwritable(home.path(), true);
    let refused = call(home.path(), &secret).wait_with_output().await.unwrap();
    set_unwritable(home.path(), false);
    assert!(!refused.status.success(), "the refreshed tokens could not have been stored");
    assert_eq!(sandbox.stats().refresh_grants, 0, "so no refresh token was spent");

    let output = call(home.path(), &secret).wait_with_output().await.unwrap();
    assert!(output.status.success(), "still signed in: {}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(sandbox.stats().token_errors, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_commands_after_each_expiry_never_need_a_new_sign_in() {
    let (sandbox, home, secret) = signed_in_home().await;
    for round in 1..=4 {
        tokio::time::sleep(Duration::from_millis(1_100)).await; // the access token has expired
        let calls: Vec<_> = (0..6).map(|_| call(home.path(), &secret)).collect();
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
