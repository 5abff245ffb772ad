//! The sandbox filters like Sage: documented filters are honoured, others refused (never ignored);
//! `displayed_as` follows every write; ledger accounts keep their `visible_in_*` areas; Sage 200's
//! OData `$filter` operators each filter.

mod common;

use reqwest::{Method, StatusCode};
use sage_sandbox::{fixtures, Sandbox};
use serde_json::{json, Value};

/// Signed-in calls to one product, with its headers.
struct Api {
    base: String,
    token: String,
    sage200: bool,
}

impl Api {
    async fn new(sandbox: &Sandbox, product: &str) -> Self {
        let token = common::access_token(sandbox, product).await;
        let base = sandbox.endpoints(product).unwrap().api_base_url;
        Self { base, token, sage200: product.starts_with("sage200") }
    }

    async fn send(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut request = common::http().request(method, format!("{}{path}", self.base)).bearer_auth(&self.token);
        if self.sage200 {
            request = request
                .header("X-Company", fixtures::SAGE200_COMPANIES[0].0)
                .header("X-Site", fixtures::SAGE200_SITE_ID);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let bytes = response.bytes().await.unwrap();
        (status, if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).unwrap() })
    }

    async fn items(&self, path: &str) -> Vec<Value> {
        let (status, body) = self.send(Method::GET, path, None).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        body.get("$items").unwrap_or(&body).as_array().cloned().unwrap_or_default()
    }
}

/// A refusal in Sage's error item shape, naming the parameter in `$source`.
fn assert_refused(status: StatusCode, body: &Value, source: &str) {
    assert!(status == StatusCode::BAD_REQUEST || status == StatusCode::UNPROCESSABLE_ENTITY, "{status}: {body}");
    let item = &body[0];
    for key in ["$severity", "$dataCode", "$message"] {
        assert!(item[key].is_string(), "{key} in {body}");
    }
    assert_eq!(item["$source"], source, "{body}");
}

#[tokio::test]
async fn visible_in_sales_lists_only_sales_accounts_and_a_sales_line_must_post_to_one() {
    let sandbox = common::auto_sandbox().await;
    let api = Api::new(&sandbox, "accounting-v31").await;
    let sales = api.items("/ledger_accounts?visible_in=sales&attributes=all").await;
    assert!(!sales.is_empty());
    for account in &sales {
        assert_eq!(account["visible_in_sales"], true, "{account}");
        assert_ne!(account["ledger_account_type"]["id"], "BANK", "{account}");
    }
    let banking = api.items("/ledger_accounts?visible_in=banking&attributes=all").await;
    assert_eq!(banking.len(), 1);
    assert_eq!(banking[0]["visible_in_sales"], false, "the bank account is not a sales account");
    let not_sales = api.items("/ledger_accounts?not_visible_in=sales&attributes=all").await;
    assert!(not_sales.iter().any(|account| account["id"] == banking[0]["id"]));
    assert!(not_sales.iter().all(|account| account["visible_in_sales"] != true));

    let (status, body) = api.send(Method::GET, "/ledger_accounts?visible_in=everywhere", None).await;
    assert_refused(status, &body, "visible_in");

    // An invoice line posted to the bank account is refused; to a sales account it is accepted.
    let contact = &api.items("/contacts").await[0];
    let invoice = |ledger: &Value| {
        json!({"sales_invoice": {
            "contact_id": contact["id"], "date": "2024-06-01",
            "invoice_lines": [{"description": "Pads", "quantity": "1", "unit_price": "10.00",
                               "ledger_account_id": ledger["id"], "tax_rate_id": "GB_STANDARD"}],
        }})
    };
    let (status, body) = api.send(Method::POST, "/sales_invoices", Some(invoice(&banking[0]))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body[0]["$source"], "invoice_lines[0].ledger_account_id", "{body}");
    let (status, body) = api.send(Method::POST, "/sales_invoices", Some(invoice(&sales[0]))).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn documented_filters_filter_and_unknown_ones_are_refused() {
    let sandbox = common::auto_sandbox().await;
    let api = Api::new(&sandbox, "accounting-v31").await;
    let contacts = api.items("/contacts?items_per_page=200&attributes=all").await;
    let customers = api.items("/contacts?contact_type_id=CUSTOMER&items_per_page=200").await;
    let suppliers = api.items("/contacts?contact_type_id=VENDOR&items_per_page=200").await;
    assert_eq!(customers.len() + suppliers.len(), contacts.len());
    assert!(!customers.is_empty() && !suppliers.is_empty());
    let email = contacts[3]["email"].as_str().unwrap().to_uppercase();
    let by_email = api.items(&format!("/contacts?email={email}")).await;
    assert_eq!(by_email.len(), 1);
    assert_eq!(by_email[0]["id"], contacts[3]["id"]);

    let invoices = api.items("/sales_invoices?contact_id=".to_owned().as_str()).await;
    assert!(invoices.is_empty(), "no contact has an empty id");
    let first = &contacts[0];
    let theirs = api.items(&format!("/sales_invoices?contact_id={}", first["id"].as_str().unwrap())).await;
    assert_eq!(theirs.len(), 1);
    assert!(api.items("/sales_invoices?from_date=2030-01-01").await.is_empty());
    assert_eq!(api.items("/sales_invoices?from_date=2024-01-01&to_date=2024-12-31").await.len(), 3);

    for (query, source) in [
        ("/contacts?colour=red", "colour"),
        ("/ledger_accounts?visible=sales", "visible"),
        ("/contacts?sort=no_such_field:asc", "sort"),
        ("/contacts?show_balance=true&filter_inactive_contacts=yes", "filter_inactive_contacts"),
    ] {
        let (status, body) = api.send(Method::GET, query, None).await;
        assert_refused(status, &body, source);
    }
}

#[tokio::test]
async fn displayed_as_follows_every_write_in_the_seeded_form() {
    let sandbox = common::auto_sandbox().await;
    let api = Api::new(&sandbox, "accounting-v31").await;
    let seeded = &api.items("/contacts?attributes=name,reference").await[0];
    let form = format!("{} ({})", seeded["name"].as_str().unwrap(), seeded["reference"].as_str().unwrap());
    assert_eq!(seeded["displayed_as"], form.as_str());

    let new = json!({"contact": {"name": "Hartley Motors", "reference": "HART001", "contact_type_ids": ["CUSTOMER"]}});
    let (status, created) = api.send(Method::POST, "/contacts", Some(new)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["displayed_as"], "Hartley Motors (HART001)", "new contacts show the seeded form");

    let path = format!("/contacts/{}", created["id"].as_str().unwrap());
    let rename = json!({"contact": {"name": "Hartley Motor Group"}});
    let (status, renamed) = api.send(Method::PUT, &path, Some(rename)).await;
    assert_eq!(status, StatusCode::OK, "{renamed}");
    assert_eq!(renamed["displayed_as"], "Hartley Motor Group (HART001)");
    let (_, read) = api.send(Method::GET, &path, None).await;
    assert_eq!(read["displayed_as"], "Hartley Motor Group (HART001)", "the rename is kept");
    let listed = api.items("/contacts?search=Hartley").await;
    assert_eq!(listed[0]["displayed_as"], "Hartley Motor Group (HART001)");
}

#[tokio::test]
async fn sage200_odata_operators_each_filter() {
    let sandbox = common::auto_sandbox().await;
    let api = Api::new(&sandbox, "sage200-pro").await;
    let references = |filter: &str| {
        let path = format!("/customers?$orderby=reference&$filter={}", urlencode(filter));
        let api = &api;
        async move { api.items(&path).await.iter().map(|c| c["reference"].as_str().unwrap().to_owned()).collect::<Vec<_>>() }
    };
    // ABS001 2464.16, BRO001 1090.5, COM001 0.
    assert_eq!(references("reference eq 'ABS001'").await, ["ABS001"]);
    assert_eq!(references("reference ne 'ABS001'").await, ["BRO001", "COM001"]);
    assert_eq!(references("balance gt 1090.5").await, ["ABS001"]);
    assert_eq!(references("balance ge 1090.5").await, ["ABS001", "BRO001"]);
    assert_eq!(references("balance lt 1090.5").await, ["COM001"]);
    assert_eq!(references("balance le 1090.5").await, ["BRO001", "COM001"]);
    assert_eq!(references("balance gt 0 and credit_limit lt 3000").await, ["BRO001"]);
    assert_eq!(references("reference eq 'ABS001' or reference eq 'COM001'").await, ["ABS001", "COM001"]);
    assert_eq!(references("not (reference eq 'ABS001')").await, ["BRO001", "COM001"]);
    assert_eq!(references("contains(name,'Builders')").await, ["BRO001"]);
    assert_eq!(references("startswith(name,'Comp')").await, ["COM001"]);
    assert_eq!(references("endswith(name,'Ltd')").await, ["ABS001"]);
    assert_eq!(
        references("on_hold eq false and (startswith(reference,'A') or balance eq 0)").await,
        ["ABS001", "COM001"]
    );

    let selected = api.items("/customers?$select=reference,name&$orderby=reference&$top=1").await;
    assert_eq!(selected, [json!({"reference": "ABS001", "name": "ABS Garages Ltd"})]);

    for (query, source) in [
        ("/customers?$filter=reference%20in%20('ABS001')", "$filter"),
        ("/customers?$filter=colour%20eq%20'red'", "$filter"),
        ("/customers?$orderby=colour", "$orderby"),
        ("/customers?$top=5001", "$top"),
        ("/customers?$skip=1", "$skip"),
        ("/customers?$search=ABS", "$search"),
    ] {
        let (status, body) = api.send(Method::GET, query, None).await;
        assert_refused(status, &body, source);
    }
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
