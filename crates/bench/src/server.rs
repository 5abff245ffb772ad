//! A local HTTP server for the benchmarks, and the record type it serves.

use axum::Router;
use sage_core::auth::StaticToken;
use sage_core::types::{Decimal, Extra};
use sage_core::{Client, HeaderStyle, ListOperation, Method, Operation, Page, PagingStyle, Product, Request};
use serde::{Deserialize, Serialize};

/// An Accounting-style API served by the bench server.
const PRODUCT: Product = Product {
    name: "bench",
    title: "Benchmark API",
    base_url: "http://127.0.0.1",
    api: sage_core::auth::SageApi::AccountingV31,
    headers: HeaderStyle::AccountingV31,
    paging: PagingStyle::Envelope,
};

/// `GET /rows` with a page size, as a generated list operation would describe it.
pub struct ListRows {
    pub items_per_page: u64,
}

impl Operation for ListRows {
    type Output = Page<Row>;
    fn request(&self) -> sage_core::Result<Request> {
        Ok(Request::new("list_rows", Method::Get, "/rows").query("items_per_page", &Some(self.items_per_page)))
    }
}

impl ListOperation for ListRows {
    type Item = Row;
}

/// A client of the bench server at `url`.
pub fn client(url: &str) -> Client {
    Client::builder(PRODUCT).base_url(url).auth(StaticToken::new("bench-token")).build().expect("client")
}

/// A contact-like record: a few strings, a decimal and a catch-all map (both paths decode it alike).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Row {
    pub id: String,
    pub name: String,
    pub reference: Option<String>,
    pub balance: Decimal,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `count` rows starting at `first`.
pub fn rows(first: u64, count: u64) -> Vec<serde_json::Value> {
    (first..first + count)
        .map(|n| {
            serde_json::json!({
                "id": format!("c{n:08}"),
                "name": format!("Customer number {n}"),
                "reference": format!("REF{n}"),
                "balance": format!("{}.{:02}", n % 10_000, n % 100),
                "displayed_as": format!("Customer number {n} (REF{n})"),
            })
        })
        .collect()
}

/// Serves `router` on a free loopback port; returns its base URL.
pub async fn start(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
    let address = listener.local_addr().expect("local address");
    tokio::spawn(async move { axum::serve(listener, router).await.expect("bench server") });
    format!("http://{address}")
}

/// Serves `router` on a free loopback port from a thread and single-threaded runtime of its own,
/// for as long as the process lives; returns its base URL. The client under test then never
/// shares a thread with the server.
pub fn start_on_own_thread(router: Router) -> String {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("the server's runtime");
        runtime.block_on(async move {
            sender.send(start(router).await).expect("report the address");
            // The server is a task of this runtime: keep driving it.
            std::future::pending::<()>().await
        });
    });
    receiver.recv().expect("the server's address")
}
