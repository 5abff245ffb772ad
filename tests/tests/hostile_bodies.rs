//! Generated models of all four products decode the drift Sage's APIs and their users report:
//! numbers as strings and strings as numbers, `"true"`/`"false"` booleans, `null` where the spec
//! says a value is always present, unknown fields and unknown enum values; decimals stay exact,
//! including numbers longer than an `f64` holds, on the way in and back out.

use sage_core::auth::StaticToken;
use sage_core::types::lenient::from_slice;
use sage_core::types::{dec, Decimal};
use sage_core::{Client, HeaderPolicy};
use sage_tests::{RecordingServer, Reply};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

/// Decodes as the client does.
fn decode<T: DeserializeOwned>(body: &str) -> T {
    from_slice(body.as_bytes()).unwrap_or_else(|err| panic!("{err}: {body}"))
}

const ACCOUNTING_CONTACT: &str = r#"{
    "id": 4711,
    "displayed_as": "Garage Ltd (GAR001)",
    "name": 1234,
    "reference": null,
    "balance": 12345678901234567.89,
    "credit_limit": "0.1",
    "credit_days": "30",
    "is_active": "false",
    "cis_registered": "TRUE",
    "deletable": 1,
    "links": null,
    "contact_types": [{"id": "CUSTOMER", "displayed_as": "Customer"}],
    "created_at": "2024-03-01T10:00:00Z",
    "loyalty_tier": {"level": "gold", "points": 98765432109876543.21}
}"#;

#[test]
fn accounting_v31_contact_survives_drift() {
    use sage_accounting_v31::common::{Contact, ContactCreditTerms};
    let body = ACCOUNTING_CONTACT.replacen('{', r#"{"credit_terms": "pay_when_you_like","#, 1);
    let contact: Contact = decode(&body);
    assert_eq!(contact.id.as_deref(), Some("4711"));
    assert_eq!(contact.name.as_deref(), Some("1234"));
    assert_eq!(contact.reference, None);
    assert_eq!(contact.balance.unwrap().to_string(), "12345678901234567.89");
    assert_eq!(contact.credit_limit, Some(dec!(0.1)));
    assert_eq!(contact.credit_days, Some(30));
    assert_eq!((contact.is_active, contact.cis_registered, contact.deletable), (Some(false), Some(true), Some(true)));
    assert_eq!(contact.links, None);
    assert_eq!(contact.credit_terms, Some(ContactCreditTerms::Other("pay_when_you_like".into())));
    assert_eq!(contact.extra["loyalty_tier"]["level"], "gold");

    // Writing it back keeps the decimal digit for digit (Accounting writes decimals as strings),
    // the unknown value and the unknown field.
    let written = serde_json::to_value(&contact).unwrap();
    assert_eq!(written["balance"], "12345678901234567.89");
    assert_eq!(written["credit_limit"], "0.1");
    assert_eq!(written["credit_terms"], "pay_when_you_like");
    assert_eq!(written["loyalty_tier"]["points"], "98765432109876543.21");
    let again: Contact = serde_json::from_value(written).unwrap();
    assert_eq!(again, contact);
}

#[test]
fn accounting_v31_sales_invoice_survives_drift() {
    use sage_accounting_v31::sales::SalesInvoice;
    let invoice: SalesInvoice = decode(
        r#"{"id": "inv-1", "invoice_number": 1001, "total_amount": 0.1, "net_amount": "12345678901234567.89",
            "outstanding_amount": null, "sent": "true", "date": "2024-03-01", "brand_new": [1, 2]}"#,
    );
    assert_eq!(invoice.invoice_number.as_deref(), Some("1001"));
    assert_eq!(invoice.total_amount, Some(Decimal::new(1, 1)));
    assert_eq!(invoice.net_amount.unwrap().to_string(), "12345678901234567.89");
    assert_eq!(invoice.outstanding_amount, None);
    assert_eq!(invoice.sent, Some(true));
    assert_eq!(invoice.extra["brand_new"], json!([1, 2]));
}

#[test]
fn accounting_v3_contact_survives_drift() {
    use sage_accounting_v3::common::Contact;
    let body = ACCOUNTING_CONTACT.replacen('{', r#"{"legacy_id": "987","#, 1);
    let contact: Contact = decode(&body);
    assert_eq!(contact.legacy_id, Some(987));
    assert_eq!(contact.id.as_deref(), Some("4711"));
    assert_eq!(contact.name.as_deref(), Some("1234"));
    assert_eq!(contact.balance.unwrap().to_string(), "12345678901234567.89");
    assert_eq!(contact.credit_limit, Some(dec!(0.1)));
    assert_eq!((contact.credit_days, contact.deletable, contact.cis_registered), (Some(30), Some(true), Some(true)));
    assert_eq!(contact.extra["is_active"], "false", "a field v3 does not list is kept as sent");
    assert_eq!(contact.extra["loyalty_tier"]["level"], "gold");
    let written = serde_json::to_value(&contact).unwrap();
    assert_eq!(written["balance"], "12345678901234567.89");
}

/// Sage 200 writes decimals as JSON numbers; `name` and `reference` are required and not nullable.
const SAGE200_CUSTOMER: &str = r#"{
    "id": "27",
    "name": null,
    "reference": 4001,
    "balance": "12345678901234567.89",
    "credit_limit": 0.1,
    "on_hold": "false",
    "terms_agreed": 0,
    "average_time_to_pay": 12.0,
    "account_status_type": 0,
    "alerts": null,
    "date_time_created": "2014-06-30T10:20:29.503",
    "spare_number_1": 98765432109876543.21,
    "brand_new_field": {"nested": true}
}"#;

/// What a Sage 200 customer decoded from [`SAGE200_CUSTOMER`] writes back.
fn assert_sage200_customer_written(text: &str) {
    assert!(text.contains(r#""balance":12345678901234567.89"#), "{text}");
    assert!(text.contains(r#""spare_number_1":98765432109876543.21"#), "{text}");
    let written: Value = serde_json::from_str(text).unwrap();
    assert_eq!(written["name"], "");
    assert_eq!(written["reference"], "4001");
    assert_eq!(written["account_status_type"], "0");
    assert_eq!(written["credit_limit"], json!(0.1));
    assert_eq!(written["brand_new_field"], json!({"nested": true}));
}

#[test]
fn sage200_pro_customer_survives_drift() {
    use sage200_pro::sales::Customer;
    let customer: Customer = decode(SAGE200_CUSTOMER);
    assert_eq!(customer.id, Some(27.into()));
    assert_eq!((customer.name.as_str(), customer.reference.as_str()), ("", "4001"));
    assert_eq!(customer.balance.unwrap().to_string(), "12345678901234567.89");
    assert_eq!(customer.spare_number_1.unwrap().to_string(), "98765432109876543.21");
    assert_eq!(customer.credit_limit, Some(dec!(0.1)));
    assert_eq!((customer.on_hold, customer.terms_agreed), (Some(false), Some(false)));
    assert_eq!(customer.average_time_to_pay, Some(12));
    assert_eq!(customer.alerts, None);
    assert_eq!(customer.date_time_created.unwrap().to_string(), "2014-06-30T10:20:29.503");
    // Written back as Sage 200 expects: decimals as JSON numbers with every digit.
    assert_sage200_customer_written(&serde_json::to_string(&customer).unwrap());
}

#[test]
fn sage200_standard_customer_survives_drift() {
    use sage200_standard::sales::Customer;
    let customer: Customer = decode(SAGE200_CUSTOMER);
    assert_eq!(customer.id, Some(27.into()));
    assert_eq!((customer.name.as_str(), customer.reference.as_str()), ("", "4001"));
    assert_eq!(customer.balance.unwrap().to_string(), "12345678901234567.89");
    assert_eq!(customer.credit_limit, Some(Decimal::new(1, 1)));
    assert_eq!(customer.on_hold, Some(false));
    assert_sage200_customer_written(&serde_json::to_string(&customer).unwrap());
}

#[test]
fn a_value_that_is_no_spelling_of_the_type_still_fails_with_its_path() {
    let err = from_slice::<sage200_pro::sales::Customer>(br#"{"name": "A", "reference": "B", "id": "27x"}"#)
        .unwrap_err()
        .to_string();
    assert!(err.contains("27x"), "{err}");
}

/// The client itself decodes through the same path: a hostile body sent over HTTP arrives exact.
#[tokio::test]
async fn the_client_decodes_hostile_bodies_exactly() {
    let server = RecordingServer::start(vec![Reply {
        status: 200,
        headers: vec![("content-type", "application/json".into())],
        body: SAGE200_CUSTOMER.to_owned(),
    }])
    .await;
    let client = Client::builder(sage200_pro::PRODUCT)
        .base_url(server.url())
        .auth(StaticToken::new("token"))
        .headers(HeaderPolicy::sage200("1", "site"))
        .build()
        .unwrap();
    let customer = sage200_pro::sales::GetCustomer::new(27).send(&client).await.unwrap();
    assert_eq!(customer.balance.unwrap().to_string(), "12345678901234567.89");
    assert_eq!(customer.spare_number_1.unwrap().to_string(), "98765432109876543.21");
    assert_eq!(customer.reference, "4001");
}
