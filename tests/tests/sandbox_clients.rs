//! The one-call ways to a sandbox client: from a fresh sign-in, from a store, and the demo OAuth
//! client; each refuses a product it was not made for instead of sending another API's tokens.

use std::sync::Arc;

use sage_accounting_v31::contacts::ListContacts;
use sage_core::auth::MemoryTokenStore;
use sage_sandbox::{Sandbox, SignInError};

async fn sandbox() -> Sandbox {
    Sandbox::builder().auto_approve(true).start().await.expect("sandbox starts")
}

#[tokio::test]
async fn a_signed_in_session_becomes_a_client_for_its_own_product_only() {
    let sandbox = sandbox().await;
    let wrong = sandbox.sign_in("accounting-v31").await.expect("sign in").client(sage200_pro::PRODUCT);
    assert!(matches!(wrong, Err(SignInError::OtherProduct { .. })), "{wrong:?}");

    let client = sandbox.sign_in("accounting-v31").await.expect("sign in").client(sage_accounting_v31::PRODUCT);
    let page = ListContacts::new().send(&client.expect("client")).await.expect("listed on the sandbox");
    assert!(!page.items.is_empty(), "the sandbox seeds contacts");
}

#[tokio::test]
async fn a_store_holding_another_apis_tokens_is_refused() {
    let sandbox = sandbox().await;
    let sage200 = sandbox.sign_in("sage200-pro").await.expect("sign in").tokens;
    let store = Arc::new(MemoryTokenStore::with_tokens(sage200));
    let refused = sandbox.client(sage_accounting_v31::PRODUCT, store).await;
    assert!(matches!(refused, Err(SignInError::OtherProduct { .. })), "{refused:?}");
}

#[tokio::test]
async fn the_demo_oauth_client_knows_only_served_products() {
    let sandbox = sandbox().await;
    let oauth = sandbox.oauth_client("accounting-v31").expect("a served product");
    let request = oauth.authorize_url();
    let authorize = sandbox.endpoints("accounting-v31").expect("endpoints").authorize_url;
    assert!(request.url.as_str().starts_with(&authorize), "{} points at the sandbox", request.url);
    assert!(matches!(sandbox.oauth_client("sage300"), Err(SignInError::UnknownProduct(_))));
}
