//! `sage connections disconnect`: revoked at Sage where the product allows it, tokens deleted,
//! status `disconnected`, and who and why in the audit trail.

use sage_connections::{Connections, Status};

use super::render::{self, clean};
use crate::cli::DisconnectArgs;
use crate::error::CliError;

pub async fn run(connections: &Connections, args: &DisconnectArgs) -> Result<(), CliError> {
    let by = args.by.clone().or_else(os_user).unwrap_or_else(|| "unknown".to_owned());
    let why = args.why.as_deref().unwrap_or("");
    if connections.get(&args.id).await?.status == Status::Disconnected {
        connections.disconnect(&args.id, &by, why).await?;
        eprintln!("`{}` was disconnected already; any tokens left are deleted", clean(&args.id));
        return Ok(());
    }
    let connection = connections.disconnect(&args.id, &by, why).await?;
    let audit = connections.audit(&args.id).await?;
    let detail = audit.iter().rev().find(|record| record.action == "disconnected").and_then(|r| r.detail.clone());
    eprintln!(
        "Disconnected `{}` (by {}){}",
        clean(&args.id),
        clean(&by),
        detail.map(|d| format!(": {}", clean(&d))).unwrap_or_default()
    );
    print!("{}", render::page(&connection));
    Ok(())
}

/// The operating-system user running the command, for the audit trail.
fn os_user() -> Option<String> {
    ["USER", "USERNAME", "LOGNAME"].iter().find_map(|name| std::env::var(name).ok().filter(|user| !user.is_empty()))
}
