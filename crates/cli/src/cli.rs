//! The command line, as clap reads it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Sign in to Sage, call any API operation, export lists, or run the sandbox demo.
#[derive(Debug, Parser)]
#[command(name = "sage", version, about, long_about = None)]
pub struct Cli {
    /// Run against an embedded sandbox started for this command (signed in automatically).
    #[arg(long, global = true)]
    pub sandbox: bool,
    /// Profile name, to keep several sign-ins side by side.
    #[arg(long, global = true, env = "SAGE_PROFILE", default_value = "default")]
    pub profile: String,
    /// Where tokens and connection settings are kept (default: <config dir>/sage-rs).
    #[arg(long, global = true, env = "SAGE_HOME")]
    pub home: Option<PathBuf>,
    /// Test knob for `--sandbox`: `Model.field=JSON` makes every record of the model the sandbox
    /// answers carry that value (e.g. `Contact.balance="12abc"`), as a drifted Sage would.
    #[arg(long, global = true, hide = true, value_parser = parse_pair)]
    pub sandbox_break: Option<(String, String)>,
    /// Write every exchange of the command (API calls, sign-in and refreshes) to this cassette
    /// file, JSON lines, with tokens, codes, secrets and passwords replaced.
    #[arg(long, global = true, value_name = "FILE", conflicts_with = "replay")]
    pub record: Option<PathBuf>,
    /// With --record: also replace e-mail addresses and person names.
    #[arg(long, global = true, requires = "record")]
    pub redact_personal_data: bool,
    /// Run the command against a cassette written by --record, with no network and no sign-in
    /// (the recorded base URL and company/site/business are used unless given).
    #[arg(long, global = true, value_name = "FILE", conflicts_with = "sandbox")]
    pub replay: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign in with the authorization-code flow and store the tokens under the profile.
    Login(LoginArgs),
    /// Inspect, refresh or revoke the stored tokens.
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
    /// Call any operation by name and print the JSON response.
    Call(CallArgs),
    /// Follow every page of a list operation and write the items to a file.
    Export(ExportArgs),
    /// Print changes to a list since a checkpoint, one JSON object per line; --follow keeps polling.
    Changes(ChangesArgs),
    /// List the operations of a product, or describe one: parameters, Rust type and cargo feature.
    Operations {
        /// Product name, e.g. accounting-v31.
        product: String,
        /// Operation name, e.g. create_sales_invoice.
        operation: Option<String>,
    },
    /// Start an embedded sandbox and run the whole story for every product.
    Demo,
    /// Read the first page of every list and one record of each through the typed models, and
    /// report where Sage's answers differ from the schemas (read-only).
    Doctor(DoctorArgs),
    /// Your app's registry of customer connections (sage-connections): list, show, connect,
    /// disconnect and check them.
    Connections(ConnectionsArgs),
    /// A product's customers, invoices, payments, … through the finance model, normalized alike for
    /// every product: `sage books <product> <resource> list|get <ID>|changes`, JSON lines or CSV.
    Books(crate::books::BooksArgs),
}

/// Where the registry's tokens are sealed, told once under every `sage connections` command.
const REGISTRY_KEY_HELP: &str = "\
The registry (--registry or SAGE_CONNECTIONS_REGISTRY): a SQLite file, <home>/connections.db by default,
or a redis:// or rediss:// URL (put a URL with a password in the variable, not the flag: flags show in ps).

Tokens in the registry are sealed with your app's key: SAGE_CONNECTIONS_KEY=KEY_ID:BASE64, 32 random bytes
(e.g. 2026-12:$(openssl rand -base64 32)), the key your app gives its TokenCipher; SAGE_CONNECTIONS_KEY_OLD
(same format) still opens what a rotated-out key sealed. Without the variable, a new SQLite registry gets a
key file, <home>/connections.key (mode 0600). That is fine for trying things out, but a key stored beside the
database protects less than a key kept in your app's secret manager. A Redis registry always needs the
variable. `list` and `show` read no token and need no key.

With --sandbox, everything lives under <home>/sandbox/ instead: the registry, its key file, and the embedded
sandbox's own records and tokens, so what one command connected the next can check.

Exit codes: 0 success, 1 other failure, 2 bad arguments or configuration (an unknown connection id),
3 a connection must be connected again (needs_relink, disconnected, consent refused), 4 Sage unreachable,
5 Sage answered with an error.";

#[derive(Debug, Args)]
#[command(after_long_help = REGISTRY_KEY_HELP)]
pub struct ConnectionsArgs {
    /// The registry: a SQLite file path, or a redis:// or rediss:// URL (default: <home>/connections.db).
    #[arg(long, global = true, env = "SAGE_CONNECTIONS_REGISTRY", hide_env_values = true, value_name = "PATH|URL")]
    pub registry: Option<String>,
    /// Redis: the prefix of every key, as your app gave `RedisRegistry::new`.
    #[arg(long, global = true, env = "SAGE_CONNECTIONS_PREFIX", default_value = "sage-connections")]
    pub redis_prefix: String,
    #[command(subcommand)]
    pub action: ConnectionsAction,
}

#[derive(Debug, Subcommand)]
pub enum ConnectionsAction {
    /// One line per connection: id, product, status, business or company, last use, last refresh.
    #[command(after_long_help = REGISTRY_KEY_HELP)]
    List {
        /// One JSON object per line instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Everything the registry keeps about one connection, never a token, and its audit trail.
    #[command(after_long_help = REGISTRY_KEY_HELP)]
    Show {
        /// The connection's id (your app's key for the customer).
        id: String,
        /// Print it as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Run the consent flow for a connection, new or to relink it, as `sage login` does: the
    /// embedded sandbox approves by itself with --sandbox; otherwise a browser opens on Sage's
    /// consent page and the customer signs in to their own Sage account.
    #[command(after_long_help = REGISTRY_KEY_HELP)]
    Connect(ConnectArgs),
    /// Revoke a connection's refresh token at Sage, forget its tokens and mark it disconnected.
    #[command(after_long_help = REGISTRY_KEY_HELP)]
    Disconnect(DisconnectArgs),
    /// Prove Sage still accepts a connection: a valid token (refreshed when due), then one small
    /// read. Exits 3 when one must be connected again (needs_relink or disconnected).
    #[command(after_long_help = REGISTRY_KEY_HELP)]
    Check(CheckArgs),
}

/// Your app's OAuth registration on real Sage, read as `sage login` reads it (`--sandbox` uses
/// the sandbox's demo app instead). The subscription key comes from SAGE_SUBSCRIPTION_KEY.
#[derive(Debug, Args, Default, Clone)]
pub struct AppArgs {
    /// OAuth client id of your app, the one the connections were made with.
    #[arg(long, env = "SAGE_CLIENT_ID")]
    pub client_id: Option<String>,
    /// Read the OAuth client secret from the first line of standard input. Otherwise it comes from
    /// SAGE_CLIENT_SECRET. Never a flag value: those show in `ps`. The CLI never stores it.
    #[arg(long)]
    pub client_secret_stdin: bool,
    /// Override every product's API base URL (a proxy, a test server).
    #[arg(long)]
    pub base_url: Option<String>,
    /// Override the authorize URL.
    #[arg(long)]
    pub authorize_url: Option<String>,
    /// Override the token URL (for Accounting v3, every region's).
    #[arg(long)]
    pub token_url: Option<String>,
    /// Override the revoke URL.
    #[arg(long)]
    pub revoke_url: Option<String>,
}

#[derive(Debug, Args)]
pub struct ConnectArgs {
    /// The connection's id: your app's key for the customer (1 to 200 bytes, no control characters).
    pub id: String,
    /// Product name, e.g. accounting-v31.
    #[arg(long)]
    pub product: String,
    /// Loopback port for the redirect (default 8791; any free port with --sandbox). Sage matches
    /// redirect URIs exactly: register http://127.0.0.1:8791/callback (or this port's) with your app.
    #[arg(long)]
    pub callback_port: Option<u16>,
    /// Do not try to open a browser; only print the URL. Open it on this machine: Sage redirects the
    /// browser to 127.0.0.1, where this command listens.
    #[arg(long)]
    pub no_browser: bool,
    /// Seconds to wait for the redirect.
    #[arg(long, default_value_t = 300)]
    pub timeout: u64,
    #[command(flatten)]
    pub app: AppArgs,
}

#[derive(Debug, Args)]
pub struct DisconnectArgs {
    /// The connection's id.
    pub id: String,
    /// Why, for the audit trail.
    #[arg(long)]
    pub why: Option<String>,
    /// Who, for the audit trail (default: the operating-system user).
    #[arg(long)]
    pub by: Option<String>,
    #[command(flatten)]
    pub app: AppArgs,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The connection's id.
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub id: Option<String>,
    /// Check every connection that is not disconnected.
    #[arg(long)]
    pub all: bool,
    #[command(flatten)]
    pub app: AppArgs,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Product name, e.g. accounting-v31.
    pub product: String,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// Also write the report (JSON, no values from your books) to this file, for a bug report.
    #[arg(long)]
    pub report: Option<PathBuf>,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Product name, e.g. accounting-v31.
    pub product: String,
    /// OAuth client id of your app.
    #[arg(long, env = "SAGE_CLIENT_ID")]
    pub client_id: String,
    /// Read the OAuth client secret (confidential clients) from the first line of standard input.
    /// Otherwise it comes from SAGE_CLIENT_SECRET. Never a flag value: those show in `ps`.
    /// The CLI never stores it.
    #[arg(long)]
    pub client_secret_stdin: bool,
    /// Loopback port for the redirect. Sage matches redirect URIs exactly: register
    /// http://127.0.0.1:8791/callback (or this port's) with your app.
    #[arg(long, alias = "port", default_value_t = sage_core::auth::DEFAULT_LOOPBACK_PORT)]
    pub callback_port: u16,
    /// Do not try to open a browser; only print the URL.
    #[arg(long)]
    pub no_browser: bool,
    /// Seconds to wait for the redirect.
    #[arg(long, default_value_t = 300)]
    pub timeout: u64,
    /// Accounting v3: the country to assume when the redirect does not name one (gb, ie, us, ca, de,
    /// es, fr). The redirect's `country` picks the regional token server and API base.
    #[arg(long)]
    pub country: Option<String>,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// Where to connect and which company/site/business to address.
#[derive(Debug, Args, Default, Clone)]
pub struct ConnectionArgs {
    /// Override the API base URL (e.g. a sandbox or another region; v3 fills in `{country}`).
    #[arg(long)]
    pub base_url: Option<String>,
    /// Override the authorize URL.
    #[arg(long)]
    pub authorize_url: Option<String>,
    /// Override the token URL (v3 fills in `{region}`: na or eu).
    #[arg(long)]
    pub token_url: Option<String>,
    /// Override the revoke URL (v3 fills in `{region}`: na or eu).
    #[arg(long)]
    pub revoke_url: Option<String>,
    /// Sage 200: X-Company; the site is looked up in GET /sites when --site is not given.
    #[arg(long)]
    pub company: Option<String>,
    /// Sage 200 and Accounting v3: X-Site (v3 defaults to the token's resource_owner_id).
    #[arg(long)]
    pub site: Option<String>,
    /// Accounting v3.1: X-Business (default: the lead business).
    #[arg(long)]
    pub business: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum TokenAction {
    /// Expiry times and scopes (token values only with --reveal).
    Show {
        product: String,
        /// Print the token values too.
        #[arg(long)]
        reveal: bool,
    },
    /// Refresh now and store the new tokens.
    Refresh { product: String },
    /// Revoke the refresh token at Sage and forget the stored tokens.
    Revoke { product: String },
}

#[derive(Debug, Args)]
pub struct CallArgs {
    /// Product name, e.g. accounting-v31.
    pub product: String,
    /// Operation name, e.g. list_contacts (see `sage operations <product>`).
    pub operation: String,
    /// Path parameter, repeatable: --path key=abc
    #[arg(long = "path", value_parser = parse_pair)]
    pub path: Vec<(String, String)>,
    /// Query parameter by its wire name, repeatable: --query search=garage, --query '$filter=…'
    /// (`sage operations <product> <operation>` lists them with their Rust setters).
    #[arg(long = "query", value_parser = parse_pair)]
    pub query: Vec<(String, String)>,
    /// JSON body from a file, or - for standard input.
    #[arg(long)]
    pub body: Option<PathBuf>,
    /// Print the body as received instead of pretty-printed.
    #[arg(long)]
    pub raw: bool,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Product name, e.g. accounting-v31.
    pub product: String,
    /// A list operation, e.g. list_contacts.
    pub operation: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Ndjson)]
    pub format: Format,
    /// Output file.
    #[arg(long)]
    pub out: PathBuf,
    /// Path parameter, repeatable: --path key=abc
    #[arg(long = "path", value_parser = parse_pair)]
    pub path: Vec<(String, String)>,
    /// Query parameter, repeatable: --query search=garage
    #[arg(long = "query", value_parser = parse_pair)]
    pub query: Vec<(String, String)>,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Args)]
pub struct ChangesArgs {
    /// Product name, e.g. accounting-v31.
    pub product: String,
    /// A resource (contacts) or its list operation (list_contacts).
    pub target: String,
    /// Start from this time (RFC 3339) when the checkpoint file holds none; default: everything.
    #[arg(long)]
    pub since: Option<String>,
    /// Keep polling (Ctrl-C stops cleanly).
    #[arg(long)]
    pub follow: bool,
    /// Seconds between polls with --follow.
    #[arg(long, default_value_t = 30)]
    pub interval: u64,
    /// Resume from and commit to this checkpoint file (written after each printed batch).
    #[arg(long)]
    pub checkpoint: Option<PathBuf>,
    /// Query parameter kept on every request, repeatable: --query contact_type_id=CUSTOMER
    #[arg(long = "query", value_parser = parse_pair)]
    pub query: Vec<(String, String)>,
    /// Path parameter, repeatable: --path key=abc
    #[arg(long = "path", value_parser = parse_pair)]
    pub path: Vec<(String, String)>,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One JSON array.
    Json,
    /// One JSON object per line.
    Ndjson,
    /// Comma-separated, one column per top-level field of the first item.
    Csv,
}

fn parse_pair(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .filter(|(name, _)| !name.is_empty())
        .ok_or_else(|| format!("expected name=value, got `{text}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_split_at_the_first_equals_sign() {
        assert_eq!(parse_pair("filter=a=b").unwrap(), ("filter".to_owned(), "a=b".to_owned()));
        assert!(parse_pair("novalue").is_err());
        assert!(parse_pair("=x").is_err());
    }

    #[test]
    fn the_client_secret_is_never_a_flag_value() {
        let login = |extra: &[&str]| {
            let mut args = vec!["sage", "login", "accounting-v31", "--client-id", "app"];
            args.extend_from_slice(extra);
            Cli::try_parse_from(args)
        };
        assert!(login(&["--client-secret", "visible-in-ps"]).is_err());
        let Command::Login(args) = login(&["--client-secret-stdin"]).unwrap().command else { panic!("login") };
        assert!(args.client_secret_stdin);
    }

    #[test]
    fn the_command_line_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
