//! A sales invoice on Accounting v3.1 against the sandbox: the line takes the seeded standard tax
//! rate and sales ledger account, looked up by listing them, and the sandbox computes the totals.
//! Money is `Decimal` throughout, never a float. `tests/invoice_example.rs` runs it.

use std::sync::Arc;

use sage::accounting_v31::contacts::ListContacts;
use sage::accounting_v31::ledger::ListLedgerAccounts;
use sage::accounting_v31::sales::{CreateSalesInvoice, NewSalesInvoice, NewSalesInvoiceLine};
use sage::accounting_v31::taxes::ListTaxRates;
use sage::accounting_v31::PRODUCT;
use sage::auth::MemoryTokenStore;
use sage::sandbox::Sandbox;
use sage::types::{dec, Date, Decimal};

/// The invoice line: 2 × 125.50 at the standard rate, booked to sales (nominal code 4000).
pub const QUANTITY: Decimal = dec!(2);
pub const UNIT_PRICE: Decimal = dec!(125.50);
pub const STANDARD_RATE: Decimal = dec!(20);
const SALES_NOMINAL_CODE: i64 = 4000;

/// What the sandbox computed for the invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    pub net: Decimal,
    pub tax: Decimal,
    pub total: Decimal,
}

pub async fn raise_invoice() -> Result<Totals, Box<dyn std::error::Error>> {
    let sandbox = Sandbox::builder().auto_approve(true).start().await?;
    let client = sandbox.client(PRODUCT, Arc::new(MemoryTokenStore::new())).await?;

    // Reference data the sandbox seeds, found the way an app finds it on real Sage.
    let rates = ListTaxRates::new().attributes("percentage").send(&client).await?.items;
    let rate = rates.into_iter().find(|rate| rate.percentage == Some(STANDARD_RATE)).ok_or("no standard rate")?;
    let accounts = ListLedgerAccounts::new().attributes("nominal_code").send(&client).await?.items;
    let sales = accounts.into_iter().find(|account| account.nominal_code == Some(SALES_NOMINAL_CODE));
    let sales = sales.and_then(|account| account.id).ok_or("no sales ledger account")?;
    let customer = ListContacts::new().send(&client).await?.items.into_iter().find_map(|contact| contact.id);

    let line = NewSalesInvoiceLine {
        quantity: Some(QUANTITY),
        tax_rate_id: rate.id,
        ..NewSalesInvoiceLine::new("Brake pads, fitted", sales, UNIT_PRICE)
    };
    let date = Date::from_ymd_opt(2026, 11, 25).ok_or("bad date")?;
    let invoice = NewSalesInvoice::new(customer.ok_or("no contact")?, date, [line]);
    let created = CreateSalesInvoice::new(invoice).send(&client).await?;
    let amount = |value: Option<Decimal>| value.ok_or("the invoice has no totals");
    Ok(Totals {
        net: amount(created.net_amount)?,
        tax: amount(created.tax_amount)?,
        total: amount(created.total_amount)?,
    })
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Totals { net, tax, total } = raise_invoice().await?;
    println!("{QUANTITY} × {UNIT_PRICE} at {STANDARD_RATE}%: net {net} + tax {tax} = total {total}");
    Ok(())
}
