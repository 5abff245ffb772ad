//! Change feed: an initial sync of 100 000 records in O(page) memory, then an incremental poll
//! that fetches only what changed. Runs against the sandbox in its own threads, whose allocations
//! are not counted, so the figures are the client's.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use sage_accounting_v31::sales::ListSalesInvoices;
use sage_core::auth::{Authenticator, MemoryTokenStore};
use sage_core::changes::{ChangeFeed, Changes, Checkpoint};
use sage_core::{Client, Operation};
use sage_sandbox::fixtures::V31_BUSINESSES;
use sage_sandbox::Sandbox;
use serde_json::{json, Map, Value};

use crate::alloc;

const SIZES: [usize; 2] = [10_000, 100_000];
const TOUCHED: usize = 100;
const COLLECTION: &str = "/sales_invoices";

/// The sandbox, seeded with [`SIZES`] invoices in the first businesses, on uncounted threads.
fn sandbox() -> Arc<Sandbox> {
    alloc::uncounted_sandbox(Sandbox::builder().auto_approve(true).max_records(200_000), |sandbox| {
        for (business, size) in V31_BUSINESSES.iter().zip(SIZES) {
            // Invoices updated over the past hours, 30 ms apart, oldest first.
            let start = chrono::Utc::now() - chrono::Duration::milliseconds(size as i64 * 30 + 60_000);
            let records = (0..size)
                .map(|n| {
                    let at = (start + chrono::Duration::milliseconds(n as i64 * 30))
                        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
                    json!({"invoice_number": format!("SI-{n}"), "contact_name": "Bench Ltd",
                           "total_amount": "120.00", "created_at": at, "updated_at": at})
                })
                .collect();
            sandbox.insert_records("accounting-v31", business.id, COLLECTION, records).expect("insert");
        }
    })
}

async fn client(sandbox: &Sandbox) -> Client {
    let signed_in = sandbox.sign_in("accounting-v31").await.expect("sign in");
    let auth = Authenticator::new(signed_in.oauth, Arc::new(MemoryTokenStore::with_tokens(signed_in.tokens)));
    Client::builder(sage_accounting_v31::PRODUCT).base_url(signed_in.api_base_url).auth(auth).build().expect("client")
}

struct Pass {
    delivered: u64,
    requests: u64,
    peak: usize,
    elapsed: Duration,
    checkpoint: Checkpoint,
}

async fn pass(sandbox: &Sandbox, client: &Client, checkpoint: Checkpoint) -> Pass {
    let request = ListSalesInvoices::new().request().expect("request");
    let feed = ChangeFeed::<Value>::new(client, request, ListSalesInvoices::FEED, checkpoint);
    let requests_before = sandbox.stats().api_requests;
    let started = Instant::now();
    alloc::reset_peak();
    let base = alloc::live();
    let mut batches = feed.poll();
    let (mut delivered, mut checkpoint) = (0, Checkpoint::default());
    while let Some(batch) = batches.next().await {
        let batch = batch.expect("a batch");
        delivered += batch.changes.len() as u64;
        checkpoint = batch.checkpoint;
    }
    drop(batches);
    let peak = alloc::peak().saturating_sub(base);
    Pass {
        delivered,
        requests: sandbox.stats().api_requests - requests_before,
        peak,
        elapsed: started.elapsed(),
        checkpoint,
    }
}

pub async fn run() {
    let sandbox = sandbox();
    let client = client(&sandbox).await;
    let page_bytes = {
        let scoped = client.for_business(V31_BUSINESSES[0].id).expect("business");
        let page = ListSalesInvoices::new().attributes("all").items_per_page(200).request().expect("request");
        scoped.execute(&page).await.expect("one page").body.len()
    };
    println!("changes: accounting-v31 list_sales_invoices, pages of 200 ({page_bytes} bytes on the wire)");
    for (business, size) in V31_BUSINESSES.iter().zip(SIZES) {
        let scoped = client.for_business(business.id).expect("business");
        let initial = pass(&sandbox, &scoped, Checkpoint::default()).await;
        assert!(initial.delivered >= size as u64, "every record delivered");
        println!(
            "  initial sync {:>7} records: {:>5} requests, peak heap {:>9} bytes = {:>5.1} pages, {:>6.2} s, checkpoint {} seen",
            initial.delivered,
            initial.requests,
            initial.peak,
            initial.peak as f64 / page_bytes as f64,
            initial.elapsed.as_secs_f64(),
            initial.checkpoint.seen.len(),
        );
        let touched = sandbox.touch_records("accounting-v31", business.id, COLLECTION, TOUCHED, Map::new());
        let incremental = pass(&sandbox, &scoped, initial.checkpoint).await;
        assert_eq!(incremental.delivered, touched.len() as u64, "only the changed records");
        println!(
            "  incremental poll after {} updates: {} delivered, {} requests, {:.3} s",
            touched.len(),
            incremental.delivered,
            incremental.requests,
            incremental.elapsed.as_secs_f64()
        );
    }
}
