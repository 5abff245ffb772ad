//! The finance flows of the four products over HTTP: customer → invoice → payment allocated to it →
//! the invoice reads back with nothing outstanding, and the refusals Sage gives on the way (paying more
//! than is outstanding, another contact's invoice, an unknown one). On Accounting (v3.1, v3) a contact
//! payment's `allocated_artefacts` pay invoices; on Sage 200 (Professional, Standard) invoices and
//! receipts are posted transactions, allocated to each other by `POST /sales_allocations`.

mod common;

use reqwest::{Method, StatusCode};
use rust_decimal::Decimal;
use sage_sandbox::{fixtures, Sandbox};
use serde_json::{json, Value};

/// Signed-in calls to one product, with the headers it needs.
struct Api {
    base: String,
    token: String,
    product: &'static str,
}

impl Api {
    async fn new(sandbox: &Sandbox, product: &'static str) -> Self {
        let token = common::access_token(sandbox, product).await;
        Self { base: sandbox.endpoints(product).unwrap().api_base_url, token, product }
    }

    /// The path of a collection: v3 keeps its resources under `/accounts/v3`.
    fn path(&self, rest: &str) -> String {
        if self.product == "accounting-v3" {
            format!("/accounts/v3{rest}")
        } else {
            rest.to_owned()
        }
    }

    async fn send(&self, method: Method, rest: &str, body: Option<&Value>) -> (StatusCode, Value) {
        let url = format!("{}{}", self.base, self.path(rest));
        let mut request = common::http().request(method, url).bearer_auth(&self.token);
        request = match self.product {
            "accounting-v31" => request,
            "accounting-v3" => request.header("X-Site", fixtures::V3_SITE_ID).header("Ocp-Apim-Subscription-Key", "k"),
            _ => request.header("X-Company", "1").header("X-Site", fixtures::SAGE200_SITE_ID),
        };
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let bytes = response.bytes().await.unwrap();
        (status, if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).unwrap() })
    }

    async fn ok(&self, method: Method, rest: &str, body: Option<&Value>) -> Value {
        let (status, answer) = self.send(method.clone(), rest, body).await;
        assert!(status.is_success(), "{} {method} {rest}: {status} {answer}", self.product);
        answer
    }

    async fn get(&self, rest: &str) -> Value {
        self.ok(Method::GET, rest, None).await
    }

    /// A refusal: its status and the one error item.
    async fn refused(&self, rest: &str, body: &Value) -> (StatusCode, Value) {
        let (status, error) = self.send(Method::POST, rest, Some(body)).await;
        assert!(status.is_client_error(), "{} POST {rest} should be refused: {status} {error}", self.product);
        assert_eq!(error[0]["$severity"], "error", "{error}");
        (status, error[0].clone())
    }
}

fn dec(value: &Value) -> Decimal {
    match value {
        Value::String(text) => text.parse().unwrap(),
        Value::Number(number) => number.to_string().parse().unwrap(),
        other => panic!("not a decimal: {other}"),
    }
}

fn d(text: &str) -> Decimal {
    text.parse().unwrap()
}

// ---- Accounting v3.1 and v3 -------------------------------------------------------------------

/// Ids an Accounting flow needs: a sales ledger account, the standard tax rate, the bank account.
async fn accounting_references(api: &Api) -> (Value, Value, Value) {
    let accounts = api.get("/ledger_accounts?visible_in=sales").await;
    let sales = accounts["$items"][0]["id"].clone();
    let bank = api.get("/bank_accounts").await["$items"][0]["id"].clone();
    (sales, json!("GB_STANDARD"), bank)
}

async fn new_contact(api: &Api, name: &str, kind: &str) -> Value {
    let body = json!({"contact": {"name": name, "contact_type_ids": [kind]}});
    api.ok(Method::POST, "/contacts", Some(&body)).await
}

/// A sales invoice of 2 × 100.00 + 1 × 50.00 at 20 %: 250.00 net, 50.00 tax, 300.00 total.
async fn new_invoice(api: &Api, contact: &Value, sales: &Value, tax: &Value) -> Value {
    let line = |quantity: &str, price: &str| {
        json!({"description": "Work", "quantity": quantity, "unit_price": price,
               "ledger_account_id": sales, "tax_rate_id": tax})
    };
    let body = json!({"sales_invoice": {
        "contact_id": contact["id"], "date": "2026-11-02",
        "invoice_lines": [line("2", "100.00"), line("1", "50.00")],
    }});
    api.ok(Method::POST, "/sales_invoices", Some(&body)).await
}

fn receipt(contact: &Value, bank: &Value, total: &str, artefacts: Value) -> Value {
    json!({"contact_payment": {
        "transaction_type_id": "CUSTOMER_RECEIPT", "contact_id": contact["id"], "bank_account_id": bank,
        "date": "2026-11-20", "total_amount": total, "allocated_artefacts": artefacts,
    }})
}

fn paying(invoice: &Value, amount: &str) -> Value {
    json!([{"artefact_id": invoice["id"], "amount": amount}])
}

async fn accounting_invoice_is_paid_in_part_then_in_full(product: &'static str) {
    let sandbox = common::auto_sandbox().await;
    let api = Api::new(&sandbox, product).await;
    let (sales, tax, bank) = accounting_references(&api).await;
    let customer = new_contact(&api, "Flow Garages Ltd", "CUSTOMER").await;
    let invoice = new_invoice(&api, &customer, &sales, &tax).await;
    let invoice_path = format!("/sales_invoices/{}", invoice["id"].as_str().unwrap());
    let contact_path = format!("/contacts/{}", customer["id"].as_str().unwrap());
    assert_eq!((dec(&invoice["total_amount"]), dec(&invoice["outstanding_amount"])), (d("300"), d("300")));
    assert_eq!(invoice["status"]["id"], "UNPAID", "{product}: a new invoice is unpaid");
    assert_eq!(dec(&api.get(&contact_path).await["balance"]), d("300"), "{product}: the invoice raises the balance");

    let first = api
        .ok(Method::POST, "/contact_payments", Some(&receipt(&customer, &bank, "120.00", paying(&invoice, "120.00"))))
        .await;
    assert_eq!(first["allocated_artefacts"][0]["artefact"]["id"], invoice["id"], "{product}: the artefact is linked");
    let read = api.get(&invoice_path).await;
    assert_eq!(dec(&read["outstanding_amount"]), d("180"), "{product}: 300 − 120");
    assert_eq!(dec(&read["total_paid"]), d("120"));
    assert_eq!(read["status"]["id"], "PART_PAID", "{product}: {read}");
    assert_eq!(read["last_paid"], "2026-11-20");
    let listed = &read["payments_allocations"];
    assert_eq!(
        (listed[0]["contact_payment"]["id"].clone(), dec(&listed[0]["amount"])),
        (first["id"].clone(), d("120"))
    );
    assert_eq!(dec(&api.get(&contact_path).await["balance"]), d("180"), "{product}: the receipt lowers the balance");

    let second = api
        .ok(Method::POST, "/contact_payments", Some(&receipt(&customer, &bank, "180.00", paying(&invoice, "180.00"))))
        .await;
    let read = api.get(&invoice_path).await;
    assert_eq!(dec(&read["outstanding_amount"]), Decimal::ZERO, "{product}: paid in full");
    assert_eq!(read["status"]["id"], "PAID");
    assert_eq!(dec(&read["total_paid"]), d("300"));
    assert_eq!(dec(&api.get(&contact_path).await["balance"]), Decimal::ZERO);

    // A paid invoice takes no more.
    let (status, error) =
        api.refused("/contact_payments", &receipt(&customer, &bank, "0.01", paying(&invoice, "0.01"))).await;
    assert_eq!(
        (status, error["$source"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("allocated_artefacts[0].amount"))
    );

    // Deleting the second payment gives back what it paid.
    let second_path = format!("/contact_payments/{}", second["id"].as_str().unwrap());
    let (status, _) = api.send(Method::DELETE, &second_path, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let read = api.get(&invoice_path).await;
    assert_eq!((dec(&read["outstanding_amount"]), read["status"]["id"].clone()), (d("180"), json!("PART_PAID")));
    assert_eq!(
        read["payments_allocations"].as_array().map(Vec::len),
        Some(1),
        "{product}: only the first payment is listed"
    );
    assert_eq!(dec(&api.get(&contact_path).await["balance"]), d("180"));
}

#[tokio::test]
async fn v31_invoice_is_paid_in_part_then_in_full_and_a_deleted_payment_gives_it_back() {
    accounting_invoice_is_paid_in_part_then_in_full("accounting-v31").await;
}

#[tokio::test]
async fn v3_invoice_is_paid_in_part_then_in_full_and_a_deleted_payment_gives_it_back() {
    accounting_invoice_is_paid_in_part_then_in_full("accounting-v3").await;
}

#[tokio::test]
async fn accounting_refuses_payments_that_do_not_fit_the_invoice() {
    let sandbox = common::auto_sandbox().await;
    for product in ["accounting-v31", "accounting-v3"] {
        let api = Api::new(&sandbox, product).await;
        let (sales, tax, bank) = accounting_references(&api).await;
        let customer = new_contact(&api, "Refusals Ltd", "CUSTOMER").await;
        let other = new_contact(&api, "Someone Else Ltd", "CUSTOMER").await;
        let invoice = new_invoice(&api, &customer, &sales, &tax).await;
        let invoice_path = format!("/sales_invoices/{}", invoice["id"].as_str().unwrap());
        let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;

        let over = receipt(&customer, &bank, "300.01", paying(&invoice, "300.01"));
        let (status, error) = api.refused("/contact_payments", &over).await;
        assert_eq!(
            (status, error["$source"].as_str()),
            (unprocessable, Some("allocated_artefacts[0].amount")),
            "{product}"
        );
        assert_eq!(error["$dataCode"], "RecordInvalid");

        let theirs = receipt(&other, &bank, "10.00", paying(&invoice, "10.00"));
        let (status, error) = api.refused("/contact_payments", &theirs).await;
        assert_eq!(
            (status, error["$source"].as_str()),
            (unprocessable, Some("allocated_artefacts[0].artefact_id")),
            "{product}"
        );
        assert!(error["$message"].as_str().unwrap().contains("another contact"), "{error}");

        let unknown = receipt(
            &customer,
            &bank,
            "10.00",
            json!([{"artefact_id": "0123456789abcdef0123456789abcdef", "amount": "10.00"}]),
        );
        let (status, error) = api.refused("/contact_payments", &unknown).await;
        assert_eq!(
            (status, error["$source"].as_str()),
            (unprocessable, Some("")),
            "{product}: live Sage names no field for a missing record"
        );

        let more_than_paid = receipt(&customer, &bank, "10.00", paying(&invoice, "20.00"));
        let (status, error) = api.refused("/contact_payments", &more_than_paid).await;
        assert_eq!((status, error["$source"].as_str()), (unprocessable, Some("total_amount")), "{product}");

        let mut wrong_type = receipt(&customer, &bank, "10.00", paying(&invoice, "10.00"));
        wrong_type["contact_payment"]["transaction_type_id"] = json!("VENDOR_PAYMENT");
        let (status, error) = api.refused("/contact_payments", &wrong_type).await;
        assert_eq!(
            (status, error["$source"].as_str()),
            (unprocessable, Some("allocated_artefacts[0].artefact_id")),
            "{product}"
        );

        let read = api.get(&invoice_path).await;
        assert_eq!(
            (dec(&read["outstanding_amount"]), read["status"]["id"].clone()),
            (d("300"), json!("UNPAID")),
            "{product}: no refusal paid anything"
        );
        assert_eq!(api.get("/contact_payments").await["$total"], 0, "{product}: no refusal left a payment behind");
    }
}

#[tokio::test]
async fn an_updated_payment_pays_what_it_now_names_and_an_updated_invoice_keeps_its_payments() {
    let sandbox = common::auto_sandbox().await;
    let api = Api::new(&sandbox, "accounting-v31").await;
    let (sales, tax, bank) = accounting_references(&api).await;
    let customer = new_contact(&api, "Changes Ltd", "CUSTOMER").await;
    let invoice = new_invoice(&api, &customer, &sales, &tax).await;
    let invoice_path = format!("/sales_invoices/{}", invoice["id"].as_str().unwrap());
    let contact_path = format!("/contacts/{}", customer["id"].as_str().unwrap());
    let payment = api
        .ok(Method::POST, "/contact_payments", Some(&receipt(&customer, &bank, "100.00", paying(&invoice, "100.00"))))
        .await;
    let payment_path = format!("/contact_payments/{}", payment["id"].as_str().unwrap());
    let outstanding = |read: &Value| dec(&read["outstanding_amount"]);
    assert_eq!(outstanding(&api.get(&invoice_path).await), d("200"));

    let more =
        json!({"contact_payment": {"total_amount": "150.00", "allocated_artefacts": paying(&invoice, "150.00")}});
    api.ok(Method::PUT, &payment_path, Some(&more)).await;
    assert_eq!(outstanding(&api.get(&invoice_path).await), d("150"), "the update pays 150, not 100 + 150");
    assert_eq!(dec(&api.get(&contact_path).await["balance"]), d("150"));

    let too_much =
        json!({"contact_payment": {"total_amount": "400.00", "allocated_artefacts": paying(&invoice, "400.00")}});
    let (status, error) = api.send(Method::PUT, &payment_path, Some(&too_much)).await;
    assert_eq!(
        (status, error[0]["$source"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("allocated_artefacts[0].amount"))
    );
    let read = api.get(&invoice_path).await;
    assert_eq!(
        (outstanding(&read), read["status"]["id"].clone()),
        (d("150"), json!("PART_PAID")),
        "a refused update changes nothing"
    );
    assert_eq!(dec(&api.get(&contact_path).await["balance"]), d("150"));

    // 1 × 500.00 at 20 %: a total of 600.00, of which 150.00 is paid.
    let line = |price: &str| {
        json!({"sales_invoice": {"invoice_lines": [{"description": "More work", "quantity": "1",
        "unit_price": price, "ledger_account_id": sales, "tax_rate_id": tax}]}})
    };
    let read = api.ok(Method::PUT, &invoice_path, Some(&line("500.00"))).await;
    assert_eq!(
        (dec(&read["total_amount"]), outstanding(&read), dec(&read["total_paid"])),
        (d("600"), d("450"), d("150"))
    );
    let (status, error) = api.send(Method::PUT, &invoice_path, Some(&line("100.00"))).await;
    assert_eq!(
        (status, error[0]["$source"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("total_amount")),
        "120.00 < 150.00 paid"
    );
}

// ---- Sage 200 Professional and Standard ---------------------------------------------------------

async fn new_customer(api: &Api, reference: &str) -> Value {
    let body = json!({"reference": reference, "name": format!("{reference} Ltd")});
    api.ok(Method::POST, "/customers", Some(&body)).await
}

/// The posted transaction a create's URN names, read from the ledger's list.
async fn posted(api: &Api, ledger: &str, urn: &Value) -> Value {
    let urn: u64 = urn.as_str().expect("the URN is a string").parse().unwrap();
    let found = api.get(&format!("/{ledger}_posted_transactions?$filter=urn eq {urn}")).await;
    let found = found.as_array().unwrap();
    assert_eq!(found.len(), 1, "one posted transaction for URN {urn}: {found:?}");
    found[0].clone()
}

async fn post_sales_invoice(api: &Api, customer: &Value, reference: &str) -> Value {
    // 200.00 goods over two nominal codes; 40.00 tax at the standard rate (tax code 1, 20 %).
    let body = json!({
        "customer_id": customer["id"], "reference": reference, "transaction_date": "2026-11-02T00:00:00",
        "document_goods_value": 200.00, "document_tax_value": 40.00,
        "nominal_analysis_items": [{"code": "4000", "value": 150.00}, {"code": "4010", "value": 50.00}],
        "tax_analysis_items": [{"id": 1, "goods_amount": 200.00, "tax_amount": 40.00}],
    });
    let urn = api.ok(Method::POST, "/sales_invoices", Some(&body)).await;
    posted(api, "sales", &urn["urn"]).await
}

async fn post_receipt(api: &Api, customer: &Value, value: f64) -> Value {
    let body = json!({"customer_id": customer["id"], "bank_id": 1, "cheque_value": value, "reference": "BACS"});
    let urn = api.ok(Method::POST, "/sales_receipts", Some(&body)).await;
    posted(api, "sales", &urn["urn"]).await
}

fn allocation(customer: &Value, lines: &[(&Value, f64)]) -> Value {
    let lines: Vec<Value> =
        lines.iter().map(|(tran, value)| json!({"posted_tran_id": tran["id"], "value_to_allocate": value})).collect();
    json!({"customer_id": customer["id"], "allocation_date": "2026-11-20T00:00:00", "allocation_lines": lines})
}

async fn sage200_invoice_is_posted_then_settled_by_receipts(product: &'static str) {
    let sandbox = common::auto_sandbox().await;
    let api = Api::new(&sandbox, product).await;
    let customer = new_customer(&api, "FLOW01").await;
    let customer_path = format!("/customers/{}", customer["id"]);

    let invoice = post_sales_invoice(&api, &customer, "INV-1").await;
    assert_eq!(invoice["trader_transaction_type"], "TradingAccountEntryTypeInvoice", "{product}");
    assert_eq!(invoice["customer_id"], customer["id"]);
    assert_eq!(invoice["reference"], "INV-1");
    assert_eq!(invoice["transaction_date"], "2026-11-02T00:00:00");
    let values = |tran: &Value| {
        [
            "document_goods_value",
            "document_tax_value",
            "document_gross_value",
            "document_allocated_value",
            "document_outstanding_value",
        ]
        .map(|field| dec(&tran[field]))
    };
    assert_eq!(values(&invoice), [d("200"), d("40"), d("240"), d("0"), d("240")], "{product}: {invoice}");
    let nominal: Vec<(Value, Decimal)> = invoice["nominal_analysis_items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| (item["code"].clone(), dec(&item["value"])))
        .collect();
    assert_eq!(nominal, [(json!("4000"), d("150")), (json!("4010"), d("50"))]);
    assert_eq!(dec(&invoice["tax_analysis_items"][0]["tax_amount"]), d("40"));
    assert_eq!(dec(&api.get(&customer_path).await["balance"]), d("240"), "{product}: the invoice raises the balance");
    let of_customer = api.get(&format!("{customer_path}/sales_posted_transactions")).await;
    assert_eq!(of_customer.as_array().unwrap().len(), 1, "{product}: the customer's transactions list it");
    let (status, _) = api.send(Method::GET, "/sales_invoices", None).await;
    assert_eq!(
        status,
        StatusCode::METHOD_NOT_ALLOWED,
        "{product}: a posted invoice is read as a posted transaction only"
    );

    let receipt = post_receipt(&api, &customer, 100.0).await;
    assert_eq!(receipt["trader_transaction_type"], "TradingAccountEntryTypePurchasePaymentSalesReceipt");
    assert_eq!(values(&receipt), [d("-100"), d("0"), d("-100"), d("0"), d("-100")], "{product}: a receipt is negative");
    assert_eq!(dec(&api.get(&customer_path).await["balance"]), d("140"));

    api.ok(Method::POST, "/sales_allocations", Some(&allocation(&customer, &[(&invoice, 100.0), (&receipt, -100.0)])))
        .await;
    let invoice_read = posted(&api, "sales", &json!(invoice["urn"].to_string())).await;
    let receipt_read = posted(&api, "sales", &json!(receipt["urn"].to_string())).await;
    assert_eq!(values(&invoice_read)[3..], [d("100"), d("140")], "{product}: allocated 100, 140 outstanding");
    assert_eq!(values(&receipt_read)[3..], [d("-100"), d("0")], "{product}: the receipt is used up");
    assert_eq!(receipt_read["full_settlement_date"], "2026-11-20T00:00:00");
    // Unset, which the live shapes write as `""` (Sage 200 is read with Accounting's tolerance).
    let unset = |value: &Value| value.is_null() || value == "";
    assert!(unset(&invoice_read["full_settlement_date"]), "{invoice_read}");
    let history = &invoice_read["allocation_history_items"];
    assert_eq!((history.as_array().unwrap().len(), dec(&history[0]["allocation_value"])), (1, d("100")));
    assert_eq!(dec(&receipt_read["allocation_history_items"][0]["allocation_value"]), d("-100"));
    assert_eq!(dec(&api.get(&customer_path).await["balance"]), d("140"), "{product}: allocating moves no balance");

    let rest = post_receipt(&api, &customer, 140.0).await;
    api.ok(Method::POST, "/sales_allocations", Some(&allocation(&customer, &[(&invoice, 140.0), (&rest, -140.0)])))
        .await;
    let invoice_read = posted(&api, "sales", &json!(invoice["urn"].to_string())).await;
    assert_eq!(values(&invoice_read)[3..], [d("240"), d("0")], "{product}: settled in full");
    assert_eq!(invoice_read["full_settlement_date"], "2026-11-20T00:00:00");
    assert_eq!(dec(&api.get(&customer_path).await["balance"]), Decimal::ZERO);
}

#[tokio::test]
async fn sage200_pro_invoice_is_posted_then_settled_by_receipts() {
    sage200_invoice_is_posted_then_settled_by_receipts("sage200-pro").await;
}

#[tokio::test]
async fn sage200_standard_invoice_is_posted_then_settled_by_receipts() {
    sage200_invoice_is_posted_then_settled_by_receipts("sage200-standard").await;
}

#[tokio::test]
async fn sage200_refuses_allocations_and_invoices_that_break_its_rules() {
    let sandbox = common::auto_sandbox().await;
    let api = Api::new(&sandbox, "sage200-pro").await;
    let customer = new_customer(&api, "RULE01").await;
    let other = new_customer(&api, "RULE02").await;
    let invoice = post_sales_invoice(&api, &customer, "INV-R").await;
    let receipt = post_receipt(&api, &customer, 300.0).await;
    let theirs = post_receipt(&api, &other, 50.0).await;
    let bad = StatusCode::BAD_REQUEST;
    let source = |error: &Value| error["$source"].as_str().unwrap_or_default().to_owned();

    let over = allocation(&customer, &[(&invoice, 250.0), (&receipt, -250.0)]);
    let (status, error) = api.refused("/sales_allocations", &over).await;
    assert_eq!((status, source(&error)), (bad, "allocation_lines[0].value_to_allocate".into()), "{error}");

    let unbalanced = allocation(&customer, &[(&invoice, 100.0), (&receipt, -90.0)]);
    let (status, error) = api.refused("/sales_allocations", &unbalanced).await;
    assert_eq!((status, source(&error)), (bad, "allocation_lines".into()), "{error}");

    let mixed = allocation(&customer, &[(&invoice, 50.0), (&theirs, -50.0)]);
    let (status, error) = api.refused("/sales_allocations", &mixed).await;
    assert_eq!((status, source(&error)), (bad, "allocation_lines[1].posted_tran_id".into()), "{error}");

    let unknown = allocation(&customer, &[(&invoice, 50.0), (&json!({"id": 999_999}), -50.0)]);
    let (status, error) = api.refused("/sales_allocations", &unknown).await;
    assert_eq!((status, source(&error)), (bad, "allocation_lines[1].posted_tran_id".into()), "{error}");

    let wrong_way = allocation(&customer, &[(&invoice, -50.0), (&receipt, 50.0)]);
    let (status, error) = api.refused("/sales_allocations", &wrong_way).await;
    assert_eq!((status, source(&error)), (bad, "allocation_lines[0].value_to_allocate".into()), "{error}");

    let unread = posted(&api, "sales", &json!(invoice["urn"].to_string())).await;
    assert_eq!(dec(&unread["document_outstanding_value"]), d("240"), "no refusal allocated anything");

    let uneven = json!({"customer_id": customer["id"], "document_goods_value": 100.0,
        "nominal_analysis_items": [{"code": "4000", "value": 60.0}, {"code": "4010", "value": 30.0}]});
    let (status, error) = api.refused("/sales_invoices", &uneven).await;
    assert_eq!((status, source(&error)), (bad, "nominal_analysis_items".into()), "{error}");
    let unknown_tax = json!({"customer_id": customer["id"], "document_goods_value": 100.0,
        "tax_analysis_items": [{"id": 77, "goods_amount": 100.0}]});
    let (status, error) = api.refused("/sales_invoices", &unknown_tax).await;
    assert_eq!((status, source(&error)), (bad, "tax_analysis_items[0].id".into()), "{error}");
    let nobody = json!({"customer_id": 424_242, "document_goods_value": 100.0});
    let (status, error) = api.refused("/sales_invoices", &nobody).await;
    assert_eq!((status, source(&error)), (bad, "customer_id".into()), "a missing customer: {error}");
    let transactions = api.get("/sales_posted_transactions?$filter=reference eq 'INV-R'").await;
    assert_eq!(transactions.as_array().unwrap().len(), 1, "refused invoices post nothing");
}

#[tokio::test]
async fn sage200_purchase_invoices_and_payments_post_to_the_purchase_ledger() {
    let sandbox = common::auto_sandbox().await;
    let api = Api::new(&sandbox, "sage200-standard").await;
    let supplier = api.ok(Method::POST, "/suppliers", Some(&json!({"reference": "PAY01", "name": "Pay Ltd"}))).await;
    let supplier_path = format!("/suppliers/{}", supplier["id"]);
    // No headline values: the goods come from the analysis, the tax from tax code 4's 5 %.
    let body = json!({"supplier_id": supplier["id"], "reference": "PI-9",
        "nominal_analysis_items": [{"code": "5000", "value": 80.10}],
        "tax_analysis_items": [{"id": 4, "goods_amount": 80.10}]});
    let urn = api.ok(Method::POST, "/purchase_invoices", Some(&body)).await;
    let invoice = posted(&api, "purchase", &urn["urn"]).await;
    assert_eq!(invoice["trader_transaction_type"], "TradingAccountEntryTypeInvoice");
    let values = |tran: &Value| {
        ["document_goods_value", "document_tax_value", "document_gross_value", "document_outstanding_value"]
            .map(|field| dec(&tran[field]))
    };
    assert_eq!(values(&invoice), [d("80.10"), d("4.01"), d("84.11"), d("84.11")], "4.005 rounds half away from zero");
    assert_eq!(dec(&api.get(&supplier_path).await["balance"]), d("84.11"));

    let payment = json!({"supplier_id": supplier["id"], "bank_id": 1, "cheque_value": 84.11});
    let urn = api.ok(Method::POST, "/purchase_payments", Some(&payment)).await;
    let paid = posted(&api, "purchase", &urn["urn"]).await;
    assert_eq!(paid["trader_transaction_type"], "TradingAccountEntryTypePurchasePaymentSalesReceipt");
    assert_eq!(values(&paid), [d("-84.11"), d("0"), d("-84.11"), d("-84.11")]);
    assert_eq!(paid["bank_items"][0]["bank_code"], "1200");
    assert_eq!(dec(&api.get(&supplier_path).await["balance"]), Decimal::ZERO);

    let no_bank = json!({"supplier_id": supplier["id"], "bank_id": 9, "cheque_value": 1.0});
    let (status, error) = api.refused("/purchase_payments", &no_bank).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    // The schema has no purchase allocations: the path is unknown, as on Sage 200.
    let (status, _) = api.send(Method::POST, "/purchase_allocations", Some(&json!({}))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

// ---- Persistence ---------------------------------------------------------------------------------

#[tokio::test]
async fn postings_allocations_and_payments_survive_a_restart_on_the_same_data_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sandbox.db");
    let start = || Sandbox::builder().auto_approve(true).data_file(&file).start();
    let before = start().await.unwrap();
    let s200 = Api::new(&before, "sage200-pro").await;
    let customer = new_customer(&s200, "KEEP01").await;
    let invoice = post_sales_invoice(&s200, &customer, "INV-K").await;
    let cash = post_receipt(&s200, &customer, 100.0).await;
    s200.ok(Method::POST, "/sales_allocations", Some(&allocation(&customer, &[(&invoice, 100.0), (&cash, -100.0)])))
        .await;
    let v31 = Api::new(&before, "accounting-v31").await;
    let (sales, tax, bank) = accounting_references(&v31).await;
    let contact = new_contact(&v31, "Kept Receipts Ltd", "CUSTOMER").await;
    let document = new_invoice(&v31, &contact, &sales, &tax).await;
    v31.ok(Method::POST, "/contact_payments", Some(&receipt_body(&contact, &bank))).await;
    let v31_payment = receipt(&contact, &bank, "120.00", paying(&document, "120.00"));
    v31.ok(Method::POST, "/contact_payments", Some(&v31_payment)).await;
    before.shutdown().await;

    let after = start().await.unwrap();
    let reopened = |api: &Api| Api {
        base: after.endpoints(api.product).unwrap().api_base_url,
        token: api.token.clone(),
        product: api.product,
    };
    let (s200, v31) = (reopened(&s200), reopened(&v31));
    let kept = posted(&s200, "sales", &json!(invoice["urn"].to_string())).await;
    assert_eq!(
        (dec(&kept["document_allocated_value"]), dec(&kept["document_outstanding_value"])),
        (d("100"), d("140"))
    );
    assert_eq!(dec(&s200.get(&format!("/customers/{}", customer["id"])).await["balance"]), d("140"));
    let kept = v31.get(&format!("/sales_invoices/{}", document["id"].as_str().unwrap())).await;
    assert_eq!((dec(&kept["outstanding_amount"]), kept["status"]["id"].clone()), (d("180"), json!("PART_PAID")));
    assert_eq!(dec(&v31.get(&format!("/contacts/{}", contact["id"].as_str().unwrap())).await["balance"]), d("130"));
}

/// A receipt of 50.00 allocated to nothing (it stays on the contact's account).
fn receipt_body(contact: &Value, bank: &Value) -> Value {
    receipt(contact, bank, "50.00", json!([]))
}
