//! Writes as a user writes them, against the sandbox: a resource built from its required fields
//! (no envelope, no `Default` standing in for a missing value), and read-modify-write in one line.

use std::sync::Arc;

use sage::accounting_v31::contacts::{ContactUpdate, CreateContact, GetContact, NewContact, UpdateContact};
use sage::accounting_v31::ledger::{ListLedgerAccounts, ListLedgerAccountsVisibleIn};
use sage::accounting_v31::sales::{
    CreateSalesInvoice, GetSalesInvoice, NewSalesInvoice, NewSalesInvoiceLine, SalesInvoiceUpdate, UpdateSalesInvoice,
};
use sage::accounting_v31::PRODUCT;
use sage::auth::MemoryTokenStore;
use sage::sandbox::Sandbox;
use sage::types::{Date, Decimal};
use sage::Client;

/// rustc names types by their crate (`sage::sage_accounting_v31::…`); that path is writable too.
#[test]
fn paths_in_compiler_messages_resolve() {
    let contact: sage::sage_accounting_v31::contacts::NewContact = NewContact::new("Acme Ltd", ["CUSTOMER"]);
    assert_eq!(contact.name, "Acme Ltd");
}

async fn client() -> (Sandbox, Client) {
    let sandbox = Sandbox::builder().auto_approve(true).start().await.expect("sandbox");
    let client = sandbox.client(PRODUCT, Arc::new(MemoryTokenStore::new())).await.expect("signed in");
    (sandbox, client)
}

#[tokio::test]
async fn a_contact_round_trips_through_a_one_line_update() {
    let (_sandbox, client) = client().await;
    let contact = NewContact { notes: Some("Pays on time".into()), ..NewContact::new("Acme Ltd", ["CUSTOMER"]) };
    let created = CreateContact::new(contact).send(&client).await.expect("created");
    let id = created.id.expect("an id");

    let read = GetContact::new(&id).attributes("all").send(&client).await.expect("read back");
    assert_eq!(read.name.as_deref(), Some("Acme Ltd"));
    let update = ContactUpdate { name: Some("Acme Group Ltd".into()), ..(&read).into() };
    assert_eq!(update.contact_type_ids, Some(vec!["CUSTOMER".into()]), "links become ids");
    UpdateContact::new(&id, update).send(&client).await.expect("updated");

    let after = GetContact::new(&id).attributes("all").send(&client).await.expect("read again");
    assert_eq!(after.name.as_deref(), Some("Acme Group Ltd"));
    assert_eq!(after.notes.as_deref(), Some("Pays on time"), "fields the update did not touch are kept");
    let types: Vec<_> = after.contact_types.unwrap_or_default().into_iter().filter_map(|link| link.id).collect();
    assert_eq!(types, ["CUSTOMER"]);
}

#[tokio::test]
async fn a_two_line_sales_invoice_is_created_and_its_lines_updated() {
    let (_sandbox, client) = client().await;
    let customer = CreateContact::new(NewContact::new("Brakes & Co", ["CUSTOMER"])).send(&client).await.unwrap();
    // Sage refuses a sales line posted to an account not visible in sales (the bank account, say).
    let ledger = ListLedgerAccounts::new()
        .visible_in(ListLedgerAccountsVisibleIn::Sales)
        .send(&client)
        .await
        .expect("ledger accounts");
    let sales = ledger.items[0].id.clone().expect("a ledger account id");
    let lines = [
        NewSalesInvoiceLine {
            quantity: Some(Decimal::new(2, 0)),
            ..NewSalesInvoiceLine::new("Brake pads", &sales, Decimal::new(12550, 2))
        },
        NewSalesInvoiceLine::new("Fitting", &sales, Decimal::new(4500, 2)),
    ];
    let date = Date::from_ymd_opt(2026, 11, 30).unwrap();
    let invoice = NewSalesInvoice::new(customer.id.unwrap(), date, lines);
    let created = CreateSalesInvoice::new(invoice).send(&client).await.expect("invoice created");
    let id = created.id.expect("an id");

    let read = GetSalesInvoice::new(&id).attributes("all").send(&client).await.expect("read back");
    let update = SalesInvoiceUpdate { notes: Some("Thank you".into()), ..(&read).into() };
    let lines = update.invoice_lines.as_ref().expect("lines carried over");
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0].unit_price, Some(Decimal::new(12550, 2)), "money carried over exactly");
    assert_eq!(lines[0].ledger_account_id.as_deref(), Some(sales.as_str()), "the ledger link becomes an id");
    UpdateSalesInvoice::new(&id, update).send(&client).await.expect("updated");

    let after = GetSalesInvoice::new(&id).attributes("all").send(&client).await.expect("read again");
    assert_eq!(after.notes.as_deref(), Some("Thank you"));
    assert_eq!(after.invoice_lines.map(|lines| lines.len()), Some(2));
}
