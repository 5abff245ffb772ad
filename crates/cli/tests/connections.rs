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
    command(home, &["--sandbox", "connections"]).args(args).output().expect("sage runs")
}

/// `sage <first> …` with a clean environment around `home`.
fn command(home: &Path, first: &[&str]) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_sage"));
    command
        .args(first)
        .env("SAGE_HOME", home)
        .env("HOME", home)
        .env("USER", "test-operator")
        .env_remove("SAGE_CONNECTIONS_KEY")
        .env_remove("SAGE_CONNECTIONS_KEY_OLD")
        .env_remove("SAGE_CONNECTIONS_REGISTRY")
        .env_remove("SAGE_CLIENT_ID")
        .env_remove("SAGE_CLIENT_SECRET")
        .env_remove("SAGE_SUBSCRIPTION_KEY");
    command
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

    let again = sage(home, &["disconnect", "garage-42"]);
    assert_exit(&again, 0);
    assert!(text(&again.stderr).contains("disconnected already"), "{}", printed(&again));
    let audit_after: serde_json::Value =
        serde_json::from_slice(&sage(home, &["show", "garage-42", "--json"]).stdout).unwrap();
    assert_eq!(audit_after["audit"], shown_json["audit"], "a second disconnect records nothing new");
    outputs.push(again);

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

/// A Redis registry shared with an app: the key comes from SAGE_CONNECTIONS_KEY, every key of the
/// registry is under the prefix, and a second process checks what the first connected.
#[test]
fn a_redis_registry_works_with_the_apps_key() {
    let Ok(url) = std::env::var("SAGE_TEST_REDIS_URL") else {
        eprintln!("skipped: SAGE_TEST_REDIS_URL is not set (scripts/test starts a Redis and sets it)");
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let prefix = format!("sage-cli-test-{}", std::process::id());
    let key = format!("2026-12:{}", "q1g9RDD8xQd5p8mEBVD5iVuDCZEwYFbzUZjPuW2p1hs=");
    let run = |args: &[&str]| {
        command(home.path(), &["--sandbox", "connections", "--registry", &url, "--redis-prefix", &prefix])
            .args(args)
            .env("SAGE_CONNECTIONS_KEY", &key)
            .output()
            .expect("sage runs")
    };
    assert_exit(&run(&["connect", "fleet-1", "--product", "accounting-v3"]), 0);
    let listing = text(&run(&["list"]).stdout);
    assert!(row(&listing, "fleet-1").contains("accounting-v3") && row(&listing, "fleet-1").contains(" active "));
    assert_exit(&run(&["check", "fleet-1"]), 0);
    assert_exit(&run(&["disconnect", "fleet-1"]), 0);
    assert!(row(&text(&run(&["list"]).stdout), "fleet-1").contains(" disconnected "));
    assert!(!home.path().join("sandbox/connections.db").exists(), "nothing went to a SQLite file");
    assert!(!home.path().join("sandbox/connections.key").exists(), "no key file beside a Redis registry");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Without --sandbox the commands use the app's registration from flags and environment, as
/// `sage login` does; a sandbox run by the test stands in for Sage through the URL overrides.
#[tokio::test(flavor = "multi_thread")]
async fn without_the_sandbox_the_apps_registration_comes_from_flags_and_environment() {
    use tokio::io::{AsyncBufReadExt, BufReader};

    let port = free_port();
    let sage_itself = Sandbox::builder()
        .auto_approve(true)
        .redirect_uri(format!("http://127.0.0.1:{port}/callback"))
        .start()
        .await
        .unwrap();
    let endpoints = sage_itself.endpoints("accounting-v31").unwrap();
    let home = tempfile::tempdir().unwrap();
    let app = [
        "--client-id".to_owned(),
        DEMO_CLIENT_ID.to_owned(),
        "--authorize-url".to_owned(),
        endpoints.authorize_url.clone(),
        "--token-url".to_owned(),
        endpoints.token_url.clone(),
        "--revoke-url".to_owned(),
        endpoints.revoke_url.clone().expect("v3.1 revokes"),
        "--base-url".to_owned(),
        endpoints.api_base_url.clone(),
    ];
    let run = |args: &[&str], with_app: bool| {
        let mut command = command(home.path(), &["connections"]);
        command.args(args).env("SAGE_CLIENT_SECRET", sage_demo_secret(&sage_itself));
        if with_app {
            command.args(&app);
        }
        command
    };

    // The browser is the test: it opens the URL the command prints.
    let mut connect = tokio::process::Command::from(run(
        &["connect", "real-1", "--product", "accounting-v31", "--no-browser", "--callback-port", &port.to_string()],
        true,
    ));
    let mut child = connect
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut stderr = String::new();
    while let Some(line) = lines.next_line().await.unwrap() {
        stderr += &format!("{line}\n");
        if let Some(url) = line.trim().strip_prefix("http").map(|rest| format!("http{rest}")) {
            assert!(url.starts_with(&endpoints.authorize_url), "{url}");
            assert!(reqwest::get(&url).await.unwrap().status().is_success());
            break;
        }
    }
    while let Some(line) = lines.next_line().await.unwrap() {
        stderr += &format!("{line}\n");
    }
    assert!(child.wait().await.unwrap().success(), "{stderr}");
    assert!(home.path().join("connections.db").exists(), "real connections are not in the sandbox's registry");

    let no_client_id = run(&["check", "real-1"], false).env_remove("SAGE_CLIENT_ID").output().unwrap();
    assert_exit(&no_client_id, 2);
    assert!(text(&no_client_id.stderr).contains("SAGE_CLIENT_ID"), "{}", printed(&no_client_id));

    let checked = run(&["check", "real-1"], true).output().unwrap();
    assert_exit(&checked, 0);
    let before = sage_itself.stats().revocations;
    assert_exit(&run(&["disconnect", "real-1"], true).output().unwrap(), 0);
    assert_eq!(sage_itself.stats().revocations, before + 1, "the refresh token was revoked at the app's Sage");
}

fn sage_demo_secret(sandbox: &Sandbox) -> String {
    sandbox.demo_client().client_secret.expect("the demo app is confidential")
}

/// The app's key from SAGE_CONNECTIONS_KEY; after a rotation the retired key in
/// SAGE_CONNECTIONS_KEY_OLD still opens the tokens, and without it the failure names the key.
#[test]
fn the_apps_key_comes_from_the_environment_and_rotates() {
    let home = tempfile::tempdir().unwrap();
    let old = "2026-06:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    let new = "2026-12:q1g9RDD8xQd5p8mEBVD5iVuDCZEwYFbzUZjPuW2p1hs=";
    let run = |keys: &[(&str, &str)], args: &[&str]| {
        command(home.path(), &["--sandbox", "connections"]).args(args).envs(keys.iter().copied()).output().unwrap()
    };
    assert_exit(&run(&[("SAGE_CONNECTIONS_KEY", old)], &["connect", "k-1", "--product", "accounting-v31"]), 0);
    assert!(!sandbox_dir(home.path()).join("connections.key").exists(), "no key file when the app's key is given");

    let rotated = [("SAGE_CONNECTIONS_KEY", new), ("SAGE_CONNECTIONS_KEY_OLD", old)];
    assert_exit(&run(&rotated, &["check", "k-1"]), 0);
    let without_old = run(&[("SAGE_CONNECTIONS_KEY", new)], &["check", "k-1"]);
    assert_exit(&without_old, 1);
    assert!(text(&without_old.stderr).contains("sealed with key `2026-06`"), "{}", printed(&without_old));

    let no_key = run(&[], &["check", "k-1"]);
    assert_exit(&no_key, 2);
    assert!(text(&no_key.stderr).contains("set SAGE_CONNECTIONS_KEY"), "{}", printed(&no_key));
    assert!(!sandbox_dir(home.path()).join("connections.key").exists(), "no key file is made for an existing registry");
    assert_exit(&run(&[("SAGE_CONNECTIONS_KEY", "2026-12:not-32-bytes")], &["check", "k-1"]), 2);
}
