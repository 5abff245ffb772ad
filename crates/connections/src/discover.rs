//! What a new connection can address: v3.1 businesses, Sage 200 companies and sites, v3's site.

use sage_core::auth::{StaticToken, TokenSet};
use sage_core::{HeaderPolicy, HeaderStyle, Method, Request};
use serde_json::Value;

use crate::config::ProductConfig;
use crate::connection::{Business, Connection, Sage200Company};
use crate::error::Error;
use crate::manager::api_client;

/// Fills in the connection's businesses or companies with one or two calls on the new tokens.
pub(crate) async fn discover(
    http: &reqwest::Client,
    config: &ProductConfig,
    connection: &mut Connection,
    tokens: &TokenSet,
) -> Result<(), Error> {
    let headers = match config.product.headers {
        HeaderStyle::AccountingV3 => {
            return match connection.v3_site_id {
                Some(_) => Ok(()),
                None => Err(Error::NothingToAddress("site")),
            };
        }
        HeaderStyle::AccountingV31 => HeaderPolicy::accounting_v31(),
        HeaderStyle::Sage200 => HeaderPolicy::Sage200Directory { subscription_key: config.subscription_key.clone() },
    };
    let auth = StaticToken::new(tokens.access_token().secret());
    let client = api_client(http, config, connection, headers)?.auth(auth).build()?;
    if config.product.headers == HeaderStyle::AccountingV31 {
        connection.businesses = businesses(&client).await?;
        connection.business = connection.businesses.iter().find(|business| business.lead).cloned();
        if connection.business.is_none() {
            return Err(Error::NothingToAddress("business"));
        }
    } else {
        connection.companies = sites(&client).await?;
        connection.company = connection.companies.first().cloned();
        if connection.company.is_none() {
            return Err(Error::NothingToAddress("company"));
        }
    }
    Ok(())
}

async fn get(
    client: &sage_core::Client,
    what: &'static str,
    operation: &'static str,
    path: &'static str,
) -> Result<Value, Error> {
    let failed = |source| Error::Discovery { what, source: Box::new(source) };
    let response = client.execute(&Request::new(operation, Method::Get, path)).await.map_err(failed)?;
    serde_json::from_slice(&response.body).map_err(|err| {
        failed(sage_core::Error::Build(format!(
            "the answer is not JSON (line {}, column {})",
            err.line(),
            err.column()
        )))
    })
}

/// `GET /businesses` (Sage answers every business on one page), and `GET /businesses/lead` when
/// no item says which one leads.
async fn businesses(client: &sage_core::Client) -> Result<Vec<Business>, Error> {
    let page = get(client, "businesses", "list_businesses", "/businesses").await?;
    let items = page.get("$items").and_then(Value::as_array).cloned().unwrap_or_default();
    let text = |item: &Value, name: &str| item.get(name).and_then(Value::as_str).map(str::to_owned);
    let mut businesses: Vec<Business> = items
        .iter()
        .filter_map(|item| {
            let id = text(item, "id")?;
            let name = text(item, "name").or_else(|| text(item, "displayed_as")).unwrap_or_default();
            let lead = item.get("is_lead").and_then(Value::as_bool).unwrap_or(false);
            Some(Business { id, name, lead })
        })
        .collect();
    if !businesses.is_empty() && !businesses.iter().any(|business| business.lead) {
        let lead = get(client, "businesses", "get_lead_business", "/businesses/lead").await?;
        let lead_id = text(&lead, "id");
        for business in &mut businesses {
            business.lead = Some(&business.id) == lead_id.as_ref();
        }
    }
    Ok(businesses)
}

/// `GET /sites`: one row per company on each site the user reaches.
async fn sites(client: &sage_core::Client) -> Result<Vec<Sage200Company>, Error> {
    let rows = get(client, "sites", "list_sites", "/sites").await?;
    let text = |row: &Value, name: &str| row.get(name).and_then(Value::as_str).map(str::to_owned);
    Ok(rows
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|row| {
            let company_id = match row.get("company_id")? {
                Value::Number(number) => number.as_u64()?,
                Value::String(digits) => digits.parse().ok()?,
                _ => return None,
            };
            Some(Sage200Company {
                company_id,
                company_name: text(row, "company_name").unwrap_or_default(),
                site_id: text(row, "site_id")?,
                site_name: text(row, "site_name").unwrap_or_default(),
            })
        })
        .collect())
}
