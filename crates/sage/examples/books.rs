//! One program, four products: through `sage::books`, the same code picks a bank account, creates a
//! customer, invoices them for two lines, takes a receipt into the bank allocated to the invoice,
//! reads the invoice back settled, lists customers and invoices and follows the invoice change
//! feed, on Accounting v3.1 and v3 and Sage 200 Professional and Standard, against the sandbox.
//! Nothing below asks which product it is on: where one cannot do a step, the capability table
//! says so and the step is reported as skipped. `tests/books_example.rs` runs it and checks every step.

use std::sync::Arc;

use futures_util::TryStreamExt;
use sage::auth::MemoryTokenStore;
use sage::books::types::{Date, Decimal};
use sage::books::{
    BankAccount, Books, Customer, Error, LedgerAccount, NewAnalysisLine, NewCustomer, NewItemLine, NewPayment,
    NewSalesInvoice, Payment, PaymentKind, SalesInvoice, TaxRate,
};
use sage::changes::{Change, Checkpoint};
use sage::sandbox::Sandbox;
use sage::types::dec;

/// What is sold: description, quantity, unit price. Booked to sales (4000) at the 20 % rate.
pub const LINES: [(&str, Decimal, Decimal); 2] =
    [("Brake pads, fitted", dec!(2), dec!(125.50)), ("Disc skim", dec!(1), dec!(40.00))];
const SALES_CODE: &str = "4000";
const STANDARD_RATE: Decimal = dec!(20);

/// What became of one step.
#[derive(Debug)]
pub enum Step<T> {
    /// Done; what the product answered.
    Done(T),
    /// The product cannot do it: refused from the capability table before anything was sent.
    Unsupported(Error),
    /// Not tried, because a step it needs was not done.
    NotReached,
}

/// Each step of the flow on one product.
#[derive(Debug)]
pub struct Report {
    /// Where the receipt goes: the first bank account the product lists.
    pub bank_account: Step<BankAccount>,
    pub customer: Step<Customer>,
    pub invoice: Step<SalesInvoice>,
    pub receipt: Step<Payment>,
    pub read_back: Step<SalesInvoice>,
    pub customers: Step<Vec<Customer>>,
    pub invoices: Step<Vec<SalesInvoice>>,
    /// Ids of the invoices the feed reported after the flow's writes.
    pub feed: Step<Vec<String>>,
}

/// `Unsupported` is an answer, not a failure; every other error stops the program.
fn step<T>(result: Result<T, Error>) -> Result<Step<T>, Error> {
    match result {
        Ok(value) => Ok(Step::Done(value)),
        Err(err @ Error::Unsupported { .. }) => Ok(Step::Unsupported(err)),
        Err(err) => Err(err),
    }
}

/// The flow, the same on every product.
pub async fn run(books: &Books, date: Date) -> Result<Report, Error> {
    // Reference data, found by code and rate the way an app finds it in a user's books.
    let accounts: Vec<LedgerAccount> = books.list().try_collect().await?;
    let sales = accounts.into_iter().find(|account| account.code.as_deref() == Some(SALES_CODE));
    let rates: Vec<TaxRate> = books.list().try_collect().await?;
    let rate = rates.into_iter().find(|rate| rate.percentage == Some(STANDARD_RATE));
    let (Some(sales), Some(rate)) = (sales.map(|account| account.id), rate.map(|rate| rate.id)) else {
        return Err(Error::Invalid(format!("no {SALES_CODE} account or {STANDARD_RATE} % tax rate")));
    };
    // The first bank account; a program for one user's books would let them choose.
    let bank_account = match step(books.list::<BankAccount>().try_collect::<Vec<_>>().await)? {
        Step::Done(accounts) => match accounts.into_iter().next() {
            Some(account) => Step::Done(account),
            None => return Err(Error::Invalid("no bank account to take the receipt into".into())),
        },
        Step::Unsupported(err) => Step::Unsupported(err),
        Step::NotReached => Step::NotReached,
    };

    // Catch the invoice feed up first, so that its next pass reports only what this run changes.
    let mut feed = step(books.changes::<SalesInvoice>(Checkpoint::default()))?;
    if let Step::Done(feed) = &mut feed {
        let batches: Vec<_> = feed.poll().try_collect().await?;
        if let Some(last) = batches.last() {
            feed.set_checkpoint(last.checkpoint.clone());
        }
    }

    // Sage 200 requires an account reference (up to 8 characters); Accounting takes one too.
    let draft = NewCustomer { reference: Some("BOOKS01".into()), ..NewCustomer::new("Brake & Clutch Ltd") };
    let customer = step(books.create(draft).await)?;

    let mut invoice = Step::NotReached;
    if let Step::Done(customer) = &customer {
        // Accounting invoices have quantity × price lines, Sage 200's posted invoices amount-only
        // analysis lines. Try the first; where the product has none the model refuses it unsent.
        let (mut items, mut analysis) =
            (NewSalesInvoice::new(&customer.id, date), NewSalesInvoice::new(&customer.id, date));
        for (text, quantity, price) in LINES {
            let line = NewItemLine {
                account_id: Some(sales.clone()),
                tax_rate_id: Some(rate.clone()),
                ..NewItemLine::new(text, quantity, price)
            };
            items = items.item_line(line);
            let line = NewAnalysisLine {
                description: Some(text.into()),
                tax_rate_id: Some(rate.clone()),
                ..NewAnalysisLine::new(&sales, quantity * price)
            };
            analysis = analysis.analysis_line(line);
        }
        invoice = match step(books.create(items).await)? {
            Step::Unsupported(_) => step(books.create(analysis).await)?,
            done => done,
        };
    }

    let (mut receipt, mut read_back) = (Step::NotReached, Step::NotReached);
    if let (Step::Done(customer), Step::Done(invoice)) = (&customer, &invoice) {
        // The whole invoice paid, allocated to it in the same write.
        let gross = invoice.totals.gross.unwrap_or_default();
        let payment =
            NewPayment::new(PaymentKind::CustomerReceipt, &customer.id, date, gross).allocate(&invoice.id, gross);
        // Where the product lists no bank accounts none is named; if the product needs one, the
        // model then refuses the receipt unsent, naming the missing field.
        let bank_account_id = match &bank_account {
            Step::Done(account) => Some(account.id.clone()),
            _ => None,
        };
        let payment = NewPayment { bank_account_id, reference: Some("BACS 1125".into()), ..payment };
        receipt = step(books.create(payment).await)?;
        read_back = step(books.get::<SalesInvoice>(&invoice.id).await)?;
    }

    let customers = step(books.list::<Customer>().try_collect().await)?;
    let invoices = step(books.list::<SalesInvoice>().try_collect().await)?;
    let feed = match feed {
        Step::Done(feed) => {
            let batches: Vec<_> = feed.poll().try_collect().await?;
            let changes = batches.into_iter().flat_map(|batch| batch.changes);
            Step::Done(
                changes
                    .filter_map(|change| match change {
                        Change::Upserted { record, .. } => Some(record.id),
                        Change::Deleted { .. } => None,
                    })
                    .collect(),
            )
        }
        Step::Unsupported(err) => Step::Unsupported(err),
        Step::NotReached => Step::NotReached,
    };
    Ok(Report { bank_account, customer, invoice, receipt, read_back, customers, invoices, feed })
}

/// The flow on one product against a fresh sandbox.
pub async fn on_sandbox(product: sage::core::Product) -> Result<Report, Box<dyn std::error::Error>> {
    let sandbox = Sandbox::builder().auto_approve(true).start().await?;
    let client = sandbox.client(product, Arc::new(MemoryTokenStore::new())).await?;
    let books = Books::new(client)?;
    let date = Date::from_ymd_opt(2026, 11, 25).ok_or("bad date")?;
    Ok(run(&books, date).await?)
}

/// An amount as the product gave it, exact.
fn money(amount: Option<Decimal>) -> String {
    amount.map_or_else(|| "?".into(), |amount| amount.to_string())
}

fn show<T>(name: &str, step: &Step<T>, done: impl Fn(&T) -> String) {
    match step {
        Step::Done(value) => println!("  ✓ {name}: {}", done(value)),
        Step::Unsupported(err) => println!("  – {name}: skipped, {err}"),
        Step::NotReached => println!("  – {name}: not reached"),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    for product in [
        sage::accounting_v31::PRODUCT,
        sage::accounting_v3::PRODUCT,
        sage::sage200_pro::PRODUCT,
        sage::sage200_standard::PRODUCT,
    ] {
        println!("{}", product.title);
        let report = on_sandbox(product).await?;
        show("bank account", &report.bank_account, |account| {
            format!("{} {}", account.id, account.name.as_deref().unwrap_or_default())
        });
        show("customer", &report.customer, |customer| customer.id.clone());
        show("invoice", &report.invoice, |invoice| format!("{} gross {}", invoice.id, money(invoice.totals.gross)));
        show("receipt", &report.receipt, |payment| format!("{} of {}", payment.id, money(payment.amount)));
        show("read back", &report.read_back, |invoice| format!("outstanding {}", money(invoice.totals.outstanding)));
        show("customers", &report.customers, |customers| format!("{} listed", customers.len()));
        show("invoices", &report.invoices, |invoices| format!("{} listed", invoices.len()));
        show("invoice feed", &report.feed, |ids| format!("{} changed: {}", ids.len(), ids.join(", ")));
    }
    Ok(())
}
