//! sage-books list cost: 10,000 sales invoices listed from the sandbox through the product's typed
//! client and through `Books::list::<SalesInvoice>()`, the same requests on both sides. Target: the
//! normalized list takes ≤ 1.15× the time and ≤ 1.2× the peak heap of the typed one.
//!
//! Each side is measured two ways: collected into a `Vec` (what a caller keeping the list writes),
//! and streamed (each record dropped before the next: the cost of decoding and mapping alone).
//! A normalized record keeps the typed one it was mapped from (`raw()`), so collected it holds both.
//! Time and memory are measured in separate processes (`books-list-time`, `books-list-memory`):
//! the counting allocator's atomics would tax whichever side allocates more. Time is also measured
//! with the pages replayed by a caching proxy ([`replay`]), which leaves the sandbox's work out.

use std::future::ready;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{StreamExt, TryStreamExt};
use sage200::sales::{ListSalesPostedTransactions, SalesPostedTransaction};
use sage_accounting_v31::sales::ListSalesInvoices;
use sage_books::{Books, SalesInvoice};
use sage_core::auth::{Authenticator, MemoryTokenStore};
use sage_core::{BoxStream, Client, HeaderPolicy, Operation, Product};
use sage_sandbox::fixtures::{SAGE200_COMPANIES, SAGE200_SITE_ID, V31_BUSINESSES};
use sage_sandbox::Sandbox;
use serde_json::Value;

use crate::{alloc, replay};

/// Invoices in each product's list, the sandbox's own seeded ones included.
const INVOICES: usize = 10_000;
/// Alternating pairs timed (after one warm-up pair).
const TIMED_PAIRS: usize = 11;
/// Alternating pairs measured for memory (after one warm-up pair).
const MEMORY_PAIRS: usize = 3;
/// Pages served by the sandbox on each request.
const FROM_SANDBOX: &str = "from the sandbox";
/// Pages replayed by a caching proxy: the sandbox's work left out.
const REPLAYED: &str = "pages replayed by a caching proxy";
/// The Sage 200 transaction type the model reads as an invoice.
const SAGE200_INVOICE: &str = "TradingAccountEntryTypeInvoice";

/// What is measured: time or heap.
#[derive(Clone, Copy, PartialEq)]
pub enum Measure {
    Time,
    Memory,
}

/// Runs both measurements, each in a process of its own.
pub fn run() {
    for worker in ["books-list-time", "books-list-memory"] {
        let status = std::process::Command::new(std::env::current_exe().expect("own path"))
            .arg(worker)
            .status()
            .expect("start a worker");
        assert!(status.success(), "{worker} failed: {status}");
    }
}

/// One product's two ways of listing the same invoices, as streams of records.
trait Sides {
    type Typed: Send + 'static;
    /// The product, list and where the pages come from.
    fn name(&self) -> String;
    fn typed(&self) -> BoxStream<'static, Result<Self::Typed, String>>;
    fn normalized(&self) -> BoxStream<'static, Result<SalesInvoice, String>> {
        self.books().list::<SalesInvoice>().map_err(|err| err.to_string()).boxed()
    }
    fn books(&self) -> &Books;
    /// A typed record's id, to check both sides list the same records.
    fn typed_id(record: &Self::Typed) -> String;
}

struct V31 {
    via: &'static str,
    client: Client,
    books: Books,
}

impl Sides for V31 {
    type Typed = sage_accounting_v31::sales::SalesInvoice;

    fn name(&self) -> String {
        format!("Accounting v3.1 list_sales_invoices (attributes=all), {}", self.via)
    }

    fn typed(&self) -> BoxStream<'static, Result<Self::Typed, String>> {
        // The operation the mapping sends, so both sides make the same requests.
        self.client.items(&ListSalesInvoices::new().attributes("all")).map_err(|err| err.to_string()).boxed()
    }

    fn books(&self) -> &Books {
        &self.books
    }

    fn typed_id(record: &Self::Typed) -> String {
        record.id.as_ref().map(ToString::to_string).unwrap_or_default()
    }
}

struct Sage200 {
    via: &'static str,
    client: Client,
    books: Books,
}

impl Sides for Sage200 {
    type Typed = SalesPostedTransaction;

    fn name(&self) -> String {
        format!("Sage 200 Professional sales_posted_transactions (invoices), {}", self.via)
    }

    fn typed(&self) -> BoxStream<'static, Result<Self::Typed, String>> {
        // The filter the mapping sends, and the same check of each transaction's type.
        let invoices =
            ListSalesPostedTransactions::new().filter(format!("trader_transaction_type eq '{SAGE200_INVOICE}'"));
        self.client
            .items(&invoices)
            .try_filter(|tran| ready(tran.trader_transaction_type.as_deref() == Some(SAGE200_INVOICE)))
            .map_err(|err| err.to_string())
            .boxed()
    }

    fn books(&self) -> &Books {
        &self.books
    }

    fn typed_id(record: &Self::Typed) -> String {
        record.id.map(|id| id.to_string()).unwrap_or_default()
    }
}

/// What the caller does with the records: keep them all, or look at each and drop it.
#[derive(Clone, Copy, PartialEq)]
enum Shape {
    /// `try_collect::<Vec<_>>()`.
    Collect,
    /// Each record looked at and dropped before the next.
    Stream,
}

impl Shape {
    fn describe(self) -> &'static str {
        match self {
            Shape::Collect => "collected into a Vec (try_collect)",
            Shape::Stream => "streamed, each dropped before the next",
        }
    }
}

/// The records listed (none kept when streaming) and how many there were.
struct Listed<T> {
    kept: Vec<T>,
    count: usize,
}

async fn list<T>(records: BoxStream<'static, Result<T, String>>, shape: Shape) -> Listed<T> {
    match shape {
        Shape::Collect => {
            let kept: Vec<T> = records.try_collect().await.expect("a list");
            Listed { count: kept.len(), kept }
        }
        Shape::Stream => {
            let mut records = records;
            let mut count = 0;
            while let Some(record) = records.next().await {
                // The record is looked at (the optimizer may not skip it) and dropped.
                drop(std::hint::black_box(record.expect("a record")));
                count += 1;
            }
            Listed { kept: Vec::new(), count }
        }
    }
}

/// The worker for one measurement: both products, one after the other; for time, also with the
/// pages replayed (the same pages, the sandbox's work left out).
pub async fn worker(measure: Measure) {
    let sandbox = sandbox();
    let v31 = v31_sides(&sandbox).await;
    measure_sides(&v31, measure).await;
    if measure == Measure::Time {
        let business = V31_BUSINESSES[0].id;
        let client = replayed_client(&sandbox, sage_accounting_v31::PRODUCT, HeaderPolicy::accounting_v31()).await;
        let client = client.for_business(business).expect("business");
        let books = Books::new(client.clone()).expect("books");
        measure_sides(&V31 { via: REPLAYED, client, books }, measure).await;
    }
    let sage200 = sage200_sides(&sandbox).await;
    measure_sides(&sage200, measure).await;
    if measure == Measure::Time {
        let headers = HeaderPolicy::sage200(SAGE200_COMPANIES[0].0, SAGE200_SITE_ID);
        let client = replayed_client(&sandbox, sage200_pro::PRODUCT, headers).await;
        let books = Books::new(client.clone()).expect("books");
        measure_sides(&Sage200 { via: REPLAYED, client, books }, measure).await;
    }
}

/// A client of `product` whose calls go through a caching proxy in front of the sandbox.
async fn replayed_client(sandbox: &Sandbox, product: Product, headers: HeaderPolicy) -> Client {
    let signed_in = sandbox.sign_in(product.name).await.expect("sign in");
    let proxy = replay::start(replay::origin(&signed_in.api_base_url));
    let auth = Authenticator::new(signed_in.oauth, Arc::new(MemoryTokenStore::with_tokens(signed_in.tokens)));
    Client::builder(product)
        .base_url(replay::rebase(&signed_in.api_base_url, &proxy))
        .headers(headers)
        .auth(auth)
        .build()
        .expect("a client through the proxy")
}

/// The sandbox on threads of its own whose allocations are not counted.
fn sandbox() -> Arc<Sandbox> {
    alloc::uncounted_sandbox(Sandbox::builder().auto_approve(true).max_records(2 * INVOICES), |_| ())
}

/// Appends `records` from a thread whose allocations are not counted (they end up in the sandbox).
fn insert(
    sandbox: &Arc<Sandbox>,
    product: &'static str,
    tenant: &'static str,
    collection: &'static str,
    records: Vec<Value>,
) {
    let sandbox = sandbox.clone();
    std::thread::spawn(move || {
        alloc::exclude_this_thread();
        sandbox.insert_records(product, tenant, collection, records).expect("insert")
    })
    .join()
    .expect("seeding thread");
}

/// The items of a list page as the product sent them (Accounting's `$items`, Sage 200's array).
async fn page_items(client: &Client, request: &sage_core::Request) -> Vec<Value> {
    let body = client.execute(request).await.expect("one page").body;
    match serde_json::from_slice::<Value>(&body).expect("a JSON page") {
        Value::Array(items) => items,
        Value::Object(mut page) => match page.remove("$items").or_else(|| page.remove("value")) {
            Some(Value::Array(items)) => items,
            _ => panic!("a page without items"),
        },
        _ => panic!("a page that is neither an array nor an object"),
    }
}

/// Fills the first v3.1 business up to `INVOICES` sales invoices, copies of the sandbox's seeded
/// ones (lines, links, totals, status) with ids and numbers of their own.
async fn v31_sides(sandbox: &Arc<Sandbox>) -> V31 {
    let business = V31_BUSINESSES[0].id;
    let signed_in = sandbox.sign_in("accounting-v31").await.expect("sign in");
    let client =
        signed_in.client(sage_accounting_v31::PRODUCT).expect("client").for_business(business).expect("business");
    let request = ListSalesInvoices::new().attributes("all").items_per_page(200).request().expect("request");
    let templates = page_items(&client, &request).await;
    assert!(!templates.is_empty(), "the sandbox seeds invoices");
    let records = (templates.len()..INVOICES)
        .map(|n| {
            let mut invoice = templates[n % templates.len()].clone();
            let id = format!("{:032x}", 0xb00c_0000_0000_u64 + n as u64);
            let number = format!("SI-{}", n + 1);
            invoice["$path"] = format!("/sales_invoices/{id}").into();
            invoice["id"] = id.into();
            invoice["displayed_as"] = number.clone().into();
            invoice["invoice_number"] = number.into();
            invoice
        })
        .collect();
    insert(sandbox, "accounting-v31", business, "/sales_invoices", records);
    let books = Books::new(client.clone()).expect("books");
    V31 { via: FROM_SANDBOX, client, books }
}

/// Posts one invoice through the model in the first Sage 200 company, then fills its sales ledger up
/// to `INVOICES` invoices, copies of that posted transaction with ids of their own.
async fn sage200_sides(sandbox: &Arc<Sandbox>) -> Sage200 {
    use sage_books::types::Decimal;
    use sage_books::{Customer, LedgerAccount, NewAnalysisLine, NewSalesInvoice, TaxRate};

    let product = sage200_pro::PRODUCT;
    let client = sandbox.sign_in(product.name).await.expect("sign in").client(product).expect("client");
    let books = Books::new(client.clone()).expect("books");
    let customers: Vec<Customer> = books.list().try_collect().await.expect("customers");
    let accounts: Vec<LedgerAccount> = books.list().try_collect().await.expect("nominal codes");
    let rates: Vec<TaxRate> = books.list().try_collect().await.expect("tax codes");
    let account = accounts.iter().find(|account| account.code.as_deref() == Some("4000")).expect("sales account");
    let rate = rates.iter().find(|rate| rate.percentage == Some(Decimal::from(20))).expect("standard rate");
    let mut line = NewAnalysisLine::new(&account.id, Decimal::new(25_000, 2));
    line.description = Some("Brake pads fitted".into());
    line.tax_rate_id = Some(rate.id.clone());
    let date = sage_books::types::Date::from_ymd_opt(2026, 11, 2).expect("date");
    let mut draft = NewSalesInvoice::new(&customers[0].id, date).analysis_line(line);
    draft.number = Some("INV-1".into());
    draft.due_date = date.checked_add_days(chrono::Days::new(30));
    books.create(draft).await.expect("an invoice posted");

    let request = ListSalesPostedTransactions::new().request().expect("request");
    let posted = page_items(&client, &request).await;
    let template = posted
        .iter()
        .find(|tran| tran["trader_transaction_type"] == SAGE200_INVOICE)
        .expect("the posted invoice is in the ledger")
        .clone();
    let existing = posted.iter().filter(|tran| tran["trader_transaction_type"] == SAGE200_INVOICE).count();
    let records = (existing..INVOICES)
        .map(|n| {
            let mut tran = template.clone();
            let id = 9_000_000 + n as u64;
            tran["id"] = id.into();
            if tran.get("urn").is_some() {
                tran["urn"] = id.into();
            }
            tran["reference"] = format!("INV-{}", n + 1).into();
            tran
        })
        .collect();
    insert(sandbox, product.name, SAGE200_COMPANIES[0].0, "/sales_posted_transactions", records);
    Sage200 { via: FROM_SANDBOX, client, books }
}

fn median<T: Copy + PartialOrd>(mut values: Vec<T>) -> T {
    values.sort_by(|a, b| a.partial_cmp(b).expect("comparable"));
    values[values.len() / 2]
}

async fn measure_sides<S: Sides>(sides: &S, measure: Measure) {
    // Warm-up pair, which also checks both sides list the same invoices.
    let typed: Vec<S::Typed> = sides.typed().try_collect().await.expect("typed list");
    let normalized: Vec<SalesInvoice> = sides.normalized().try_collect().await.expect("normalized list");
    assert_eq!(typed.len(), INVOICES, "every invoice listed");
    let normalized_ids: Vec<String> = normalized.iter().map(|invoice| invoice.id.clone()).collect();
    let typed_ids: Vec<String> = typed.iter().map(S::typed_id).collect();
    assert_eq!(typed_ids, normalized_ids, "both sides list the same invoices in the same order");
    drop((typed, normalized));
    for shape in [Shape::Collect, Shape::Stream] {
        match measure {
            Measure::Time => time(sides, shape).await,
            Measure::Memory => memory(sides, shape).await,
        }
    }
}

async fn typed<S: Sides>(sides: &S, shape: Shape) -> Listed<S::Typed> {
    let listed = list(sides.typed(), shape).await;
    assert_eq!(listed.count, INVOICES, "every invoice listed");
    listed
}

async fn normalized<S: Sides>(sides: &S, shape: Shape) -> Listed<SalesInvoice> {
    let listed = list(sides.normalized(), shape).await;
    assert_eq!(listed.count, INVOICES, "every invoice listed");
    listed
}

async fn time<S: Sides>(sides: &S, shape: Shape) {
    let (mut typed_runs, mut normalized_runs, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for pair in 0..TIMED_PAIRS {
        // Alternate which side goes first, so neither always follows the other.
        let (t, n) = if pair % 2 == 0 {
            let t = timed(typed(sides, shape)).await;
            (t, timed(normalized(sides, shape)).await)
        } else {
            let n = timed(normalized(sides, shape)).await;
            (timed(typed(sides, shape)).await, n)
        };
        ratios.push(n.as_secs_f64() / t.as_secs_f64());
        typed_runs.push(t);
        normalized_runs.push(n);
    }
    let runs =
        |runs: &[Duration]| runs.iter().map(|run| format!("{:.3}", run.as_secs_f64())).collect::<Vec<_>>().join(" ");
    println!(
        "books-list time: {}, {INVOICES} invoices {}, {TIMED_PAIRS} alternating pairs",
        sides.name(),
        shape.describe()
    );
    println!("  typed       median {:>7.3} s   runs {}", median(typed_runs.clone()).as_secs_f64(), runs(&typed_runs));
    println!(
        "  normalized  median {:>7.3} s   runs {}",
        median(normalized_runs.clone()).as_secs_f64(),
        runs(&normalized_runs)
    );
    println!(
        "  time ratio normalized/typed: median of pairs {:.3} (min {:.3}, max {:.3}); target ≤ 1.15",
        median(ratios.clone()),
        ratios.iter().cloned().fold(f64::INFINITY, f64::min),
        ratios.iter().cloned().fold(0.0, f64::max)
    );
}

async fn timed<T>(list: impl std::future::Future<Output = Listed<T>>) -> Duration {
    let started = Instant::now();
    let listed = list.await;
    let elapsed = started.elapsed();
    drop(listed);
    elapsed
}

/// Peak heap growth while listing, what the records keep once listed, and how much of that is the
/// `Vec`'s unused capacity (its doubling, priced at the element's inline size).
struct Heap {
    peak: usize,
    kept: usize,
    slack: usize,
}

async fn heap<T>(list: impl std::future::Future<Output = Listed<T>>) -> Heap {
    alloc::reset_peak();
    let base = alloc::live();
    let listed = list.await;
    let kept = alloc::live().saturating_sub(base);
    let peak = alloc::peak().saturating_sub(base);
    let slack = (listed.kept.capacity() - listed.kept.len()) * std::mem::size_of::<T>();
    drop(listed);
    Heap { peak, kept, slack }
}

async fn memory<S: Sides>(sides: &S, shape: Shape) {
    let (mut typed_heaps, mut normalized_heaps) = (Vec::new(), Vec::new());
    for pair in 0..MEMORY_PAIRS {
        if pair % 2 == 0 {
            typed_heaps.push(heap(typed(sides, shape)).await);
            normalized_heaps.push(heap(normalized(sides, shape)).await);
        } else {
            normalized_heaps.push(heap(normalized(sides, shape)).await);
            typed_heaps.push(heap(typed(sides, shape)).await);
        }
    }
    let peak = |heaps: &[Heap]| median(heaps.iter().map(|heap| heap.peak).collect());
    let kept = |heaps: &[Heap]| median(heaps.iter().map(|heap| heap.kept).collect());
    let used = |heaps: &[Heap]| median(heaps.iter().map(|heap| heap.kept - heap.slack).collect());
    println!(
        "books-list memory: {}, {INVOICES} invoices {}, {MEMORY_PAIRS} alternating pairs",
        sides.name(),
        shape.describe()
    );
    if shape == Shape::Stream {
        // Nothing is kept: the peak is one page in flight, decoded and mapped.
        println!("  typed       peak {:>11} B", peak(&typed_heaps));
        println!("  normalized  peak {:>11} B", peak(&normalized_heaps));
        println!("  peak ratio normalized/typed {:.3}", peak(&normalized_heaps) as f64 / peak(&typed_heaps) as f64);
        return;
    }
    println!(
        "  record inline sizes: typed {} B, normalized {} B",
        std::mem::size_of::<S::Typed>(),
        std::mem::size_of::<SalesInvoice>()
    );
    for (side, heaps) in [("typed", &typed_heaps), ("normalized", &normalized_heaps)] {
        println!(
            "  {side:<11} peak {:>11} B  kept {:>11} B  kept without the Vec's unused capacity {:>11} B ({} B per invoice)",
            peak(heaps),
            kept(heaps),
            used(heaps),
            used(heaps) / INVOICES
        );
    }
    let ratio = |of: fn(&[Heap]) -> usize| of(&normalized_heaps) as f64 / of(&typed_heaps) as f64;
    println!(
        "  peak ratio normalized/typed {:.3}; target ≤ 1.2 (kept {:.3}, kept without unused capacity {:.3})",
        ratio(peak),
        ratio(kept),
        ratio(used)
    );
}
