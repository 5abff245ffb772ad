//! The `books` example, run unchanged on the four products against the sandbox. Each step is either
//! done with the right values, or `Unsupported` exactly where the capability table says the product
//! cannot do it: the expectations come from `sage::books::capability`, never from a list here.

#[allow(dead_code)] // the example's own `main` is not called here
#[path = "../examples/books.rs"]
mod example;

use example::{Report, Step, LINES};
use sage::books::capability::support;
use sage::books::types::Decimal;
use sage::books::{Error, Operation, ProductKind, Resource, Support};
use sage::core::Product;

/// The value of a step the table says the product can do; `None` (after checking it was refused
/// from the table) for one it cannot.
fn expected<'a, T: std::fmt::Debug>(
    name: &str,
    step: &'a Step<T>,
    product: ProductKind,
    resource: Resource,
    operation: Operation,
) -> Option<&'a T> {
    match (support(product, resource, operation, None), step) {
        (Support::Supported, Step::Done(value)) => Some(value),
        (Support::Supported, other) => panic!("{product}: {name} ({resource} {operation}) is supported: {other:?}"),
        (_, Step::Unsupported(Error::Unsupported { product: refused, resource: of, .. })) => {
            assert_eq!((*refused, *of), (product, resource), "{name}");
            None
        }
        (_, other) => panic!("{product}: {name} ({resource} {operation}) is not supported, yet: {other:?}"),
    }
}

/// A step that needs one before it: not tried when that one was not done.
fn after<'a, T: std::fmt::Debug, U>(
    before: Option<&U>,
    name: &str,
    step: &'a Step<T>,
    product: ProductKind,
    resource: Resource,
    operation: Operation,
) -> Option<&'a T> {
    match before {
        Some(_) => expected(name, step, product, resource, operation),
        None => {
            assert!(matches!(step, Step::NotReached), "{product}: {name} needs an earlier step: {step:?}");
            None
        }
    }
}

async fn runs_unchanged_on(product: Product) {
    let kind = ProductKind::from_name(product.name).expect("a product of the model");
    let report: Report = example::on_sandbox(product).await.unwrap_or_else(|err| panic!("{kind}: {err}"));
    let net: Decimal = LINES.iter().map(|(_, quantity, price)| quantity * price).sum();
    let gross = net + (net * Decimal::from(20) / Decimal::ONE_HUNDRED).round_dp(2);

    let bank = expected("bank account", &report.bank_account, kind, Resource::BankAccount, Operation::List);
    if let Some(bank) = bank {
        assert!(!bank.id.is_empty(), "{kind}: the bank account has an id");
    }

    let customer = expected("customer", &report.customer, kind, Resource::Customer, Operation::Create);
    if let Some(customer) = customer {
        assert_eq!(customer.name.as_deref(), Some("Brake & Clutch Ltd"), "{kind}");
        assert_eq!(customer.reference.as_deref(), Some("BOOKS01"), "{kind}");
    }

    let invoice = after(customer, "invoice", &report.invoice, kind, Resource::SalesInvoice, Operation::Create);
    if let Some(invoice) = invoice {
        // Which kind of line the invoice has is the table's answer, not the test's.
        if support(kind, Resource::SalesInvoice, Operation::Create, Some("item_lines")) == Support::Supported {
            let lines: Vec<_> = invoice.item_lines.iter().map(|line| (line.quantity, line.unit_price)).collect();
            let sent: Vec<_> = LINES.iter().map(|(_, quantity, price)| (Some(*quantity), Some(*price))).collect();
            assert_eq!(lines, sent, "{kind}: two item lines as sent");
        } else {
            let posted: Vec<_> = invoice.analysis_lines.iter().filter(|line| line.account.is_some()).collect();
            let nets: Vec<_> = posted.iter().map(|line| line.net).collect();
            let sent: Vec<_> = LINES.iter().map(|(_, quantity, price)| Some(quantity * price)).collect();
            assert_eq!(nets, sent, "{kind}: two analysis lines posted to the account: {:?}", invoice.analysis_lines);
        }
        assert_eq!(invoice.party.as_ref().map(|party| party.id.as_str()), customer.map(|c| c.id.as_str()), "{kind}");
        assert_eq!((invoice.totals.net, invoice.totals.gross), (Some(net), Some(gross)), "{kind}");
    }

    let receipt = after(invoice, "receipt", &report.receipt, kind, Resource::Payment, Operation::Create);
    if let (Some(receipt), Some(invoice)) = (receipt, invoice) {
        assert_eq!(receipt.amount, Some(gross), "{kind}");
        let allocated: Vec<_> = receipt
            .allocations
            .iter()
            .map(|allocation| (allocation.document.as_ref().map(|doc| doc.id.clone()), allocation.amount))
            .collect();
        assert_eq!(allocated, [(Some(invoice.id.clone()), Some(gross))], "{kind}: allocated to the invoice");
        // Into the bank account the model listed, where the product reads a payment's bank back.
        if support(kind, Resource::Payment, Operation::Get, Some("bank_account")) == Support::Supported {
            let into = receipt.bank_account.as_ref().map(|account| account.id.as_str());
            assert_eq!(into, bank.map(|bank| bank.id.as_str()), "{kind}: the receipt went into the listed bank");
        }
    }

    let read_back = after(invoice, "read back", &report.read_back, kind, Resource::SalesInvoice, Operation::Get);
    if let Some(read_back) = read_back {
        let expected_outstanding = receipt.map_or(gross, |_| Decimal::ZERO);
        assert_eq!(read_back.totals.outstanding, Some(expected_outstanding), "{kind}: settled by the receipt");
        assert_eq!(read_back.totals.gross, Some(gross), "{kind}");
    }

    let customers = expected("customers", &report.customers, kind, Resource::Customer, Operation::List);
    if let (Some(customers), Some(customer)) = (customers, customer) {
        assert!(customers.iter().any(|listed| listed.id == customer.id), "{kind}: the new customer is listed");
    }
    let invoices = expected("invoices", &report.invoices, kind, Resource::SalesInvoice, Operation::List);
    if let (Some(invoices), Some(invoice)) = (invoices, invoice) {
        assert!(invoices.iter().any(|listed| listed.id == invoice.id), "{kind}: the new invoice is listed");
    }
    let feed = expected("invoice feed", &report.feed, kind, Resource::SalesInvoice, Operation::Changes);
    if let (Some(changed), Some(invoice)) = (feed, invoice) {
        assert!(changed.contains(&invoice.id), "{kind}: the feed reports the new invoice: {changed:?}");
    }
}

#[tokio::test]
async fn runs_unchanged_on_accounting_v31() {
    runs_unchanged_on(sage::accounting_v31::PRODUCT).await;
}

#[tokio::test]
async fn runs_unchanged_on_accounting_v3() {
    runs_unchanged_on(sage::accounting_v3::PRODUCT).await;
}

#[tokio::test]
async fn runs_unchanged_on_sage200_professional() {
    runs_unchanged_on(sage::sage200_pro::PRODUCT).await;
}

#[tokio::test]
async fn runs_unchanged_on_sage200_standard() {
    runs_unchanged_on(sage::sage200_standard::PRODUCT).await;
}
