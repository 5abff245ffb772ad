//! A command-line app signing in to Sage 200 Professional and listing customers.
//!
//! A public client: no secret, PKCE, the redirect caught on `127.0.0.1` by `LoopbackRedirect`.
//! Sage 200 users can reach several companies, so the app lists the sites first and lets the
//! user choose before any company data is read.
//!
//! ```sh
//! cargo run -p sage --example cli_login --features sage200-pro-full,sandbox
//! ```
//!
//! By default everything runs against a sandbox started inside the example, which approves the
//! consent itself (no browser, no Sage account, no network). Environment variables:
//!
//! - `SAGE_CLIENT_ID`: your app's client id; when set, the example talks to real Sage and prints
//!   the consent URL to open in a browser.
//! - `SAGE_CLIENT_SECRET`: only if your registration has one.
//! - `SAGE_LOOPBACK_PORT`: fixed port for the redirect `http://127.0.0.1:<port>/callback` (Sage ID
//!   only accepts registered URIs); any free port otherwise.
//! - `SAGE_AUTHORIZE_URL`, `SAGE_TOKEN_URL`, `SAGE_BASE_URL`: override Sage's endpoints.
//! - `SAGE_COMPANY`, `SAGE_SITE`: choose the company (`company_id`) and site (`site_id`) from
//!   `GET /sites` up front. Without them, real Sage asks on the terminal; the sandbox prints the
//!   choices and takes the first.

#[path = "support/loopback.rs"]
mod loopback;
mod support;

use std::io::{BufRead, Write};
use std::sync::Arc;

use sage::auth::{Authenticator, MemoryTokenStore};
use sage::sage200_pro::general::{ListSites, Site};
use sage::sage200_pro::sales::ListCustomers;
use sage::sage200_pro::PRODUCT;
use sage::sandbox::Sandbox;
use sage::HeaderPolicy;
use support::{env, BoxError, Target};

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let target = Target::from_env(&PRODUCT, Sandbox::demo_public_client, true, None).await?;
    let (oauth, tokens) = loopback::sign_in(&target).await?;
    let auth = Authenticator::new(oauth, Arc::new(MemoryTokenStore::with_tokens(tokens)));

    // Until a company is chosen, Sage 200 answers only `GET /sites`.
    let directory = target.client_builder(PRODUCT).headers(HeaderPolicy::sage200_directory()).auth(auth).build()?;
    let sites = ListSites::new().send(&directory).await?.items;
    let (company_id, site_id) = choose_site(&sites, target.is_sandbox())?;
    let client = directory.with_headers(HeaderPolicy::sage200(company_id, site_id))?;

    let customers = ListCustomers::new().orderby("reference").top(10).send(&client).await?;
    println!("\nFirst {} customers:", customers.items.len());
    for customer in &customers.items {
        let balance = customer.balance.map(|balance| balance.to_string()).unwrap_or_default();
        println!("  {:<10} {:<40} {balance:>12}", customer.reference, customer.name);
    }
    Ok(())
}

/// The `(company_id, site_id)` to work in: named by `SAGE_COMPANY`/`SAGE_SITE`, else the user's
/// choice (in the sandbox: the first, said out loud rather than silently).
fn choose_site(sites: &[Site], sandbox: bool) -> Result<(i64, String), BoxError> {
    let choices: Vec<(i64, String, String)> = sites
        .iter()
        .filter_map(|site| {
            let name = format!(
                "{} / {}",
                site.company_name.as_deref().unwrap_or("?"),
                site.site_name.as_deref().unwrap_or("?")
            );
            Some((site.company_id?, site.site_id.clone()?, name))
        })
        .collect();
    let (wanted_company, wanted_site) = (env("SAGE_COMPANY"), env("SAGE_SITE"));
    if wanted_company.is_some() || wanted_site.is_some() {
        let matches = |(company, site, _): &&(i64, String, String)| {
            wanted_company.as_ref().is_none_or(|wanted| *wanted == company.to_string())
                && wanted_site.as_ref().is_none_or(|wanted| wanted == site)
        };
        let (company, site, _) = choices.iter().find(matches).ok_or("no site matches SAGE_COMPANY / SAGE_SITE")?;
        return Ok((*company, site.clone()));
    }
    println!("\nCompanies and sites you can reach:");
    for (number, (company, site, name)) in choices.iter().enumerate() {
        println!("  {}. {name} (company {company}, site {site})", number + 1);
    }
    let index = if sandbox {
        println!("Using the first one (set SAGE_COMPANY and SAGE_SITE to choose another).");
        0
    } else {
        ask_number(choices.len())? - 1
    };
    let (company, site, _) = choices.get(index).ok_or("GET /sites listed no company")?;
    Ok((*company, site.clone()))
}

/// Reads a number in `1..=count` from the terminal.
fn ask_number(count: usize) -> Result<usize, BoxError> {
    loop {
        print!("Choose 1-{count}: ");
        std::io::stdout().flush()?;
        let mut line = String::new();
        if std::io::stdin().lock().read_line(&mut line)? == 0 {
            return Err("no choice made".into());
        }
        match line.trim().parse() {
            Ok(number) if (1..=count).contains(&number) => return Ok(number),
            _ => println!("Please type a number between 1 and {count}."),
        }
    }
}
