//! Record and replay, as a user tests their program offline: a sandbox session (sign-in through the
//! sandbox's identity server, a list, a create, a read back) recorded to a cassette with no secret
//! in it, the sandbox stopped, the same program run again against the replayed cassette with the
//! same output; and a sandbox seeded from the cassette listing the recorded records.

use std::path::Path;
use std::sync::Arc;

use sage_accounting_v31::contacts::{CreateContact, GetContact, ListContacts, NewContact};
use sage_accounting_v31::PRODUCT;
use sage_core::auth::{parse_redirect, AuthProfile, Authenticator, ClientSecret, MemoryTokenStore, OAuthClient};
use sage_core::record::{Cassette, ExchangeKind, Recorder};
use sage_core::Client;
use sage_sandbox::replay::Replay;
use sage_sandbox::Sandbox;

/// Where the program connects: the sandbox when recording, the replay afterwards.
#[derive(Debug, Clone)]
struct Urls {
    authorize: String,
    token: String,
    api_base: String,
}

/// Secret values the program saw, to look for in the cassette.
#[derive(Debug, Default)]
struct Seen {
    code: String,
    pkce_verifier: Option<String>,
    access_token: String,
    refresh_token: String,
}

const CLIENT_ID: &str = sage_sandbox::DEMO_CLIENT_ID;
const REDIRECT_URI: &str = "http://127.0.0.1:8791/callback";

/// The user's program: signs in (consent, code exchange), lists contacts, creates one and reads it
/// back; returns what it prints.
async fn program(urls: &Urls, client_secret: &str, recorder: Option<&Recorder>, seen: &mut Seen) -> Vec<String> {
    let profile = AuthProfile::accounting_v31().with_authorize_url(&urls.authorize).with_token_url(&urls.token);
    let mut oauth = OAuthClient::new(profile, CLIENT_ID, REDIRECT_URI)
        .unwrap()
        .with_client_secret(ClientSecret::new(client_secret));
    if let Some(recorder) = recorder {
        oauth = oauth.record(recorder);
    }
    // The consent page (a browser's step; the sandbox and the replay approve at once).
    let request = oauth.authorize_url();
    let browser = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let consent = browser.get(request.url.as_str()).send().await.unwrap();
    let location = consent.headers()["location"].to_str().unwrap().to_owned();
    let redirect = parse_redirect(&location, &request.state).unwrap();
    seen.code = redirect.code().secret().to_owned();
    seen.pkce_verifier = request.pkce_verifier.as_ref().map(|verifier| verifier.secret().to_owned());
    let tokens = oauth.exchange_code(redirect.code(), request.pkce_verifier.as_ref()).await.unwrap();
    seen.access_token = tokens.access_token().secret().to_owned();
    seen.refresh_token = tokens.refresh_token().map(|token| token.secret().to_owned()).unwrap_or_default();

    let auth = Authenticator::new(oauth, Arc::new(MemoryTokenStore::with_tokens(tokens)));
    let mut builder = Client::builder(PRODUCT).base_url(&urls.api_base).auth(auth);
    if let Some(recorder) = recorder {
        builder = builder.record(recorder);
    }
    let client = builder.build().unwrap();

    let mut output = Vec::new();
    let page = ListContacts::new().attributes("name,balance").send(&client).await.unwrap();
    for contact in &page.items {
        output.push(format!("listed {:?} {:?} {:?}", contact.id, contact.name, contact.balance));
    }
    let created =
        CreateContact::new(NewContact::new("Cassette Recorders Ltd", ["CUSTOMER"])).send(&client).await.unwrap();
    let id = created.id.clone().unwrap();
    output.push(format!("created {id} {:?}", created.name));
    let read = GetContact::new(&id).attributes("all").send(&client).await.unwrap();
    output.push(format!("read {:?} {:?} {:?}", read.id, read.name, read.contact_types.as_ref().map(Vec::len)));
    output
}

/// Records the program against a fresh sandbox, then stops it.
async fn record(cassette: &Path) -> (Urls, Vec<String>, Seen, String) {
    let sandbox = Sandbox::builder().auto_approve(true).start().await.unwrap();
    let endpoints = sandbox.endpoints("accounting-v31").unwrap();
    let urls =
        Urls { authorize: endpoints.authorize_url, token: endpoints.token_url, api_base: endpoints.api_base_url };
    let secret = sandbox.demo_client().client_secret.expect("the confidential demo client has a secret");
    let recorder = Recorder::create(cassette).unwrap();
    let mut seen = Seen::default();
    let output = program(&urls, &secret, Some(&recorder), &mut seen).await;
    recorder.finish().unwrap();
    sandbox.shutdown().await;
    (urls, output, seen, secret)
}

#[tokio::test]
async fn a_recorded_session_replays_offline_with_the_same_output_and_no_secret_in_the_cassette() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("session.cassette.jsonl");
    let (urls, recorded_output, seen, secret) = record(&path).await;
    assert!(recorded_output.iter().any(|line| line.starts_with("created ")), "{recorded_output:?}");

    // No secret value anywhere in the file.
    let text = std::fs::read_to_string(&path).unwrap();
    let mut secrets = vec![
        ("access token", seen.access_token.as_str()),
        ("refresh token", seen.refresh_token.as_str()),
        ("authorization code", seen.code.as_str()),
        ("client secret", secret.as_str()),
    ];
    if let Some(verifier) = &seen.pkce_verifier {
        secrets.push(("PKCE verifier", verifier));
    }
    for (what, value) in secrets {
        assert!(value.len() >= 8, "{what} looks empty: {value:?}");
        assert!(!text.contains(value), "the {what} is in the cassette");
        let encoded: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
        assert!(!text.contains(&encoded), "the {what} is in the cassette, form-encoded");
    }
    assert!(!text.to_ascii_lowercase().contains("\"authorization\""), "no Authorization header is kept: {text}");
    let cassette = Cassette::read(&path).unwrap();
    let kinds: Vec<(ExchangeKind, &str)> = cassette.exchanges.iter().map(|e| (e.kind, e.method.as_str())).collect();
    assert_eq!(
        kinds,
        [
            (ExchangeKind::Token, "POST"),
            (ExchangeKind::Api, "GET"),
            (ExchangeKind::Api, "POST"),
            (ExchangeKind::Api, "GET")
        ]
    );
    assert!(cassette.exchanges[0].request.body.as_deref().unwrap().contains("code=redacted-code-1"));

    // The sandbox is gone: the same program against the replay, with no network.
    assert!(reqwest::get(&urls.api_base).await.is_err(), "the sandbox is stopped");
    let replay = Replay::start(&path).await.unwrap();
    let replayed_urls = Urls {
        authorize: replay.rebase(&urls.authorize),
        token: replay.rebase(&urls.token),
        api_base: replay.base_url("accounting-v31").unwrap(),
    };
    let mut replay_seen = Seen::default();
    let replayed_output = program(&replayed_urls, "not-the-secret", None, &mut replay_seen).await;
    assert_eq!(replayed_output, recorded_output);
    assert!(replay.unmatched().is_empty(), "{:?}", replay.unmatched());
    assert_eq!(replay.remaining(), 0);
    assert!(replay_seen.access_token.starts_with("redacted-access_token-"), "{}", replay_seen.access_token);

    // A request the cassette does not hold is a clear error naming it.
    let client = Client::builder(PRODUCT)
        .base_url(replay.base_url("accounting-v31").unwrap())
        .auth(sage_core::auth::StaticToken::new("x"))
        .build()
        .unwrap();
    let err = ListContacts::new().search("nobody").send(&client).await.unwrap_err();
    assert_eq!(err.status(), Some(404));
    let message = err.to_string();
    assert!(message.contains("GET /v3.1/contacts?search=nobody"), "{message}");
    replay.shutdown().await;
}

#[tokio::test]
async fn a_sandbox_seeded_from_a_cassette_lists_the_recorded_records() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seed.cassette.jsonl");
    let (_, output, _, _) = record(&path).await;
    let created = output.iter().find_map(|line| line.strip_prefix("created ")).unwrap();
    let id = created.split_whitespace().next().unwrap().to_owned();

    // A fresh sandbox does not have the contact the session created; a seeded one does.
    for seeded in [false, true] {
        let mut builder = Sandbox::builder().auto_approve(true);
        if seeded {
            builder = builder.seed(&path);
        }
        let sandbox = builder.start().await.unwrap();
        let store = Arc::new(MemoryTokenStore::default());
        let client = sandbox.client(PRODUCT, store).await.unwrap();
        let page = ListContacts::new().attributes("name").items_per_page(200).send(&client).await.unwrap();
        let found = page.items.iter().find(|contact| contact.id.as_deref() == Some(id.as_str()));
        assert_eq!(found.is_some(), seeded, "seeded: {seeded}");
        if let Some(contact) = found {
            assert_eq!(contact.name.as_deref(), Some("Cassette Recorders Ltd"));
        }
        // Records that the fresh sandbox holds too (same ids) are not doubled.
        let mut ids: Vec<_> = page.items.iter().filter_map(|contact| contact.id.clone()).collect();
        let count = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), count, "no duplicate ids");
        sandbox.shutdown().await;
    }

    // A bad cassette stops the start with the file and line.
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, "{\"type\":\"cassette\",\"format\":\"sage-rs-cassette\",\"version\":1,\"personal_data_redacted\":false}\nnot json\n").unwrap();
    let err = Sandbox::builder().seed(&bad).start().await.unwrap_err().to_string();
    assert!(err.contains("bad.jsonl") && err.contains("line 2"), "{err}");
}
