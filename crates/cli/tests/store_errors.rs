//! A token store that cannot be used is not a lost sign-in: `sage` exits 1 (not 3, "not signed
//! in") and says what to fix, and the sign-in still works once it is fixed. A token file far larger
//! than any token set is refused unread and left in place.

use std::path::{Path, PathBuf};
use std::time::Duration;

use sage_core::auth::{FileTokenStore, TokenStore};
use sage_sandbox::Sandbox;
use tokio::process::Command;

const PRODUCT: &str = "accounting-v31";

/// A sandbox whose v3.1 access tokens last one second, and a `--home` signed in to it.
async fn signed_in_home() -> (Sandbox, tempfile::TempDir, String) {
    let sandbox = Sandbox::builder().auto_approve(true).time_scale(1.0 / 300.0).start().await.unwrap();
    let signed_in = sandbox.sign_in(PRODUCT).await.unwrap();
    let home = tempfile::tempdir().unwrap();
    FileTokenStore::new(tokens_file(home.path())).save(&signed_in.tokens).await.unwrap();
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

fn tokens_file(home: &Path) -> PathBuf {
    home.join(format!("default.{PRODUCT}.tokens.json"))
}

/// Runs `sage call … list_contacts` and returns its exit code and stderr.
async fn call(home: &Path, secret: &str) -> (Option<i32>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_sage"))
        .args(["call", PRODUCT, "list_contacts", "--query", "items_per_page=1"])
        .env("SAGE_HOME", home)
        .env("SAGE_CLIENT_SECRET", secret)
        .output()
        .await
        .unwrap();
    (output.status.code(), String::from_utf8_lossy(&output.stderr).into_owned())
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
async fn an_unwritable_token_store_exits_1_and_says_what_to_fix() {
    let (sandbox, home, secret) = signed_in_home().await;
    tokio::time::sleep(Duration::from_millis(1_100)).await; // the access token has expired: a refresh is due

    set_unwritable(home.path(), true);
    let (code, stderr) = call(home.path(), &secret).await;
    set_unwritable(home.path(), false);

    assert_eq!(code, Some(1), "a store failure, not \"not signed in\" (3): {stderr}");
    assert!(stderr.contains("token store"), "{stderr}");
    assert!(stderr.contains("The sign-in itself was not lost"), "{stderr}");
    assert!(stderr.contains(&format!("Make {} writable", home.path().display())), "{stderr}");
    assert!(!stderr.contains("re-authorization required"), "{stderr}");
    assert_eq!(sandbox.stats().refresh_grants, 0, "no refresh token was spent");

    let (code, stderr) = call(home.path(), &secret).await;
    assert_eq!(code, Some(0), "fixed, the same sign-in works: {stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_token_file_exits_1_and_is_left_in_place() {
    let (_sandbox, home, secret) = signed_in_home().await;
    let file = tokens_file(home.path());
    let huge = vec![b' '; 10 * 1024 * 1024];
    std::fs::write(&file, &huge).unwrap();

    let (code, stderr) = call(home.path(), &secret).await;

    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("holds 10485760 bytes, more than the 262144"), "{stderr}");
    assert!(stderr.contains("left untouched"), "{stderr}");
    assert_eq!(std::fs::metadata(&file).unwrap().len(), huge.len() as u64, "the file was not touched");
    assert!(FileTokenStore::new(&file).load().await.is_err());
}
