//! `sage --record FILE …` writes the command's exchanges to a cassette with no secret in it, and
//! `sage --replay FILE …` runs the command against it with no network and no sign-in.

use std::path::Path;
use std::process::Output;

use sage_core::auth::{FileTokenStore, TokenStore};
use sage_core::record::{Cassette, ExchangeKind};
use sage_sandbox::Sandbox;

async fn sage(home: &Path, args: &[&str], secret: Option<&str>) -> Output {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_sage"));
    command.args(args).env("SAGE_HOME", home).env_remove("SAGE_CLIENT_SECRET");
    if let Some(secret) = secret {
        command.env("SAGE_CLIENT_SECRET", secret);
    }
    command.output().await.unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sandbox_command_recorded_replays_with_the_same_output() {
    let dir = tempfile::tempdir().unwrap();
    for (product, operation) in [("accounting-v31", "list_contacts"), ("sage200-pro", "list_customers")] {
        let cassette = dir.path().join(format!("{product}.jsonl"));
        let cassette_arg = cassette.to_str().unwrap();
        let recorded =
            sage(dir.path(), &["--sandbox", "--record", cassette_arg, "call", product, operation], None).await;
        assert!(recorded.status.success(), "{product}: {}", text(&recorded.stderr));
        let read = Cassette::read(&cassette).unwrap();
        assert!(read.exchanges.iter().any(|exchange| exchange.operation.as_deref() == Some(operation)), "{read:?}");

        let home = tempfile::tempdir().unwrap(); // no sign-in stored, no sandbox running
        let replayed = sage(home.path(), &["--replay", cassette_arg, "call", product, operation], None).await;
        assert!(replayed.status.success(), "{product}: {}", text(&replayed.stderr));
        assert_eq!(text(&replayed.stdout), text(&recorded.stdout), "{product}");
    }

    // A request the cassette does not hold: Sage's error shape, naming the request (exit 5).
    let cassette = dir.path().join("accounting-v31.jsonl");
    let args = ["--replay", cassette.to_str().unwrap(), "call", "accounting-v31", "list_ledger_accounts"];
    let unmatched = sage(dir.path(), &args, None).await;
    let stderr = text(&unmatched.stderr);
    assert_eq!(unmatched.status.code(), Some(5), "{stderr}");
    assert!(stderr.contains("ReplayUnmatched") && stderr.contains("GET /v3.1/ledger_accounts"), "{stderr}");

    // Flags that cannot go together, and a file that is not a cassette.
    let both = sage(dir.path(), &["--record", "a", "--replay", "b", "operations", "accounting-v31"], None).await;
    assert_eq!(both.status.code(), Some(2));
    let bogus = dir.path().join("bogus.jsonl");
    std::fs::write(&bogus, "hello\n").unwrap();
    let bad =
        sage(dir.path(), &["--replay", bogus.to_str().unwrap(), "call", "accounting-v31", "list_contacts"], None).await;
    let stderr = text(&bad.stderr);
    assert_eq!(bad.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("bogus.jsonl, line 1"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recorded_refresh_keeps_no_token_or_secret() {
    const PRODUCT: &str = "accounting-v31";
    let sandbox = Sandbox::builder().auto_approve(true).start().await.unwrap();
    let signed_in = sandbox.sign_in(PRODUCT).await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let tokens_file = home.path().join(format!("default.{PRODUCT}.tokens.json"));
    FileTokenStore::new(&tokens_file).save(&signed_in.tokens).await.unwrap();
    let (endpoints, demo) = (sandbox.endpoints(PRODUCT).unwrap(), sandbox.demo_client());
    let connection = serde_json::json!({
        "client_id": demo.client_id, "redirect_uri": demo.redirect_uris[0],
        "authorize_url": endpoints.authorize_url, "token_url": endpoints.token_url,
        "revoke_url": endpoints.revoke_url, "base_url": endpoints.api_base_url,
    });
    std::fs::write(home.path().join(format!("default.{PRODUCT}.connection.json")), connection.to_string()).unwrap();
    sandbox.expire_access_tokens(); // the command has to refresh

    let cassette = home.path().join("refresh.jsonl");
    let secret = demo.client_secret.as_deref().unwrap();
    let args = ["--record", cassette.to_str().unwrap(), "call", PRODUCT, "list_contacts"];
    let output = sage(home.path(), &args, Some(secret)).await;
    assert!(output.status.success(), "{}", text(&output.stderr));

    let refreshed = FileTokenStore::new(&tokens_file).load().await.unwrap().unwrap();
    let written = std::fs::read_to_string(&cassette).unwrap();
    let old_refresh = signed_in.tokens.refresh_token().unwrap().secret().to_owned();
    let new_refresh = refreshed.refresh_token().unwrap().secret().to_owned();
    for (what, value) in [
        ("old access token", signed_in.tokens.access_token().secret()),
        ("new access token", refreshed.access_token().secret()),
        ("old refresh token", old_refresh.as_str()),
        ("new refresh token", new_refresh.as_str()),
        ("client secret", secret),
    ] {
        assert!(!written.contains(value), "the {what} is in the cassette");
    }
    let read = Cassette::read(&cassette).unwrap();
    let kinds: Vec<ExchangeKind> = read.exchanges.iter().map(|exchange| exchange.kind).collect();
    // The stored token still looked valid: the call is refused (401), refreshed, and sent again.
    assert_eq!(kinds, [ExchangeKind::Api, ExchangeKind::Token, ExchangeKind::Api]);
    let statuses: Vec<u16> = read.exchanges.iter().map(|exchange| exchange.response.status).collect();
    assert_eq!(statuses, [401, 200, 200]);
    let refresh = read.exchanges[1].request.body.as_deref().unwrap();
    assert!(refresh.contains("grant_type=refresh_token") && refresh.contains("refresh_token=redacted-"), "{refresh}");
    sandbox.shutdown().await;
}
