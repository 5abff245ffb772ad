//! Single-object resources, query options, reference data and computed invoice totals.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::{common, Api};

#[tokio::test]
async fn single_object_resources_answer_objects_and_keep_updates() {
    let sandbox = common::auto_sandbox().await;
    let v31 = Api::new(&sandbox, "accounting-v31").await;
    for path in ["/business_settings", "/financial_settings", "/invoice_settings", "/cis_settings", "/datev_settings"] {
        let (status, body) = v31.send(Method::GET, path, None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.is_object(), "{path}: {body}");
    }
    let update = json!({"financial_settings": {"year_end_date": "2025-03-31"}});
    let (status, updated) = v31.send(Method::PUT, "/financial_settings", Some(&update)).await;
    assert_eq!((status, updated["year_end_date"].as_str()), (StatusCode::OK, Some("2025-03-31")), "{updated}");
    let (_, read) = v31.send(Method::GET, "/financial_settings", None).await;
    assert_eq!(read["year_end_date"], "2025-03-31");
    assert!(read.get("base_currency").is_some() || read.get("tax_number").is_some(), "the other fields stay: {read}");

    let v3 = Api::new(&sandbox, "accounting-v3").await;
    for path in ["/accounts/v3/business_settings", "/accounts/v3/migrations", "/core/v3/business", "/core/v3/me"] {
        let (status, body) = v3.send(Method::GET, path, None).await;
        assert!(status == StatusCode::OK && body.is_object(), "{path}: {status} {body}");
    }
    let sage200 = Api::new(&sandbox, "sage200-pro").await;
    let (status, body) = sage200.send(Method::GET, "/current_user", None).await;
    assert!(status == StatusCode::OK && body.is_object(), "{status} {body}");
}

#[tokio::test]
async fn sage200_orders_selects_expands_counts_and_wants_orderby_for_skip() {
    let sandbox = common::auto_sandbox().await;
    let api = Api::new(&sandbox, "sage200-pro").await;
    let names = |items: &Value| -> Vec<String> {
        items.as_array().unwrap().iter().map(|item| item["name"].as_str().unwrap().to_owned()).collect()
    };
    let (_, descending) = api.send(Method::GET, "/customers?$orderby=name%20desc", None).await;
    assert_eq!(names(&descending), ["Compton Packaging", "Bronson Builders Merchants", "ABS Garages Ltd"]);
    let (_, by_balance) = api.send(Method::GET, "/customers?$orderby=balance&$select=name,balance", None).await;
    assert_eq!(names(&by_balance)[0], "Compton Packaging");
    // Sage 200's decimals arrive as strings by default (the live shapes' tolerance).
    assert_eq!(by_balance[0], json!({"name": "Compton Packaging", "balance": "0.0"}), "only the selected fields");

    let (status, error) = api.send(Method::GET, "/customers?$skip=1", None).await;
    assert_eq!((status, error[0]["$source"].as_str()), (StatusCode::BAD_REQUEST, Some("$skip")));
    let (_, skipped) = api.send(Method::GET, "/customers?$skip=1&$orderby=reference", None).await;
    assert_eq!(names(&skipped), ["Bronson Builders Merchants", "Compton Packaging"]);

    let (status, headers, page) =
        api.send_with_headers(Method::GET, "/customers?$count=true&$top=1&$orderby=id", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.as_array().unwrap().len(), 1);
    assert_eq!(headers["x-total-count"], "3", "the count covers every match, not the page");
    let (status, error) = api.send(Method::GET, "/customers?$top=100000", None).await;
    assert_eq!((status, error[0]["$source"].as_str()), (StatusCode::BAD_REQUEST, Some("$top")), "$top above 5000");
    let (_, all) = api.send(Method::GET, "/customers?$top=5000", None).await;
    assert_eq!(all.as_array().unwrap().len(), 3);

    let (_, expanded) = api
        .send(
            Method::GET,
            "/customers?$filter=reference%20eq%20'ABS001'&$expand=currency&$select=name,currency.symbol",
            None,
        )
        .await;
    assert_eq!(expanded[0], json!({"name": "ABS Garages Ltd", "currency": {"symbol": "£"}}));
    let (status, _) = api.send(Method::GET, "/customers?$expand=currency/rates", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "one level only");
}

#[tokio::test]
async fn v31_sorts_trims_to_attributes_and_searches() {
    let sandbox = common::auto_sandbox().await;
    let api = Api::new(&sandbox, "accounting-v31").await;
    let plain = api.items("/contacts").await;
    let keys: Vec<&String> = plain[0].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["$path", "displayed_as", "id"], "lists show the base attributes by default");
    let named = api.items("/contacts?attributes=name,balance").await;
    assert!(named[0].get("name").is_some() && named[0].get("balance").is_some() && named[0].get("email").is_none());
    let all = api.items("/contacts?attributes=all").await;
    assert!(all[0].get("email").is_some() && all[0].get("contact_types").is_some());

    let sorted = api.items("/contacts?sort=name:desc&attributes=name").await;
    assert!(sorted[0]["name"].as_str().unwrap().starts_with("Supplier 3"), "{}", sorted[0]);
    let by_balance = api.items("/contacts?sort=balance:desc&attributes=balance").await;
    let balances: Vec<f64> = by_balance.iter().map(|c| c["balance"].as_str().unwrap().parse().unwrap()).collect();
    assert!(balances.windows(2).all(|pair| pair[0] >= pair[1]), "{balances:?}");
    let found = api.items("/contacts?search=CUST007").await;
    assert_eq!(found.len(), 1);
}

#[tokio::test]
async fn invoices_use_seeded_reference_data_get_exact_totals_and_raise_the_balance() {
    // The spec shapes keep money as the sandbox computes it ("251.30"; live writes "251.3") and name the
    // field of an unknown reference in `$source` (live leaves it empty).
    let sandbox = common::spec_sandbox().await;
    let api = Api::new(&sandbox, "accounting-v31").await;
    for path in
        ["/contact_types", "/ledger_accounts", "/tax_rates", "/currencies", "/countries", "/products", "/services"]
    {
        assert!(!api.items(path).await.is_empty(), "{path} is seeded");
    }
    let tax_rates = api.items("/tax_rates?attributes=percentage").await;
    let standard = tax_rates.iter().find(|rate| rate["percentage"] == "20.00").unwrap();
    let ledger = api.items("/ledger_accounts?attributes=nominal_code").await;
    let sales = ledger.iter().find(|account| account["nominal_code"] == 4000).unwrap();
    let contact = api.items("/contacts?attributes=balance").await.into_iter().nth(10).unwrap();
    let balance_before: f64 = contact["balance"].as_str().unwrap().parse().unwrap();

    let line = |quantity: &str, price: &str| {
        json!({"description": "Part", "quantity": quantity, "unit_price": price,
               "ledger_account_id": sales["id"], "tax_rate_id": standard["id"]})
    };
    let body = json!({"sales_invoice": {
        "contact_id": contact["id"], "date": "2026-11-25",
        "invoice_lines": [line("3", "0.10"), line("2", "125.50")],
    }});
    let (status, invoice) = api.send(Method::POST, "/sales_invoices", Some(&body)).await;
    assert_eq!(status, StatusCode::CREATED, "{invoice}");
    assert_eq!(invoice["net_amount"], "251.30", "0.10 × 3 is exactly 0.30");
    assert_eq!(invoice["tax_amount"], "50.26");
    assert_eq!(invoice["total_amount"], "301.56");
    assert_eq!(invoice["invoice_lines"][0]["tax_rate"]["displayed_as"], standard["displayed_as"]);
    assert_eq!(invoice["invoice_lines"][1]["ledger_account"]["id"], sales["id"]);
    assert_eq!(invoice["contact"]["id"], contact["id"]);

    let (_, after) = api.send(Method::GET, contact["$path"].as_str().unwrap(), None).await;
    let balance_after: f64 = after["balance"].as_str().unwrap().parse().unwrap();
    assert!((balance_after - balance_before - 301.56).abs() < 1e-9, "{balance_before} → {balance_after}");

    let unknown = json!({"sales_invoice": {"contact_id": contact["id"], "date": "2026-11-25",
        "invoice_lines": [{"description": "x", "quantity": "1", "unit_price": "1", "ledger_account_id": "sales"}]}});
    let (status, error) = api.send(Method::POST, "/sales_invoices", Some(&unknown)).await;
    assert_eq!(
        (status, error[0]["$source"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invoice_lines[0].ledger_account_id"))
    );
}
