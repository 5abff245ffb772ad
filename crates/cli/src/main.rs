//! `sage`: the sage-rs command line.
//!
//! Exit codes: 0 success, 1 other failure, 2 bad arguments or configuration, 3 not signed in or
//! sign-in no longer valid, 4 Sage unreachable, 5 Sage answered with an error, 6 an answer that does not
//! read as its model, 7 the product cannot do what was asked (the finance model's capability table).

mod books;
mod call;
mod changes;
mod cli;
mod config;
mod connections;
mod demo;
mod doctor;
mod dynamic;
mod error;
mod export;
mod login;
mod operations;
mod products;
mod record;
mod session;
mod suggest;
mod token;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::error::CliError;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("SAGE_LOG"))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match record::start(&cli).await {
        Ok(()) => run(&cli).await.and(record::finish()),
        Err(err) => Err(err),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            err.exit_code()
        }
    }
}

async fn run(cli: &Cli) -> Result<(), CliError> {
    match &cli.command {
        Command::Login(args) => login::run(cli, args).await,
        Command::Token { action } => token::run(cli, action).await,
        Command::Call(args) => call::run(cli, args).await,
        Command::Export(args) => export::run(cli, args).await,
        Command::Changes(args) => changes::run(cli, args).await,
        Command::Operations { product, operation } => operations::run(product, operation.as_deref()),
        Command::Demo => demo::run().await,
        Command::Doctor(args) => doctor::run(cli, args).await,
        Command::Connections(args) => connections::run(cli, args).await,
        Command::Books(args) => books::run(cli, args).await,
    }
}
