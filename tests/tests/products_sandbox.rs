//! Each product's generated client against the sandbox, as a user would use them: sign in,
//! list, create, read, update, delete and stream, with the product's own headers and paging.

use std::sync::Arc;

use futures_util::TryStreamExt;
use sage_core::auth::{Authenticator, MemoryTokenStore};
use sage_core::types::Decimal;
use sage_core::{Client, Error, HeaderPolicy, Product};
use sage_sandbox::{fixtures, Sandbox};
use serde_json::json;

async fn sandbox() -> Sandbox {
    Sandbox::builder().auto_approve(true).start().await.expect("sandbox starts")
}

/// Signs in to `product` and builds its client with `headers` (or the product's default).
async fn client(sandbox: &Sandbox, product: Product, headers: impl FnOnce(&str) -> Option<HeaderPolicy>) -> Client {
    let signed_in = sandbox.sign_in(product.name).await.expect("sign in");
    let site = signed_in.tokens.resource_owner_id().unwrap_or_default().to_owned();
    let store = Arc::new(MemoryTokenStore::with_tokens(signed_in.tokens));
    let mut builder =
        Client::builder(product).base_url(signed_in.api_base_url).auth(Authenticator::new(signed_in.oauth, store));
    if let Some(policy) = headers(&site) {
        builder = builder.headers(policy);
    }
    builder.build().expect("client")
}

fn is_not_found(err: &Error) -> bool {
    err.status() == Some(404)
}

#[tokio::test]
async fn accounting_v31_contacts_round_trip() {
    use sage_accounting_v31::contacts::{CreateContact, DeleteContact, GetContact, ListContacts, UpdateContact};
    let sandbox = sandbox().await;
    let client = client(&sandbox, sage_accounting_v31::PRODUCT, |_| None).await;

    let first = ListContacts::new().items_per_page(10).send(&client).await.unwrap();
    assert_eq!(first.items.len(), 10);
    let total = first.total.expect("the envelope carries $total");
    let body = serde_json::from_value(json!({"name": "Round Trip Ltd", "contact_type_ids": ["CUSTOMER"]}));
    let created = CreateContact::new(body.unwrap()).send(&client).await.unwrap();
    let id = created.id.expect("an id is assigned");
    assert_eq!(GetContact::new(&id).send(&client).await.unwrap().name.as_deref(), Some("Round Trip Ltd"));

    let change = serde_json::from_value(json!({"name": "Round Trip Ltd", "notes": "Pays on time"}));
    UpdateContact::new(&id, change.unwrap()).send(&client).await.unwrap();
    assert_eq!(GetContact::new(&id).send(&client).await.unwrap().notes.as_deref(), Some("Pays on time"));

    let streamed: Vec<_> = ListContacts::new().items_per_page(7).items(&client).try_collect().await.unwrap();
    assert_eq!(streamed.len() as u64, total + 1, "every page, including the new contact");

    DeleteContact::new(&id).send(&client).await.unwrap();
    assert!(is_not_found(&GetContact::new(&id).send(&client).await.unwrap_err()));
}

#[tokio::test]
async fn accounting_v31_businesses_are_separate_tenants() {
    use sage_accounting_v31::businesses::ListBusinesses;
    use sage_accounting_v31::contacts::{CreateContact, ListContacts};
    let sandbox = sandbox().await;
    let client = client(&sandbox, sage_accounting_v31::PRODUCT, |_| None).await;

    let businesses: Vec<_> = ListBusinesses::new().items(&client).try_collect().await.unwrap();
    assert!(businesses.len() >= 2, "the demo user has several businesses");
    let other =
        businesses.iter().filter_map(|b| b.id.clone()).find(|id| id.as_str() != sandbox.lead_business()).unwrap();
    let body = serde_json::from_value(json!({"name": "Only In Other", "contact_type_ids": ["CUSTOMER"]}));
    CreateContact::new(body.unwrap()).send(&client.for_business(other.as_str()).unwrap()).await.unwrap();

    let search = ListContacts::new().search("Only In Other");
    let in_other = search.send(&client.for_business(other.as_str()).unwrap()).await.unwrap();
    let in_lead = search.send(&client).await.unwrap();
    assert_eq!((in_other.items.len(), in_lead.items.len()), (1, 0));
}

#[tokio::test]
#[allow(deprecated)] // exercises the v3 API on purpose: Sage deprecated it for v3.1
async fn accounting_v3_contacts_round_trip_with_site_and_subscription_key() {
    use sage_accounting_v3::contacts::{CreateContact, DeleteContact, GetContact, ListContacts, UpdateContact};
    let sandbox = sandbox().await;
    let client =
        client(&sandbox, sage_accounting_v3::PRODUCT, |site| Some(HeaderPolicy::accounting_v3(site, "apim-key"))).await;

    assert!(!ListContacts::new().send(&client).await.unwrap().items.is_empty());
    let body = serde_json::from_value(json!({"name": "V3 Garage", "contact_type_ids": ["CUSTOMER"]}));
    let id = CreateContact::new(body.unwrap()).send(&client).await.unwrap().id.unwrap();
    let change = serde_json::from_value(json!({"name": "V3 Garage Ltd"}));
    UpdateContact::new(&id, change.unwrap()).send(&client).await.unwrap();
    assert_eq!(GetContact::new(&id).send(&client).await.unwrap().name.as_deref(), Some("V3 Garage Ltd"));
    DeleteContact::new(&id).send(&client).await.unwrap();
    assert!(is_not_found(&GetContact::new(&id).send(&client).await.unwrap_err()));

    let wrong_site = client.with_headers(HeaderPolicy::accounting_v3("another-site", "apim-key")).unwrap();
    assert!(ListContacts::new().send(&wrong_site).await.is_err(), "X-Site must match the token's resource owner");
}

macro_rules! sage200_round_trip {
    ($test:ident, $krate:ident) => {
        #[tokio::test]
        async fn $test() {
            use $krate::sales::{
                CreateCustomer, CustomerUpdate, DeleteCustomer, GetCustomer, ListCustomers, NewCustomer, UpdateCustomer,
            };
            let sandbox = sandbox().await;
            let policy = HeaderPolicy::sage200("1", fixtures::SAGE200_SITE_ID);
            let client = client(&sandbox, $krate::PRODUCT, |_| Some(policy)).await;

            let found = ListCustomers::new().filter("reference eq 'ABS001'").send(&client).await.unwrap();
            let abs = &found.items[0];
            assert_eq!((abs.name.as_str(), abs.balance), ("ABS Garages Ltd", Some(Decimal::new(246_416, 2))));
            assert_eq!(abs.credit_limit, Some(Decimal::new(400_000, 2)));

            let new = NewCustomer::new("Round Trip Ltd", "RTL001");
            let id = CreateCustomer::new(new).send(&client).await.unwrap().id.expect("an id is assigned");
            let customer = GetCustomer::new(id).send(&client).await.unwrap();
            let update = CustomerUpdate { credit_limit: Some(Decimal::new(150_050, 2)), ..(&customer).into() };
            UpdateCustomer::new(id, update).send(&client).await.unwrap();
            let stored = GetCustomer::new(id).send(&client).await.unwrap();
            assert_eq!(stored.credit_limit, Some(Decimal::new(150_050, 2)), "decimals travel as exact numbers");

            let all: Vec<_> = ListCustomers::new().top(2).items(&client).try_collect().await.unwrap();
            assert!(all.iter().any(|c| c.reference == "RTL001"), "OData paging reaches the new customer");
            DeleteCustomer::new(id).send(&client).await.unwrap();
            assert!(is_not_found(&GetCustomer::new(id).send(&client).await.unwrap_err()));

            let other_company = client.with_headers(HeaderPolicy::sage200("999", fixtures::SAGE200_SITE_ID)).unwrap();
            assert!(ListCustomers::new().send(&other_company).await.is_err(), "an unknown company is refused");
        }
    };
}

sage200_round_trip!(sage200_pro_customers_round_trip, sage200_pro);
sage200_round_trip!(sage200_standard_customers_round_trip, sage200_standard);
