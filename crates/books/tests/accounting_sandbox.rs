//! The finance model against the sandbox on Accounting v3.1 and v3: one flow, unchanged on both —
//! reference data, a customer, an invoice with two item lines, a receipt allocated to it, the
//! invoice read back, lists, and the invoice change feed.

use std::sync::Arc;

use futures_util::{StreamExt, TryStreamExt};
use sage_books::types::{Date, Decimal};
use sage_books::{
    BankAccount, BankAccountKind, Books, Customer, DocumentStatus, Error, LedgerAccount, NewCustomer, NewItemLine,
    NewPayment, NewSalesInvoice, Operation, PaymentKind, Raw, Resource, SalesInvoice, Support, TaxRate,
};
use sage_core::auth::MemoryTokenStore;
use sage_core::changes::{Change, Checkpoint};
use sage_core::types::dec;
use sage_core::Product;
use sage_sandbox::Sandbox;

async fn books_on(product: Product) -> (Sandbox, Books) {
    let sandbox = Sandbox::builder().auto_approve(true).start().await.expect("sandbox starts");
    let client = sandbox.client(product, Arc::new(MemoryTokenStore::new())).await.expect("signed in");
    let books = Books::new(client).expect("the product is mapped");
    (sandbox, books)
}

/// The first bank account, as the model lists it on either version.
async fn bank_account(books: &Books) -> String {
    let accounts: Vec<BankAccount> = books.list().try_collect().await.expect("bank accounts");
    accounts.into_iter().next().map(|account| account.id).expect("the sandbox seeds a bank account")
}

fn date() -> Date {
    Date::from_ymd_opt(2026, 11, 25).expect("a date")
}

/// The whole flow; `raw_is_product` checks the raw record came from the client's product.
async fn invoice_paid_in_full(product: Product, raw_is_product: fn(&Raw) -> bool) {
    let (sandbox, books) = books_on(product).await;

    // Reference data, found the way an app finds it.
    let accounts: Vec<LedgerAccount> = books.list().try_collect().await.expect("ledger accounts");
    let sales = accounts.iter().find(|account| account.code.as_deref() == Some("4000")).expect("sales account 4000");
    assert_eq!(sales.visibility.sales, Some(true), "4000 is offered on sales: {sales:?}");
    let rates: Vec<TaxRate> = books.list().try_collect().await.expect("tax rates");
    let standard = rates.iter().find(|rate| rate.percentage == Some(dec!(20))).expect("a 20 % rate");

    // Everything the invoice feed has before the flow, so the flow's changes stand out.
    let mut feed = books.changes::<SalesInvoice>(Checkpoint::default()).expect("invoices have a feed");
    let before: Vec<_> = feed.poll().try_collect().await.expect("first pass");
    feed.set_checkpoint(before.last().expect("a closing batch").checkpoint.clone());

    let customer = books
        .create(NewCustomer {
            reference: Some("BRAKE01".into()),
            email: Some("accounts@brake.example".into()),
            ..NewCustomer::new("Brake & Clutch Ltd")
        })
        .await
        .expect("customer created");
    assert!(!customer.id.is_empty());
    assert_eq!(customer.name.as_deref(), Some("Brake & Clutch Ltd"));
    assert_eq!(customer.reference.as_deref(), Some("BRAKE01"));
    assert!(raw_is_product(customer.raw()), "raw keeps the product's contact: {:?}", customer.raw());

    let line = |description: &str, quantity: Decimal, price: Decimal| NewItemLine {
        account_id: Some(sales.id.clone()),
        tax_rate_id: Some(standard.id.clone()),
        ..NewItemLine::new(description, quantity, price)
    };
    let invoice = books
        .create(
            NewSalesInvoice::new(&customer.id, date())
                .item_line(line("Brake pads, fitted", dec!(2), dec!(125.50)))
                .item_line(line("Disc skim", dec!(1), dec!(40.00))),
        )
        .await
        .expect("invoice created");
    assert_eq!(invoice.party.as_ref().map(|party| party.id.as_str()), Some(customer.id.as_str()));
    assert_eq!(invoice.item_lines.len(), 2);
    assert_eq!(invoice.item_lines[0].quantity, Some(dec!(2)));
    assert_eq!(invoice.item_lines[0].unit_price, Some(dec!(125.50)));
    assert_eq!(invoice.item_lines[1].account.as_ref().map(|account| account.id.as_str()), Some(sales.id.as_str()));
    assert_eq!(invoice.totals.net, Some(dec!(291.00)));
    assert_eq!(invoice.totals.tax, Some(dec!(58.20)));
    assert_eq!(invoice.totals.gross, Some(dec!(349.20)));
    let gross = invoice.totals.gross.expect("a total");

    let payment = books
        .create(NewPayment {
            bank_account_id: Some(bank_account(&books).await),
            reference: Some("BACS 1125".into()),
            ..NewPayment::new(PaymentKind::CustomerReceipt, &customer.id, date(), gross).allocate(&invoice.id, gross)
        })
        .await
        .expect("receipt created");
    assert_eq!(payment.kind.as_ref().map(|kind| kind.kind), Some(PaymentKind::CustomerReceipt));
    assert_eq!(payment.amount, Some(gross));
    assert_eq!(payment.allocations.len(), 1);
    assert_eq!(payment.allocations[0].document.as_ref().map(|doc| doc.id.as_str()), Some(invoice.id.as_str()));
    assert_eq!(payment.allocations[0].amount, Some(gross));

    let read = books.get::<SalesInvoice>(&invoice.id).await.expect("invoice read back");
    assert_eq!(read.id, invoice.id);
    assert_eq!(read.totals.gross, Some(gross));
    assert_eq!(read.totals.outstanding, Some(Decimal::ZERO), "the receipt settled it");
    assert_eq!(read.totals.paid, Some(gross));
    let status = read.status.as_ref().expect("a status");
    assert_eq!(status.kind, DocumentStatus::Paid, "{status:?}");

    let customers: Vec<Customer> = books.list().try_collect().await.expect("customers");
    assert!(customers.iter().any(|listed| listed.id == customer.id));
    let invoices: Vec<SalesInvoice> = books.list().try_collect().await.expect("invoices");
    let listed = invoices.iter().find(|listed| listed.id == invoice.id).expect("the invoice is listed");
    assert_eq!(listed.item_lines.len(), 2, "lists read every attribute");

    let after: Vec<_> = feed.poll().try_collect().await.expect("second pass");
    let changed: Vec<&str> = after
        .iter()
        .flat_map(|batch| &batch.changes)
        .filter_map(|change| match change {
            Change::Upserted { record, .. } => Some(record.id.as_str()),
            Change::Deleted { .. } => None,
        })
        .collect();
    assert!(changed.contains(&invoice.id.as_str()), "the feed reports the new invoice: {changed:?}");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn v31_invoice_paid_in_full() {
    invoice_paid_in_full(sage_accounting_v31::PRODUCT, |raw| matches!(raw, Raw::AccountingV31(_))).await;
}

#[tokio::test]
async fn v3_invoice_paid_in_full() {
    invoice_paid_in_full(sage_accounting_v3::PRODUCT, |raw| matches!(raw, Raw::AccountingV3(_))).await;
}

#[tokio::test]
async fn writes_the_product_cannot_take_fail_before_sending() {
    let (sandbox, books) = books_on(sage_accounting_v3::PRODUCT).await;
    let sent = sandbox.stats().api_requests;

    let tracked = NewItemLine {
        account_id: Some("any".into()),
        tracking_ids: vec!["region-north".into()],
        ..NewItemLine::new("Tracked line", dec!(1), dec!(10))
    };
    let err = books.create(NewSalesInvoice::new("c1", date()).item_line(tracked)).await.unwrap_err();
    assert_eq!(
        books.supports(Resource::SalesInvoice, Operation::Create, Some("item_lines[].tracking_ids")),
        Support::NotAvailable
    );
    assert!(
        matches!(&err, Error::Unsupported { resource: Resource::SalesInvoice, field: Some(field), .. } if field == "item_lines[].tracking_ids"),
        "{err:?}"
    );

    let no_account = NewSalesInvoice::new("c1", date())
        .item_line(NewItemLine { account_id: Some("4000".into()), ..NewItemLine::new("Fine", dec!(1), dec!(1)) })
        .item_line(NewItemLine::new("No account", dec!(1), dec!(1)));
    let err = books.create(no_account).await.unwrap_err();
    assert!(matches!(&err, Error::Missing { field, .. } if field == "item_lines[1].account_id"), "{err:?}");

    let err = books.create(NewSalesInvoice::new("c1", date())).await.unwrap_err();
    assert!(matches!(&err, Error::Missing { field, .. } if field == "item_lines"), "{err:?}");

    let err = books.list::<sage_books::TrackingCategory>().next().await.expect("one item").unwrap_err();
    assert!(matches!(err, Error::Unsupported { resource: Resource::TrackingCategory, field: None, .. }), "{err:?}");

    assert_eq!(sandbox.stats().api_requests, sent, "nothing was sent");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn product_errors_read_in_the_models_terms() {
    let (sandbox, books) = books_on(sage_accounting_v31::PRODUCT).await;
    let err = books.get::<SalesInvoice>("no-such-invoice").await.unwrap_err();
    assert!(
        matches!(&err, Error::NotFound { resource: Resource::SalesInvoice, id } if id == "no-such-invoice"),
        "{err:?}"
    );
    assert!(!err.is_retryable());

    // An invoice for a customer that does not exist: refused, with Sage's item kept.
    let line = NewItemLine { account_id: Some("nowhere".into()), ..NewItemLine::new("Line", dec!(1), dec!(1)) };
    let err = books.create(NewSalesInvoice::new("no-such-contact", date()).item_line(line)).await.unwrap_err();
    match &err {
        Error::Validation { code, message, items, .. } => {
            assert_eq!(code, "RecordInvalid");
            assert!(message.contains("no-such-contact"), "{message}");
            assert_eq!(items.len(), 1);
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
    assert!(!err.is_retryable());

    // A receipt allocating more than the invoice owes: Sage's `$source`
    // (`allocated_artefacts[0].amount`) reads as the model's field.
    let customer = books.create(NewCustomer::new("Over Payer Ltd")).await.expect("customer created");
    let accounts: Vec<LedgerAccount> = books.list().try_collect().await.expect("ledger accounts");
    let sales = accounts.iter().find(|account| account.code.as_deref() == Some("4000")).expect("sales account 4000");
    let line = NewItemLine { account_id: Some(sales.id.clone()), ..NewItemLine::new("Line", dec!(1), dec!(10)) };
    let invoice = books.create(NewSalesInvoice::new(&customer.id, date()).item_line(line)).await.expect("invoice");
    let owed = invoice.totals.outstanding.expect("outstanding");
    let too_much = owed + dec!(1);
    let receipt = NewPayment {
        bank_account_id: Some(bank_account(&books).await),
        ..NewPayment::new(PaymentKind::CustomerReceipt, &customer.id, date(), too_much).allocate(&invoice.id, too_much)
    };
    let err = books.create(receipt).await.unwrap_err();
    assert!(
        matches!(&err, Error::Validation { field: Some(field), .. } if field == "allocations[0].amount"),
        "{err:?}"
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn following_the_invoice_feed_sees_a_new_invoice_then_stops() {
    let (sandbox, books) = books_on(sage_accounting_v31::PRODUCT).await;
    let mut feed = books.changes::<SalesInvoice>(Checkpoint::default()).expect("invoices have a feed");
    let first: Vec<_> = feed.poll().try_collect().await.expect("first pass");
    feed.set_checkpoint(first.last().expect("a closing batch").checkpoint.clone());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let mut following = feed.follow(std::time::Duration::from_millis(50), async move {
        let _ = stopped.await;
    });

    let accounts: Vec<LedgerAccount> = books.list().try_collect().await.expect("ledger accounts");
    let sales = accounts.iter().find(|account| account.code.as_deref() == Some("4000")).expect("sales account 4000");
    let customer = books.create(NewCustomer::new("Followed Ltd")).await.expect("customer");
    let line = NewItemLine { account_id: Some(sales.id.clone()), ..NewItemLine::new("Line", dec!(1), dec!(10)) };
    let invoice = books.create(NewSalesInvoice::new(&customer.id, date()).item_line(line)).await.expect("invoice");

    let wait = std::time::Duration::from_secs(10);
    loop {
        let batch =
            tokio::time::timeout(wait, following.next()).await.expect("a batch in time").expect("still following");
        let batch = batch.expect("a pass");
        if batch.changes.iter().any(|change| change.id() == invoice.id) {
            break;
        }
    }
    drop(stop);
    let end = tokio::time::timeout(wait, async {
        while let Some(batch) = following.next().await {
            batch.expect("a pass");
        }
    });
    end.await.expect("the feed ends once told to stop");
    sandbox.shutdown().await;
}

/// Lists (a few), gets back by id and follows `R` where the capability table says the product
/// can; elsewhere expects `Unsupported` from the table, unsent.
async fn each_operation_as_the_table_says<R: sage_books::BooksRecord + serde::Serialize + std::fmt::Debug>(
    books: &Books,
) {
    let resource = R::RESOURCE;
    let supported = |operation| books.supports(resource, operation, None) == Support::Supported;
    if !supported(Operation::List) {
        let err = books.list::<R>().next().await.expect("one item").unwrap_err();
        assert!(matches!(err, Error::Unsupported { field: None, .. }), "{resource}: {err:?}");
        return;
    }
    let some: Vec<R> = books.list::<R>().take(3).try_collect().await.unwrap_or_else(|err| panic!("{resource}: {err}"));
    eprintln!("{resource}: {} listed", some.len());
    if supported(Operation::Get) {
        for record in &some {
            let id = serde_json::to_value(record).expect("serializes")["id"].as_str().expect("an id").to_owned();
            let read = books.get::<R>(&id).await.unwrap_or_else(|err| panic!("{resource} {id}: {err}"));
            assert_eq!(serde_json::to_value(&read).expect("serializes")["id"], id.as_str(), "{resource}");
        }
    }
    if supported(Operation::Changes) {
        let feed = books.changes::<R>(Checkpoint::default()).expect("a feed");
        let pass: Vec<_> = feed.poll().try_collect().await.unwrap_or_else(|err| panic!("{resource} feed: {err}"));
        assert!(!pass.is_empty(), "{resource}: a pass ends with a batch carrying its checkpoint");
    } else {
        assert!(matches!(books.changes::<R>(Checkpoint::default()), Err(Error::Unsupported { .. })), "{resource}");
    }
}

async fn every_resource_as_the_table_says(product: Product) {
    use sage_books::*;
    let (sandbox, books) = books_on(product).await;
    each_operation_as_the_table_says::<Company>(&books).await;
    each_operation_as_the_table_says::<Customer>(&books).await;
    each_operation_as_the_table_says::<Supplier>(&books).await;
    each_operation_as_the_table_says::<LedgerAccount>(&books).await;
    each_operation_as_the_table_says::<TaxRate>(&books).await;
    each_operation_as_the_table_says::<BankAccount>(&books).await;
    each_operation_as_the_table_says::<Item>(&books).await;
    each_operation_as_the_table_says::<SalesInvoice>(&books).await;
    each_operation_as_the_table_says::<SalesCreditNote>(&books).await;
    each_operation_as_the_table_says::<PurchaseInvoice>(&books).await;
    each_operation_as_the_table_says::<PurchaseCreditNote>(&books).await;
    each_operation_as_the_table_says::<Payment>(&books).await;
    each_operation_as_the_table_says::<JournalEntry>(&books).await;
    each_operation_as_the_table_says::<TrackingCategory>(&books).await;
    sandbox.shutdown().await;
}

#[tokio::test]
async fn v31_every_resource_as_the_table_says() {
    every_resource_as_the_table_says(sage_accounting_v31::PRODUCT).await;
}

#[tokio::test]
async fn v3_every_resource_as_the_table_says() {
    every_resource_as_the_table_says(sage_accounting_v3::PRODUCT).await;
}

/// The seeded bank account, listed and got back through the model: its type, exact balance and
/// ledger account (the bank ledger account the model lists), and its currency where the table says
/// the version has one.
async fn the_bank_account_reads_through_the_model(product: Product) {
    let (sandbox, books) = books_on(product).await;
    let accounts: Vec<BankAccount> = books.list().try_collect().await.expect("bank accounts");
    let [account] = accounts.as_slice() else { panic!("one bank account is seeded: {accounts:?}") };
    assert_eq!(account.code.as_deref(), Some("1200"));
    assert_eq!(account.account_type.as_ref().map(|kind| kind.kind), Some(BankAccountKind::Current));
    assert_eq!(account.balance, Some(dec!(0.00)));
    let ledgers: Vec<LedgerAccount> = books.list().try_collect().await.expect("ledger accounts");
    let ledger = account.ledger_account.as_ref().expect("a ledger account");
    let ledger = ledgers.iter().find(|listed| listed.id == ledger.id).expect("one the model lists");
    assert_eq!(ledger.code.as_deref(), Some("1200"));
    let has_currency = books.supports(Resource::BankAccount, Operation::List, Some("currency")) == Support::Supported;
    assert_eq!(account.currency.is_some(), has_currency, "{:?}", account.currency);
    let read: BankAccount = books.get(&account.id).await.expect("got by id");
    assert_eq!((read.id.as_str(), read.balance), (account.id.as_str(), account.balance));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn v31_bank_account_reads_through_the_model() {
    the_bank_account_reads_through_the_model(sage_accounting_v31::PRODUCT).await;
}

#[tokio::test]
async fn v3_bank_account_reads_through_the_model() {
    the_bank_account_reads_through_the_model(sage_accounting_v3::PRODUCT).await;
}

/// The purchase side and credit notes: a supplier, an invoice from it (its due date required,
/// refused unsent without one), a payment to it, and a credit note on each side.
async fn purchases_and_credit_notes(product: Product) {
    use sage_books::{NewPurchaseCreditNote, NewPurchaseInvoice, NewSalesCreditNote, NewSupplier, PurchaseInvoice};
    let (sandbox, books) = books_on(product).await;
    let accounts: Vec<LedgerAccount> = books.list().try_collect().await.expect("ledger accounts");
    let purchases = accounts.iter().find(|account| account.visibility.purchases == Some(true)).expect("a cost account");
    let sales = accounts.iter().find(|account| account.code.as_deref() == Some("4000")).expect("sales account 4000");
    let line = |account: &LedgerAccount, price| NewItemLine {
        account_id: Some(account.id.clone()),
        ..NewItemLine::new("Parts", dec!(3), price)
    };

    let supplier = books.create(NewSupplier::new("Parts Direct Ltd")).await.expect("supplier");
    let suppliers: Vec<sage_books::Supplier> = books.list().try_collect().await.expect("suppliers");
    assert!(suppliers.iter().any(|listed| listed.id == supplier.id));
    let customers: Vec<Customer> = books.list().try_collect().await.expect("customers");
    assert!(!customers.iter().any(|listed| listed.id == supplier.id), "a supplier is not listed as a customer");

    let sent = sandbox.stats().api_requests;
    let undated = NewPurchaseInvoice::new(&supplier.id, date()).item_line(line(purchases, dec!(12.50)));
    let err = books.create(undated).await.unwrap_err();
    assert!(matches!(&err, Error::Missing { field, .. } if field == "due_date"), "{err:?}");
    assert_eq!(sandbox.stats().api_requests, sent, "refused unsent");

    let bill = NewPurchaseInvoice {
        due_date: Date::from_ymd_opt(2026, 12, 25),
        number: Some("PD-4471".into()),
        ..NewPurchaseInvoice::new(&supplier.id, date()).item_line(line(purchases, dec!(12.50)))
    };
    let bill = books.create(bill).await.expect("purchase invoice");
    assert_eq!(bill.number.as_deref(), Some("PD-4471"), "a purchase's number is the supplier's reference");
    assert_eq!(bill.totals.net, Some(dec!(37.50)));
    let read = books.get::<PurchaseInvoice>(&bill.id).await.expect("read back");
    assert_eq!(read.due_date, Date::from_ymd_opt(2026, 12, 25));

    let credit = NewPurchaseCreditNote::new(&supplier.id, date()).item_line(line(purchases, dec!(1)));
    let credit = books.create(credit).await.expect("purchase credit note");
    assert_eq!(credit.totals.net, Some(dec!(3)));

    let customer = books.create(NewCustomer::new("Refund Me Ltd")).await.expect("customer");
    let credit = NewSalesCreditNote::new(&customer.id, date()).item_line(line(sales, dec!(2)));
    let credit = books.create(credit).await.expect("sales credit note");
    assert_eq!(credit.totals.net, Some(dec!(6)));
    let credits: Vec<sage_books::SalesCreditNote> = books.list().try_collect().await.expect("credit notes");
    assert!(credits.iter().any(|listed| listed.id == credit.id));

    let owed = bill.totals.gross.expect("a total");
    let payment = NewPayment {
        bank_account_id: Some(bank_account(&books).await),
        ..NewPayment::new(PaymentKind::SupplierPayment, &supplier.id, date(), owed).allocate(&bill.id, owed)
    };
    let payment = books.create(payment).await.expect("supplier payment");
    assert_eq!(payment.kind.as_ref().map(|kind| kind.kind), Some(PaymentKind::SupplierPayment));
    let paid = books.get::<PurchaseInvoice>(&bill.id).await.expect("read back");
    assert_eq!(paid.totals.outstanding, Some(Decimal::ZERO));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn v31_purchases_and_credit_notes() {
    purchases_and_credit_notes(sage_accounting_v31::PRODUCT).await;
}

#[tokio::test]
async fn v3_purchases_and_credit_notes() {
    purchases_and_credit_notes(sage_accounting_v3::PRODUCT).await;
}

#[tokio::test]
async fn a_v31_create_sent_again_with_its_idempotency_id_is_made_once() {
    let (sandbox, books) = books_on(sage_accounting_v31::PRODUCT).await;
    let draft = || {
        let mut customer = NewCustomer::new("Once Only Ltd");
        customer.extra.insert("idempotency_id".into(), "5f0c3a1e9b2d4c6f8a7e1d2c3b4a5968".into());
        customer
    };
    let first = books.create(draft()).await.expect("created");
    let again = books.create(draft()).await.expect("answered");
    assert_eq!(first.id, again.id, "the same record");
    let customers: Vec<Customer> = books.list().try_collect().await.expect("customers");
    assert_eq!(customers.iter().filter(|customer| customer.name.as_deref() == Some("Once Only Ltd")).count(), 1);
    sandbox.shutdown().await;
}
