//! `sage demo`: the whole story against an embedded sandbox, for every product compiled in —
//! consent, code exchange, a list, an invoice created and read back, a refresh and a revocation.

use std::fmt::Write as _;
use std::time::Instant;

use sage_core::auth::AuthError;
use sage_core::catalog;
use sage_core::types::Decimal;
use serde_json::{json, Value};

use crate::cli::ConnectionArgs;
use crate::error::CliError;
use crate::products::{self, Entry};
use crate::session::{sandbox_session, start_sandbox, Session};

/// What the demo does with one product, by operation name.
struct Story {
    /// Lists the customers.
    list: &'static str,
    /// Lists the tax rates (codes) and ledger accounts (nominal codes), with the query that shows the
    /// field the demo picks them by.
    taxes: (&'static str, &'static [(&'static str, &'static str)]),
    ledgers: (&'static str, &'static [(&'static str, &'static str)]),
    products: (&'static str, &'static [(&'static str, &'static str)]),
    /// Whether a record is the standard tax rate, the products sales ledger account, the brake pads.
    is_standard_tax: fn(&Value) -> bool,
    is_sales_ledger: fn(&Value) -> bool,
    is_brake_pads: fn(&Value) -> bool,
    /// Creates an invoice for a customer: operation and body.
    create_invoice: &'static str,
    invoice_body: fn(&Value, &Reference) -> Value,
    /// The invoice's net, tax and total fields.
    totals: [&'static str; 3],
    /// Reads the invoice back by id.
    get_invoice: &'static str,
    /// The name of its id parameter.
    id_param: &'static str,
}

/// The seeded reference data an invoice line points at.
struct Reference {
    tax: Value,
    ledger: Value,
    product: Value,
}

fn accounting_invoice(customer: &Value, reference: &Reference) -> Value {
    json!({"sales_invoice": {
        "contact_id": customer["id"],
        "date": "2026-11-25",
        "invoice_lines": [{
            "description": "Brake pads, fitted",
            "product_id": reference.product["id"],
            "ledger_account_id": reference.ledger["id"],
            "tax_rate_id": reference.tax["id"],
            "quantity": "2",
            "unit_price": "125.50",
        }],
    }})
}

/// Sage 200 takes sales invoices through sales orders: the order is what can be read back.
fn sage200_order(customer: &Value, reference: &Reference) -> Value {
    json!({
        "customer_id": customer["id"],
        "document_no": "SO-DEMO-1",
        "document_date": "2026-11-25T00:00:00",
        "lines": [{
            "line_type": "EnumLineTypeStandard",
            "product_id": reference.product["id"],
            "warehouse_id": 1,
            "code": reference.product["code"],
            "description": "Brake pads, fitted",
            "line_quantity": 2,
            "selling_unit_price": 125.50,
            "tax_code_id": reference.tax["id"],
            "nominal_reference": reference.ledger["reference"],
        }],
    })
}

fn story(product: &str) -> Option<Story> {
    match product {
        "accounting-v31" | "accounting-v3" => Some(Story {
            list: "list_contacts",
            taxes: ("list_tax_rates", &[("attributes", "percentage")]),
            ledgers: ("list_ledger_accounts", &[("attributes", "nominal_code")]),
            products: ("list_products", &[("attributes", "item_code")]),
            is_standard_tax: |rate| decimal(&rate["percentage"]) == Some(Decimal::from(20)),
            is_sales_ledger: |account| account["nominal_code"] == 4000,
            is_brake_pads: |product| product["item_code"] == "BRAKE01",
            create_invoice: "create_sales_invoice",
            invoice_body: accounting_invoice,
            totals: ["net_amount", "tax_amount", "total_amount"],
            get_invoice: "get_sales_invoice",
            id_param: "key",
        }),
        "sage200-pro" | "sage200-standard" => Some(Story {
            list: "list_customers",
            taxes: ("list_tax_codes", &[]),
            ledgers: ("list_nominal_codes", &[]),
            products: ("list_products", &[]),
            is_standard_tax: |code| decimal(&code["tax_rate"]) == Some(Decimal::from(20)),
            is_sales_ledger: |code| code["reference"] == "4000",
            is_brake_pads: |product| product["code"] == "BRAKE01",
            create_invoice: "create_sop_order",
            invoice_body: sage200_order,
            totals: ["total_net_value", "total_tax_value", "total_gross_value"],
            get_invoice: "get_sop_order",
            id_param: "Id",
        }),
        _ => None,
    }
}

/// The first listed record that `wanted` accepts.
async fn find(
    session: &Session,
    (operation, query): (&str, &[(&str, &str)]),
    wanted: fn(&Value) -> bool,
) -> Result<Value, CliError> {
    let page = call(session, operation, query, None).await?;
    let items = page.get("$items").unwrap_or(&page).as_array().cloned().unwrap_or_default();
    items.into_iter().find(wanted).ok_or_else(|| CliError::Other(format!("{operation}: no seeded record to use")))
}

/// A decimal field's value, whether Sage wrote it as text (`"20.0"`, as live Sage does) or a number.
fn decimal(value: &Value) -> Option<Decimal> {
    value.as_str().map_or_else(|| value.to_string(), str::to_owned).parse().ok()
}

/// A money field (a string on Accounting, a number on Sage 200) with two decimals.
fn shown(value: &Value) -> String {
    let text = value.as_str().map_or_else(|| value.to_string(), str::to_owned);
    text.parse::<Decimal>().map_or(text, |amount| format!("{amount:.2}"))
}

/// How a record names itself: Accounting's `displayed_as`, else Sage 200's name and reference.
fn label(record: &Value) -> String {
    match (record["displayed_as"].as_str(), record["name"].as_str()) {
        (Some(shown), _) => shown.to_owned(),
        (None, Some(name)) => match record["reference"].as_str() {
            Some(reference) => format!("{name} ({reference})"),
            None => name.to_owned(),
        },
        (None, None) => record["id"].to_string(),
    }
}

pub async fn run() -> Result<(), CliError> {
    let started = Instant::now();
    let sandbox = start_sandbox().await?;
    println!("sage demo — embedded sandbox at {}\n", sandbox.url());
    let mut failures = 0;
    for entry in products::all() {
        let Some(story) = story(entry.product.name) else { continue };
        match run_product(&sandbox, entry, &story).await {
            Ok(report) => print!("{report}"),
            Err(err) => {
                failures += 1;
                println!("✗ {}: {err}\n", entry.product.title);
            }
        }
    }
    let stats = sandbox.stats();
    println!(
        "sandbox saw {} API requests and {} token requests (refreshes: {}, revocations: {}) in {:.1} s",
        stats.api_requests,
        stats.token_requests,
        stats.refresh_grants,
        stats.revocations,
        started.elapsed().as_secs_f64()
    );
    if failures > 0 {
        return Err(CliError::Other(format!("{failures} product(s) failed")));
    }
    Ok(())
}

async fn run_product(sandbox: &sage_sandbox::Sandbox, entry: Entry, story: &Story) -> Result<String, CliError> {
    let mut report = format!("== {}\n", entry.product.title);
    let session = sandbox_session(sandbox, entry, &ConnectionArgs::default()).await?;
    let tokens = session.store.load().await.map_err(|err| CliError::Auth(err.to_string()))?;
    let tokens = tokens.ok_or_else(|| CliError::Auth("no tokens after sign-in".into()))?;
    let lifetime = tokens.expires_at() - tokens.received_at();
    writeln!(report, "✓ consent approved, code exchanged: access token valid {} s", lifetime.num_seconds()).ok();

    let page_size = if session
        .entry
        .operations
        .iter()
        .any(|op| op.name == story.list && op.params.iter().any(|p| p.name == "$top"))
    {
        ("$top", "5")
    } else {
        ("items_per_page", "5")
    };
    let customers = call(&session, story.list, &[page_size], None).await?;
    let items = customers.get("$items").or(Some(&customers)).and_then(Value::as_array).cloned().unwrap_or_default();
    let first = items.first().ok_or_else(|| CliError::Other("the sandbox has no customers".into()))?;
    let names: Vec<_> =
        items.iter().filter_map(|item| item["name"].as_str().or(item["displayed_as"].as_str())).collect();
    writeln!(report, "✓ {}: {} customers, e.g. {}", story.list, items.len(), names.join(", ")).ok();

    let reference = Reference {
        tax: find(&session, story.taxes, story.is_standard_tax).await?,
        ledger: find(&session, story.ledgers, story.is_sales_ledger).await?,
        product: find(&session, story.products, story.is_brake_pads).await?,
    };
    let invoice = call(&session, story.create_invoice, &[], Some((story.invoice_body)(first, &reference))).await?;
    let id = match &invoice["id"] {
        Value::String(id) => id.clone(),
        Value::Number(id) => id.to_string(),
        _ => return Err(CliError::Other("the created invoice has no id".into())),
    };
    let fetched = call(&session, story.get_invoice, &[(story.id_param, &id)], None).await?;
    let same = fetched["id"] == invoice["id"];
    writeln!(
        report,
        "✓ {} → {id}; {} read it back{}",
        story.create_invoice,
        story.get_invoice,
        if same { "" } else { " (different id!)" }
    )
    .ok();
    let [net, tax, total] = story.totals.map(|field| shown(&fetched[field]));
    writeln!(
        report,
        "✓ 2 × {} at 125.50, tax {}, ledger {}: net {net} + tax {tax} = total {total}",
        label(&reference.product),
        label(&reference.tax),
        label(&reference.ledger),
    )
    .ok();

    let refreshed = session.authenticator.oauth().refresh(&tokens).await.map_err(auth)?;
    session.authenticator.set_tokens(refreshed).await.map_err(auth)?;
    call(&session, story.list, &[], None).await?;
    let rotated = if session.authenticator.oauth().profile().rotates_refresh_tokens() {
        " (and a rotated refresh token)"
    } else {
        " (the refresh token stays: this API does not rotate it)"
    };
    writeln!(report, "✓ refreshed: a new access token{rotated} works").ok();

    let stored = session.store.load().await.map_err(|err| CliError::Auth(err.to_string()))?;
    let oauth = session.authenticator.oauth();
    if let (Some(tokens), Some(_)) = (stored, oauth.profile().revoke_url()) {
        if let Some(refresh_token) = tokens.refresh_token() {
            oauth.revoke(refresh_token).await.map_err(auth)?;
            let refused = matches!(oauth.refresh(&tokens).await, Err(AuthError::ReauthorizationRequired { .. }));
            let outcome = if refused { "refused afterwards" } else { "STILL ACCEPTED" };
            writeln!(report, "✓ revoked: the refresh token is {outcome}").ok();
        }
    }
    report.push('\n');
    Ok(report)
}

async fn call(
    session: &Session,
    operation: &str,
    params: &[(&str, &str)],
    body: Option<Value>,
) -> Result<Value, CliError> {
    let spec = catalog::find(session.entry.operations, operation)?;
    let mut request = spec.request(params.iter().copied())?;
    if let Some(body) = body {
        request = request.json(&body)?;
    }
    let response = session.client.execute(&request).await?;
    serde_json::from_slice(&response.body).map_err(|err| CliError::Other(format!("{operation}: not JSON: {err}")))
}

fn auth(err: AuthError) -> CliError {
    CliError::Auth(err.to_string())
}
