//! `cargo run -p sage-sandbox`: a local Sage look-alike for demos, on http://127.0.0.1:8790 by default.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use sage_sandbox::{fixtures, DemoClient, Sandbox};

/// Local Sage identity servers and APIs with demo data; no Sage account, no network.
#[derive(Debug, Parser)]
#[command(name = "sage-sandbox", version)]
struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8790)]
    port: u16,
    /// Approve consent without showing the Allow / Deny page.
    #[arg(long)]
    auto_approve: bool,
    /// Multiply every token and code lifetime by this factor (e.g. 0.0033 to see expiry in seconds).
    #[arg(long, default_value_t = 1.0)]
    time_scale: f64,
    /// Refuse API requests over this many per minute with 429.
    #[arg(long)]
    rate_limit: Option<u32>,
    /// Directory of product schemas (default: the workspace's `schemas/`).
    #[arg(long)]
    schemas: Option<PathBuf>,
    /// Let the public demo client use any port on a registered loopback callback (RFC 8252); by default
    /// redirect URIs must match exactly, as on Sage.
    #[arg(long)]
    any_loopback_port: bool,
    /// Extra redirect URI to register for both demo clients (repeatable).
    #[arg(long = "redirect-uri", value_name = "URI")]
    redirect_uris: Vec<String>,
    /// Keep API records and issued tokens in this SQLite file, so data and signed-in clients survive a
    /// restart (created if missing). Without it everything is in memory and lost on exit.
    #[arg(long, value_name = "FILE")]
    data: Option<PathBuf>,
    /// The most records one collection may hold (default 10 000).
    #[arg(long, value_name = "N")]
    max_records: Option<usize>,
    /// Answer in the shapes of Sage's specs rather than as the live APIs do (unset fields left out,
    /// decimals as stored, `$itemsPerPage` everywhere, no `\u0026` escapes).
    #[arg(long)]
    spec_shapes: bool,
    /// Load the records of a cassette recorded with `sage --record FILE` (or `sage_core::record`):
    /// lists and reads become records of their collection, so a customer's data shape is served.
    #[arg(long, value_name = "FILE")]
    seed: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let mut builder = Sandbox::builder()
        .port(args.port)
        .auto_approve(args.auto_approve)
        .time_scale(args.time_scale)
        .rate_limit(args.rate_limit)
        .any_loopback_port(args.any_loopback_port)
        .spec_shapes(args.spec_shapes);
    for uri in args.redirect_uris {
        builder = builder.redirect_uri(uri);
    }
    if let Some(dir) = args.schemas {
        builder = builder.schemas_dir(dir);
    }
    if let Some(file) = &args.data {
        builder = builder.data_file(file);
    }
    if let Some(limit) = args.max_records {
        builder = builder.max_records(limit);
    }
    if let Some(cassette) = &args.seed {
        builder = builder.seed(cassette);
    }
    let sandbox = match builder.start().await {
        Ok(sandbox) => sandbox,
        Err(error) => {
            eprintln!("sage-sandbox: {error}");
            return ExitCode::FAILURE;
        }
    };
    print_banner(&sandbox);
    if let Some(file) = &args.data {
        println!("\nData kept in {}", file.display());
    }
    if tokio::signal::ctrl_c().await.is_err() {
        eprintln!("sage-sandbox: cannot wait for Ctrl-C; stopping");
    }
    sandbox.shutdown().await;
    ExitCode::SUCCESS
}

fn print_banner(sandbox: &Sandbox) {
    println!("Sage sandbox listening on {}", sandbox.url());
    println!("Served APIs: {}", sandbox.served_products().join(", "));
    for problem in sandbox.schema_problems() {
        println!("  skipped (schema errors): {problem}");
    }
    for product in ["sage200-pro", "sage200-standard", "accounting-v3", "accounting-v31"] {
        let Some(endpoints) = sandbox.endpoints(product) else { continue };
        println!("\n{product}");
        println!("  authorize  {}", endpoints.authorize_url);
        println!("  token      {}", endpoints.token_url);
        println!("  revoke     {}", endpoints.revoke_url.unwrap_or_default());
        println!("  API base   {}", endpoints.api_base_url);
    }
    println!("\nConsent form posts to {}/consent", sandbox.url());
    print_client("Confidential demo client", &sandbox.demo_client());
    print_client("Public demo client (PKCE, no secret)", &sandbox.demo_public_client());
    println!("\nDemo user {} ({})", fixtures::USER_ID, fixtures::USER_EMAIL);
    println!("  v3 X-Site (resource_owner_id): {}", fixtures::V3_SITE_ID);
    println!("  Sage 200 X-Site: {}; X-Company: 1 or 2", fixtures::SAGE200_SITE_ID);
    for business in fixtures::V31_BUSINESSES {
        let lead = if business.id == sandbox.lead_business() { " (lead)" } else { "" };
        println!("  v3.1 X-Business {} {}{lead}", business.id, business.name);
    }
}

fn print_client(title: &str, client: &DemoClient) {
    println!("\n{title}");
    println!("  client_id      {}", client.client_id);
    println!("  client_secret  {}", client.client_secret.as_deref().unwrap_or("(none: public client)"));
    println!("  redirect URIs  {}", client.redirect_uris.join(", "));
}
