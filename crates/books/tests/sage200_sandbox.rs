//! The model over Sage 200 Professional and Standard Online, end to end against the sandbox:
//! a customer, an invoice posted with an analysis line and read back from the sales ledger, a
//! receipt allocated to it by its own call, the invoice then read with nothing outstanding, and the
//! lists. Also what the capability table refuses before sending, and a receipt whose allocation
//! fails after the receipt was posted.

use futures_util::TryStreamExt;
use sage_books::types::{Date, Decimal};
use sage_books::{
    Address, BankAccount, Books, ContactPerson, Customer, DocumentStatus, Error, LedgerAccount, NewAnalysisLine,
    NewCustomer, NewItemLine, NewPayment, NewPurchaseInvoice, NewSalesInvoice, NewSupplier, Payment, PaymentKind,
    PurchaseInvoice, Resource, SalesInvoice, Supplier, TaxRate,
};
use sage_core::changes::{Change, Checkpoint};
use sage_core::Product;
use sage_sandbox::Sandbox;

fn d(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn day(text: &str) -> Date {
    text.parse().unwrap()
}

async fn books(product: Product) -> (Sandbox, Books) {
    let sandbox = Sandbox::builder().auto_approve(true).start().await.unwrap();
    let client = sandbox.sign_in(product.name).await.unwrap().client(product).unwrap();
    (sandbox, Books::new(client).unwrap())
}

fn new_customer(reference: &str) -> NewCustomer {
    let mut customer = NewCustomer::new("Brake & Clutch Ltd");
    customer.reference = Some(reference.into());
    customer.tax_number = Some("GB123456789".into());
    customer.credit_limit = Some(d("5000.00"));
    customer.address = Some(Address {
        line1: Some("4 Mill Lane".into()),
        city: Some("Leeds".into()),
        postal_code: Some("LS1 4AB".into()),
        ..Address::default()
    });
    customer.contact_person = Some(ContactPerson {
        name: Some("Jo Patel".into()),
        email: Some("jo@brakeclutch.example".into()),
        ..ContactPerson::default()
    });
    customer
}

/// The nominal code `code`'s id and the tax code at `percentage` %'s id, as the model lists them.
async fn references(books: &Books, code: &str, percentage: &str) -> (String, String) {
    let accounts: Vec<LedgerAccount> = books.list().try_collect().await.unwrap();
    let account = accounts.iter().find(|account| account.code.as_deref() == Some(code)).expect("the nominal code");
    let rates: Vec<TaxRate> = books.list().try_collect().await.unwrap();
    let rate = rates.iter().find(|rate| rate.percentage == Some(d(percentage))).expect("the tax code");
    (account.id.clone(), rate.id.clone())
}

async fn customer_invoice_receipt_round_trip(product: Product) {
    let (_sandbox, books) = books(product).await;

    let customer: Customer = books.create(new_customer("BRA001")).await.unwrap();
    assert!(!customer.id.is_empty());
    assert_eq!(customer.reference.as_deref(), Some("BRA001"));
    assert_eq!(customer.name.as_deref(), Some("Brake & Clutch Ltd"));
    assert_eq!(customer.tax_number.as_deref(), Some("GB123456789"));
    assert_eq!(customer.address.as_ref().and_then(|address| address.city.as_deref()), Some("Leeds"));
    assert_eq!(customer.email.as_deref(), Some("jo@brakeclutch.example"));

    let (sales, standard) = references(&books, "4000", "20").await;
    let mut line = NewAnalysisLine::new(&sales, d("250.00"));
    line.description = Some("Brake pads fitted".into());
    line.tax_rate_id = Some(standard.clone());
    let mut draft = NewSalesInvoice::new(&customer.id, day("2026-11-02")).analysis_line(line);
    draft.number = Some("INV-7001".into());
    draft.due_date = Some(day("2026-12-02"));

    let invoice: SalesInvoice = books.create(draft).await.unwrap();
    assert!(!invoice.id.is_empty(), "the invoice is read back from the ledger with its id");
    assert_eq!(invoice.number.as_deref(), Some("INV-7001"));
    assert_eq!(invoice.party.as_ref().map(|party| party.id.as_str()), Some(customer.id.as_str()));
    assert_eq!(invoice.date, Some(day("2026-11-02")));
    assert_eq!(invoice.due_date, Some(day("2026-12-02")));
    assert_eq!(invoice.totals.net, Some(d("250")));
    assert_eq!(invoice.totals.tax, Some(d("50")), "20 % of 250.00, computed by Sage from the tax code");
    assert_eq!(invoice.totals.gross, Some(d("300")));
    assert_eq!(invoice.totals.outstanding, Some(d("300")));
    assert_eq!(invoice.totals.paid, Some(d("0")));
    assert!(invoice.item_lines.is_empty(), "posted invoices have no quantity × price lines");
    let nominal = invoice.analysis_lines.iter().find(|line| line.account.is_some()).expect("the nominal analysis");
    assert_eq!(
        nominal.account.as_ref().map(|account| account.id.as_str()),
        Some(sales.as_str()),
        "the line names its account by the ledger account's own id"
    );
    assert_eq!(nominal.net, Some(d("250")));
    assert_eq!(nominal.description.as_deref(), Some("Brake pads fitted"));
    let tax = invoice.analysis_lines.iter().find(|line| line.tax_rate.is_some()).expect("the tax analysis");
    assert_eq!(tax.tax_rate.as_ref().map(|rate| rate.id.as_str()), Some(standard.as_str()));
    assert_eq!(tax.tax, Some(d("50")));

    let mut receipt = NewPayment::new(PaymentKind::CustomerReceipt, &customer.id, day("2026-11-20"), d("300.00"))
        .allocate(&invoice.id, d("300.00"));
    receipt.bank_account_id = Some("1".into());
    receipt.reference = Some("BACS 7001".into());
    let payment: Payment = books.create(receipt).await.unwrap();
    assert!(payment.id.starts_with("sales:"), "{}", payment.id);
    assert_eq!(payment.kind.as_ref().map(|kind| kind.kind), Some(PaymentKind::CustomerReceipt));
    assert_eq!(payment.amount, Some(d("300")), "a receipt's amount is its own, not the ledger's negative");
    assert_eq!(payment.allocations.len(), 1);
    assert_eq!(
        payment.allocations[0].document.as_ref().map(|document| document.id.as_str()),
        Some(invoice.id.as_str())
    );

    let settled: SalesInvoice = books.get(&invoice.id).await.unwrap();
    assert_eq!(settled.totals.outstanding, Some(d("0")));
    assert_eq!(settled.totals.paid, Some(d("300")));
    assert_eq!(settled.status.as_ref().map(|status| status.kind), Some(DocumentStatus::Paid));

    let read_again: Payment = books.get(&payment.id).await.unwrap();
    assert_eq!(read_again.amount, Some(d("300")));
    assert_eq!(read_again.allocations.iter().filter_map(|allocation| allocation.amount).sum::<Decimal>(), d("300"));

    let customers: Vec<Customer> = books.list().try_collect().await.unwrap();
    assert!(customers.iter().any(|listed| listed.id == customer.id && listed.reference.as_deref() == Some("BRA001")));
    assert!(customers.len() > 1, "the seeded customers are listed too");
    let invoices: Vec<SalesInvoice> = books.list().try_collect().await.unwrap();
    assert!(invoices.iter().any(|listed| listed.id == invoice.id));
    assert!(
        !invoices.iter().any(|listed| listed.id == payment.id.trim_start_matches("sales:")),
        "receipts are not invoices"
    );
    let payments: Vec<Payment> = books.list().try_collect().await.unwrap();
    assert!(payments.iter().any(|listed| listed.id == payment.id));

    // The invoice feed carries the posted invoice, normalized.
    let feed = books.changes::<SalesInvoice>(Checkpoint::default()).unwrap();
    let batches: Vec<_> = feed.poll().try_collect().await.unwrap();
    let changed: Vec<String> = batches
        .iter()
        .flat_map(|batch| &batch.changes)
        .filter_map(|change| match change {
            Change::Upserted { record, .. } => Some(record.id.clone()),
            Change::Deleted { .. } => None,
        })
        .collect();
    assert!(changed.contains(&invoice.id), "{changed:?}");

    // The receipt is no invoice, whatever its id.
    let not_invoice = books.get::<SalesInvoice>(payment.id.trim_start_matches("sales:")).await.unwrap_err();
    assert!(matches!(not_invoice, Error::NotFound { resource: Resource::SalesInvoice, .. }), "{not_invoice:?}");
}

#[tokio::test]
async fn professional_customer_invoice_receipt_round_trip() {
    customer_invoice_receipt_round_trip(sage200_pro::PRODUCT).await;
}

#[tokio::test]
async fn standard_customer_invoice_receipt_round_trip() {
    customer_invoice_receipt_round_trip(sage200_standard::PRODUCT).await;
}

#[tokio::test]
async fn the_capability_table_refuses_what_sage_200_cannot_take_before_sending() {
    let (_sandbox, books) = books(sage200_pro::PRODUCT).await;
    let customers_before: Vec<Customer> = books.list().try_collect().await.unwrap();

    let with_items =
        NewSalesInvoice::new("27825", day("2026-11-02")).item_line(NewItemLine::new("Pads", d("2"), d("40.00")));
    let err = books.create(with_items).await.unwrap_err();
    assert!(
        matches!(&err, Error::Unsupported { resource: Resource::SalesInvoice, field: Some(field), .. } if field == "item_lines"),
        "{err:?}"
    );

    let no_lines = NewSalesInvoice::new("27825", day("2026-11-02"));
    let err = books.create(no_lines).await.unwrap_err();
    assert!(matches!(&err, Error::Missing { field, .. } if field == "analysis_lines"), "{err:?}");

    let err = books.create(NewCustomer::new("No Reference Ltd")).await.unwrap_err();
    assert!(matches!(&err, Error::Missing { resource: Resource::Customer, field } if field == "reference"), "{err:?}");

    let customers_after: Vec<Customer> = books.list().try_collect().await.unwrap();
    assert_eq!(customers_before.len(), customers_after.len(), "nothing was created");
}

#[tokio::test]
async fn a_receipt_whose_allocation_fails_says_the_receipt_was_posted() {
    let (_sandbox, books) = books(sage200_standard::PRODUCT).await;
    let mut receipt = NewPayment::new(PaymentKind::CustomerReceipt, "27825", day("2026-11-20"), d("75.00"))
        .allocate("999999", d("75.00"));
    receipt.bank_account_id = Some("1".into());
    receipt.reference = Some("CHQ 100234".into());

    let err = books.create(receipt).await.unwrap_err();
    let Error::PartlyMade { made, failed } = &err else { panic!("expected PartlyMade, got {err:?}") };
    assert!(made.contains("sales receipt of 75.00 was posted as URN"), "{made}");
    assert!(made.contains("999999"), "the failed allocation is named: {made}");
    assert!(!err.is_retryable(), "sending the whole receipt again would post it twice");
    assert!(matches!(**failed, Error::Validation { .. }), "{failed:?}");

    // The receipt is there, unallocated, for the caller to finish from.
    let payments: Vec<Payment> = books.list().try_collect().await.unwrap();
    let posted =
        payments.iter().find(|payment| payment.reference.as_deref() == Some("CHQ 100234")).expect("the receipt");
    assert_eq!(posted.amount, Some(d("75")));
}

#[tokio::test]
async fn a_supplier_invoice_and_payment_on_the_purchase_ledger() {
    let (_sandbox, books) = books(sage200_pro::PRODUCT).await;
    let mut new = NewSupplier::new("Pads Direct Ltd");
    new.reference = Some("PAD001".into());
    let supplier: Supplier = books.create(new).await.unwrap();
    assert_eq!(supplier.reference.as_deref(), Some("PAD001"));

    let (cost_of_sales, standard) = references(&books, "5000", "20").await;
    let mut line = NewAnalysisLine::new(&cost_of_sales, d("80.00"));
    line.tax_rate_id = Some(standard);
    let mut draft = NewPurchaseInvoice::new(&supplier.id, day("2026-11-03")).analysis_line(line);
    draft.number = Some("PD-5521".into());
    let invoice: PurchaseInvoice = books.create(draft).await.unwrap();
    assert_eq!(invoice.number.as_deref(), Some("PD-5521"));
    assert_eq!(invoice.party.as_ref().map(|party| party.id.as_str()), Some(supplier.id.as_str()));
    assert_eq!(
        (invoice.totals.net, invoice.totals.tax, invoice.totals.gross),
        (Some(d("80")), Some(d("16")), Some(d("96")))
    );
    let invoices: Vec<PurchaseInvoice> = books.list().try_collect().await.unwrap();
    assert!(invoices.iter().any(|listed| listed.id == invoice.id));

    let mut payment = NewPayment::new(PaymentKind::SupplierPayment, &supplier.id, day("2026-11-25"), d("96.00"));
    payment.bank_account_id = Some("1".into());
    let paid: Payment = books.create(payment.clone()).await.unwrap();
    assert!(paid.id.starts_with("purchase:"), "{}", paid.id);
    assert_eq!(paid.kind.as_ref().map(|kind| kind.kind), Some(PaymentKind::SupplierPayment));
    assert_eq!(paid.amount, Some(d("96")));
    let read: Payment = books.get(&paid.id).await.unwrap();
    assert_eq!(read.party.as_ref().map(|party| party.id.as_str()), Some(supplier.id.as_str()));

    // Sage 200's API allocates on the sales ledger only: refused before sending.
    let payments_before: Vec<Payment> = books.list().try_collect().await.unwrap();
    let err = books.create(payment.allocate(&invoice.id, d("96.00"))).await.unwrap_err();
    assert!(matches!(&err, Error::Unsupported { field: Some(field), .. } if field == "allocations"), "{err:?}");
    let payments_after: Vec<Payment> = books.list().try_collect().await.unwrap();
    assert_eq!(payments_before.len(), payments_after.len());
}

/// The seeded bank, listed, got back and followed through the model on either edition: its
/// numbers, exact balance, and its nominal code as the id of a ledger account the model lists.
async fn the_bank_reads_through_the_model(product: Product) {
    let (_sandbox, books) = books(product).await;
    let banks: Vec<BankAccount> = books.list().try_collect().await.unwrap();
    let [bank] = banks.as_slice() else { panic!("one bank is seeded: {banks:?}") };
    assert_eq!((bank.id.as_str(), bank.code.as_deref()), ("1", Some("1200")));
    assert_eq!(bank.name.as_deref(), Some("Bank current account"));
    assert_eq!((bank.account_number.as_deref(), bank.sort_code.as_deref()), (Some("12345678"), Some("12-34-56")));
    assert_eq!(bank.balance, Some(d("0")));
    assert_eq!(bank.currency.as_ref().map(|currency| currency.id.as_str()), Some("1"));
    let ledger = bank.ledger_account.as_ref().expect("a ledger account");
    let accounts: Vec<LedgerAccount> = books.list().try_collect().await.unwrap();
    assert!(accounts.iter().any(|account| account.id == ledger.id), "{ledger:?} is a listed ledger account");
    let read: BankAccount = books.get(&bank.id).await.unwrap();
    assert_eq!((read.id.as_str(), read.sort_code.as_deref()), ("1", Some("12-34-56")));
    let feed = books.changes::<BankAccount>(Checkpoint::default()).unwrap();
    let batches: Vec<_> = feed.poll().try_collect().await.unwrap();
    let ids: Vec<String> = batches
        .into_iter()
        .flat_map(|batch| batch.changes)
        .filter_map(|change| match change {
            Change::Upserted { record, .. } => Some(record.id),
            Change::Deleted { .. } => None,
        })
        .collect();
    assert_eq!(ids, ["1"], "a first pass reports the bank");
}

#[tokio::test]
async fn professional_bank_reads_through_the_model() {
    the_bank_reads_through_the_model(sage200_pro::PRODUCT).await;
}

#[tokio::test]
async fn standard_bank_reads_through_the_model() {
    the_bank_reads_through_the_model(sage200_standard::PRODUCT).await;
}
