//! The Sage 200 mapping on hand-written bodies shaped as Sage 200 sends them (decimals as numbers
//! and as strings, `""` for unset dates, `null`s, fields no schema lists), both ways: what each
//! read gives in the model, and what each create sends. A small local server answers the calls and
//! keeps every request.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use futures_util::TryStreamExt;
use sage_books::raw::Sage200Record;
use sage_books::types::{Date, Decimal};
use sage_books::{
    Address, Books, ContactPerson, Customer, DocumentStatus, Error, LedgerAccount, NewAnalysisLine, NewCustomer,
    NewPayment, NewSalesInvoice, PaymentKind, Raw, SalesCreditNote, SalesInvoice, TrackingCategory,
};
use sage_core::auth::StaticToken;
use sage_core::{Client, HeaderPolicy, RetryPolicy};
use serde_json::{json, Value};

/// One request the server received.
#[derive(Debug, Clone)]
struct Seen {
    method: Method,
    /// Path and decoded query (`/sales_posted_transactions?$filter=urn eq 88…`).
    target: String,
    body: Value,
}

type Answer = fn(&Method, &str) -> (StatusCode, Value);

#[derive(Clone)]
struct Server {
    seen: Arc<Mutex<Vec<Seen>>>,
    answer: Answer,
}

async fn handle(State(server): State<Server>, method: Method, uri: Uri, body: Bytes) -> Response {
    let target = uri.path_and_query().map(|target| target.as_str()).unwrap_or_default();
    let target = target.replace("%20", " ").replace("%24", "$").replace("%27", "'").replace('+', " ");
    let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let (status, answer) = (server.answer)(&method, &target);
    server.seen.lock().unwrap().push(Seen { method, target, body });
    (status, axum::Json(answer)).into_response()
}

/// A Professional client on a local server answering with `answer`, and what it received.
async fn books(answer: Answer) -> (Books, Arc<Mutex<Vec<Seen>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let app = Router::new().fallback(handle).with_state(Server { seen: seen.clone(), answer });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let client = Client::builder(sage200_pro::PRODUCT)
        .base_url(base)
        .headers(HeaderPolicy::sage200("1", "1"))
        .auth(StaticToken::new("test-token"))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    (Books::new(client).unwrap(), seen)
}

fn d(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn day(text: &str) -> Date {
    text.parse().unwrap()
}

/// A decimal sent as a JSON number or string.
fn dec(value: &Value) -> Decimal {
    match value {
        Value::String(text) => text.parse().unwrap(),
        Value::Number(number) => number.to_string().parse().unwrap(),
        other => panic!("not a decimal: {other}"),
    }
}

/// An invoice part paid: 300.00 goods over two nominal codes, 60.00 tax, 100.00 allocated.
fn posted_invoice() -> Value {
    json!({
        "id": 17, "urn": 88, "customer_id": 27825,
        "customer": {"id": 27825, "reference": "ABS001", "name": "ABS Garages Ltd"},
        "trader_transaction_type": "TradingAccountEntryTypeInvoice",
        "reference": "INV-7001", "second_reference": "PO 5521", "queried": "",
        "transaction_date": "2026-11-02T00:00:00", "posted_date": "2026-11-02T09:14:03.27",
        "due_date": "2026-12-02T00:00:00", "full_settlement_date": "",
        "document_goods_value": "300.00", "document_tax_value": 60.0, "document_gross_value": "360.00",
        "document_outstanding_value": 260.0, "document_allocated_value": "100.00",
        "document_discount_value": 0, "document_tax_discount_value": null,
        "base_goods_value": 300.0, "base_tax_value": "60.00", "base_gross_value": 360, "base_allocated_value": 100,
        "exchange_rate": "1.000000",
        "nominal_analysis_items": [
            {"code": "4000", "name": "Sales - products", "cost_centre": "", "department": "", "value": "250.00",
             "narrative": "Brake pads", "base_value": 250, "transaction_analysis_code": null},
            {"code": "4010", "name": "Sales - services", "cost_centre": "NTH", "department": "WSH", "value": 50.0,
             "narrative": "Fitting", "base_value": "50.00", "location": "Workshop"}
        ],
        "tax_analysis_items": [
            {"id": 1, "code": 1, "name": "Standard rate", "goods_amount": "300.00", "tax_amount": "60.00",
             "tax_discount_amount": 0, "entry_type": "TaxAccountEntryTypeSale"}
        ],
        "allocation_history_items": [{"id": 3, "allocation_value": "100.00", "entry_date": "2026-11-10T00:00:00"}],
        "bank_items": null,
        "date_time_created": "2026-11-02T09:14:03.27", "date_time_updated": "2026-11-10T16:02:11.5",
        "user_name": "jo", "sage_internal_flag": 42
    })
}

/// A credit note as Sage keeps it: its values negative.
fn posted_credit_note() -> Value {
    json!({
        "id": 18, "urn": 89, "customer_id": 27825, "trader_transaction_type": "TradingAccountEntryTypeCreditNote",
        "reference": "CRN-12", "transaction_date": "2026-11-05T00:00:00", "due_date": "",
        "document_goods_value": "-40.00", "document_tax_value": "-8.00", "document_gross_value": -48,
        "document_outstanding_value": "-48.00", "document_allocated_value": 0,
        "nominal_analysis_items": [{"code": "4000", "value": "-40.00", "cost_centre": null, "department": null}],
        "tax_analysis_items": [{"id": 1, "goods_amount": -40, "tax_amount": -8}]
    })
}

fn read_answers(method: &Method, target: &str) -> (StatusCode, Value) {
    let path = target.split('?').next().unwrap_or_default();
    match (method.as_str(), path) {
        ("GET", "/sales_posted_transactions/17") => (StatusCode::OK, posted_invoice()),
        ("GET", "/sales_posted_transactions/18") => (StatusCode::OK, posted_credit_note()),
        ("GET", "/customers/27825") => (
            StatusCode::OK,
            json!({
                "id": 27825, "reference": "ABS001", "name": "ABS Garages Ltd", "short_name": "ABS001",
                "balance": "2464.16", "credit_limit": 4000, "currency_id": 1,
                "currency": {"id": 1, "name": "Pound Sterling"},
                "payment_terms_days": "30", "vat_number": "GB 123 4567 89", "account_status_type": "AccountStatusHidden",
                "main_address": {"address_1": "Unit 4", "address_2": "", "address_3": "Leeds", "county": null,
                                 "postcode": "LS1 4AB", "country": "United Kingdom", "city": null},
                "contacts": [
                    {"id": 1, "name": "Accounts", "default_email": "", "is_default": false},
                    {"id": 2, "first_name": "Jo", "last_name": "Patel", "default_email": "jo@abs.example",
                     "default_telephone": "0113 496 0000", "is_default": true}
                ],
                "date_time_created": "2019-03-01T10:00:00", "date_time_updated": "",
                "spare_text_1": null, "not_in_any_schema": {"a": 1}
            }),
        ),
        ("GET", "/nominal_codes") => (
            StatusCode::OK,
            json!([{"id": 2010, "reference": "4010", "name": "Sales - services", "cost_centre_code": "NTH",
                    "department_code": "WSH", "nominal_account_type": "NominalAccountTypeProfitAndLoss",
                    "report_category_id": "1", "balance_year_to_date": "-1200.50"}]),
        ),
        ("GET", "/cost_centres") => (StatusCode::OK, json!([{"id": 1, "code": "NTH", "name": "North"}])),
        ("GET", "/departments") => {
            (StatusCode::OK, json!([{"id": 7, "code": "WSH", "name": "Workshop", "status": null}]))
        }
        _ => (
            StatusCode::NOT_FOUND,
            json!([{"$severity": "error", "$dataCode": "RecordNotFound", "$message": "no", "$source": ""}]),
        ),
    }
}

#[tokio::test]
async fn a_posted_invoice_reads_as_a_document_with_analysis_lines() {
    let (books, seen) = books(read_answers).await;
    let invoice: SalesInvoice = books.get("17").await.unwrap();
    assert_eq!(seen.lock().unwrap()[0].target, "/sales_posted_transactions/17");

    assert_eq!(invoice.id, "17");
    assert_eq!(invoice.number.as_deref(), Some("INV-7001"), "Sage's reference is the invoice number");
    assert_eq!(invoice.reference.as_deref(), Some("PO 5521"), "the second reference is the business's own");
    let party = invoice.party.as_ref().unwrap();
    assert_eq!((party.id.as_str(), party.name.as_deref()), ("27825", Some("ABS Garages Ltd")));
    assert_eq!(invoice.date, Some(day("2026-11-02")));
    assert_eq!(invoice.due_date, Some(day("2026-12-02")));
    assert_eq!(invoice.exchange_rate, Some(d("1")));
    assert_eq!(invoice.totals.net, Some(d("300")));
    assert_eq!(invoice.totals.tax, Some(d("60")));
    assert_eq!(invoice.totals.gross, Some(d("360")));
    assert_eq!(invoice.totals.outstanding, Some(d("260")));
    assert_eq!(invoice.totals.paid, Some(d("100")), "paid is gross less outstanding");
    assert_eq!(invoice.base_totals.gross, Some(d("360")));
    assert_eq!(invoice.base_totals.tax, Some(d("60")));
    assert_eq!(invoice.status.as_ref().map(|status| status.kind), Some(DocumentStatus::PartPaid));
    assert!(invoice.item_lines.is_empty());

    let [products, services, tax] = &invoice.analysis_lines[..] else { panic!("{:?}", invoice.analysis_lines) };
    assert_eq!(products.account.as_ref().map(|account| account.id.as_str()), Some("4000"));
    assert_eq!(products.net, Some(d("250")));
    assert_eq!(products.description.as_deref(), Some("Brake pads"));
    assert!(products.tracking.is_empty(), "blank cost centre and department are no tracking");
    assert_eq!(services.net, Some(d("50")));
    let account = services.account.as_ref().unwrap();
    assert_eq!((account.id.as_str(), account.name.as_deref()), ("4010/NTH/WSH", Some("Sales - services")));
    let tracking: Vec<_> = services
        .tracking
        .iter()
        .map(|tracking| (tracking.category.as_ref().unwrap().id.as_str(), tracking.value.id.as_str()))
        .collect();
    assert_eq!(tracking, [("cost_centre", "NTH"), ("department", "WSH")]);
    assert_eq!(tax.account, None);
    assert_eq!(
        tax.tax_rate.as_ref().map(|rate| (rate.id.as_str(), rate.name.as_deref())),
        Some(("1", Some("Standard rate")))
    );
    assert_eq!(tax.tax, Some(d("60")));
    assert_eq!(invoice.timestamps.updated_at.map(|at| at.naive().date()), Some(day("2026-11-10")));

    let Raw::Sage200(Sage200Record::SalesPostedTransaction(raw)) = invoice.raw() else { panic!("{:?}", invoice.raw()) };
    assert_eq!(raw.urn, Some(88));
    assert_eq!(raw.extra.get("sage_internal_flag"), Some(&json!(42)), "unknown fields are kept");
    assert_eq!(raw.full_settlement_date, None, "\"\" reads as no date");
}

#[tokio::test]
async fn a_credit_note_reads_with_its_own_positive_amounts() {
    let (books, _) = books(read_answers).await;
    let note: SalesCreditNote = books.get("18").await.unwrap();
    assert_eq!(note.totals.net, Some(d("40")));
    assert_eq!(note.totals.tax, Some(d("8")));
    assert_eq!(note.totals.gross, Some(d("48")));
    assert_eq!(note.totals.outstanding, Some(d("48")));
    assert_eq!(note.due_date, None);
    assert_eq!(note.analysis_lines[0].net, Some(d("40")));
    assert_eq!(note.analysis_lines[1].tax, Some(d("8")));
    assert_eq!(note.status.as_ref().map(|status| status.kind), Some(DocumentStatus::Open));

    // An invoice is no credit note, and a credit note no invoice.
    let err = books.get::<SalesCreditNote>("17").await.unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    let err = books.get::<SalesInvoice>("18").await.unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    let err = books.get::<SalesInvoice>("not-a-number").await.unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
}

#[tokio::test]
async fn a_customer_reads_with_its_default_contact_and_address() {
    let (books, _) = books(read_answers).await;
    let customer: Customer = books.get("27825").await.unwrap();
    assert_eq!(customer.id, "27825");
    assert_eq!(customer.reference.as_deref(), Some("ABS001"));
    assert_eq!(customer.balance, Some(d("2464.16")));
    assert_eq!(customer.credit_limit, Some(d("4000")));
    assert_eq!(customer.credit_days, Some(30), "a number sent as a string");
    assert_eq!(customer.tax_number.as_deref(), Some("GB 123 4567 89"));
    assert_eq!(customer.active, Some(false), "AccountStatusHidden");
    assert_eq!(customer.currency.as_ref().map(|currency| currency.name.as_deref()), Some(Some("Pound Sterling")));
    let address = customer.address.as_ref().unwrap();
    assert_eq!(address.line1.as_deref(), Some("Unit 4"));
    assert_eq!(address.line2, None, "blank lines are unset");
    assert_eq!(address.city.as_deref(), Some("Leeds"));
    assert_eq!(address.postal_code.as_deref(), Some("LS1 4AB"));
    let person = customer.contact_person.as_ref().unwrap();
    assert_eq!(person.name.as_deref(), Some("Jo Patel"), "the default contact, named from its parts");
    assert_eq!(person.telephone.as_deref(), Some("0113 496 0000"));
    assert_eq!(customer.email.as_deref(), Some("jo@abs.example"));
    assert_eq!(customer.timestamps.updated_at, None);
    let Raw::Sage200(Sage200Record::Customer(raw)) = customer.raw() else { panic!("{:?}", customer.raw()) };
    assert_eq!(raw.extra.get("not_in_any_schema"), Some(&json!({"a": 1})));
}

#[tokio::test]
async fn nominal_codes_cost_centres_and_departments_read_as_accounts_and_tracking() {
    let (books, _) = books(read_answers).await;
    let accounts: Vec<LedgerAccount> = books.list().try_collect().await.unwrap();
    let [account] = &accounts[..] else { panic!("{accounts:?}") };
    assert_eq!((account.id.as_str(), account.code.as_deref()), ("4010/NTH/WSH", Some("4010")));
    let Raw::Sage200(Sage200Record::NominalCode(raw)) = account.raw() else { panic!("{:?}", account.raw()) };
    assert_eq!(raw.id.map(i64::from), Some(2010), "Sage's numeric id stays in raw()");
    let again: LedgerAccount = books.get("4010/NTH/WSH").await.unwrap();
    assert_eq!(again.name.as_deref(), Some("Sales - services"));
    let err = books.get::<LedgerAccount>("4010").await.unwrap_err();
    assert!(
        matches!(err, Error::NotFound { .. }),
        "4010 without cost centre and department is another account: {err:?}"
    );
    let tracking: Vec<_> = account.tracking.iter().map(|tracking| tracking.value.id.as_str()).collect();
    assert_eq!(tracking, ["NTH", "WSH"]);

    let categories: Vec<TrackingCategory> = books.list().try_collect().await.unwrap();
    let summary: Vec<_> = categories
        .iter()
        .map(|category| {
            (category.id.as_str(), category.values.iter().map(|value| value.name.clone()).collect::<Vec<_>>())
        })
        .collect();
    assert_eq!(
        summary,
        [("cost_centre", vec![Some("North".to_owned())]), ("department", vec![Some("Workshop".to_owned())])]
    );
    let department: TrackingCategory = books.get("department").await.unwrap();
    assert_eq!(department.values[0].id, "WSH");
}

fn write_answers(method: &Method, target: &str) -> (StatusCode, Value) {
    let path = target.split('?').next().unwrap_or_default();
    match (method.as_str(), path) {
        ("POST", "/sales_invoices") => (StatusCode::CREATED, json!({"urn": 88})),
        ("GET", "/sales_posted_transactions") if target.contains("$filter=urn eq 88") => {
            (StatusCode::OK, json!([posted_invoice()]))
        }
        ("POST", "/customers") => (
            StatusCode::CREATED,
            json!({"id": 30001, "reference": "BRA001", "name": "Brake & Clutch Ltd", "balance": "0.00",
                   "main_address": {"address_1": "4 Mill Lane", "city": "Leeds"}}),
        ),
        _ => (
            StatusCode::NOT_FOUND,
            json!([{"$severity": "error", "$dataCode": "RecordNotFound", "$message": "no", "$source": ""}]),
        ),
    }
}

fn invoice_draft() -> NewSalesInvoice {
    let mut products = NewAnalysisLine::new("4000", d("250.00"));
    products.description = Some("Brake pads".into());
    products.tax_rate_id = Some("1".into());
    products.tax = Some(d("50.00"));
    products.extra.insert("transaction_analysis_code".into(), json!("TA1"));
    let mut services = NewAnalysisLine::new("4010/NTH/WSH", d("50.00"));
    services.description = Some("Fitting".into());
    services.tax_rate_id = Some("1".into());
    services.tax = Some(d("10.00"));
    let mut draft = NewSalesInvoice::new("27825", day("2026-11-02")).analysis_line(products).analysis_line(services);
    draft.number = Some("INV-7001".into());
    draft.reference = Some("PO 5521".into());
    draft.due_date = Some(day("2026-12-02"));
    draft.extra.insert("settled_immediately".into(), json!(false));
    draft
}

#[tokio::test]
async fn an_invoice_is_sent_as_nominal_and_tax_analysis_then_read_back_by_its_urn() {
    let (books, seen) = books(write_answers).await;
    let invoice: SalesInvoice = books.create(invoice_draft()).await.unwrap();
    assert_eq!(invoice.id, "17", "the posted transaction the URN names");
    assert_eq!(invoice.totals.gross, Some(d("360")));

    let seen = seen.lock().unwrap().clone();
    let calls: Vec<_> =
        seen.iter().map(|seen| format!("{} {}", seen.method, seen.target.split('&').next().unwrap())).collect();
    assert_eq!(calls, ["POST /sales_invoices", "GET /sales_posted_transactions?$filter=urn eq 88",]);
    let body = &seen[0].body;
    assert_eq!(body["customer_id"], json!(27825));
    assert_eq!(body["reference"], "INV-7001");
    assert_eq!(body["second_reference"], "PO 5521");
    assert_eq!(body["transaction_date"], "2026-11-02T00:00:00");
    assert_eq!(body["due_date"], "2026-12-02T00:00:00");
    assert_eq!(dec(&body["document_goods_value"]), d("300"));
    assert_eq!(dec(&body["document_tax_value"]), d("60"));
    assert_eq!(body["settled_immediately"], false, "the draft's extra fields are sent");
    let nominal = body["nominal_analysis_items"].as_array().unwrap();
    assert_eq!(nominal.len(), 2);
    assert_eq!(nominal[0]["code"], "4000");
    assert_eq!(nominal[0].get("cost_centre"), None, "a code without cost centre sends none");
    assert_eq!(nominal[0]["narrative"], "Brake pads");
    assert_eq!(nominal[0]["transaction_analysis_code"], "TA1", "a line's extra fields are sent on its item");
    assert_eq!(dec(&nominal[0]["value"]), d("250"));
    assert_eq!(
        (&nominal[1]["code"], &nominal[1]["cost_centre"], &nominal[1]["department"]),
        (&json!("4010"), &json!("NTH"), &json!("WSH"))
    );
    let taxes = body["tax_analysis_items"].as_array().unwrap();
    assert_eq!(taxes.len(), 1, "lines on the same tax code share one tax item");
    assert_eq!(taxes[0]["id"], json!(1));
    assert_eq!(dec(&taxes[0]["goods_amount"]), d("300"));
    assert_eq!(dec(&taxes[0]["tax_amount"]), d("60"));
}

#[tokio::test]
async fn a_customer_is_sent_with_its_reference_address_and_default_contact() {
    let (books, seen) = books(write_answers).await;
    let mut draft = NewCustomer::new("Brake & Clutch Ltd");
    draft.reference = Some("BRA001".into());
    draft.tax_number = Some("GB123456789".into());
    draft.credit_days = Some(30);
    draft.currency_id = Some("1".into());
    draft.address =
        Some(Address { line1: Some("4 Mill Lane".into()), city: Some("Leeds".into()), ..Address::default() });
    draft.contact_person = Some(ContactPerson { name: Some("Jo Patel".into()), ..ContactPerson::default() });
    draft.email = Some("jo@brakeclutch.example".into());
    let customer: Customer = books.create(draft).await.unwrap();
    assert_eq!(customer.id, "30001");
    assert_eq!(customer.address.and_then(|address| address.city), Some("Leeds".into()));

    let body = seen.lock().unwrap()[0].body.clone();
    assert_eq!(body["name"], "Brake & Clutch Ltd");
    assert_eq!(body["reference"], "BRA001");
    assert_eq!(body["vat_number"], "GB123456789");
    assert_eq!(body["payment_terms_days"], json!(30));
    assert_eq!(body["currency_id"], json!(1));
    assert_eq!(body["main_address"]["address_1"], "4 Mill Lane");
    assert_eq!(body["main_address"]["city"], "Leeds");
    let contact = &body["contacts"][0];
    assert_eq!(
        (&contact["name"], &contact["default_email"], &contact["is_default"]),
        (&json!("Jo Patel"), &json!("jo@brakeclutch.example"), &json!(true))
    );
}

#[tokio::test]
async fn bad_ids_and_mixed_tax_codes_fail_before_anything_is_sent() {
    let (books, seen) = books(write_answers).await;
    let mut draft = invoice_draft();
    draft.party_id = "ABS001".into();
    let err = books.create(draft).await.unwrap_err();
    assert!(matches!(&err, Error::Invalid(message) if message.contains("party_id")), "{err:?}");

    let mut draft = invoice_draft();
    draft.analysis_lines[1].tax_rate_id = None;
    let err = books.create(draft).await.unwrap_err();
    assert!(matches!(&err, Error::Missing { field, .. } if field == "analysis_lines[1].tax_rate_id"), "{err:?}");

    let mut receipt = NewPayment::new(PaymentKind::CustomerReceipt, "27825", day("2026-11-20"), d("100.00"))
        .allocate("17", d("60.00"))
        .allocate("18", d("50.00"));
    receipt.bank_account_id = Some("1".into());
    let err = books.create(receipt.clone()).await.unwrap_err();
    assert!(matches!(&err, Error::Invalid(message) if message.contains("total 110.00")), "{err:?}");
    receipt.allocations[1].amount = d("0");
    let err = books.create(receipt).await.unwrap_err();
    assert!(matches!(&err, Error::Invalid(message) if message.contains("allocations[1]")), "{err:?}");
    assert!(seen.lock().unwrap().iter().all(|seen| seen.method != Method::POST), "no create was sent");
}

fn failing_answers(method: &Method, target: &str) -> (StatusCode, Value) {
    match (method.as_str(), target) {
        ("POST", "/sales_invoices") => (StatusCode::SERVICE_UNAVAILABLE, json!({"message": "upstream timed out"})),
        ("POST", "/customers") => (
            StatusCode::UNPROCESSABLE_ENTITY,
            json!([{"$severity": "error", "$dataCode": "RecordInvalid",
                    "$message": "A customer with this reference already exists", "$source": "reference"}]),
        ),
        other => write_answers(method, other.1),
    }
}

#[tokio::test]
async fn a_lost_invoice_answer_is_uncertain_and_says_how_to_look_it_up() {
    let (books, seen) = books(failing_answers).await;
    let err = books.create(invoice_draft()).await.unwrap_err();
    let Error::UncertainWrite { how_to_find, .. } = &err else { panic!("expected UncertainWrite, got {err:?}") };
    assert!(how_to_find.contains("sales_posted_transactions"), "{how_to_find}");
    assert!(how_to_find.contains("customer_id eq 27825") && how_to_find.contains("INV-7001"), "{how_to_find}");
    assert!(!err.is_retryable());
    let posts = seen.lock().unwrap().iter().filter(|seen| seen.method == Method::POST).count();
    assert_eq!(posts, 1, "a create Sage does not make idempotent is not sent twice");
}

#[tokio::test]
async fn sage_200_refusals_name_the_model_field() {
    let (books, _) = books(failing_answers).await;
    let mut draft = NewCustomer::new("ABS Garages Ltd");
    draft.reference = Some("ABS001".into());
    let err = books.create(draft).await.unwrap_err();
    let Error::Validation { field, code, message, .. } = &err else { panic!("{err:?}") };
    assert_eq!(field.as_deref(), Some("reference"));
    assert_eq!(code, "RecordInvalid");
    assert!(message.contains("already exists"));
}

fn unfindable_answers(method: &Method, target: &str) -> (StatusCode, Value) {
    match (method.as_str(), target.split('?').next().unwrap_or_default()) {
        ("POST", "/sales_invoices") => (StatusCode::CREATED, json!({"urn": "99"})),
        ("GET", "/sales_posted_transactions") => (StatusCode::OK, json!([])),
        _ => (StatusCode::NOT_FOUND, json!([])),
    }
}

#[tokio::test]
async fn an_invoice_posted_but_not_found_by_its_urn_says_it_was_posted() {
    let (books, seen) = books(unfindable_answers).await;
    let err = books.create(invoice_draft()).await.unwrap_err();
    let Error::PartlyMade { made, failed } = &err else { panic!("expected PartlyMade, got {err:?}") };
    assert!(made.contains("posted to the sales ledger as URN 99"), "{made}");
    assert!(matches!(**failed, Error::Decode(_)), "{failed:?}");
    assert!(!err.is_retryable(), "posting it again would make a second invoice");
    let posts = seen.lock().unwrap().iter().filter(|seen| seen.method == Method::POST).count();
    assert_eq!(posts, 1);
}
