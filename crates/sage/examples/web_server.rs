//! A web app connecting its users to Sage Business Cloud Accounting v3.1 (axum).
//!
//! A confidential client: `/` offers a "Connect to Sage" link whose `state` is kept on the server
//! for the visitor's session cookie; `/callback` checks it with `parse_redirect` (so a forged
//! redirect cannot log a visitor into someone else's Sage account), exchanges the code and keeps
//! the tokens; `/contacts` lists contacts through a client that refreshes them by itself.
//!
//! ```sh
//! cargo run -p sage --example web_server --features accounting-v31-full,sandbox               # then open the URL
//! cargo run -p sage --example web_server --features accounting-v31-full,sandbox -- --self-test
//! ```
//!
//! By default the example starts a sandbox inside itself (no Sage account, no network), whose
//! consent page shows Allow / Deny; `--self-test` has it approve at once and walks through the
//! whole flow with an HTTP client, then exits. Environment variables for real Sage:
//!
//! - `SAGE_CLIENT_ID`, `SAGE_CLIENT_SECRET`: your app's registration (both required).
//! - `SAGE_REDIRECT_URI`: the redirect URI registered for the app (default
//!   `http://<listen address>/callback`).
//! - `SAGE_LISTEN`: address to listen on (default `127.0.0.1:8791`; the sandbox: a free port).
//! - `SAGE_AUTHORIZE_URL`, `SAGE_TOKEN_URL`, `SAGE_BASE_URL`: override Sage's endpoints.
//! - `SAGE_BUSINESS`: the business (`X-Business`) to read; default: the user's lead business.
//! - `SAGE_TOKEN_FILE`: keep tokens in this file (`FileTokenStore`) instead of memory.

mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::State;
use axum::http::header::{COOKIE, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use sage::accounting_v31::contacts::ListContacts;
use sage::accounting_v31::PRODUCT;
use sage::auth::{
    parse_redirect, Authenticator, AuthorizationRequest, FileTokenStore, MemoryTokenStore, OAuthClient, TokenStore,
};
use sage::sandbox::Sandbox;
use sage::HeaderPolicy;
use support::{env, BoxError, Target};

const SESSION_COOKIE: &str = "sage_example_session";

/// One visitor: the sign-in in progress, then their Sage client.
#[derive(Default)]
struct Session {
    pending: Option<AuthorizationRequest>,
    client: Option<sage::Client>,
}

struct App {
    oauth: OAuthClient,
    target: Target,
    sessions: Mutex<HashMap<String, Session>>,
}

impl App {
    fn with_session<T>(&self, id: &str, f: impl FnOnce(&mut Session) -> T) -> T {
        let mut sessions = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        f(sessions.entry(id.to_owned()).or_default())
    }
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let self_test = std::env::args().skip(1).any(|arg| arg == "--self-test");
    let real_sage = env("SAGE_CLIENT_ID").is_some();
    if self_test && real_sage {
        return Err("--self-test drives the sandbox's consent page: unset SAGE_CLIENT_ID".into());
    }
    let default_listen = if real_sage { "127.0.0.1:8791" } else { "127.0.0.1:0" };
    let listener = tokio::net::TcpListener::bind(env("SAGE_LISTEN").as_deref().unwrap_or(default_listen)).await?;
    let base_url = format!("http://{}", listener.local_addr()?);
    let redirect_uri = env("SAGE_REDIRECT_URI").unwrap_or_else(|| format!("{base_url}/callback"));

    let target = Target::from_env(&PRODUCT, Sandbox::demo_client, self_test, Some(&redirect_uri)).await?;
    if target.is_sandbox() {
        println!("Using a sandbox started inside this example (set SAGE_CLIENT_ID to use Sage).");
    }
    let oauth = target.oauth(&redirect_uri)?;
    let app = Arc::new(App { oauth, target, sessions: Mutex::default() });
    let router = Router::new()
        .route("/", get(home))
        .route("/callback", get(callback))
        .route("/contacts", get(contacts))
        .with_state(app);
    let server = tokio::spawn(async move { axum::serve(listener, router).await });

    if self_test {
        return walk_through(&base_url).await;
    }
    println!("Open {base_url}/ and connect to Sage (Ctrl-C to stop).");
    server.await??;
    Ok(())
}

/// `/`: a fresh authorization request, remembered for this visitor's session only.
async fn home(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let session = session_id(&headers).unwrap_or_else(|| format!("{:032x}", rand::random::<u128>()));
    let request = app.oauth.authorize_url();
    let link = escape(request.url.as_str());
    let connected = app.with_session(&session, |state| {
        state.pending = Some(request);
        state.client.is_some()
    });
    let contacts = if connected { "<p><a href=\"/contacts\">Your contacts</a></p>" } else { "" };
    let page = format!("<!doctype html><title>sage-rs web example</title>\n<p><a href=\"{link}\">Connect to Sage</a></p>\n{contacts}\n");
    let cookie = format!("{SESSION_COOKIE}={session}; Path=/; HttpOnly; SameSite=Lax");
    ([(SET_COOKIE, cookie)], Html(page)).into_response()
}

/// `/callback`: the redirect must carry this session's `state`; then the code becomes tokens.
async fn callback(State(app): State<Arc<App>>, headers: HeaderMap, uri: Uri) -> Result<Redirect, AppError> {
    let session = session_id(&headers).ok_or(AppError::bad_request("no session cookie: start at /"))?;
    let pending = app.with_session(&session, |state| state.pending.take());
    let pending = pending.ok_or(AppError::bad_request("no sign-in in progress for this session: start at /"))?;
    let redirect = parse_redirect(&uri.to_string(), &pending.state)?;
    let tokens = app.oauth.exchange_code(redirect.code(), pending.pkce_verifier.as_ref()).await?;
    let store: Arc<dyn TokenStore> = match env("SAGE_TOKEN_FILE") {
        Some(path) => Arc::new(FileTokenStore::new(path)),
        None => Arc::new(MemoryTokenStore::new()),
    };
    store.save(&tokens).await?;
    let client = app
        .target
        .client_builder(PRODUCT)
        .headers(HeaderPolicy::AccountingV31 { business_id: env("SAGE_BUSINESS") })
        .auth(Authenticator::new(app.oauth.clone(), store))
        .build()?;
    app.with_session(&session, |state| state.client = Some(client));
    Ok(Redirect::to("/contacts"))
}

/// `/contacts`: the first page of the connected business's contacts.
async fn contacts(State(app): State<Arc<App>>, headers: HeaderMap) -> Result<Html<String>, AppError> {
    let session = session_id(&headers).ok_or(AppError::not_connected())?;
    let client = app.with_session(&session, |state| state.client.clone()).ok_or(AppError::not_connected())?;
    // Sage lists show only `id`, `displayed_as` and `$path` unless `attributes` asks for more.
    let page = ListContacts::new().attributes("name,balance").send(&client).await?;
    let mut html = String::from("<!doctype html><title>Contacts</title>\n<ul>\n");
    for contact in &page.items {
        let name = contact.name.as_deref().unwrap_or("(no name)");
        let balance = contact.balance.map(|balance| balance.to_string()).unwrap_or_default();
        html.push_str(&format!("<li>{} {}</li>\n", escape(name), escape(&balance)));
    }
    html.push_str(&format!("</ul>\n<p>{} of {} contacts</p>\n", page.items.len(), page.total.unwrap_or_default()));
    Ok(Html(html))
}

fn session_id(headers: &HeaderMap) -> Option<String> {
    let cookies = headers.get_all(COOKIE).into_iter().filter_map(|value| value.to_str().ok());
    cookies.flat_map(|header| header.split(';')).find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        (name == SESSION_COOKIE && !value.is_empty()).then(|| value.to_owned())
    })
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// An error page; the message is shown to the visitor, so it never carries tokens.
struct AppError(StatusCode, String);

impl AppError {
    fn bad_request(message: &str) -> Self {
        Self(StatusCode::BAD_REQUEST, message.to_owned())
    }

    fn not_connected() -> Self {
        Self(StatusCode::UNAUTHORIZED, "not connected to Sage yet: start at /".to_owned())
    }
}

impl<E: std::error::Error> From<E> for AppError {
    fn from(err: E) -> Self {
        Self(StatusCode::BAD_GATEWAY, err.to_string())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        (self.0, Html(format!("<!doctype html><p>{}</p><p><a href=\"/\">Start again</a></p>", escape(&self.1))))
            .into_response()
    }
}

/// `--self-test`: what a visitor's browser would do, against the auto-approving sandbox.
async fn walk_through(base_url: &str) -> Result<(), BoxError> {
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let home = http.get(format!("{base_url}/")).send().await?.error_for_status()?;
    let cookie = home.headers().get(SET_COOKIE).and_then(|value| value.to_str().ok()).ok_or("no session cookie")?;
    let cookie = cookie.split(';').next().unwrap_or_default().to_owned();
    let page = home.text().await?;
    let authorize_url = page.split("href=\"").nth(1).and_then(|rest| rest.split('"').next()).ok_or("no link")?;
    let authorize_url = authorize_url.replace("&amp;", "&");
    println!("GET / offered {}", authorize_url.split('?').next().unwrap_or_default());

    let consent = http.get(&authorize_url).send().await?;
    let callback = location(&consent)?;
    println!("consent redirected to {}", callback.split('?').next().unwrap_or_default());
    let back = http.get(&callback).header(COOKIE, &cookie).send().await?;
    let next = location(&back)?;
    println!("GET /callback -> {} {next}", back.status());

    let contacts = http.get(format!("{base_url}{next}")).header(COOKIE, &cookie).send().await?.error_for_status()?;
    println!("GET {next} -> {}\n{}", contacts.status(), contacts.text().await?);
    Ok(())
}

fn location(response: &reqwest::Response) -> Result<String, BoxError> {
    let location = response.headers().get(LOCATION).and_then(|value| value.to_str().ok());
    Ok(location.ok_or_else(|| format!("expected a redirect, got HTTP {}", response.status()))?.to_owned())
}
