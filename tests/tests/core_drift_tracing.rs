//! A value Sage spells otherwise than its schema (`""` for an unset date, a number as text) decodes,
//! and a DEBUG event of target `sage_core::drift` names the operation, the field's path and what was
//! read leniently; a body spelled as the schema says gives none.
//!
//! Alone in its test binary: tracing caches per-callsite interest process-wide.

use sage_accounting_v31::sales::GetSalesInvoice;
use sage_core::auth::StaticToken;
use sage_core::{Client, HeaderPolicy};
use sage_tests::{CapturedLogs, RecordingServer, Reply};

#[tokio::test(flavor = "current_thread")]
async fn coercions_are_debug_events_with_the_operation_and_field_path() {
    let (logs, _guard) = CapturedLogs::install();
    let drifted = r#"{"id":"inv1","last_paid":"","invoice_lines":[{"id":"l1","quantity":"2.0","description":7}]}"#;
    let plain = r#"{"id":"inv2","last_paid":"2024-03-01","invoice_lines":[{"id":"l1","quantity":"2.0"}]}"#;
    let server = RecordingServer::start(vec![Reply::new(200, drifted), Reply::new(200, plain)]).await;
    let client = Client::builder(sage_accounting_v31::PRODUCT)
        .base_url(server.url())
        .auth(StaticToken::new("tok"))
        .headers(HeaderPolicy::AccountingV31 { business_id: None })
        .build()
        .unwrap();

    let invoice = GetSalesInvoice::new("inv1").send(&client).await.unwrap();
    assert_eq!(invoice.last_paid, None);
    let output = logs.text();
    let events: Vec<&str> = output.lines().filter(|line| line.contains("sage_core::drift")).collect();
    assert_eq!(events.len(), 2, "{output}");
    assert!(events[0].contains("get_sales_invoice") && events[0].contains("path=last_paid"), "{output}");
    assert!(events[0].contains("blank text read as no value"), "{output}");
    assert!(events[1].contains("path=invoice_lines[0].description"), "{output}");
    assert!(events[1].contains("number or boolean where text belongs"), "{output}");

    let invoice = GetSalesInvoice::new("inv2").send(&client).await.unwrap();
    assert!(invoice.last_paid.is_some());
    let after = logs.text();
    assert_eq!(after.lines().filter(|line| line.contains("sage_core::drift")).count(), 2, "{after}");
}
