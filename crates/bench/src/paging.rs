//! Paging memory: stream 100 000 records over 1 000 pages and compare the peak heap growth with
//! the size of one page. Target: O(page) — the ratio stays small and does not grow with pages.

use std::collections::BTreeMap;

use axum::extract::Query;
use axum::routing::get;
use axum::Router;
use futures_util::StreamExt;
use sage_core::{Client, Page};

use crate::alloc;
use crate::server::{self, ListRows, Row};

const PAGES: u64 = 1_000;
const PER_PAGE: u64 = 100;

fn page_body(page: u64) -> Vec<u8> {
    let next = (page < PAGES).then(|| format!("/rows?page={}", page + 1));
    let body = serde_json::json!({
        "$total": PAGES * PER_PAGE, "$page": page, "$next": next, "$back": null,
        "$itemsPerPage": PER_PAGE, "$items": server::rows((page - 1) * PER_PAGE, PER_PAGE),
    });
    serde_json::to_vec(&body).expect("page body")
}

pub async fn run() {
    let router = Router::new().route(
        "/rows",
        get(|Query(query): Query<BTreeMap<String, String>>| async move {
            page_body(query.get("page").and_then(|page| page.parse().ok()).unwrap_or(1))
        }),
    );
    let url = server::start(router).await;
    let client = server::client(&url);
    let page_bytes = page_body(1).len();

    // Warm-up: connection pool and buffers exist before anything is measured.
    stream_peak(&client, 1).await;
    alloc::reset_peak();
    let base = alloc::live();
    let one: Page<Row> = client.send(&ListRows { items_per_page: PER_PAGE }).await.expect("one page");
    let one_page_peak = alloc::peak().saturating_sub(base);
    drop(one);

    println!("paging: pages of {PER_PAGE} records, {page_bytes} bytes on the wire");
    println!("  peak heap, one page fetched       {one_page_peak:>10} bytes");
    for pages in [PAGES / 100, PAGES / 10, PAGES] {
        let peak = stream_peak(&client, pages).await;
        println!(
            "  peak heap, streaming {:>6} records {peak:>10} bytes  = {:>5.1} pages on the wire",
            pages * PER_PAGE,
            peak as f64 / page_bytes as f64
        );
    }
    println!("  target O(page): the peak stays flat as the number of pages grows 100-fold");
}

/// Peak heap growth while streaming the first `pages` pages, item by item.
async fn stream_peak(client: &Client, pages: u64) -> usize {
    alloc::reset_peak();
    let base = alloc::live();
    let mut items = client.items(&ListRows { items_per_page: PER_PAGE }).take((pages * PER_PAGE) as usize);
    let mut count = 0_u64;
    while let Some(item) = items.next().await {
        count += u64::from(!item.expect("row").id.is_empty());
    }
    drop(items);
    assert_eq!(count, pages * PER_PAGE, "every record streamed");
    alloc::peak().saturating_sub(base)
}
