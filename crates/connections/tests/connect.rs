//! The connect flow on both backends: every product end to end, and every refused callback
//! leaving nothing stored.

mod support;

use std::time::Duration;

use sage_connections::{Error, Region, Status};
use sage_sandbox::fixtures;
use support::{list_request, state_of, Backend, Harness, PRODUCTS, REDIRECT_URI};

async fn connects_every_product_and_calls_through_its_client(backend: Backend) {
    let Some(harness) = Harness::start(backend).await else { return };
    for product in PRODUCTS {
        let id = format!("customer-{}", product.name);
        let connection = harness.connect(&id, product.name).await;
        assert_eq!((connection.id.as_str(), connection.product.as_str()), (id.as_str(), product.name));
        assert_eq!(connection.status, Status::Active);
        match product.name {
            "accounting-v31" => {
                assert_eq!(connection.businesses.len(), fixtures::V31_BUSINESSES.len());
                let lead = connection.business.as_ref().expect("the lead business");
                assert_eq!(lead.id, fixtures::V31_BUSINESSES[0].id);
                assert!(lead.lead);
                assert_eq!(connection.user_id.as_deref(), Some(fixtures::USER_ID));
            }
            "accounting-v3" => {
                assert_eq!(connection.country.as_deref(), Some("gb"));
                assert_eq!(connection.region, Some(Region::Europe));
                assert_eq!(connection.v3_site_id.as_deref(), Some(fixtures::V3_SITE_ID));
            }
            _ => {
                assert_eq!(connection.companies.len(), fixtures::SAGE200_COMPANIES.len());
                let company = connection.company.as_ref().expect("a company");
                assert_eq!((company.company_id, company.site_id.as_str()), (1, fixtures::SAGE200_SITE_ID));
            }
        }
        let client = harness.connections.client(&id).await.unwrap();
        let response = client.execute(&list_request(product.name)).await.unwrap();
        assert_eq!(response.metadata.status, 200, "{}", product.name);
        let mut stored = harness.connections.get(&id).await.unwrap();
        stored.last_used_at = None; // recorded in the background by the call
        assert_eq!(stored, connection);
    }
    let listed: Vec<String> = harness.connections.list().await.unwrap().into_iter().map(|c| c.id).collect();
    assert_eq!(listed.len(), 4, "{listed:?}");

    // Another process finds the connections in the registry and builds its own clients.
    let other = harness.connections_with(Duration::from_secs(600)).await;
    let client = other.client("customer-accounting-v31").await.unwrap();
    assert_eq!(client.execute(&list_request("accounting-v31")).await.unwrap().metadata.status, 200);
}

async fn a_state_of_one_connection_cannot_complete_another(backend: Backend) {
    let Some(harness) = Harness::start(backend).await else { return };
    let callback = harness.consent("customer-a", "accounting-v31").await;
    let refused = harness.connections.complete_for("customer-b", &callback).await;
    assert!(
        matches!(&refused, Err(Error::StateOfAnotherConnection { expected }) if expected == "customer-b"),
        "{refused:?}"
    );
    assert!(matches!(harness.connections.get("customer-b").await, Err(Error::NotFound(_))));
    assert!(harness.connections.list().await.unwrap().is_empty(), "nothing stored");
    // The state was not used up: its own connection still completes with it.
    let connection = harness.connections.complete_for("customer-a", &callback).await.unwrap();
    assert_eq!(connection.id, "customer-a");
}

async fn unknown_reused_and_expired_states_are_refused(backend: Backend) {
    let Some(harness) = Harness::start(backend).await else { return };
    let unknown = format!("{REDIRECT_URI}?code=abc&state=never-issued");
    assert!(matches!(harness.connections.complete(&unknown).await, Err(Error::UnknownState)));
    let missing = format!("{REDIRECT_URI}?code=abc");
    assert!(matches!(harness.connections.complete(&missing).await, Err(Error::InvalidCallback(_))));

    let callback = harness.consent("customer-1", "sage200-pro").await;
    harness.connections.complete(&callback).await.unwrap();
    assert!(matches!(harness.connections.complete(&callback).await, Err(Error::ReusedState)));

    let hasty = harness.connections_with(Duration::ZERO).await;
    let authorize = hasty.begin("customer-2", "accounting-v3", REDIRECT_URI).await.unwrap();
    let callback = support::approve(authorize.url.as_str()).await;
    let expired = hasty.complete(&callback).await;
    assert!(matches!(expired, Err(Error::ExpiredState { .. })), "{expired:?}");
    assert!(matches!(hasty.get("customer-2").await, Err(Error::NotFound(_))), "nothing stored");
    let store = hasty.registry().token_store("customer-2", sage_core::auth::SageApi::AccountingV3);
    assert!(store.load().await.unwrap().is_none(), "no tokens stored");
}

async fn a_denied_consent_stores_nothing(backend: Backend) {
    let Some(harness) = Harness::start(backend).await else { return };
    let authorize = harness.connections.begin("customer-1", "accounting-v31", REDIRECT_URI).await.unwrap();
    let state = state_of(&authorize.url);
    let denied = format!("{REDIRECT_URI}?error=access_denied&error_description=User+said+no&state={state}");
    let refused = harness.connections.complete(&denied).await;
    let Err(Error::ConsentDenied { error, description }) = refused else { panic!("{refused:?}") };
    assert_eq!((error.as_str(), description.as_deref()), ("access_denied", Some("User said no")));
    assert!(harness.connections.list().await.unwrap().is_empty());
    let store = harness.connections.registry().token_store("customer-1", sage_core::auth::SageApi::AccountingV31);
    assert!(store.load().await.unwrap().is_none());
    assert!(!format!("{authorize:?}").contains(&state), "Debug hides the state");
}

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $name() {
                super::$name(super::Backend::Sqlite).await;
            })*
        }
        mod redis {
            $(#[tokio::test]
            async fn $name() {
                super::$name(super::Backend::Redis).await;
            })*
        }
    };
}

on_both_backends!(
    connects_every_product_and_calls_through_its_client,
    a_state_of_one_connection_cannot_complete_another,
    unknown_reused_and_expired_states_are_refused,
    a_denied_consent_stores_nothing,
);
