//! sage-books list cost: 10,000 sales invoices listed from the sandbox through the product's typed
//! client and through `Books::list::<SalesInvoice>()`, both collected into a `Vec`. Target: the
//! normalized list takes ≤ 1.15× the time and ≤ 1.2× the peak heap of the typed one.
//!
//! Time and memory are measured in separate processes (`books-list-time`, `books-list-memory`):
//! the counting allocator's atomics would tax whichever side allocates more.

use std::future::ready;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use sage200::sales::{ListSalesPostedTransactions, SalesPostedTransaction};
use sage_accounting_v31::sales::ListSalesInvoices;
use sage_books::{Books, SalesInvoice};
use sage_core::{Client, Operation};
use sage_sandbox::fixtures::{SAGE200_COMPANIES, V31_BUSINESSES};
use sage_sandbox::Sandbox;
use serde_json::Value;

use crate::alloc;

/// Invoices in each product's list, the sandbox's own seeded ones included.
const INVOICES: usize = 10_000;
/// Alternating pairs timed (after one warm-up pair).
const TIMED_PAIRS: usize = 11;
/// Alternating pairs measured for memory (after one warm-up pair).
const MEMORY_PAIRS: usize = 3;
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

/// One product's two ways of listing the same invoices.
trait Sides {
    type Typed: Send;
    fn name(&self) -> &'static str;
    async fn typed(&self) -> Vec<Self::Typed>;
    async fn normalized(&self) -> Vec<SalesInvoice>;
    /// The typed records' ids, to check both sides list the same records.
    fn typed_ids(records: &[Self::Typed]) -> Vec<String>;
}

struct V31 {
    client: Client,
    books: Books,
}

impl Sides for V31 {
    type Typed = sage_accounting_v31::sales::SalesInvoice;

    fn name(&self) -> &'static str {
        "Accounting v3.1 list_sales_invoices (attributes=all)"
    }

    async fn typed(&self) -> Vec<Self::Typed> {
        // The operation the mapping sends, so both sides make the same requests.
        self.client.items(&ListSalesInvoices::new().attributes("all")).try_collect().await.expect("typed list")
    }

    async fn normalized(&self) -> Vec<SalesInvoice> {
        self.books.list::<SalesInvoice>().try_collect().await.expect("normalized list")
    }

    fn typed_ids(records: &[Self::Typed]) -> Vec<String> {
        records.iter().map(|record| record.id.as_ref().map(ToString::to_string).unwrap_or_default()).collect()
    }
}

struct Sage200 {
    client: Client,
    books: Books,
}

impl Sides for Sage200 {
    type Typed = SalesPostedTransaction;

    fn name(&self) -> &'static str {
        "Sage 200 Professional sales_posted_transactions (invoices)"
    }

    async fn typed(&self) -> Vec<Self::Typed> {
        // The filter the mapping sends, and the same check of each transaction's type.
        let invoices =
            ListSalesPostedTransactions::new().filter(format!("trader_transaction_type eq '{SAGE200_INVOICE}'"));
        self.client
            .items(&invoices)
            .try_filter(|tran| ready(tran.trader_transaction_type.as_deref() == Some(SAGE200_INVOICE)))
            .try_collect()
            .await
            .expect("typed list")
    }

    async fn normalized(&self) -> Vec<SalesInvoice> {
        self.books.list::<SalesInvoice>().try_collect().await.expect("normalized list")
    }

    fn typed_ids(records: &[Self::Typed]) -> Vec<String> {
        records.iter().map(|record| record.id.map(|id| id.to_string()).unwrap_or_default()).collect()
    }
}

/// The worker for one measurement: both products, one after the other.
pub async fn worker(measure: Measure) {
    let sandbox = sandbox();
    let v31 = v31_sides(&sandbox).await;
    measure_sides(&v31, measure).await;
    let sage200 = sage200_sides(&sandbox).await;
    measure_sides(&sage200, measure).await;
}

/// Starts the sandbox on a runtime of its own whose threads are not counted; it lives as long as the process.
fn sandbox() -> Arc<Sandbox> {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        alloc::exclude_this_thread();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .on_thread_start(alloc::exclude_this_thread)
            .enable_all()
            .build()
            .expect("sandbox runtime");
        runtime.block_on(async move {
            let sandbox =
                Sandbox::builder().auto_approve(true).max_records(2 * INVOICES).start().await.expect("sandbox");
            sender.send(Arc::new(sandbox)).expect("hand over");
            std::future::pending::<()>().await;
        });
    });
    receiver.recv().expect("the sandbox started")
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
    V31 { client, books }
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
    Sage200 { client, books }
}

fn median<T: Copy + PartialOrd>(mut values: Vec<T>) -> T {
    values.sort_by(|a, b| a.partial_cmp(b).expect("comparable"));
    values[values.len() / 2]
}

async fn measure_sides<S: Sides>(sides: &S, measure: Measure) {
    // Warm-up pair, which also checks both sides list the same invoices.
    let typed = sides.typed().await;
    let normalized = sides.normalized().await;
    assert_eq!(typed.len(), INVOICES, "every invoice listed");
    let normalized_ids: Vec<String> = normalized.iter().map(|invoice| invoice.id.clone()).collect();
    assert_eq!(S::typed_ids(&typed), normalized_ids, "both sides list the same invoices in the same order");
    drop((typed, normalized));
    match measure {
        Measure::Time => time(sides).await,
        Measure::Memory => memory(sides).await,
    }
}

async fn time<S: Sides>(sides: &S) {
    let (mut typed, mut normalized, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for pair in 0..TIMED_PAIRS {
        // Alternate which side goes first, so neither always follows the other.
        let (t, n) = if pair % 2 == 0 {
            let t = timed(sides.typed()).await;
            (t, timed(sides.normalized()).await)
        } else {
            let n = timed(sides.normalized()).await;
            (timed(sides.typed()).await, n)
        };
        ratios.push(n.as_secs_f64() / t.as_secs_f64());
        typed.push(t);
        normalized.push(n);
    }
    let runs =
        |runs: &[Duration]| runs.iter().map(|run| format!("{:.3}", run.as_secs_f64())).collect::<Vec<_>>().join(" ");
    println!(
        "books-list time: {}, {INVOICES} invoices collected into a Vec, {TIMED_PAIRS} alternating pairs",
        sides.name()
    );
    println!("  typed       median {:>7.3} s   runs {}", median(typed.clone()).as_secs_f64(), runs(&typed));
    println!("  normalized  median {:>7.3} s   runs {}", median(normalized.clone()).as_secs_f64(), runs(&normalized));
    println!(
        "  time ratio normalized/typed: median of pairs {:.3} (min {:.3}, max {:.3}); target ≤ 1.15",
        median(ratios.clone()),
        ratios.iter().cloned().fold(f64::INFINITY, f64::min),
        ratios.iter().cloned().fold(0.0, f64::max)
    );
}

async fn timed<T>(list: impl std::future::Future<Output = Vec<T>>) -> Duration {
    let started = Instant::now();
    let records = list.await;
    let elapsed = started.elapsed();
    drop(records);
    elapsed
}

/// Peak heap growth while listing, and what the collected `Vec` keeps once listed.
struct Heap {
    peak: usize,
    kept: usize,
}

async fn heap<T>(list: impl std::future::Future<Output = Vec<T>>) -> Heap {
    alloc::reset_peak();
    let base = alloc::live();
    let records = list.await;
    let kept = alloc::live().saturating_sub(base);
    let peak = alloc::peak().saturating_sub(base);
    drop(records);
    Heap { peak, kept }
}

async fn memory<S: Sides>(sides: &S) {
    let (mut typed, mut normalized) = (Vec::new(), Vec::new());
    for pair in 0..MEMORY_PAIRS {
        if pair % 2 == 0 {
            typed.push(heap(sides.typed()).await);
            normalized.push(heap(sides.normalized()).await);
        } else {
            normalized.push(heap(sides.normalized()).await);
            typed.push(heap(sides.typed()).await);
        }
    }
    let peak = |heaps: &[Heap]| median(heaps.iter().map(|heap| heap.peak).collect());
    let kept = |heaps: &[Heap]| median(heaps.iter().map(|heap| heap.kept).collect());
    println!(
        "books-list memory: {}, {INVOICES} invoices collected into a Vec, {MEMORY_PAIRS} alternating pairs",
        sides.name()
    );
    println!(
        "  typed       peak {:>11} B  kept {:>11} B  ({} B per invoice kept)",
        peak(&typed),
        kept(&typed),
        kept(&typed) / INVOICES
    );
    println!(
        "  normalized  peak {:>11} B  kept {:>11} B  ({} B per invoice kept)",
        peak(&normalized),
        kept(&normalized),
        kept(&normalized) / INVOICES
    );
    println!(
        "  peak ratio normalized/typed {:.3}; target ≤ 1.2 (kept ratio {:.3})",
        peak(&normalized) as f64 / peak(&typed) as f64,
        kept(&normalized) as f64 / kept(&typed) as f64
    );
}
