//! The `connect_app` example driven in a real headless Chromium, as a customer would: Connect →
//! the sandbox's consent page → Allow → back, `active`; revoke the app on the sandbox's
//! connected-apps page → the next contacts view says `needs_relink` → Reconnect → `active` again.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`CHROMIUM`, `CHROMEDRIVER` override the paths).
//! Without them the test skips with a message, unless `SAGE_REQUIRE_BROWSER=1` (CI) makes it fail.
//! `SAGE_BROWSER_SCREENSHOTS=<dir>` saves a PNG of each step there.

#[allow(dead_code)] // the example's own `main` is not called here
#[path = "../examples/connect_app.rs"]
mod example;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use tokio::net::TcpListener;

/// The whole run, browser start included; a hung browser fails the test instead of CI.
const RUN_TIMEOUT: Duration = Duration::from_secs(180);
/// How long one page may take to show what a step expects.
const STEP_TIMEOUT: Duration = Duration::from_secs(20);

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Every product the example offers, Accounting v3.1 (the one revoked) first.
const PRODUCTS: [&str; 4] = ["accounting-v31", "accounting-v3", "sage200-pro", "sage200-standard"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_connects_loses_access_at_sage_and_reconnects_in_chromium() {
    let Some(browser) = Browser::find() else { return };
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = example::app(&listener, example::Target::Sandbox).await.expect("the example starts");
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let driver = browser.start_driver().expect("chromedriver starts");
    let outcome = tokio::time::timeout(RUN_TIMEOUT, async {
        let client = driver.session(&browser).await?;
        let walked = walk_through(&client, &base).await;
        if walked.is_err() {
            shot(&client, "failed").await;
        }
        let closed = client.close().await;
        walked.and(closed.map_err(Into::into))
    })
    .await;
    drop(driver);
    server.abort();
    match outcome {
        Ok(result) => result.expect("the walk through the app succeeds"),
        Err(_) => panic!("the browser run did not finish within {RUN_TIMEOUT:?}"),
    }
}

async fn walk_through(client: &Client, base: &str) -> Result<(), BoxError> {
    client.goto(&format!("{base}/")).await?;
    wait_text(client, "status-demo-accounting-v31", "not connected").await?;
    wait_text(client, "status-demo-sage200-pro", "not connected").await?;
    let notes = client.find(Locator::Css("ul.notes")).await?.text().await?;
    assert!(notes.contains("sandbox started inside this example"), "{notes}");
    assert!(notes.contains("key made for this run"), "the page says the cipher key is a demo one: {notes}");
    shot(client, "1-start").await;

    // A customer who denies consent is told so, and nothing is connected.
    click(client, Locator::Id("connect-accounting-v3")).await?;
    wait_heading(client, "Allow access?").await?;
    click(client, Locator::Css("button[value='deny']")).await?;
    wait_until(client, Locator::Css("p"), "consent refused: access_denied").await?;
    click(client, Locator::LinkText("All connections")).await?;
    wait_text(client, "status-demo-accounting-v3", "not connected").await?;

    for product in PRODUCTS {
        connect(client, &format!("connect-{product}")).await?;
        wait_text(client, &format!("status-demo-{product}"), "active").await?;
    }
    shot(client, "2-connected").await;
    let names = contact_names(client, "accounting-v31").await?;
    assert!(!names.is_empty(), "an active connection lists the business's contacts");
    shot(client, "3-contacts").await;
    for product in &PRODUCTS[1..] {
        assert!(!contact_names(client, product).await?.is_empty(), "{product}: contacts or customers listed");
    }

    // As the customer, at Sage: revoke the app's Accounting v3.1 access.
    client.goto(&format!("{base}/")).await?;
    wait_text(client, "status-demo-accounting-v31", "active").await?;
    click(client, Locator::Id("manage")).await?;
    wait_heading(client, "Connected apps").await?;
    let revoke = "//form[input[@name='family' and @value='accounting-v31']]/button";
    click(client, Locator::XPath(revoke)).await?;
    let notice = wait_for(client, Locator::Css("p.notice")).await?.text().await?;
    assert!(notice.starts_with("Access revoked for sage-sandbox-demo on Accounting v3.1"), "{notice}");
    shot(client, "4-revoked-at-sage").await;

    // Nothing has called Sage since: the app still believes the connection works.
    client.goto(&format!("{base}/")).await?;
    wait_text(client, "status-demo-accounting-v31", "active").await?;
    // The next call finds out, and the page says so with a way back.
    click(client, Locator::Id("contacts-accounting-v31")).await?;
    wait_heading(client, "Contacts of demo-accounting-v31").await?;
    let status = wait_for(client, Locator::Css("span.status")).await?.text().await?;
    assert_eq!(status, "needs_relink");
    let page = client.find(Locator::Css("body")).await?.text().await?;
    assert!(page.contains("invalid_grant: the user revoked this app's access"), "Sage's reason is shown: {page}");
    assert!(client.find_all(Locator::Id("contacts")).await?.is_empty(), "no contacts are listed: {page}");
    shot(client, "5-needs-relink").await;
    client.goto(&format!("{base}/")).await?;
    wait_text(client, "status-demo-accounting-v31", "needs_relink").await?;
    for product in &PRODUCTS[1..] {
        wait_text(client, &format!("status-demo-{product}"), "active").await?;
    }
    shot(client, "6-list-needs-relink").await;

    // Reconnect from the contacts view: consent again, and the connection is active and works.
    client.goto(&format!("{base}/contacts?id=demo-accounting-v31")).await?;
    connect(client, "reconnect-accounting-v31").await?;
    wait_text(client, "status-demo-accounting-v31", "active").await?;
    shot(client, "7-reconnected").await;
    assert_eq!(contact_names(client, "accounting-v31").await?, names, "the same business's contacts again");

    // The app disconnects Sage 200: it is listed as disconnected and offers Connect again.
    client.goto(&format!("{base}/")).await?;
    click(client, Locator::Id("disconnect-sage200-pro")).await?;
    wait_text(client, "status-demo-sage200-pro", "disconnected").await?;
    wait_for(client, Locator::Id("connect-sage200-pro")).await?;
    wait_text(client, "status-demo-accounting-v31", "active").await?;
    shot(client, "8-disconnected").await;
    Ok(())
}

/// Clicks a Connect or Reconnect button, then Allow on the sandbox's consent page; back on `/`.
async fn connect(client: &Client, button: &str) -> Result<(), BoxError> {
    click(client, Locator::Id(button)).await?;
    wait_heading(client, "Allow access?").await?;
    click(client, Locator::Css("button[value='allow']")).await?;
    wait_heading(client, "Sage connections").await
}

/// Opens a connection's contacts from `/` and returns the names listed.
async fn contact_names(client: &Client, product: &str) -> Result<Vec<String>, BoxError> {
    let current = client.current_url().await?;
    client.goto(current.join("/")?.as_str()).await?;
    click(client, Locator::Id(&format!("contacts-{product}"))).await?;
    wait_heading(client, &format!("Contacts of demo-{product}")).await?;
    assert_eq!(wait_for(client, Locator::Css("span.status")).await?.text().await?, "active");
    let mut names = Vec::new();
    for item in client.find_all(Locator::Css("#contacts li")).await? {
        names.push(item.text().await?);
    }
    Ok(names)
}

async fn click(client: &Client, locator: Locator<'_>) -> Result<(), BoxError> {
    wait_for(client, locator).await?.click().await?;
    Ok(())
}

async fn wait_for(client: &Client, locator: Locator<'_>) -> Result<fantoccini::elements::Element, BoxError> {
    Ok(client.wait().at_most(STEP_TIMEOUT).for_element(locator).await?)
}

async fn wait_heading(client: &Client, heading: &str) -> Result<(), BoxError> {
    wait_until(client, Locator::Css("h1"), heading).await
}

async fn wait_text(client: &Client, id: &str, text: &str) -> Result<(), BoxError> {
    wait_until(client, Locator::Id(id), text).await
}

/// Polls until the element shows exactly `expected` (across a page load), or says what it showed.
async fn wait_until(client: &Client, locator: Locator<'_>, expected: &str) -> Result<(), BoxError> {
    let deadline = tokio::time::Instant::now() + STEP_TIMEOUT;
    let mut seen = String::from("(no such element)");
    while tokio::time::Instant::now() < deadline {
        // A page being replaced may lose the element between find and read: try again.
        if let Ok(element) = client.find(locator).await {
            if let Ok(text) = element.text().await {
                if text == expected {
                    return Ok(());
                }
                seen = text;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let url = client.current_url().await.map(|url| url.to_string()).unwrap_or_default();
    Err(format!("{locator:?} on {url} shows {seen:?}, not {expected:?}").into())
}

/// A screenshot of the step, when `SAGE_BROWSER_SCREENSHOTS` names a directory.
async fn shot(client: &Client, step: &str) {
    let Some(dir) = std::env::var_os("SAGE_BROWSER_SCREENSHOTS") else { return };
    if let Ok(png) = client.screenshot().await {
        let path = PathBuf::from(dir).join(format!("connect_app-{step}.png"));
        std::fs::write(&path, png).unwrap_or_else(|err| panic!("cannot write {}: {err}", path.display()));
    }
}

/// Chromium and its WebDriver, found on this machine.
struct Browser {
    chromium: PathBuf,
    chromedriver: PathBuf,
}

impl Browser {
    /// `None` (with a message) when either is missing, unless `SAGE_REQUIRE_BROWSER=1`.
    fn find() -> Option<Self> {
        let path = |var: &str, default: &str| PathBuf::from(std::env::var(var).unwrap_or_else(|_| default.into()));
        let browser = Self {
            chromium: path("CHROMIUM", "/usr/bin/chromium"),
            chromedriver: path("CHROMEDRIVER", "/usr/bin/chromedriver"),
        };
        let missing: Vec<String> = [&browser.chromium, &browser.chromedriver]
            .into_iter()
            .filter(|path| !path.is_file())
            .map(|path| path.display().to_string())
            .collect();
        if missing.is_empty() {
            return Some(browser);
        }
        let message = format!(
            "{} not found: install Debian's `chromium` and `chromium-driver` (or set CHROMIUM / CHROMEDRIVER)",
            missing.join(" and ")
        );
        if std::env::var("SAGE_REQUIRE_BROWSER").as_deref() == Ok("1") {
            panic!("SAGE_REQUIRE_BROWSER=1: {message}");
        }
        eprintln!("skipped: {message}");
        None
    }

    /// Starts chromedriver on a free port, in a process group of its own, and waits until it answers.
    fn start_driver(&self) -> Result<Driver, BoxError> {
        use std::os::unix::process::CommandExt;
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = Command::new(&self.chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()?;
        let profile = tempfile::tempdir()?;
        let driver = Driver { child, url: format!("http://127.0.0.1:{port}"), profile };
        let deadline = std::time::Instant::now() + STEP_TIMEOUT;
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if std::time::Instant::now() > deadline {
                return Err(format!("chromedriver did not listen on port {port} within {STEP_TIMEOUT:?}").into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(driver)
    }
}

/// A running chromedriver; dropping it kills it and every browser it started (its process group).
struct Driver {
    child: Child,
    url: String,
    /// Chromium's profile, removed after the browser is gone.
    profile: tempfile::TempDir,
}

impl Driver {
    /// A headless Chromium session with a profile of its own, quiet on this machine's closed network.
    async fn session(&self, browser: &Browser) -> Result<Client, BoxError> {
        let args = [
            "--headless".to_owned(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--window-size=1100,800".into(),
            format!("--user-data-dir={}", self.profile.path().display()),
        ];
        let options = json!({ "binary": browser.chromium, "args": args });
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("goog:chromeOptions".into(), options);
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        Ok(ClientBuilder::new(connector).capabilities(capabilities).connect(&self.url).await?)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // Negative pid: the whole group, so a Chromium left by a failed run goes with its driver.
        let group = -(self.child.id() as i32);
        unsafe {
            libc::kill(group, libc::SIGKILL);
        }
        let _ = self.child.wait();
    }
}
