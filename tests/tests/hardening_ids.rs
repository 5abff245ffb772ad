//! Ids cannot re-target a request: an id holding a separator, a percent sign (an encoded `..` or
//! `/`), a control character or whitespace is refused before anything is sent, naming the
//! parameter and the operation, while the ids Sage really uses go out as they are.

use sage_accounting_v31::contacts::{DeleteContact, GetContact};
use sage_core::auth::StaticToken;
use sage_core::{Client, Error, HeaderPolicy, Method, Request};
use sage_tests::{RecordingServer, Reply};
use serde_json::json;

/// Ids that would reach another endpoint through a proxy decoding or normalizing the path.
const HOSTILE: [&str; 12] =
    ["%2e%2e", "%2E%2E", "%2F", "..%2Fsettings", "a/b", "/", "a\\b", "\\", "50%", "a\nb", "a\tb", "a b"];

fn v31(server: &RecordingServer) -> Client {
    Client::builder(sage_accounting_v31::PRODUCT)
        .base_url(format!("{}/v3.1", server.url()))
        .auth(StaticToken::new("token"))
        .build()
        .unwrap()
}

fn refused_naming(err: &Error, parameter: &str, operation: &str) -> bool {
    matches!(err, Error::Build(message)
        if message.starts_with(&format!("path parameter `{parameter}` of `{operation}` contains ")))
}

#[tokio::test]
async fn hostile_ids_are_refused_before_sending() {
    let server = RecordingServer::start(vec![]).await;
    let client = v31(&server);
    for id in HOSTILE {
        let err = GetContact::new(id).send(&client).await.unwrap_err();
        assert!(refused_naming(&err, "key", "get_contact"), "{id:?}: {err}");
        let err = DeleteContact::new(id).send(&client).await.unwrap_err();
        assert!(refused_naming(&err, "key", "delete_contact"), "{id:?}: {err}");
    }
    assert!(server.seen().is_empty(), "nothing reached the server: {:?}", server.seen());
}

#[tokio::test]
async fn hostile_ids_in_a_hand_built_request_are_refused_too() {
    let server = RecordingServer::start(vec![]).await;
    let client = v31(&server);
    for id in HOSTILE {
        let request = Request::new("delete_note", Method::Delete, "/contacts/{contact}/notes/{note}")
            .path("contact", "0a1b2c3d4e5f60718293a4b5c6d7e8f9")
            .path("note", id);
        let err = client.execute(&request).await.unwrap_err();
        assert!(refused_naming(&err, "note", "delete_note"), "{id:?}: {err}");
        assert!(err.to_string().contains("no Sage id contains"), "{err}");
    }
    assert!(server.seen().is_empty(), "nothing reached the server: {:?}", server.seen());
}

#[tokio::test]
async fn the_refusal_shows_the_character() {
    let server = RecordingServer::start(vec![]).await;
    let client = v31(&server);
    for (id, shown) in [("a\nb", r"'\n'"), ("a\tb", r"'\t'"), ("a b", "' '"), ("%2F", "'%'"), ("a\\b", r"'\\'")] {
        let err = GetContact::new(id).send(&client).await.unwrap_err();
        assert!(err.to_string().contains(&format!("contains {shown}")), "{id:?}: {err}");
    }
    assert!(server.seen().is_empty());
}

#[tokio::test]
async fn ordinary_ids_still_go_out() {
    let contact = json!({"id": "c1", "name": "Acme"}).to_string();
    let server = RecordingServer::start(vec![Reply::new(200, contact.clone()), Reply::new(200, contact)]).await;
    let client = v31(&server);
    GetContact::new("0a1b2c3d4e5f60718293a4b5c6d7e8f9").send(&client).await.unwrap();
    GetContact::new("USER_DEFINED-1.2").send(&client).await.unwrap();

    let sage200 =
        RecordingServer::start(vec![Reply::new(200, json!({"id": 27, "reference": "4001"}).to_string())]).await;
    let client = Client::builder(sage200_pro::PRODUCT)
        .base_url(sage200.url())
        .auth(StaticToken::new("token"))
        .headers(HeaderPolicy::sage200("1", "site"))
        .build()
        .unwrap();
    sage200_pro::sales::GetCustomer::new(27).send(&client).await.unwrap();

    let uris: Vec<_> = server.seen().into_iter().map(|seen| seen.uri).collect();
    assert_eq!(uris, ["/v3.1/contacts/0a1b2c3d4e5f60718293a4b5c6d7e8f9", "/v3.1/contacts/USER_DEFINED-1.2"]);
    let uris: Vec<_> = sage200.seen().into_iter().map(|seen| seen.uri).collect();
    assert_eq!(uris, ["/customers/27"]);
}
