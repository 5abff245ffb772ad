//! Response bodies as Sage sends them decode into the generated models — decimals exact, dates
//! and timestamps real, nested links typed, unknown fields kept — and survive a round trip.

use sage_core::types::{Date, Decimal};
use sage_core::Operation;
use serde::de::DeserializeOwned;
use serde::Serialize;

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(name);
    std::fs::read(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

/// Decodes, re-encodes and decodes again: the model must come back equal.
fn round_trip<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(body: &[u8]) -> T {
    let value: T = serde_json::from_slice(body).expect("the recorded body decodes");
    let again: T = serde_json::from_slice(&serde_json::to_vec(&value).unwrap()).unwrap();
    assert_eq!(again, value);
    value
}

#[test]
fn a_sage200_customer_list_from_the_sage_docs() {
    type Customers = <sage200_pro::sales::ListCustomers as Operation>::Output;
    let page: Customers = serde_json::from_slice(&fixture("sage200-customers.json")).unwrap();
    let customer = round_trip::<sage200_pro::sales::Customer>(&serde_json::to_vec(&page.items[0]).unwrap());
    assert_eq!((customer.id, customer.reference.as_str()), (Some(27828.into()), "ABS001"));
    assert_eq!(customer.balance, Some(Decimal::new(246_416, 2)));
    // A JSON number's trailing zeros are not part of its value; the value itself is exact.
    assert_eq!(customer.credit_limit, Some(Decimal::new(400_000, 2)));
    assert_eq!(customer.value_of_current_orders_in_sop, Some(Decimal::new(-3600, 2)));
    assert_eq!(serde_json::to_value(&customer.account_status_type).unwrap(), "AccountStatusActive");
    let updated = customer.date_time_updated.expect("a timestamp");
    assert_eq!(updated.offset(), None, "Sage 200 writes local times");
    assert_eq!(serde_json::to_value(customer.date_time_updated).unwrap(), "2016-07-08T15:28:48.66", "as received");
    let written = serde_json::to_value(&customer).unwrap();
    assert_eq!(written["balance"], serde_json::json!(2464.16), "Sage 200 decimals are written as JSON numbers");
}

#[test]
fn an_accounting_v31_sales_invoice_with_every_kind_of_field() {
    type Invoice = <sage_accounting_v31::sales::GetSalesInvoice as Operation>::Output;
    let invoice: Invoice = round_trip(&fixture("accounting-v31-sales-invoice.json"));
    assert_eq!(invoice.total_amount, Some(Decimal::new(30_120, 2)));
    assert_eq!(invoice.date, Some(Date::from_ymd_opt(2024, 3, 1).unwrap()));
    assert_eq!(invoice.updated_at.unwrap().to_utc().to_rfc3339(), "2024-03-02T07:00:00+00:00");
    assert_eq!(invoice.status.as_ref().and_then(|s| s.id.as_deref()), Some("UNPAID"));
    assert_eq!(invoice.contact.as_ref().and_then(|c| c.path.as_deref()), Some("/contacts/c1"));
    let line = &invoice.invoice_lines.as_ref().unwrap()[0];
    assert_eq!((line.quantity, line.unit_price), (Some(Decimal::new(20, 1)), Some(Decimal::new(12_550, 2))));
    assert_eq!(invoice.links.as_ref().unwrap()[0].rel.as_deref(), Some("alternate"));
    assert_eq!(invoice.extra["a_field_sage_added_later"], serde_json::json!({"nested": [1, 2.5, "three"]}));
    let written = serde_json::to_value(&invoice).unwrap();
    assert_eq!(written["net_amount"], "251.00", "Accounting decimals are written as strings, scale kept");
}
