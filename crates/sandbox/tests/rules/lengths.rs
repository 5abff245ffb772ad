//! String lengths: a value longer than the field's `max_length` (from the specs' `maxLength`) is refused
//! with the product's error shape; the length is counted in characters, not bytes.

use reqwest::{Method, StatusCode};
use sage_sandbox::schema::ir::{ModelKind, Response, Type};
use serde_json::{json, Value};

use super::{common, models, schema, Api};

/// `max_length` of `field` in the resource `operation` writes (its response model).
fn limit(product: &str, operation: &str, field: &str) -> usize {
    let product = schema(product);
    let models = models(&product);
    let operation = product
        .areas
        .iter()
        .flat_map(|area| &area.resources)
        .flat_map(|resource| &resource.operations)
        .find(|op| op.name == operation)
        .unwrap();
    let Response::One(Type::Model(resource)) = &operation.response else {
        panic!("{} answers no model", operation.name)
    };
    let ModelKind::Struct { fields } = &models[resource.as_str()].kind else { panic!("{resource} is no struct") };
    let field = fields.iter().find(|candidate| candidate.json_name == field).unwrap();
    usize::try_from(field.max_length.expect("the specs give this field a maxLength")).unwrap()
}

/// One product's create: operation name, path, the body for a given name, and the success status.
struct Create {
    product: &'static str,
    operation: &'static str,
    path: &'static str,
    body: fn(&str) -> Value,
    created: StatusCode,
}

fn creates() -> [Create; 4] {
    let contact = |name: &str| json!({"contact": {"name": name, "contact_type_ids": ["CUSTOMER"]}});
    let customer = |name: &str| json!({"reference": "LEN01", "name": name});
    let create = |product, operation, path, body, created| Create { product, operation, path, body, created };
    [
        create("accounting-v31", "create_contact", "/contacts", contact, StatusCode::CREATED),
        create("accounting-v3", "create_contact", "/accounts/v3/contacts", contact, StatusCode::CREATED),
        create("sage200-pro", "create_customer", "/customers", customer, StatusCode::OK),
        create("sage200-standard", "create_customer", "/customers", customer, StatusCode::OK),
    ]
}

#[tokio::test]
async fn a_string_longer_than_its_maximum_is_refused_and_one_of_exactly_the_maximum_accepted() {
    let sandbox = common::auto_sandbox().await;
    for Create { product, operation, path, body, created } in creates() {
        let max = limit(product, operation, "name");
        let api = Api::new(&sandbox, product).await;

        // One character over, in ASCII: fewer bytes than the accepted multibyte name below.
        let (status, error) = api.send(Method::POST, path, Some(&body(&"a".repeat(max + 1)))).await;
        let refused = if api.accounting() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::BAD_REQUEST };
        assert_eq!(status, refused, "{product}: {error}");
        assert_eq!(error[0]["$severity"], "error", "{product}: {error}");
        assert_eq!(error[0]["$source"], "name", "{product}: {error}");
        assert!(error[0]["$message"].as_str().unwrap_or_default().contains(&max.to_string()), "{product}: {error}");

        let exact = "€".repeat(max);
        assert_eq!(exact.len(), 3 * max, "three bytes per character");
        let (status, record) = api.send(Method::POST, path, Some(&body(&exact))).await;
        assert_eq!(status, created, "{product}: {record}");
        assert_eq!(record["name"], exact.as_str(), "{product}");
    }
}

#[tokio::test]
async fn an_update_is_held_to_the_same_lengths() {
    let sandbox = common::auto_sandbox().await;
    let api = Api::new(&sandbox, "accounting-v31").await;
    let max = limit("accounting-v31", "update_contact", "name");
    let (_, created) = api
        .send(
            Method::POST,
            "/contacts",
            Some(&json!({"contact": {"name": "Short Ltd", "contact_type_ids": ["CUSTOMER"]}})),
        )
        .await;
    let path = format!("/contacts/{}", created["id"].as_str().unwrap());
    let (status, error) = api.send(Method::PUT, &path, Some(&json!({"contact": {"name": "ü".repeat(max + 1)}}))).await;
    assert_eq!((status, error[0]["$source"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("name")), "{error}");
    let (status, _) = api.send(Method::PUT, &path, Some(&json!({"contact": {"name": "ü".repeat(max)}}))).await;
    assert_eq!(status, StatusCode::OK);
}
