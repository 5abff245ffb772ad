//! `sage connections` end to end: each command a process of its own over one fresh home, against the
//! embedded sandbox, whose records and tokens the home keeps between commands. A connection is made,
//! listed, shown, checked and disconnected; one whose access the customer revoked at Sage needs
//! relinking (exit 3) and comes back with a new consent; no token value is ever printed or stored
//! in clear in the registry.

use std::path::{Path, PathBuf};
use std::process::Output;

use sage_connections::SqliteRegistry;
use sage_core::auth::{SageApi, SealingKey, TokenCipher};
use sage_sandbox::{Sandbox, DEMO_CLIENT_ID};

/// Runs `sage --sandbox connections …` with `home` as SAGE_HOME and HOME, and nothing of the
/// caller's registry settings.
fn sage(home: &Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_sage"))
        .args(["--sandbox", "connections"])
        .args(args)
        .env("SAGE_HOME", home)
        .env("HOME", home)
        .env("USER", "test-operator")
        .env_remove("SAGE_CONNECTIONS_KEY")
        .env_remove("SAGE_CONNECTIONS_KEY_OLD")
        .env_remove("SAGE_CONNECTIONS_REGISTRY")
        .env_remove("SAGE_CLIENT_ID")
        .env_remove("SAGE_CLIENT_SECRET")
        .output()
        .expect("sage runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Every byte a command printed.
fn printed(output: &Output) -> String {
    format!("{}{}", text(&output.stdout), text(&output.stderr))
}

/// Asserts the exit code, showing what the command printed when it differs.
fn assert_exit(output: &Output, code: i32) {
    assert_eq!(output.status.code(), Some(code), "{}", printed(output));
}

fn sandbox_dir(home: &Path) -> PathBuf {
    home.join("sandbox")
}

/// The registry's tokens for `id`, opened with the key file the CLI created.
async fn token_values(home: &Path, id: &str, api: SageApi) -> Vec<String> {
    let line = std::fs::read_to_string(sandbox_dir(home).join("connections.key")).unwrap();
    let (key_id, encoded) = line.trim().rsplit_once(':').expect("KEY_ID:BASE64");
    let cipher = TokenCipher::new(SealingKey::from_base64(key_id, encoded).unwrap());
    let registry = SqliteRegistry::open(sandbox_dir(home).join("connections.db"), cipher).await.unwrap();
    let store = sage_connections::Registry::token_store(&registry, id, api);
    let tokens = store.load().await.unwrap().expect("the connection's tokens are stored");
    let mut values = vec![tokens.access_token().secret().to_owned()];
    values.extend(tokens.refresh_token().map(|token| token.secret().to_owned()));
    values
}

/// The registry file and its SQLite companions, as a copied database would hold them.
fn registry_bytes(home: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for suffix in ["", "-wal", "-shm", "-journal"] {
        bytes.extend(std::fs::read(sandbox_dir(home).join(format!("connections.db{suffix}"))).unwrap_or_default());
    }
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle.as_bytes())
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// The row of `list` whose first column is `id`.
fn row<'a>(listing: &'a str, id: &str) -> &'a str {
    listing
        .lines()
        .find(|line| line.split_whitespace().next() == Some(id))
        .unwrap_or_else(|| panic!("{id}:\n{listing}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_connection_is_made_listed_shown_checked_and_disconnected_across_processes() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let mut outputs = Vec::new();

    let connected = sage(home, &["connect", "garage-42", "--product", "accounting-v31"]);
    assert_exit(&connected, 0);
    assert!(text(&connected.stdout).contains("status:         active"), "{}", printed(&connected));
    let tokens = token_values(home, "garage-42", SageApi::AccountingV31).await;
    assert_eq!(tokens.len(), 2, "an access and a refresh token");
    outputs.push(connected);

    let listed = sage(home, &["list"]);
    assert_exit(&listed, 0);
    let listing = text(&listed.stdout);
    assert!(listing.starts_with("ID "), "a header first:\n{listing}");
    let garage = row(&listing, "garage-42");
    assert!(garage.contains("accounting-v31") && garage.contains(" active ") && garage.contains("Sandbox Trading Ltd"));
    outputs.push(listed);

    let json = sage(home, &["list", "--json"]);
    assert_exit(&json, 0);
    let lines: Vec<serde_json::Value> =
        text(&json.stdout).lines().map(|line| serde_json::from_str(line).expect("one JSON object a line")).collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["id"], "garage-42");
    assert_eq!(lines[0]["status"]["state"], "active");
    assert_eq!(lines[0]["business"]["name"], "Sandbox Trading Ltd");
    outputs.push(json);

    let shown = sage(home, &["show", "garage-42"]);
    assert_exit(&shown, 0);
    let page = text(&shown.stdout);
    assert!(
        page.contains("business:       Sandbox Trading Ltd") && page.contains("scopes:         full_access"),
        "{page}"
    );
    assert!(page.contains("audit:\n") && page.contains(" connected"), "{page}");
    outputs.push(shown);

    // A second process finds the tokens the first one got from its own sandbox.
    let checked = sage(home, &["check", "garage-42"]);
    assert_exit(&checked, 0);
    assert!(text(&checked.stdout).starts_with("garage-42: ok (accounting-v31"), "{}", printed(&checked));
    outputs.push(checked);

    let disconnected = sage(home, &["disconnect", "garage-42", "--why", "contract ended"]);
    assert_exit(&disconnected, 0);
    assert!(text(&disconnected.stderr).contains("refresh token revoked at Sage"), "{}", printed(&disconnected));
    outputs.push(disconnected);

    let listed = sage(home, &["list"]);
    assert!(row(&text(&listed.stdout), "garage-42").contains(" disconnected "), "{}", printed(&listed));
    outputs.push(listed);

    let shown = sage(home, &["show", "garage-42", "--json"]);
    assert_exit(&shown, 0);
    let shown_json: serde_json::Value = serde_json::from_slice(&shown.stdout).expect("show --json is one object");
    assert_eq!(shown_json["status"]["state"], "disconnected");
    let last = shown_json["audit"].as_array().and_then(|audit| audit.last()).cloned().unwrap_or_default();
    assert_eq!((last["action"].as_str(), last["by"].as_str()), (Some("disconnected"), Some("test-operator")));
    assert_eq!(last["why"], "contract ended");
    outputs.push(shown);

    let refused = sage(home, &["check", "garage-42"]);
    assert_exit(&refused, 3);
    assert!(text(&refused.stderr).contains("is disconnected"), "{}", printed(&refused));
    outputs.push(refused);

    #[cfg(unix)]
    for file in ["connections.db", "connections.key"] {
        assert_eq!(mode(&sandbox_dir(home).join(file)), 0o600, "{file}");
    }
    let stored = registry_bytes(home);
    for value in &tokens {
        assert!(!contains(&stored, value), "a token is in clear in the registry file");
        for output in &outputs {
            assert!(!printed(output).contains(value.as_str()), "a token was printed:\n{}", printed(output));
        }
    }
}

/// Revokes the sandbox demo app's access to Accounting v3.1, as a customer does on Sage's
/// connected-apps page, on a sandbox over the home's data file (no `sage` process is running).
async fn revoke_app_at_sage(home: &Path) {
    let sandbox = Sandbox::builder().data_file(sandbox_dir(home).join("sandbox-data.db")).start().await.unwrap();
    let form = [("family", "accounting-v31"), ("client_id", DEMO_CLIENT_ID)];
    let page = reqwest::Client::new()
        .post(format!("{}/connected-apps/revoke", sandbox.url()))
        .form(&form)
        .send()
        .await
        .unwrap();
    let page = page.text().await.unwrap();
    assert!(page.contains("Access revoked"), "{page}");
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_connection_whose_access_was_revoked_needs_relinking_and_check_exits_3() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    assert_exit(&sage(home, &["connect", "revoked-1", "--product", "accounting-v31"]), 0);
    assert_exit(&sage(home, &["connect", "fine-2", "--product", "sage200-pro"]), 0);

    revoke_app_at_sage(home).await;

    let refused = sage(home, &["check", "revoked-1"]);
    assert_exit(&refused, 3);
    let message = text(&refused.stderr);
    assert!(message.contains("needs to be connected again"), "{message}");
    assert!(message.contains("sage connections connect revoked-1 --product accounting-v31"), "{message}");
    let listing = text(&sage(home, &["list"]).stdout);
    assert!(row(&listing, "revoked-1").contains(" needs_relink "), "{listing}");

    let all = sage(home, &["check", "--all"]);
    assert_exit(&all, 3);
    let report = text(&all.stdout);
    assert!(row(&report, "fine-2:").contains("ok (sage200-pro"), "{report}");
    assert!(row(&report, "revoked-1:").contains("failed"), "{report}");

    // A new consent brings it back.
    assert_exit(&sage(home, &["connect", "revoked-1", "--product", "accounting-v31"]), 0);
    assert_exit(&sage(home, &["check", "--all"]), 0);
    let shown = text(&sage(home, &["show", "revoked-1"]).stdout);
    assert!(shown.contains("status:         active") && shown.contains(" needs_relink"), "{shown}");
}

#[test]
fn reading_an_empty_home_creates_nothing_and_bad_settings_exit_2() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let listed = sage(home, &["list"]);
    assert_exit(&listed, 0);
    assert!(text(&listed.stderr).contains("no connections"), "{}", printed(&listed));
    assert_exit(&sage(home, &["show", "nobody"]), 2);
    assert!(!sandbox_dir(home).exists(), "reading made no registry, key or sandbox");

    let unknown = sage(home, &["--registry", "postgres://db/app", "list"]);
    assert_exit(&unknown, 2);
    let redis_without_key = sage(home, &["--registry", "redis://127.0.0.1:1/", "check", "--all"]);
    assert_exit(&redis_without_key, 2);
    assert!(text(&redis_without_key.stderr).contains("SAGE_CONNECTIONS_KEY"), "{}", printed(&redis_without_key));
    assert_exit(&sage(home, &["connect", "x", "--product", "accounting-v99"]), 2);
    assert_exit(&sage(home, &["connect", "", "--product", "accounting-v31"]), 2);
}
