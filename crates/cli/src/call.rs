//! `sage call`: any operation by name, JSON out.

use std::io::Read;
use std::path::Path;

use crate::cli::{CallArgs, Cli};
use crate::error::CliError;
use crate::products;
use crate::session::Session;
use crate::suggest;

pub async fn run(cli: &Cli, args: &CallArgs) -> Result<(), CliError> {
    // Names and values are checked before signing in or sending anything.
    let entry = products::find(&args.product).map_err(CliError::Usage)?;
    let spec = suggest::operation(&entry, &args.operation)?;
    let params = args.path.iter().chain(&args.query).map(|(name, value)| (name.as_str(), value.as_str()));
    let mut request = spec.request(params).map_err(|err| suggest::explain(&entry, err))?;
    match (&args.body, spec.body) {
        (Some(path), _) => request = request.json(&read_json(path)?)?,
        (None, true) => return Err(CliError::Usage(format!("{} takes a JSON body: pass --body FILE or -", spec.name))),
        (None, false) => {}
    }
    let session = Session::open(cli, &args.product, &args.connection).await?;
    let response = session.client.execute(&request).await?;
    if args.raw || response.body.is_empty() {
        println!("{}", String::from_utf8_lossy(&response.body));
    } else {
        let value: serde_json::Value = serde_json::from_slice(&response.body)
            .map_err(|err| CliError::Other(format!("the response is not JSON: {err}")))?;
        println!("{}", serde_json::to_string_pretty(&value).map_err(|err| CliError::Other(err.to_string()))?);
    }
    Ok(())
}

/// Reads a JSON document from a file, or standard input for `-`.
fn read_json(path: &Path) -> Result<serde_json::Value, CliError> {
    let mut bytes = Vec::new();
    if path == Path::new("-") {
        std::io::stdin().read_to_end(&mut bytes).map_err(|err| CliError::Usage(format!("standard input: {err}")))?;
    } else {
        bytes = std::fs::read(path).map_err(|err| CliError::Usage(format!("{}: {err}", path.display())))?;
    }
    serde_json::from_slice(&bytes).map_err(|err| CliError::Usage(format!("{} is not JSON: {err}", path.display())))
}
