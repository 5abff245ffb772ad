//! `sage connections check`.
//!
//! A check asks the registry for a valid access token (refreshing it when due) and then makes one
//! small read with the connection's client: a token can still look valid locally after the customer
//! revoked the app's access, and only Sage can say so. A refusal for good leaves the connection
//! `needs_relink`, which is exit 3.

use sage_connections::{Connection, Connections, Status};
use sage_core::catalog;

use super::render::clean;
use crate::cli::CheckArgs;
use crate::error::CliError;
use crate::products;

pub async fn run(connections: &Connections, args: &CheckArgs) -> Result<(), CliError> {
    let Some(id) = &args.id else { return check_all(connections).await };
    let connection = check_one(connections, id).await?;
    println!("{}: ok ({}, {})", clean(id), clean(&connection.product), freshness(&connection));
    Ok(())
}

/// Every connection that is not disconnected; one line each, then the worst failure's exit code.
async fn check_all(connections: &Connections) -> Result<(), CliError> {
    let listed = connections.list().await?;
    let mut failures = Vec::new();
    let mut checked = 0;
    for connection in listed {
        let id = &connection.id;
        if connection.status == Status::Disconnected {
            println!("{}: skipped (disconnected)", clean(id));
            continue;
        }
        checked += 1;
        match check_one(connections, id).await {
            Ok(now) => println!("{}: ok ({}, {})", clean(id), clean(&now.product), freshness(&now)),
            Err(err) => {
                report_failure(id, &err);
                failures.push(err);
            }
        }
    }
    if failures.is_empty() {
        return Ok(());
    }
    eprintln!("{} of {checked} connections failed the check", failures.len());
    failures.sort_by_key(severity);
    Err(failures.remove(0))
}

/// Which failure decides the exit code: a connection to connect again first, then Sage unreachable.
fn severity(err: &CliError) -> u8 {
    match err {
        CliError::Auth(_) => 0,
        CliError::Api(api) if api.is_auth_failure() => 0,
        CliError::Transport(_) => 1,
        CliError::Api(_) => 2,
        _ => 3,
    }
}

fn report_failure(id: &str, err: &CliError) {
    println!("{}: failed ({})", clean(id), clean(&err.to_string()));
}

/// A valid token, then one read that only succeeds if Sage still accepts the connection.
async fn check_one(connections: &Connections, id: &str) -> Result<Connection, CliError> {
    let product = connections.get(id).await?.product;
    let hint = |err: sage_connections::Error| with_hint(err, &product);
    connections.check(id).await.map_err(hint)?;
    let client = connections.client(id).await.map_err(hint)?;
    if let Err(err) = client.execute(&probe(&product)?).await {
        // A refresh Sage refused for good has marked the connection: say that, not the call's error.
        if let Status::NeedsRelink { reason, since } = connections.get(id).await?.status {
            return Err(hint(sage_connections::Error::NeedsRelink { id: id.to_owned(), reason, since }));
        }
        return Err(err.into());
    }
    Ok(connections.get(id).await?)
}

/// The error, with the command that brings back a connection needing a new consent.
fn with_hint(err: sage_connections::Error, product: &str) -> CliError {
    match &err {
        sage_connections::Error::NeedsRelink { id, .. } | sage_connections::Error::Disconnected(id) => {
            let (id, product) = (clean(id), clean(product));
            CliError::Auth(format!("{err}. Connect it again: sage connections connect {id} --product {product}"))
        }
        _ => err.into(),
    }
}

/// The smallest read each product offers: the v3.1 businesses, one contact or one customer.
fn probe(product: &str) -> Result<sage_core::Request, CliError> {
    let entry = products::find(product).map_err(CliError::Usage)?;
    let (operation, params): (&str, &[(&str, &str)]) = match entry.product.headers {
        sage_core::HeaderStyle::AccountingV31 => ("list_businesses", &[]),
        sage_core::HeaderStyle::AccountingV3 => ("list_contacts", &[("items_per_page", "1")]),
        sage_core::HeaderStyle::Sage200 => ("list_customers", &[("$top", "1")]),
    };
    Ok(catalog::find(entry.operations, operation)?.request(params.iter().copied())?)
}

/// When the tokens were last refreshed, or that they have not been yet.
fn freshness(connection: &Connection) -> String {
    match connection.last_refreshed_at {
        Some(at) => format!("tokens refreshed {}", at.format("%Y-%m-%d %H:%M UTC")),
        None => "tokens from the consent".to_owned(),
    }
}
