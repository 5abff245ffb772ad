//! `sage demo`: the whole story against an embedded sandbox, for every product compiled in —
//! consent, code exchange, a list, an invoice created and read back, a refresh and a revocation.

use std::fmt::Write as _;
use std::time::Instant;

use sage_core::auth::AuthError;
use sage_core::catalog;
use serde_json::{json, Value};

use crate::cli::ConnectionArgs;
use crate::error::CliError;
use crate::products::{self, Entry};
use crate::session::{sandbox_session, start_sandbox, Session};

/// What the demo does with one product, by operation name.
struct Story {
    /// Lists the customers.
    list: &'static str,
    /// Creates an invoice for a customer: operation and body.
    create_invoice: &'static str,
    invoice_body: fn(&Value) -> Value,
    /// Reads the invoice back by id.
    get_invoice: &'static str,
    /// The name of its id parameter.
    id_param: &'static str,
}

fn accounting_invoice(customer: &Value) -> Value {
    json!({"sales_invoice": {
        "contact_id": customer["id"],
        "date": "2026-11-25",
        "invoice_lines": [{
            "description": "Brake pads, fitted",
            "ledger_account_id": "sales",
            "quantity": "2",
            "unit_price": "125.50",
        }],
    }})
}

/// Sage 200 takes sales invoices through sales orders: the order is what can be read back.
fn sage200_order(customer: &Value) -> Value {
    json!({
        "customer_id": customer["id"],
        "document_date": "2026-11-25T00:00:00",
        "lines": [{"code": "BRAKE01", "description": "Brake pads, fitted", "line_quantity": 2, "selling_unit_price": 125.50}],
    })
}

fn story(product: &str) -> Option<Story> {
    match product {
        "accounting-v31" | "accounting-v3" => Some(Story {
            list: "list_contacts",
            create_invoice: "create_sales_invoice",
            invoice_body: accounting_invoice,
            get_invoice: "get_sales_invoice",
            id_param: "key",
        }),
        "sage200-pro" | "sage200-standard" => Some(Story {
            list: "list_customers",
            create_invoice: "create_sop_order",
            invoice_body: sage200_order,
            get_invoice: "get_sop_order",
            id_param: "Id",
        }),
        _ => None,
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

    let invoice = call(&session, story.create_invoice, &[], Some((story.invoice_body)(first))).await?;
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
