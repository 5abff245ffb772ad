//! A new user's first ten minutes, end to end against a sandbox started by the test: `sage login` on a
//! machine where the profile directory does not exist yet, an Accounting v3 sign-in whose redirect names
//! the United States, `--company` alone for Sage 200, and names typed slightly wrong.

use std::path::Path;
use std::process::{Output, Stdio};
use std::sync::{Arc, Mutex};

use axum::extract::{Path as UrlPath, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use sage_sandbox::{Sandbox, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_PUBLIC_CLIENT_ID};
use tokio::io::{AsyncBufReadExt, BufReader};

fn sage(home: &Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_sage"))
        .args(args)
        .env("SAGE_HOME", home)
        .env("SAGE_SUBSCRIPTION_KEY", "test-key")
        .env_remove("SAGE_PROFILE")
        .output()
        .expect("sage runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A loopback port nobody listens on now; each test registers its own, so tests run in parallel.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Runs `sage login …` and plays the browser: opens the URL it prints, which the auto-approving
/// sandbox redirects to the CLI's loopback listener. Returns the exit status and standard error.
async fn login(home: &Path, args: &[&str]) -> (std::process::ExitStatus, String) {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_sage"))
        .arg("login")
        .args(args)
        .arg("--no-browser")
        .env("SAGE_HOME", home)
        .env("SAGE_CLIENT_SECRET", DEMO_CLIENT_SECRET)
        .env_remove("SAGE_PROFILE")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("sage runs");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut stderr = String::new();
    while let Some(line) = lines.next_line().await.unwrap() {
        stderr += &format!("{line}\n");
        if let Some(url) = line.trim().strip_prefix("http").map(|rest| format!("http{rest}")) {
            let page = reqwest::get(&url).await.expect("the browser reaches the sandbox");
            assert!(page.status().is_success(), "the loopback page answers: {}", page.status());
            break;
        }
    }
    while let Some(line) = lines.next_line().await.unwrap() {
        stderr += &format!("{line}\n");
    }
    (child.wait().await.unwrap(), stderr)
}

async fn sandbox_for(port: u16) -> Sandbox {
    Sandbox::builder()
        .auto_approve(true)
        .redirect_uri(format!("http://127.0.0.1:{port}/callback"))
        .start()
        .await
        .expect("sandbox starts")
}

#[tokio::test(flavor = "multi_thread")]
async fn login_on_a_fresh_machine_creates_the_profile_directory_and_later_commands_work() {
    let port = free_port();
    let sandbox = sandbox_for(port).await;
    let endpoints = sandbox.endpoints("accounting-v31").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("not/there/yet");
    let (status, stderr) = login(
        &home,
        &[
            "accounting-v31",
            "--client-id",
            DEMO_PUBLIC_CLIENT_ID,
            "--callback-port",
            &port.to_string(),
            "--authorize-url",
            &endpoints.authorize_url,
            "--token-url",
            &endpoints.token_url,
            "--revoke-url",
            endpoints.revoke_url.as_deref().unwrap(),
            "--base-url",
            &endpoints.api_base_url,
        ],
    )
    .await;
    assert!(status.success(), "{stderr}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&home), 0o700, "the profile directory is private");
        assert_eq!(mode(&home.join("default.accounting-v31.tokens.json")), 0o600);
    }
    let contacts = sage(&home, &["call", "accounting-v31", "list_contacts", "--query", "items_per_page=2"]);
    assert!(contacts.status.success(), "{}", text(&contacts.stderr));
    let page: serde_json::Value = serde_json::from_slice(&contacts.stdout).unwrap();
    assert_eq!(page["$items"].as_array().map(Vec::len), Some(2), "{page}");
    let show = sage(&home, &["token", "show", "accounting-v31"]);
    assert!(show.status.success(), "{}", text(&show.stderr));
    assert!(text(&show.stdout).contains("refresh token:  expires"));
}

#[tokio::test(flavor = "multi_thread")]
async fn login_refuses_an_unwritable_home_before_anyone_signs_in() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"").unwrap();
    let output = sage(&file.join("home"), &["login", "accounting-v31", "--client-id", "x", "--no-browser"]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    assert!(text(&output.stderr).contains("cannot create"), "{}", text(&output.stderr));
    assert!(!text(&output.stderr).contains("Sign in"), "no sign-in was started");
}

/// Stands in for Sage's regional token servers: records which region was asked and passes the
/// request on to the sandbox's v3 token endpoint.
#[derive(Clone)]
struct Regions {
    sandbox_token_url: String,
    asked: Arc<Mutex<Vec<String>>>,
}

async fn regional_token(
    State(regions): State<Regions>,
    UrlPath(region): UrlPath<String>,
    headers: HeaderMap,
    body: String,
) -> impl IntoResponse {
    regions.asked.lock().unwrap().push(region);
    let mut forward = reqwest::Client::new()
        .post(&regions.sandbox_token_url)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body);
    if let Some(basic) = headers.get(header::AUTHORIZATION) {
        forward = forward.header(header::AUTHORIZATION, basic.clone());
    }
    let answer = forward.send().await.unwrap();
    let status = StatusCode::from_u16(answer.status().as_u16()).unwrap();
    (status, [(header::CONTENT_TYPE, "application/json")], answer.bytes().await.unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_v3_redirect_naming_the_us_reaches_the_north_american_token_server_and_us_api() {
    let port = free_port();
    let sandbox = sandbox_for(port).await;
    let endpoints = sandbox.endpoints("accounting-v3").unwrap();
    let regions = Regions { sandbox_token_url: endpoints.token_url.clone(), asked: Arc::default() };
    let app =
        axum::Router::new().route("/{region}/token", axum::routing::post(regional_token)).with_state(regions.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let identity = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    // The sandbox's consent page sends back the `country` it was given, as Sage does for the user's business.
    let authorize = format!("{}?country=us", endpoints.authorize_url);
    let (status, stderr) = login(
        &home,
        &[
            "accounting-v3",
            "--client-id",
            DEMO_CLIENT_ID,
            "--callback-port",
            &port.to_string(),
            "--authorize-url",
            &authorize,
            "--token-url",
            &format!("{identity}/{{region}}/token"),
            "--base-url",
            &format!("{}/{{country}}/sageone", sandbox.url()),
        ],
    )
    .await;
    assert!(status.success(), "{stderr}");
    assert_eq!(*regions.asked.lock().unwrap(), ["na"], "the code went to the North American token server");
    let saved = std::fs::read_to_string(home.join("default.accounting-v3.connection.json")).unwrap();
    assert!(saved.contains(&format!("{}/us/sageone", sandbox.url())), "{saved}");

    let show = sage(&home, &["token", "show", "accounting-v3"]);
    assert!(show.status.success(), "{}", text(&show.stderr));
    assert!(text(&show.stdout).contains("X-Site:"), "{}", text(&show.stdout));
    let contacts = sage(&home, &["call", "accounting-v3", "list_contacts", "--query", "items_per_page=1"]);
    assert!(contacts.status.success(), "{}", text(&contacts.stderr));
    let page: serde_json::Value = serde_json::from_slice(&contacts.stdout).unwrap();
    assert_eq!(page["$items"].as_array().map(Vec::len), Some(1), "{page}");
}

#[test]
fn company_alone_finds_its_site() {
    let home = tempfile::tempdir().unwrap();
    let output = sage(home.path(), &["--sandbox", "call", "sage200-pro", "list_customers", "--company", "2"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let customers: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(customers[0]["reference"], "ENG001", "company 2's customers, not company 1's: {customers}");
    let unknown = sage(home.path(), &["--sandbox", "call", "sage200-pro", "list_customers", "--company", "9"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(text(&unknown.stderr).contains("no company `9`"), "{}", text(&unknown.stderr));
}

#[test]
fn misspelt_names_get_a_suggestion_and_bad_values_are_refused_before_sending() {
    let home = tempfile::tempdir().unwrap();
    let operation = sage(home.path(), &["call", "accounting-v31", "list_contact"]);
    assert_eq!(operation.status.code(), Some(2));
    assert!(text(&operation.stderr).contains("did you mean `list_contacts`?"), "{}", text(&operation.stderr));
    let parameter = sage(home.path(), &["call", "sage200-pro", "list_customers", "--query", "filter=x"]);
    assert_eq!(parameter.status.code(), Some(2));
    assert!(text(&parameter.stderr).contains("did you mean `$filter`?"), "{}", text(&parameter.stderr));
    // Not signed in: exit 2 shows the value was refused before any sign-in or request.
    let value = sage(home.path(), &["call", "accounting-v31", "list_contacts", "--query", "items_per_page=lots"]);
    assert_eq!(value.status.code(), Some(2), "{}", text(&value.stderr));
    assert!(text(&value.stderr).contains("takes integer"), "{}", text(&value.stderr));
}

#[test]
fn operations_describes_one_operation_for_rust_users() {
    let home = tempfile::tempdir().unwrap();
    let output = sage(home.path(), &["operations", "accounting-v31", "create_sales_invoice"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let described = text(&output.stdout);
    assert!(described.starts_with("create_sales_invoice POST /sales_invoices"), "{described}");
    assert!(described.contains("sage::accounting_v31::sales::CreateSalesInvoice"), "{described}");
    assert!(described.contains("sage-accounting-v31/sales"), "{described}");
    let listing = sage(home.path(), &["operations", "accounting-v31", "list_contacts"]);
    assert!(text(&listing.stdout).contains("items_per_page") && text(&listing.stdout).contains("integer"));
}
