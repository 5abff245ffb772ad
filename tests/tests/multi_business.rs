//! Accounting v3.1 with several businesses, against the sandbox: choosing the business per client,
//! seeing which business served each call, noticing a change of lead business, refusing unknown
//! businesses, and keeping each business's data apart.

mod oauth_support;

use std::sync::Arc;

use sage_accounting_v31::businesses::ListBusinesses;
use sage_accounting_v31::contacts::{CreateContact, ListContacts, NewContact};
use sage_accounting_v31::lead::GetLeadBusiness;
use sage_accounting_v31::PRODUCT;
use sage_core::auth::{Authenticator, MemoryTokenStore};
use sage_core::{Client, Error, LeadBusinessChange};
use sage_sandbox::fixtures::V31_BUSINESSES;
use sage_sandbox::Sandbox;

/// A signed-in v3.1 client addressing the lead business (no `X-Business`).
async fn signed_in(sandbox: &Sandbox) -> Client {
    let oauth = oauth_support::confidential(sandbox, "accounting-v31");
    let tokens = oauth_support::authorize(&oauth).await;
    let auth = Authenticator::new(oauth, Arc::new(MemoryTokenStore::with_tokens(tokens)));
    let base_url = sandbox.endpoints("accounting-v31").expect("v3.1 is served").api_base_url;
    Client::builder(PRODUCT).base_url(base_url).auth(auth).build().expect("client")
}

fn contact_named(name: &str) -> CreateContact {
    CreateContact::new(NewContact::new(name, ["CUSTOMER"]))
}

async fn contact_names(client: &Client) -> Vec<String> {
    let page = ListContacts::new().attributes("name").items_per_page(200).send(client).await.expect("contacts list");
    page.items.into_iter().filter_map(|contact| contact.name).collect()
}

#[tokio::test]
async fn businesses_are_listed_and_the_lead_business_is_read() {
    let sandbox = oauth_support::sandbox().await;
    let client = signed_in(&sandbox).await;

    let businesses = ListBusinesses::new().send(&client).await.expect("businesses");
    let mut ids: Vec<String> =
        businesses.items.into_iter().filter_map(|business| business.id).map(String::from).collect();
    ids.sort();
    let mut expected: Vec<String> = V31_BUSINESSES.iter().map(|business| business.id.to_string()).collect();
    expected.sort();
    assert_eq!(ids, expected);

    let lead = client.send_with_metadata(&GetLeadBusiness::new()).await.expect("lead business");
    assert_eq!(lead.value.id.as_deref(), Some(sandbox.lead_business().as_str()));
    assert_eq!(lead.metadata.business, Some(sandbox.lead_business()), "the lead business served the call");
}

#[tokio::test]
async fn a_client_per_business_is_served_by_that_business() {
    let sandbox = oauth_support::sandbox().await;
    let client = signed_in(&sandbox).await;

    for business in &V31_BUSINESSES {
        let scoped = client.for_business(business.id).expect("v3.1 client");
        let response = scoped.send_with_metadata(&ListContacts::new()).await.expect("contacts");
        assert_eq!(response.metadata.business.as_deref(), Some(business.id));
    }
    let unscoped = client.send_with_metadata(&ListContacts::new()).await.expect("contacts");
    assert_eq!(unscoped.metadata.business, Some(V31_BUSINESSES[0].id.to_string()), "no choice: the lead serves");
}

#[tokio::test]
async fn a_change_of_lead_business_is_reported_by_the_call_and_the_watch() {
    let sandbox = oauth_support::sandbox().await;
    let client = signed_in(&sandbox).await;
    let mut lead = client.lead_business();
    let (first, second) = (V31_BUSINESSES[0].id, V31_BUSINESSES[1].id);

    let before = client.send_with_metadata(&ListContacts::new()).await.expect("contacts");
    assert_eq!(before.metadata.business.as_deref(), Some(first));
    assert_eq!(before.metadata.lead_change, None, "the first sighting is no change");
    assert_eq!(lead.borrow_and_update().as_deref(), Some(first));

    assert!(sandbox.set_lead_business(second));
    let after = client.send_with_metadata(&ListContacts::new()).await.expect("contacts");

    assert_eq!(after.metadata.business.as_deref(), Some(second));
    let change = LeadBusinessChange { previous: first.to_string(), current: second.to_string() };
    assert_eq!(after.metadata.lead_change, Some(change));
    assert!(lead.has_changed().expect("client alive"), "the watch receiver wakes");
    assert_eq!(lead.borrow_and_update().as_deref(), Some(second));
}

#[tokio::test]
async fn calls_for_a_chosen_business_do_not_move_the_lead() {
    let sandbox = oauth_support::sandbox().await;
    let client = signed_in(&sandbox).await;
    client.send(&ListContacts::new()).await.expect("contacts");

    let other = client.for_business(V31_BUSINESSES[2].id).expect("v3.1 client");
    other.send(&ListContacts::new()).await.expect("contacts");
    let again = client.send_with_metadata(&ListContacts::new()).await.expect("contacts");

    assert_eq!(again.metadata.lead_change, None);
    assert_eq!(client.lead_business().borrow().as_deref(), Some(V31_BUSINESSES[0].id));
}

#[tokio::test]
async fn an_unknown_business_is_refused_with_a_typed_api_error() {
    let sandbox = oauth_support::sandbox().await;
    let client = signed_in(&sandbox).await;
    let stranger = client.for_business("0000000000000000000000000000dead").expect("v3.1 client");

    let err = stranger.send(&ListContacts::new()).await.expect_err("no access to that business");

    let Error::Api(api) = &err else { panic!("expected an API error, got {err:?}") };
    assert_eq!(api.status, 403);
    assert_eq!(api.operation, "list_contacts");
    let item = api.items.first().expect("Sage's error item");
    assert_eq!(item.source.as_deref(), Some("X-Business"));
    assert!(err.to_string().contains("0000000000000000000000000000dead"), "{err}");
}

#[tokio::test]
async fn each_business_keeps_its_own_data() {
    let sandbox = oauth_support::sandbox().await;
    let client = signed_in(&sandbox).await;
    let trading = client.for_business(V31_BUSINESSES[0].id).expect("v3.1 client");
    let retail = client.for_business(V31_BUSINESSES[2].id).expect("v3.1 client");

    trading.send(&contact_named("Only In Trading Ltd")).await.expect("contact created");

    assert!(contact_names(&trading).await.iter().any(|name| name == "Only In Trading Ltd"));
    assert!(!contact_names(&retail).await.iter().any(|name| name == "Only In Trading Ltd"));
    assert!(contact_names(&client).await.iter().any(|name| name == "Only In Trading Ltd"), "trading is the lead");
}

#[tokio::test]
async fn a_business_id_no_sage_id_could_be_is_refused_before_any_call() {
    let sandbox = oauth_support::sandbox().await;
    let client = signed_in(&sandbox).await;
    for id in ["", "a b", "a/b", "a\\b", "50%", "a\nb"] {
        let err = client.for_business(id).expect_err(id);
        assert!(
            matches!(&err, Error::Build(message) if message.contains("is not a Sage business id")),
            "{id:?}: {err}"
        );
    }
    let lead = V31_BUSINESSES[0].id;
    assert!(client.for_business(lead).is_ok(), "a real business id passes");
}
