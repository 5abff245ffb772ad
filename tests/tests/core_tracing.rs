//! Traces name each call but never carry a token or header value.
//!
//! Alone in its test binary: tracing caches per-callsite interest process-wide, so a test on
//! another thread hitting the same callsite first could hide events from this capture.

use sage_core::auth::StaticToken;
use sage_core::{Client, HeaderPolicy, Method, Operation, Request};
use sage_tests::{CapturedLogs, RecordingServer, Reply};

struct GetContact;

impl Operation for GetContact {
    type Output = serde_json::Value;
    fn request(&self) -> sage_core::Result<Request> {
        Ok(Request::new("get_contact", Method::Get, "/contacts/{key}").path("key", "c1"))
    }
}

#[tokio::test(flavor = "current_thread")]
async fn traces_name_the_call_but_never_the_token_or_headers() {
    let (logs, _guard) = CapturedLogs::install();
    let server = RecordingServer::start(vec![Reply::new(200, r#"{"id":"c1"}"#)]).await;
    let client = Client::builder(sage_accounting_v31::PRODUCT)
        .base_url(server.url())
        .auth(StaticToken::new("tok-secret-0"))
        .headers(HeaderPolicy::AccountingV31 { business_id: Some("biz-secretive".into()) })
        .build()
        .unwrap();
    client.send(&GetContact).await.unwrap();

    let output = logs.text();
    assert!(output.contains("get_contact") && output.contains("/contacts/{key}"), "{output}");
    for recorded in ["status=200", "attempts=1", "latency_ms="] {
        assert!(output.contains(recorded), "{recorded} missing from:\n{output}");
    }
    for secret in ["tok-secret-0", "Bearer", "biz-secretive"] {
        assert!(!output.contains(secret), "`{secret}` leaked into traces:\n{output}");
    }
}
