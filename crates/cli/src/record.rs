//! `--record FILE`: every exchange of the command (API calls, token requests) written to a cassette,
//! redacted; `--replay FILE`: the command served from a cassette, with no network and no sign-in.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use sage_core::auth::{AccessToken, AuthProfile, Authenticator, MemoryTokenStore, OAuthClient, TokenSet, TokenStore};
use sage_core::record::{Cassette, ExchangeKind, Recorder};
use sage_core::{Client, ClientBuilder, HeaderPolicy, HeaderStyle};
use sage_sandbox::replay::Replay;

use crate::cli::{Cli, ConnectionArgs};
use crate::error::CliError;
use crate::products::Entry;
use crate::session::Session;

/// What this process records to or replays from; set once in `main` before the command runs.
struct Tape {
    recorder: Option<Recorder>,
    replay: Option<(Replay, Cassette)>,
}

static TAPE: OnceLock<Tape> = OnceLock::new();

/// Opens the cassette named by `--record` or `--replay` (nothing otherwise).
pub async fn start(cli: &Cli) -> Result<(), CliError> {
    let recorder = match &cli.record {
        Some(path) => Some(
            Recorder::builder(path)
                .redact_personal_data(cli.redact_personal_data)
                .create()
                .map_err(|err| CliError::Usage(err.to_string()))?,
        ),
        None => None,
    };
    let replay = match &cli.replay {
        Some(path) => {
            let cassette = Cassette::read(path).map_err(|err| CliError::Usage(err.to_string()))?;
            let replay =
                Replay::serve(cassette.clone()).await.map_err(|err| CliError::Other(format!("replay: {err}")))?;
            Some((replay, cassette))
        }
        None => None,
    };
    if recorder.is_some() || replay.is_some() {
        let _ = TAPE.set(Tape { recorder, replay });
    }
    Ok(())
}

/// Flushes the cassette being recorded; a write that failed while recording is reported here.
pub fn finish() -> Result<(), CliError> {
    match TAPE.get().and_then(|tape| tape.recorder.as_ref()) {
        Some(recorder) => recorder.finish().map(|_| ()).map_err(|err| CliError::Other(err.to_string())),
        None => Ok(()),
    }
}

/// The client records when `--record` was given.
pub fn client(builder: ClientBuilder) -> ClientBuilder {
    match TAPE.get().and_then(|tape| tape.recorder.as_ref()) {
        Some(recorder) => builder.record(recorder),
        None => builder,
    }
}

/// Token requests (sign-in, refresh) are recorded when `--record` was given.
pub fn oauth(oauth: OAuthClient) -> OAuthClient {
    match TAPE.get().and_then(|tape| tape.recorder.as_ref()) {
        Some(recorder) => oauth.record(recorder),
        None => oauth,
    }
}

/// With `--replay`: a session on the replayed cassette, with the base URL and the company, site or
/// business headers the cassette recorded (the command line's win), and a placeholder token.
pub fn replay_session(entry: Entry, args: &ConnectionArgs) -> Result<Option<Session>, CliError> {
    let Some((replay, cassette)) = TAPE.get().and_then(|tape| tape.replay.as_ref()) else { return Ok(None) };
    let product = entry.product;
    let recorded_base = cassette.clients.iter().find(|client| client.product == product.name).map(|c| &c.base_url);
    let Some(recorded_base) = recorded_base else {
        let recorded: Vec<&str> = cassette.clients.iter().map(|client| client.product.as_str()).collect();
        return Err(CliError::Usage(format!(
            "cassette {} recorded no {} client (it has: {})",
            cassette.path.display(),
            product.name,
            if recorded.is_empty() { "none".to_owned() } else { recorded.join(", ") }
        )));
    };
    // The headers of the first call made through that base URL.
    let recorded = cassette
        .exchanges
        .iter()
        .filter(|exchange| exchange.kind == ExchangeKind::Api && exchange.url.starts_with(recorded_base.as_str()))
        .map(|exchange| &exchange.request.headers)
        .find(|headers| !headers.is_empty());
    let header = |flag: &Option<String>, name: &str| {
        flag.clone().or_else(|| recorded.and_then(|headers| headers.get(name)).cloned())
    };
    let policy = match product.headers {
        HeaderStyle::AccountingV31 => HeaderPolicy::AccountingV31 { business_id: header(&args.business, "x-business") },
        HeaderStyle::AccountingV3 => match header(&args.site, "x-site") {
            Some(site) => HeaderPolicy::accounting_v3(site, "replayed-subscription-key"),
            None => return Err(CliError::Usage("the cassette sent no X-Site: pass --site".into())),
        },
        HeaderStyle::Sage200 => match (header(&args.company, "x-company"), header(&args.site, "x-site")) {
            (Some(company), Some(site)) => HeaderPolicy::sage200(company, site),
            _ => HeaderPolicy::sage200_directory(),
        },
    };
    // Token requests, should the replayed answers ask for one, go to the replay too.
    let token_url = format!("{}/token", replay.url());
    let profile = AuthProfile::for_api(product.api)
        .with_authorize_url(format!("{}/authorize", replay.url()))
        .with_token_url(&token_url)
        .with_revoke_url(None::<String>);
    let oauth = OAuthClient::new(profile, "replay", "http://127.0.0.1:8791/callback")
        .map_err(|err| CliError::Other(format!("replay: {err}")))?;
    let tokens = TokenSet::new(product.api, AccessToken::new("replayed-access-token"), Duration::from_secs(86_400));
    let store: Arc<dyn TokenStore> = Arc::new(MemoryTokenStore::with_tokens(tokens));
    let authenticator = Arc::new(Authenticator::new(oauth, Arc::clone(&store)));
    let base_url = args.base_url.clone().unwrap_or_else(|| replay.rebase(recorded_base));
    let client = Client::builder(product)
        .base_url(base_url)
        .headers(policy)
        .shared_auth(authenticator.clone())
        .build()
        .map_err(|err| CliError::Usage(err.to_string()))?;
    Ok(Some(Session { entry, client, authenticator, store, sandbox: None }))
}
