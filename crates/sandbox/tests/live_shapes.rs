//! The live APIs' shapes, which the sandbox answers in by default, and the specs' shapes that
//! `spec_shapes(true)` keeps: each quirk is checked both ways.

mod common;

use reqwest::{Method, StatusCode};
use sage_sandbox::{fixtures, Sandbox};
use serde_json::{json, Value};

/// Signed-in calls to one product, returning the JSON text as sent.
struct Client {
    base: String,
    token: String,
    product: &'static str,
}

impl Client {
    async fn new(sandbox: &Sandbox, product: &'static str) -> Self {
        let token = common::access_token(sandbox, product).await;
        Self { base: sandbox.endpoints(product).unwrap().api_base_url, token, product }
    }

    async fn text(&self, method: Method, path: &str, body: Option<&Value>) -> (StatusCode, String) {
        let mut request = common::http().request(method, format!("{}{path}", self.base)).bearer_auth(&self.token);
        request = match self.product {
            "accounting-v3" => {
                request.header("X-Site", fixtures::V3_SITE_ID).header("Ocp-Apim-Subscription-Key", "key")
            }
            "sage200-pro" | "sage200-standard" => {
                request.header("X-Company", "1").header("X-Site", fixtures::SAGE200_SITE_ID)
            }
            _ => request,
        };
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.unwrap();
        (response.status(), response.text().await.unwrap())
    }

    async fn send(&self, method: Method, path: &str, body: Option<&Value>) -> (StatusCode, Value) {
        let (status, text) = self.text(method, path, body).await;
        (status, serde_json::from_str(&text).unwrap_or_else(|error| panic!("{path}: {error}: {text}")))
    }

    async fn get(&self, path: &str) -> Value {
        let (status, body) = self.send(Method::GET, path, None).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        body
    }
}

/// A live-shaped sandbox and a spec-shaped one, each with a client of `product`.
async fn both(product: &'static str) -> [(Sandbox, Client); 2] {
    let live = common::auto_sandbox().await;
    let spec = common::spec_sandbox().await;
    let (live_client, spec_client) = (Client::new(&live, product).await, Client::new(&spec, product).await);
    [(live, live_client), (spec, spec_client)]
}

fn keys(record: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = record.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    keys
}

/// The first seeded sales invoice, whole.
async fn first_invoice(client: &Client) -> Value {
    let page = client.get("/sales_invoices").await;
    client.get(page["$items"][0]["$path"].as_str().unwrap()).await
}

#[tokio::test]
async fn decimals_are_ruby_style_strings_and_integers_stay_numbers() {
    let [(_l, live), (_s, spec)] = both("accounting-v31").await;
    let rates = live.get("/tax_rates?attributes=percentage").await;
    assert_eq!(rates["$items"][0]["percentage"], "20.0", "{rates}");
    let rates = spec.get("/tax_rates?attributes=percentage").await;
    assert_eq!(rates["$items"][0]["percentage"], "20.00", "{rates}");
    for client in [&live, &spec] {
        let ledger = client.get("/ledger_accounts?attributes=nominal_code").await;
        assert!(ledger["$items"][0]["nominal_code"].is_u64(), "nominal_code is a number: {ledger}");
    }

    // A client may send numbers; live answers with strings, the spec shapes echo what was stored.
    let contact = live.get("/contacts").await["$items"][0].clone();
    let line = json!({"description": "Part", "quantity": 2, "unit_price": 69.9, "ledger_account_id":
        live.get("/ledger_accounts").await["$items"][1]["id"], "tax_rate_id": "GB_STANDARD"});
    let body = json!({"sales_invoice": {"contact_id": contact["id"], "date": "2026-12-07", "invoice_lines": [line]}});
    let (status, invoice) = live.send(Method::POST, "/sales_invoices", Some(&body)).await;
    assert_eq!(status, StatusCode::CREATED, "{invoice}");
    let line = &invoice["invoice_lines"][0];
    assert_eq!((&line["quantity"], &line["unit_price"]), (&json!("2.0"), &json!("69.9")), "{line}");
    assert_eq!((&invoice["net_amount"], &invoice["total_amount"]), (&json!("139.8"), &json!("167.76")));

    let contact = spec.get("/contacts").await["$items"][0].clone();
    let line = json!({"description": "Part", "quantity": 2, "unit_price": 69.9, "ledger_account_id":
        spec.get("/ledger_accounts").await["$items"][1]["id"], "tax_rate_id": "GB_STANDARD"});
    let body = json!({"sales_invoice": {"contact_id": contact["id"], "date": "2026-12-07", "invoice_lines": [line]}});
    let (_, invoice) = spec.send(Method::POST, "/sales_invoices", Some(&body)).await;
    let line = &invoice["invoice_lines"][0];
    assert_eq!((&line["quantity"], &line["unit_price"]), (&json!(2), &json!(69.9)), "{line}");
    assert_eq!(invoice["net_amount"], "139.80");

    let [(_l, live), (_s, spec)] = both("accounting-v3").await;
    let rates = live.get("/accounts/v3/tax_rates?attributes=percentage").await;
    assert_eq!(rates["$items"][0]["percentage"], "20.0", "v3 too: {rates}");
    let rates = spec.get("/accounts/v3/tax_rates?attributes=percentage").await;
    assert_eq!(rates["$items"][0]["percentage"], "20.00");
}

#[tokio::test]
async fn unset_fields_are_null_and_the_dates_sage_blanks_are_empty() {
    let [(_l, live), (_s, spec)] = both("accounting-v31").await;
    let invoice = first_invoice(&live).await;
    assert_eq!(invoice["last_paid"], "", "nothing paid yet: {invoice}");
    assert!(invoice["void_reason"].is_null() && invoice.get("void_reason").is_some(), "{invoice}");
    assert!(invoice["invoice_lines"][0].get("service").is_some_and(Value::is_null), "lines are whole too");
    let invoice = first_invoice(&spec).await;
    assert!(invoice.get("last_paid").is_none() && invoice.get("void_reason").is_none(), "{invoice}");

    let settings = live.get("/financial_settings").await;
    assert_eq!((&settings["mtd_authenticated_date"], &settings["mtd_connected"]), (&json!(""), &json!(false)));
    let settings = spec.get("/financial_settings").await;
    assert_eq!(settings["mtd_authenticated_date"], "2024-04-01", "the schema example's date");

    let contact = live.get("/contacts?attributes=all").await["$items"][0].clone();
    assert!(contact.get("credit_limit").is_some_and(Value::is_null), "{contact}");
    let contact = spec.get("/contacts?attributes=all").await["$items"][0].clone();
    assert!(contact.get("credit_limit").is_none(), "{contact}");
}

#[tokio::test]
async fn contacts_and_sales_invoices_carry_fields_in_no_spec() {
    let [(_l, live), (_s, spec)] = both("accounting-v31").await;
    let undocumented = ["mandate_active", "preferred_address", "preferred_contact_person", "send_statements"];
    let path = live.get("/contacts").await["$items"][0]["$path"].as_str().unwrap().to_owned();
    let contact = live.get(&path).await;
    for field in undocumented.iter().chain(&["statement_run"]) {
        assert!(contact.get(field).is_some(), "{field}: {contact}");
    }
    assert_eq!((&contact["mandate_active"], &contact["send_statements"]), (&json!(false), &json!(true)));
    assert!(contact["statement_run"]["id"].is_string() && contact["statement_run"]["name"].is_string());
    assert!(first_invoice(&live).await.get("pas_payment_submission").is_some_and(Value::is_null));

    let contact = spec.get(&path).await;
    assert!(undocumented.iter().all(|field| contact.get(field).is_none()), "{contact}");
    assert!(first_invoice(&spec).await.get("pas_payment_submission").is_none());
}

#[tokio::test]
async fn a_sales_documents_own_address_has_an_empty_path() {
    for (index, (_sandbox, client)) in both("accounting-v31").await.iter().enumerate() {
        let contact = client.get("/contacts").await["$items"][0].clone();
        let address = json!({"address_line_1": "2 Quay Road", "city": "Hull", "postal_code": "HU1 1AA"});
        let ledger_account = client.get("/ledger_accounts").await["$items"][1]["id"].clone();
        let line = json!({"description": "Part", "quantity": "1", "unit_price": "10",
            "ledger_account_id": ledger_account, "tax_rate_id": "GB_STANDARD"});
        let body = json!({"sales_quote": {"contact_id": contact["id"], "date": "2026-12-07",
            "expiry_date": "2027-01-07", "main_address": address, "quote_lines": [line]}});
        let (status, quote) = client.send(Method::POST, "/sales_quotes", Some(&body)).await;
        assert_eq!(status, StatusCode::CREATED, "{quote}");
        match index {
            0 => assert_eq!(quote["main_address"]["$path"], "", "live: {quote}"),
            _ => assert!(quote["main_address"].get("$path").is_none(), "spec: {quote}"),
        }
        assert_eq!(quote["main_address"]["city"], "Hull");
    }
}

#[tokio::test]
async fn lists_show_the_base_attributes_and_created_at_with_an_explicit_list() {
    let [(_l, live), (_s, spec)] = both("accounting-v31").await;
    for client in [&live, &spec] {
        let page = client.get("/sales_invoices").await;
        assert_eq!(keys(&page["$items"][0]), ["$path", "displayed_as", "id"]);
    }
    let page = live.get("/sales_invoices?attributes=date").await;
    assert_eq!(keys(&page["$items"][0]), ["$path", "created_at", "date", "displayed_as", "id"]);
    let page = spec.get("/sales_invoices?attributes=date").await;
    assert_eq!(keys(&page["$items"][0]), ["$path", "date", "displayed_as", "id"]);
}

#[tokio::test]
async fn the_user_has_no_path_and_businesses_page_in_snake_case() {
    let [(_l, live), (_s, spec)] = both("accounting-v31").await;
    assert!(live.get("/user").await.get("$path").is_none());
    assert_eq!(spec.get("/user").await["$path"], "/user");

    let page = live.get("/businesses").await;
    assert_eq!(page["$items_per_page"], 2_147_483_647_u64, "{page}");
    assert!(page.get("$itemsPerPage").is_none());
    assert_eq!(page["$total"], fixtures::V31_BUSINESSES.len());
    assert_eq!(keys(&page["$items"][0]), ["$path", "displayed_as", "id"]);
    let page = spec.get("/businesses").await;
    assert_eq!((page["$itemsPerPage"].as_u64(), page.get("$items_per_page")), (Some(20), None));
    assert!(page["$items"][0].get("name").is_some(), "whole businesses: {page}");
}

#[tokio::test]
async fn next_links_arrive_with_escaped_ampersands() {
    let [(_l, live), (_s, spec)] = both("accounting-v31").await;
    let (status, text) = live.text(Method::GET, "/contacts?items_per_page=5", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text.contains(r#""/contacts?page=2\u0026items_per_page=5""#) && !text.contains('&'), "{text}");
    let page: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(page["$next"], "/contacts?page=2&items_per_page=5", "the same link once decoded");
    let (_, text) = spec.text(Method::GET, "/contacts?items_per_page=5", None).await;
    assert!(text.contains(r#""/contacts?page=2&items_per_page=5""#), "{text}");
}

#[tokio::test]
async fn errors_leave_source_empty_where_live_sage_does() {
    let [(_l, live), (_s, spec)] = both("accounting-v31").await;
    let missing = "/contacts/0123456789abcdef0123456789abcdef";
    let (status, error) = live.send(Method::GET, missing, None).await;
    assert_eq!(
        (status, &error[0]["$dataCode"], &error[0]["$source"]),
        (StatusCode::NOT_FOUND, &json!("RecordNotFound"), &json!(""))
    );
    let (_, error) = spec.send(Method::GET, missing, None).await;
    assert_eq!(error[0]["$source"], "id");

    let unknown_type = json!({"contact": {"name": "A", "contact_type_ids": ["NOT_A_TYPE"]}});
    let wrong_type = json!({"contact": {"name": "A", "contact_type_ids": ["CUSTOMER"], "credit_limit": "lots"}});
    let (status, error) = live.send(Method::POST, "/contacts", Some(&unknown_type)).await;
    assert_eq!((status, &error[0]["$source"]), (StatusCode::UNPROCESSABLE_ENTITY, &json!("")), "{error}");
    let (_, error) = spec.send(Method::POST, "/contacts", Some(&unknown_type)).await;
    assert_eq!(error[0]["$source"], "contact_type_ids[0]");
    for client in [&live, &spec] {
        let (_, error) = client.send(Method::POST, "/contacts", Some(&wrong_type)).await;
        assert_eq!(error[0]["$source"], "credit_limit", "other invalid data names its field: {error}");
    }

    let response = common::http().get(format!("{}/contacts", live.base)).bearer_auth("x").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let error: Value = response.json().await.unwrap();
    assert_eq!((&error[0]["$dataCode"], &error[0]["$source"]), (&json!("AuthorizationFailure"), &json!("")));
}

#[tokio::test]
async fn sage200_gets_decimals_as_strings_empty_dates_and_extra_fields() {
    for product in ["sage200-pro", "sage200-standard"] {
        let [(_l, live), (_s, spec)] = both(product).await;
        let customer = live.get("/customers/27825").await;
        assert_eq!((&customer["balance"], &customer["credit_limit"]), (&json!("2464.16"), &json!("4000.0")));
        assert_eq!((&customer["spare_date_1"], &customer["date_of_last_transaction"]), (&json!(""), &json!("")));
        assert_eq!(customer["credit_limit_exceeded"], false);
        assert!(customer["id"].is_u64() && customer["country_code_id"].is_u64(), "integers stay numbers");
        let listed = live.get("/customers?$select=name,balance&$orderby=name").await;
        assert_eq!(listed[0], json!({"name": "ABS Garages Ltd", "balance": "2464.16"}), "{listed}");

        let customer = spec.get("/customers/27825").await;
        assert_eq!(customer["balance"], json!(2464.16));
        assert!(customer.get("spare_date_1").is_none() && customer.get("credit_limit_exceeded").is_none());
    }
}
