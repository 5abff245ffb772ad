//! Sage 200 writes shaped like Accounting's (issue #31): a create sends `NewCustomer` (its required
//! fields are `new`'s arguments, so leaving one out does not compile), an update sends
//! `CustomerUpdate` (every field optional, unset ones left out), which converts from what a read
//! returned; and a read model decodes whatever subset a `$select` asked for.

use std::sync::Arc;

use sage_core::auth::{Authenticator, MemoryTokenStore};
use sage_core::types::Decimal;
use sage_core::{Client, HeaderPolicy, Product};
use sage_sandbox::{fixtures, Sandbox};

async fn sage200_client(sandbox: &Sandbox, product: Product) -> Client {
    let signed_in = sandbox.sign_in(product.name).await.expect("sign in");
    let store = Arc::new(MemoryTokenStore::with_tokens(signed_in.tokens));
    Client::builder(product)
        .base_url(signed_in.api_base_url)
        .auth(Authenticator::new(signed_in.oauth, store))
        .headers(HeaderPolicy::sage200("1", fixtures::SAGE200_SITE_ID))
        .build()
        .expect("client")
}

async fn sandbox() -> Sandbox {
    Sandbox::builder().auto_approve(true).start().await.expect("sandbox starts")
}

#[tokio::test]
async fn a_customer_is_created_updated_and_read_modified_written() {
    use sage200_pro::sales::{CreateCustomer, CustomerUpdate, GetCustomer, NewCustomer, UpdateCustomer};
    let sandbox = sandbox().await;
    let client = sage200_client(&sandbox, sage200_pro::PRODUCT).await;

    let new = NewCustomer { credit_limit: Some(Decimal::new(1_000, 0)), ..NewCustomer::new("Writes Ltd", "WRT001") };
    let created = CreateCustomer::new(new).send(&client).await.unwrap();
    let id = created.id.expect("an id is assigned");
    assert_eq!((created.name.as_str(), created.reference.as_str()), ("Writes Ltd", "WRT001"));

    // An update with one field set sends that field only: the rest stays as stored.
    let rename = CustomerUpdate { name: Some("Writes Group Ltd".into()), ..CustomerUpdate::default() };
    UpdateCustomer::new(id, rename).send(&client).await.unwrap();
    let stored = GetCustomer::new(id).send(&client).await.unwrap();
    assert_eq!((stored.name.as_str(), stored.reference.as_str()), ("Writes Group Ltd", "WRT001"));
    assert_eq!(stored.credit_limit, Some(Decimal::new(1_000, 0)));

    // Read-modify-write: what a read returned, one field changed.
    let update = CustomerUpdate { credit_limit: Some(Decimal::new(250_050, 2)), ..(&stored).into() };
    assert_eq!(update.name.as_deref(), Some("Writes Group Ltd"), "the read's fields carry over");
    UpdateCustomer::new(id, update).send(&client).await.unwrap();
    let stored = GetCustomer::new(id).send(&client).await.unwrap();
    assert_eq!(stored.credit_limit, Some(Decimal::new(250_050, 2)));
    assert_eq!(stored.name, "Writes Group Ltd");
}

/// The README's Sage 200 write ("Writing to Sage"), as it is printed there.
#[tokio::test]
async fn the_readme_snippet_creates_reads_and_updates_a_customer() -> Result<(), Box<dyn std::error::Error>> {
    use sage200_pro::sales::{CreateCustomer, CustomerUpdate, GetCustomer, NewCustomer, UpdateCustomer};
    use sage_core::types::dec;
    let sandbox = sandbox().await;
    let client = sage200_client(&sandbox, sage200_pro::PRODUCT).await;
    let created = CreateCustomer::new(NewCustomer::new("Acme Ltd", "ACM001")).send(&client).await?;
    let id = created.id.ok_or("Sage assigns the id")?;
    let customer = GetCustomer::new(id).send(&client).await?;
    let update = CustomerUpdate { credit_limit: Some(dec!(2500.50)), ..(&customer).into() };
    UpdateCustomer::new(id, update).send(&client).await?;
    assert_eq!(GetCustomer::new(id).send(&client).await?.credit_limit, Some(dec!(2500.50)));
    Ok(())
}

#[tokio::test]
async fn a_supplier_is_created_updated_and_read_modified_written() {
    use sage200_standard::purchases::{CreateSupplier, GetSupplier, NewSupplier, SupplierUpdate, UpdateSupplier};
    let sandbox = sandbox().await;
    let client = sage200_client(&sandbox, sage200_standard::PRODUCT).await;

    let created = CreateSupplier::new(NewSupplier::new("Parts Ltd", "PRT001")).send(&client).await.unwrap();
    let id = created.id.expect("an id is assigned");
    assert_eq!(created.reference, "PRT001");

    let change = SupplierUpdate { telephone_subscriber_number: Some("555 0100".into()), ..SupplierUpdate::default() };
    UpdateSupplier::new(id, change).send(&client).await.unwrap();
    let stored = GetSupplier::new(id).send(&client).await.unwrap();
    assert_eq!(stored.telephone_subscriber_number.as_deref(), Some("555 0100"));
    assert_eq!(stored.name, "Parts Ltd");

    let update = SupplierUpdate { name: Some("Parts Group Ltd".into()), ..(&stored).into() };
    UpdateSupplier::new(id, update).send(&client).await.unwrap();
    let stored = GetSupplier::new(id).send(&client).await.unwrap();
    assert_eq!((stored.name.as_str(), stored.reference.as_str()), ("Parts Group Ltd", "PRT001"));
    assert_eq!(stored.telephone_subscriber_number.as_deref(), Some("555 0100"));
}

#[tokio::test]
async fn a_select_of_two_fields_decodes() {
    use sage200_pro::sales::ListCustomers;
    let sandbox = sandbox().await;
    let client = sage200_client(&sandbox, sage200_pro::PRODUCT).await;

    let page = ListCustomers::new().select("id,credit_limit").send(&client).await.unwrap();
    assert!(!page.items.is_empty());
    for customer in &page.items {
        assert!(customer.id.is_some());
        // `name` and `reference` were not asked for: a required field left out reads as empty.
        assert_eq!((customer.name.as_str(), customer.reference.as_str()), ("", ""));
        assert_eq!(customer.balance, None);
    }
    let abs = page.items.iter().find(|c| c.credit_limit == Some(Decimal::new(400_000, 2)));
    assert!(abs.is_some(), "the selected field is read");
}
