//! Operations carry their product (#31.1): a client refuses, before anything is sent, an operation of
//! another product or edition, naming both; the sandbox's request counter proves nothing went out.

use futures_util::TryStreamExt;
use sage_core::{Client, Error, Method, Request};
use sage_sandbox::Sandbox;

async fn sandbox() -> Sandbox {
    Sandbox::builder().auto_approve(true).start().await.expect("the sandbox starts")
}

async fn client(sandbox: &Sandbox, product: sage_core::Product) -> Client {
    sandbox.sign_in(product.name).await.expect("sign in").client(product).expect("client")
}

/// The refusal, which must name the operation and both products.
fn wrong_product<T: std::fmt::Debug>(result: sage_core::Result<T>) -> (Error, String) {
    match result {
        Err(err @ Error::WrongProduct { .. }) => {
            let message = err.to_string();
            (err, message)
        }
        other => panic!("expected Error::WrongProduct, got {other:?}"),
    }
}

#[tokio::test]
async fn a_professional_only_operation_on_a_standard_client_is_refused_unsent() {
    let sandbox = sandbox().await;
    let standard = client(&sandbox, sage200_standard::PRODUCT).await;
    let before = sandbox.stats().api_requests;

    let (err, message) = wrong_product(sage200_pro::sales::ListFinanceCharges::new().send(&standard).await);
    let Error::WrongProduct { operation, operation_products, client_product } = err else { unreachable!() };
    assert_eq!(
        (operation, operation_products, client_product),
        ("list_finance_charges", &["sage200-pro"][..], "sage200-standard")
    );
    assert!(message.contains("Professional only"), "{message}");
    assert!(message.contains("sage200-pro") && message.contains("sage200-standard"), "{message}");
    assert!(message.contains("Sage 200 Standard Online"), "{message}");

    // Every way of sending checks: one operation, a stream of pages, a Professional-only write.
    let (_, _) = wrong_product(standard.items(&sage200_pro::sales::ListFinanceCharges::new()).try_next().await);
    let get = sage200_pro::sales::GetFinanceCharge::new(1);
    assert!(matches!(get.send(&standard).await, Err(Error::WrongProduct { .. })));
    assert_eq!(sandbox.stats().api_requests, before, "nothing reached the sandbox");

    // The same operation through a Professional client goes out.
    let pro = client(&sandbox, sage200_pro::PRODUCT).await;
    let result = sage200_pro::sales::ListFinanceCharges::new().send(&pro).await;
    assert!(!matches!(result, Err(Error::WrongProduct { .. })), "{result:?}");
    assert_eq!(sandbox.stats().api_requests, before + 1, "sent once through Professional");
}

#[tokio::test]
async fn an_accounting_operation_on_a_sage200_client_is_refused_unsent() {
    let sandbox = sandbox().await;
    let pro = client(&sandbox, sage200_pro::PRODUCT).await;
    let before = sandbox.stats().api_requests;

    let (_, message) = wrong_product(sage_accounting_v31::contacts::ListContacts::new().send(&pro).await);
    assert!(message.contains("accounting-v31") && message.contains("sage200-pro"), "{message}");
    assert!(message.contains("Sage Business Cloud Accounting v3.1"), "{message}");
    assert!(!message.contains("only"), "not an edition of the same API: {message}");

    #[allow(deprecated)]
    let (_, message) = wrong_product(sage_accounting_v3::contacts::ListContacts::new().send(&pro).await);
    assert!(message.contains("accounting-v3`") && message.contains("sage200-pro"), "{message}");
    // And the other way round: a Sage 200 operation on a v3.1 client.
    let v31 = client(&sandbox, sage_accounting_v31::PRODUCT).await;
    let (_, message) = wrong_product(sage200_pro::sales::ListCustomers::new().send(&v31).await);
    assert!(message.contains("sage200-standard") && message.contains("accounting-v31"), "{message}");
    assert_eq!(sandbox.stats().api_requests, before, "nothing reached the sandbox");
}

#[tokio::test]
async fn a_shared_sage200_operation_works_on_both_editions() {
    let sandbox = sandbox().await;
    let before = sandbox.stats().api_requests;
    for product in [sage200_pro::PRODUCT, sage200_standard::PRODUCT] {
        let client = client(&sandbox, product).await;
        // One type, re-exported by both edition crates.
        let customers = sage200_standard::sales::ListCustomers::new().top(5).send(&client).await;
        assert!(!customers.expect(product.name).items.is_empty(), "{}: the sandbox seeds customers", product.name);
        let customers = sage200_pro::sales::ListCustomers::new().top(5).send(&client).await;
        assert!(customers.is_ok(), "{}: {customers:?}", product.name);
    }
    assert_eq!(sandbox.stats().api_requests, before + 4);
}

#[tokio::test]
async fn hand_built_requests_are_checked_only_when_they_name_products() {
    let sandbox = sandbox().await;
    let standard = client(&sandbox, sage200_standard::PRODUCT).await;
    let before = sandbox.stats().api_requests;

    // No products named: sent whatever the client (the caller knows best).
    let request = Request::new("list_customers", Method::Get, "/customers");
    assert!(request.products.is_empty());
    standard.execute(&request).await.expect("a hand-built request goes out");
    assert_eq!(sandbox.stats().api_requests, before + 1);

    // A request naming the operation's products, as the catalog's `OperationSpec::request` builds
    // them for the CLI (tested with the tables in `crates/cli/tests/operations.rs`).
    let pro_only = Request::new("list_finance_charges", Method::Get, "/finance_charges").products(&["sage200-pro"]);
    let (_, message) = wrong_product(standard.execute(&pro_only).await);
    assert!(message.contains("Professional only"), "{message}");
    let shared = request.products(&["sage200-pro", "sage200-standard"]);
    standard.execute(&shared).await.expect("a shared operation goes out");
    assert_eq!(sandbox.stats().api_requests, before + 2, "the refused one never went out");
}
