//! A web app whose customers connect their own Sage accounts (axum + `sage::connections`).
//!
//! One page lists the demo customer's connection to each product with its status (`active`,
//! `needs_relink`, `disconnected`), a "Connect" button per product, and per connection its contacts
//! (Sage 200: customers) and a "Disconnect" button. When Sage refuses a connection's refresh token
//! for good, the contacts view says `needs_relink` and offers "Reconnect".
//!
//! ```sh
//! cargo run -p sage --example connect_app --features connections,sandbox,accounting-v3,sage200-pro,sage200-standard
//! ```
//!
//! By default the example starts a sandbox inside itself (no Sage account, no network) whose
//! consent page asks Allow / Deny, and whose "connected apps" page (linked from ours) revokes the
//! app's access as a Sage user would. The registry is a SQLite file in a temporary directory, gone
//! on exit with the sandbox. Environment variables for real Sage:
//!
//! - `SAGE_CLIENT_ID`, `SAGE_CLIENT_SECRET`: your app's registration (both required).
//! - `SAGE_PRODUCTS`: the products it is registered for, comma-separated (default `accounting-v31`;
//!   also `accounting-v3`, `sage200-pro`, `sage200-standard`).
//! - `SAGE_SUBSCRIPTION_KEY`: the API subscription key (Accounting v3 needs one; Sage 200 may).
//! - `SAGE_REDIRECT_URI`: the redirect URI registered for the app (default `http://<listen>/callback`).
//! - `SAGE_LISTEN`: address to listen on (default `127.0.0.1:8791`; the sandbox: a free port).
//! - `SAGE_HOME`: keep the registry in `$SAGE_HOME/connect_app.db` instead of a temporary directory.
//! - `SAGE_CONNECTIONS_KEY`: base64 of 32 random bytes sealing the stored tokens (`openssl rand
//!   -base64 32`). Without it a key is made for this run only, so a kept registry cannot be read
//!   after a restart.
//!
//! Copying it into a project of your own: `sage` with the features above, plus `axum`, `tokio`,
//! `serde` (derive), `serde_json`, `rand` and `tempfile`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Form, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use sage::auth::SealingKey;
use sage::connections::{Connection, Connections, Error, ProductConfig, SqliteRegistry, Status, TokenCipher};
use sage::core::{Method, Product, Request};
use sage::sandbox::Sandbox;
use serde_json::Value;
use tokio::net::TcpListener;

/// The boxed error `main` and `app` return.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The products a customer may connect.
pub const PRODUCTS: [Product; 4] = [
    sage::accounting_v31::PRODUCT,
    sage::accounting_v3::PRODUCT,
    sage::sage200_pro::PRODUCT,
    sage::sage200_standard::PRODUCT,
];

/// The app's key for its one demo customer; a real app uses its own account or tenant id.
const CUSTOMER: &str = "demo";

/// What the app talks to.
pub enum Target {
    /// A sandbox started inside the app.
    Sandbox,
    /// Real Sage, with the app's registration from the environment.
    Sage,
}

struct App {
    connections: Connections,
    products: Vec<Product>,
    redirect_uri: String,
    /// The sandbox's connected-apps page, when there is a sandbox.
    manage_url: Option<String>,
    /// What the visitor should know about this run (sandbox, key, registry).
    notes: Vec<String>,
    /// Kept alive as long as the app: the sandbox stops, and the temporary registry goes, on drop.
    _sandbox: Option<Sandbox>,
    _dir: Option<tempfile::TempDir>,
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let target = if env("SAGE_CLIENT_ID").is_some() { Target::Sage } else { Target::Sandbox };
    let default_listen = if matches!(target, Target::Sage) { "127.0.0.1:8791" } else { "127.0.0.1:0" };
    let listener = TcpListener::bind(env("SAGE_LISTEN").as_deref().unwrap_or(default_listen)).await?;
    let router = app(&listener, target).await?;
    println!("Open http://{}/ (Ctrl-C to stop).", listener.local_addr()?);
    axum::serve(listener, router).await?;
    Ok(())
}

/// The app, to serve on `listener`: the registry, the products' settings and the routes.
pub async fn app(listener: &TcpListener, target: Target) -> Result<Router, BoxError> {
    let base_url = format!("http://{}", listener.local_addr()?);
    let redirect_uri = env("SAGE_REDIRECT_URI").unwrap_or_else(|| format!("{base_url}/callback"));
    let mut notes = Vec::new();
    let cipher = match env("SAGE_CONNECTIONS_KEY") {
        Some(key) => TokenCipher::new(SealingKey::from_base64("app-key", &key)?),
        None => {
            notes.push("Tokens are sealed with a key made for this run (set SAGE_CONNECTIONS_KEY to keep one).".into());
            TokenCipher::new(SealingKey::new("demo-key", rand::random())?)
        }
    };
    let (dir, path) = match (&target, env("SAGE_HOME")) {
        (Target::Sage, Some(home)) => (None, std::path::PathBuf::from(home).join("connect_app.db")),
        _ => {
            let dir = tempfile::tempdir()?;
            let path = dir.path().join("connections.db");
            (Some(dir), path)
        }
    };
    notes.push(format!("Connections are kept in {}.", path.display()));
    let mut builder = Connections::builder(SqliteRegistry::open(&path, cipher.clone()).await?, cipher);
    let (sandbox, products) = match target {
        Target::Sandbox => {
            // Consent is asked for (Allow / Deny), and our exact redirect URI is registered.
            let sandbox = Sandbox::builder().redirect_uri(&redirect_uri).start().await?;
            for product in PRODUCTS {
                builder = builder.product(sandbox_settings(&sandbox, product)?);
            }
            notes.insert(0, format!("Running against a sandbox started inside this example at {}.", sandbox.url()));
            (Some(sandbox), PRODUCTS.to_vec())
        }
        Target::Sage => {
            let client_id = env("SAGE_CLIENT_ID").ok_or("SAGE_CLIENT_ID is not set")?;
            let secret = env("SAGE_CLIENT_SECRET").ok_or("SAGE_CLIENT_SECRET is not set")?;
            let mut products = Vec::new();
            for name in env("SAGE_PRODUCTS").as_deref().unwrap_or("accounting-v31").split(',').map(str::trim) {
                let product = *PRODUCTS.iter().find(|product| product.name == name).ok_or_else(|| {
                    format!("SAGE_PRODUCTS names `{name}`: use accounting-v31, accounting-v3, sage200-pro, sage200-standard")
                })?;
                let mut settings = ProductConfig::new(product, &client_id).client_secret(&secret);
                if let Some(key) = env("SAGE_SUBSCRIPTION_KEY") {
                    settings = settings.subscription_key(key);
                }
                builder = builder.product(settings);
                products.push(product);
            }
            notes.insert(0, format!("Connecting to Sage as the app `{client_id}` (SAGE_CLIENT_ID)."));
            (None, products)
        }
    };
    for note in &notes {
        println!("{note}");
    }
    let connections = builder.build()?;
    let mut events = connections.subscribe();
    tokio::spawn(async move {
        // What happens to connections (connected, refreshed, needs_relink, disconnected, …): an app
        // would alert the customer or its support here. Events carry no token.
        loop {
            match events.recv().await {
                Ok(event) => println!("event: {}", serde_json::to_string(&event).unwrap_or_default()),
                Err(tokio::sync::broadcast::error::RecvError::Lagged(missed)) => println!("{missed} events missed"),
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            }
        }
    });
    let app = App {
        connections,
        products,
        redirect_uri,
        manage_url: sandbox.as_ref().map(|sandbox| format!("{}/connected-apps", sandbox.url())),
        notes,
        _sandbox: sandbox,
        _dir: dir,
    };
    Ok(Router::new()
        .route("/", get(home))
        .route("/connect", post(connect))
        .route("/callback", get(callback))
        .route("/contacts", get(contacts))
        .route("/disconnect", post(disconnect))
        .with_state(Arc::new(app)))
}

/// The sandbox's identity server, API and demo registration for `product`.
fn sandbox_settings(sandbox: &Sandbox, product: Product) -> Result<ProductConfig, BoxError> {
    let endpoints = sandbox.endpoints(product).ok_or("the sandbox does not serve this product")?;
    let demo = sandbox.demo_client();
    let mut settings = ProductConfig::new(product, demo.client_id)
        .profile(sandbox.oauth_client(product)?.profile().clone())
        .api_base_url(endpoints.api_base_url)
        .subscription_key("sandbox-subscription-key");
    if let Some(secret) = demo.client_secret {
        settings = settings.client_secret(secret);
    }
    Ok(settings)
}

/// The connection id of the demo customer's connection to `product`.
fn connection_id(product: &str) -> String {
    format!("{CUSTOMER}-{product}")
}

/// `/`: every product with the customer's connection to it and what can be done next.
async fn home(State(app): State<Arc<App>>) -> Result<Html<String>, AppError> {
    let connections: HashMap<String, Connection> =
        app.connections.list().await?.into_iter().map(|connection| (connection.id.clone(), connection)).collect();
    let mut rows = String::new();
    for product in &app.products {
        let id = connection_id(product.name);
        let connection = connections.get(&id);
        let status = connection.map_or("not connected", |connection| connection.status.name());
        let account = connection.map(account_name).unwrap_or_default();
        let actions = match connection.map(|connection| &connection.status) {
            Some(Status::Active) => format!(
                "{} {}",
                button("get", "/contacts", "id", &id, "Contacts", &format!("contacts-{}", product.name)),
                button("post", "/disconnect", "id", &id, "Disconnect", &format!("disconnect-{}", product.name)),
            ),
            Some(Status::NeedsRelink { .. }) => reconnect_button(product.name),
            _ => button("post", "/connect", "product", product.name, "Connect", &format!("connect-{}", product.name)),
        };
        rows.push_str(&format!(
            r#"<tr><td>{title}</td><td>{id}</td><td class="status" id="status-{id}">{status}</td>
<td>{account}</td><td>{actions}</td></tr>
"#,
            title = escape(product.title),
            id = escape(&id),
            status = escape(status),
            account = escape(&account),
        ));
    }
    let head = "<tr><th>Product</th><th>Connection</th><th>Status</th><th>Account</th><th></th></tr>";
    let body = format!("<table>\n{head}\n{rows}</table>\n");
    Ok(page("Sage connections", &app, &body))
}

/// The business (v3.1), company (Sage 200) or site (v3) a connection addresses.
fn account_name(connection: &Connection) -> String {
    let business = connection.business.as_ref().map(|business| business.name.clone());
    let company =
        connection.company.as_ref().map(|company| format!("{} ({})", company.company_name, company.site_name));
    let site = connection.v3_site_id.as_ref().map(|site| format!("site {site}"));
    business.or(company).or(site).unwrap_or_default()
}

#[derive(serde::Deserialize)]
struct ProductForm {
    product: String,
}

/// `POST /connect`: off to Sage's consent page, with a single-use `state` kept in the registry.
async fn connect(State(app): State<Arc<App>>, Form(form): Form<ProductForm>) -> Result<Redirect, AppError> {
    let authorize =
        app.connections.begin(&connection_id(&form.product), form.product.as_str(), &app.redirect_uri).await?;
    Ok(Redirect::to(authorize.url.as_str()))
}

/// `/callback`: Sage's redirect; the registry knows which connection its `state` belongs to.
async fn callback(State(app): State<Arc<App>>, uri: Uri) -> Result<Redirect, AppError> {
    app.connections.complete(&uri.to_string()).await?;
    Ok(Redirect::to("/"))
}

#[derive(serde::Deserialize)]
struct IdForm {
    id: String,
}

/// `/contacts?id=…`: the first page of the connection's contacts (Sage 200: customers). A call that
/// fails sends the visitor to reconnect when the connection now needs relinking.
async fn contacts(State(app): State<Arc<App>>, Query(query): Query<IdForm>) -> Result<Html<String>, AppError> {
    let connection = app.connections.get(&query.id).await?;
    let title = format!("Contacts of {}", connection.id);
    let listed = match app.connections.client(&connection.id).await {
        Ok(client) => client.execute(&list_request(&connection.product)).await.map_err(AppError::from),
        Err(err) => Err(err.into()),
    };
    let body = match listed {
        Ok(response) => {
            let names = names(&response.body);
            let items: String = names.iter().map(|name| format!("<li>{}</li>\n", escape(name))).collect();
            let shown = names.len();
            format!(
                r#"<p>Status: <span class="status">active</span></p>
<ul id="contacts">
{items}</ul>
<p>{shown} shown.</p>
"#
            )
        }
        Err(err) => match app.connections.get(&connection.id).await?.status {
            Status::NeedsRelink { reason, since } => format!(
                r#"<p>Status: <span class="status">needs_relink</span></p>
<p>Sage no longer accepts this connection (since {since}): {reason}</p>
<p>{button}</p>
"#,
                since = escape(&since.format("%Y-%m-%d %H:%M:%S UTC").to_string()),
                reason = escape(&reason),
                button = reconnect_button(&connection.product),
            ),
            _ => return Err(err),
        },
    };
    Ok(page(&title, &app, &format!("{body}<p><a href=\"/\">All connections</a></p>\n")))
}

/// `POST /disconnect`: the app stops using the connection; reconnecting starts a new consent.
async fn disconnect(State(app): State<Arc<App>>, Form(form): Form<IdForm>) -> Result<Redirect, AppError> {
    app.connections.disconnect(&form.id, "connect_app", "disconnected from the page").await?;
    Ok(Redirect::to("/"))
}

/// One page of contacts (Sage 200: customers): Accounting lists show `displayed_as`, Sage 200 `name`.
fn list_request(product: &str) -> Request {
    match product {
        "accounting-v31" => Request::new("list_contacts", Method::Get, "/contacts").query("items_per_page", "20"),
        "accounting-v3" => {
            Request::new("list_contacts", Method::Get, "/accounts/v3/contacts").query("items_per_page", "20")
        }
        _ => Request::new("list_customers", Method::Get, "/customers").query("$top", "20"),
    }
}

/// The names in a list body: Accounting's `{"$items": [...]}` or Sage 200's bare array.
fn names(body: &[u8]) -> Vec<String> {
    let value: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let items = value.get("$items").unwrap_or(&value).as_array().cloned().unwrap_or_default();
    let name = |item: &Value| ["displayed_as", "name"].iter().find_map(|key| item[*key].as_str().map(str::to_owned));
    items.iter().filter_map(name).collect()
}

fn reconnect_button(product: &str) -> String {
    button("post", "/connect", "product", product, "Reconnect", &format!("reconnect-{product}"))
}

/// A one-button form (the browser encodes the value); actions that change something are POSTs.
fn button(method: &str, action: &str, name: &str, value: &str, label: &str, id: &str) -> String {
    let [method, action, name, value, label, id] = [method, action, name, value, label, id].map(escape);
    format!(
        r#"<form method="{method}" action="{action}"><input type="hidden" name="{name}" value="{value}">
<button id="{id}" type="submit">{label}</button></form>"#
    )
}

fn page(title: &str, app: &App, body: &str) -> Html<String> {
    let notes: String = app.notes.iter().map(|note| format!("<li>{}</li>", escape(note))).collect();
    let manage = app.manage_url.as_ref().map_or(String::new(), |url| {
        let link = format!(r#"<a id="manage" href="{}">connected apps</a>"#, escape(url));
        format!("<p>As the customer, at Sage: {link} (revoke this app's access).</p>\n")
    });
    Html(format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title><style>{STYLE}</style></head>
<body>
<h1>{title}</h1>
{body}{manage}<ul class="notes">{notes}</ul>
</body></html>
"#,
        title = escape(title),
    ))
}

const STYLE: &str = "body{font-family:sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse}\
td,th{border-bottom:1px solid #ccc;padding:.4em .8em;text-align:left}form{display:inline}\
.status{font-weight:bold;white-space:nowrap}td:last-child{white-space:nowrap}.notes{color:#666;font-size:.9em}";

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// An environment variable, ignoring empty values.
fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}

/// An error page; connection errors never carry a token, a code or a `state`.
struct AppError(StatusCode, String);

impl From<Error> for AppError {
    fn from(err: Error) -> Self {
        let status = match err {
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::Disconnected(_) => StatusCode::CONFLICT,
            Error::ConsentDenied { .. } => StatusCode::FORBIDDEN,
            Error::UnknownProduct(_)
            | Error::InvalidConnectionId(_)
            | Error::InvalidCallback(_)
            | Error::UnknownState
            | Error::ReusedState
            | Error::ExpiredState { .. } => StatusCode::BAD_REQUEST,
            _ => StatusCode::BAD_GATEWAY,
        };
        Self(status, err.to_string())
    }
}

impl From<sage::Error> for AppError {
    fn from(err: sage::Error) -> Self {
        Self(StatusCode::BAD_GATEWAY, err.to_string())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let body = format!("<!doctype html>\n<p>{}</p>\n<p><a href=\"/\">All connections</a></p>\n", escape(&self.1));
        (self.0, Html(body)).into_response()
    }
}
