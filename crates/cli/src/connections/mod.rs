//! `sage connections list|show|connect|disconnect|check`: the operator's tool over the app's
//! registry of customer connections (sage-connections), SQLite by default.

mod apps;
mod check;
mod connect;
mod disconnect;
mod key;
mod registry;
mod render;

use sage_connections::Connections;

use crate::cli::{AppArgs, Cli, ConnectionsAction, ConnectionsArgs};
use crate::error::CliError;
use apps::Sage;
use registry::{Home, KeyUse, Location};

pub async fn run(cli: &Cli, args: &ConnectionsArgs) -> Result<(), CliError> {
    if cli.record.is_some() || cli.replay.is_some() {
        return Err(CliError::Usage("--record and --replay do not apply to `sage connections`".into()));
    }
    let home = Home::new(cli.home.as_deref(), cli.sandbox)?;
    let location = Location::new(args, &home)?;
    match &args.action {
        ConnectionsAction::List { json } => {
            let listed = match location.may_hold_connections() {
                true => reader(&location, &home).await?.list().await?,
                false => Vec::new(),
            };
            if *json {
                for connection in &listed {
                    println!("{}", to_json(connection)?);
                }
            } else if listed.is_empty() {
                eprintln!("no connections in {}", location.describe());
            } else {
                print!("{}", render::table(&listed));
            }
            Ok(())
        }
        ConnectionsAction::Show { id, json } => {
            if !location.may_hold_connections() {
                return Err(sage_connections::Error::NotFound(id.clone()).into());
            }
            let connections = reader(&location, &home).await?;
            let connection = connections.get(id).await?;
            let audit = connections.audit(id).await?;
            if *json {
                let mut value = serde_json::to_value(&connection).map_err(|err| CliError::Other(err.to_string()))?;
                value["audit"] = serde_json::to_value(&audit).map_err(|err| CliError::Other(err.to_string()))?;
                println!("{value}");
            } else {
                print!("{}{}", render::page(&connection), render::audit(&audit));
            }
            Ok(())
        }
        ConnectionsAction::Connect(connect_args) => {
            crate::products::find(&connect_args.product).map_err(CliError::Usage)?;
            // Listen first: the sandbox must be told the redirect URI when it starts.
            let loopback = connect::listen(connect_args, cli.sandbox).await?;
            let sage = Sage::start(cli.sandbox, &home, Some(loopback.redirect_uri())).await?;
            let connections = with_tokens(&location, &home, &sage, &connect_args.app).await?;
            connect::run(&connections, connect_args, loopback, cli.sandbox).await
        }
        ConnectionsAction::Disconnect(disconnect_args) => {
            let sage = Sage::start(cli.sandbox, &home, None).await?;
            let connections = with_tokens(&location, &home, &sage, &disconnect_args.app).await?;
            disconnect::run(&connections, disconnect_args).await
        }
        ConnectionsAction::Check(check_args) => {
            let sage = Sage::start(cli.sandbox, &home, None).await?;
            let connections = with_tokens(&location, &home, &sage, &check_args.app).await?;
            check::run(&connections, check_args).await
        }
    }
}

/// The registry for reading connections: no product settings, no key.
async fn reader(location: &Location, home: &Home) -> Result<Connections, CliError> {
    let builder = location.open(home, KeyUse::ReadOnly).await?;
    Ok(builder.build()?)
}

/// The registry with its key and every product's settings, to exchange, refresh and revoke tokens.
async fn with_tokens(location: &Location, home: &Home, sage: &Sage, app: &AppArgs) -> Result<Connections, CliError> {
    let secret = match sage {
        Sage::Sandbox(_) => None,
        Sage::Real => crate::login::client_secret(app.client_secret_stdin)?,
    };
    let configs = sage.configs(app, secret)?;
    let mut builder = location.open(home, KeyUse::Tokens).await?;
    for config in configs {
        builder = builder.product(config);
    }
    Ok(builder.build()?)
}

fn to_json(connection: &sage_connections::Connection) -> Result<String, CliError> {
    serde_json::to_string(connection).map_err(|err| CliError::Other(err.to_string()))
}
