//! The Postman export: v2.1 collection shape, Sage's OAuth settings, and one request per operation.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use sage_codegen::ir::{Model, ModelKind, ParamLocation, Product, Type};
use sage_codegen::{load_schemas, postman};
use serde_json::Value;

fn products() -> &'static [Product] {
    static PRODUCTS: OnceLock<Vec<Product>> = OnceLock::new();
    PRODUCTS.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas");
        load_schemas(&dir).unwrap_or_else(|errors| panic!("{errors}"))
    })
}

fn product(name: &str) -> &'static Product {
    products().iter().find(|product| product.name == name).expect("product in schemas/")
}

fn collection(name: &str) -> Value {
    postman::collection(product(name))
}

/// Every request of a collection by name, with the folder it sits in.
fn requests(collection: &Value) -> Vec<(String, Value)> {
    let folders = collection["item"].as_array().expect("item is an array of folders");
    folders
        .iter()
        .flat_map(|folder| {
            let area = folder["name"].as_str().expect("folder name").to_owned();
            folder["item"].as_array().expect("folder item array").iter().map(move |item| (area.clone(), item.clone()))
        })
        .collect()
}

fn request_named<'c>(requests: &'c [(String, Value)], name: &str) -> &'c Value {
    &requests.iter().find(|(_, item)| item["name"] == name).expect("request present").1["request"]
}

fn oauth_entry<'c>(collection: &'c Value, key: &str) -> &'c Value {
    let entries = collection["auth"]["oauth2"].as_array().expect("oauth2 entries");
    &entries.iter().find(|entry| entry["key"] == key).unwrap_or_else(|| panic!("oauth2 `{key}`"))["value"]
}

fn variable<'c>(collection: &'c Value, key: &str) -> &'c str {
    let variables = collection["variable"].as_array().expect("variables");
    variables.iter().find(|variable| variable["key"] == key).unwrap_or_else(|| panic!("variable `{key}`"))["value"]
        .as_str()
        .unwrap()
}

fn header<'r>(request: &'r Value, key: &str) -> Option<&'r Value> {
    request["header"].as_array().unwrap().iter().find(|header| header["key"] == key)
}

#[test]
fn collections_have_the_v2_1_shape() {
    for product in products() {
        let collection = postman::collection(product);
        assert_eq!(
            collection["info"]["schema"],
            "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
        );
        assert_eq!(collection["info"]["name"], product.title.as_str());
        assert_eq!(collection["auth"]["type"], "oauth2");
        for (_, item) in requests(&collection) {
            let request = &item["request"];
            assert!(["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&request["method"].as_str().unwrap()));
            let url = &request["url"];
            assert!(url["raw"].as_str().unwrap().starts_with("{{base_url}}/"), "{item}");
            assert_eq!(url["host"], serde_json::json!(["{{base_url}}"]));
            assert!(url["path"].is_array() && url["query"].is_array() && url["variable"].is_array());
        }
    }
}

#[test]
fn every_operation_appears_exactly_once_in_its_area_folder() {
    for product in products() {
        let mut expected = BTreeMap::new();
        for area in &product.areas {
            for operation in area.resources.iter().flat_map(|resource| &resource.operations) {
                expected.insert(operation.name.clone(), area.name.clone());
            }
        }
        let requests = requests(&postman::collection(product));
        let mut seen = BTreeMap::new();
        for (area, item) in &requests {
            let name = item["name"].as_str().unwrap().to_owned();
            assert!(seen.insert(name.clone(), area.clone()).is_none(), "{}: `{name}` appears twice", product.name);
        }
        assert_eq!(seen, expected, "{}: requests differ from the schema's operations", product.name);
    }
}

#[test]
fn path_parameters_are_path_variables_and_query_parameters_start_disabled() {
    let product = product("accounting-v31");
    let requests = requests(&postman::collection(product));
    let operations = product.areas.iter().flat_map(|area| &area.resources).flat_map(|resource| &resource.operations);
    for operation in operations {
        let url = &request_named(&requests, &operation.name)["url"];
        let names = |location| {
            operation.params.iter().filter(move |param| param.location == location).map(|param| param.name.as_str())
        };
        let variables: Vec<&str> =
            url["variable"].as_array().unwrap().iter().map(|v| v["key"].as_str().unwrap()).collect();
        assert_eq!(variables, names(ParamLocation::Path).collect::<Vec<_>>(), "{}", operation.name);
        for name in names(ParamLocation::Path) {
            assert!(url["path"].as_array().unwrap().contains(&Value::from(format!(":{name}"))), "{}", operation.name);
        }
        let query = url["query"].as_array().unwrap();
        assert_eq!(query.len(), names(ParamLocation::Query).count(), "{}", operation.name);
        assert!(query.iter().all(|param| param["disabled"] == true && param["description"].is_string()));
        let after_base = url["raw"].as_str().unwrap().trim_start_matches("{{base_url}}");
        assert!(!after_base.contains(['{', '}']), "{}: `{after_base}` keeps a schema placeholder", operation.name);
    }
    let get_contact = &request_named(&requests, "get_contact")["url"];
    assert_eq!(get_contact["path"], serde_json::json!(["contacts", ":key"]));
}

#[test]
fn request_bodies_are_examples_of_the_body_model() {
    let collection = collection("accounting-v31");
    let requests = requests(&collection);
    let create = request_named(&requests, "create_contact");
    assert_eq!(create["method"], "POST");
    assert_eq!(create["body"]["options"]["raw"]["language"], "json");
    let body: Value = serde_json::from_str(create["body"]["raw"].as_str().unwrap()).unwrap();
    assert_eq!(body["contact"]["name"], "Example name", "required strings hold a value");
    assert_eq!(body["contact"]["credit_limit"], "0.00", "v3.1 decimals travel as strings; optional amounts are zero");
    assert_eq!(body["contact"]["contact_type_ids"], serde_json::json!(["{{contact_type_id}}"]));
    assert_eq!(variable(&collection, "contact_type_id"), "CUSTOMER", "Sage's own ids are filled in");
    assert!(body["contact"].get("idempotency_id").is_none(), "ids of nothing listable are left to the caller");
    assert!(header(create, "Content-Type").is_some());
    assert!(request_named(&requests, "list_contacts").get("body").is_none(), "GET requests have no body");

    let invoice: Value =
        serde_json::from_str(request_named(&requests, "create_sales_invoice")["body"]["raw"].as_str().unwrap())
            .unwrap();
    let invoice = &invoice["sales_invoice"];
    assert_eq!(invoice["contact_id"], "{{contact_id}}");
    assert_eq!((&invoice["date"], &invoice["due_date"]), (&"2024-04-01".into(), &"2024-05-01".into()));
    assert_eq!(invoice["invoice_lines"].as_array().map(Vec::len), Some(1), "a required list has one item");
    assert_eq!(variable(&collection, "contact_id"), "", "a business's own ids are listed first");
}

#[test]
fn list_and_create_requests_keep_the_ids_the_bodies_use() {
    let requests = requests(&collection("accounting-v31"));
    let script = |name: &str| {
        let item = &requests.iter().find(|(_, item)| item["name"] == name).expect("request").1;
        assert_eq!(item["event"][0]["listen"], "test", "{name}");
        item["event"][0]["script"]["exec"]
            .as_array()
            .unwrap()
            .iter()
            .map(|line| line.as_str().unwrap())
            .collect::<String>()
    };
    assert!(script("list_contacts").contains("pm.collectionVariables.set(\"contact_id\", record.id)"));
    assert!(script("list_contacts").contains("$items"));
    assert!(script("create_bank_account").contains("pm.collectionVariables.set(\"bank_account_id\", record.id)"));
}

#[test]
fn sage200_references_are_numbers_of_seeded_records() {
    let requests = requests(&collection("sage200-pro"));
    let raw = request_named(&requests, "create_sop_order")["body"]["raw"].as_str().unwrap();
    let body: Value = serde_json::from_str(raw).expect("Sage 200 bodies are JSON as they are");
    assert_eq!(body["customer_id"], 27_825, "the sandbox's first customer");
}

/// Every required field of every body, in nested objects and list items too, holds a value of its
/// type that is not blank (the sandbox's checks, against the schema alone).
#[test]
fn every_required_field_of_every_body_is_filled_in() {
    let mut problems = Vec::new();
    for product in products() {
        let models: BTreeMap<&str, &Model> =
            product.areas.iter().flat_map(|area| &area.models).map(|model| (model.name.as_str(), model)).collect();
        let requests = requests(&postman::collection(product));
        let operations = product.areas.iter().flat_map(|area| &area.resources).flat_map(|r| &r.operations);
        for operation in operations.filter(|operation| operation.body.is_some()) {
            let raw = request_named(&requests, &operation.name)["body"]["raw"].as_str().expect("a body");
            let Ok(body) = serde_json::from_str::<Value>(raw) else {
                problems.push(format!("{} {}: not JSON", product.name, operation.name));
                continue;
            };
            let ty = operation.body.as_ref().unwrap();
            if let Err(path) = filled(&models, ty, &body, "") {
                problems.push(format!("{} {}: {path}", product.name, operation.name));
            }
        }
    }
    assert!(problems.is_empty(), "{} bodies miss a required value:\n{}", problems.len(), problems.join("\n"));
}

fn filled(models: &BTreeMap<&str, &Model>, ty: &Type, value: &Value, path: &str) -> Result<(), String> {
    let ok = match ty {
        Type::String => value.as_str().is_some_and(|text| !text.trim().is_empty()),
        Type::Integer => value.is_i64(),
        Type::Boolean => value.is_boolean(),
        Type::Decimal => value.is_number() || value.as_str().is_some_and(|text| text.parse::<f64>().is_ok()),
        Type::Date => value.as_str().is_some_and(|text| text.len() == 10),
        Type::DateTime => value.as_str().is_some_and(|text| text.ends_with('Z')),
        Type::Enum(values) => value.as_str().is_some_and(|text| values.iter().any(|v| v == text)),
        Type::Json | Type::Map(_) => true,
        Type::Array(element) => match value.as_array() {
            Some(items) if !items.is_empty() => {
                return items.iter().try_for_each(|item| filled(models, element, item, &format!("{path}[]")))
            }
            _ => false,
        },
        Type::Model(name) => match models.get(name.as_str()).map(|model| &model.kind) {
            Some(ModelKind::Enum { values }) => value.as_str().is_some_and(|text| values.iter().any(|v| v == text)),
            Some(ModelKind::Struct { fields }) => {
                let Some(object) = value.as_object() else { return Err(format!("{path}: not an object")) };
                for field in fields {
                    let field_path = format!("{path}.{}", field.json_name);
                    match object.get(&field.json_name) {
                        Some(present) => filled(models, &field.ty, present, &field_path)?,
                        None if field.required => return Err(format!("{field_path}: missing")),
                        None => {}
                    }
                }
                true
            }
            None => true,
        },
    };
    if ok {
        Ok(())
    } else {
        Err(format!("{path}: {value} is no value of {ty:?}"))
    }
}

#[test]
fn each_product_sends_its_own_headers() {
    let sage200 = requests(&collection("sage200-pro"));
    let customers = request_named(&sage200, "list_customers");
    assert_eq!(header(customers, "X-Company").unwrap()["value"], "{{company_id}}");
    assert_eq!(header(customers, "X-Site").unwrap()["value"], "{{site_id}}");
    assert_eq!(header(customers, "X-Site").unwrap()["disabled"], false);

    let v3 = requests(&collection("accounting-v3"));
    let contacts = request_named(&v3, "list_contacts");
    assert_eq!(header(contacts, "Ocp-Apim-Subscription-Key").unwrap()["value"], "{{subscription_key}}");
    assert_eq!(header(contacts, "X-Site").unwrap()["disabled"], false);
    assert!(header(contacts, "X-Company").is_none());

    let v31 = requests(&collection("accounting-v31"));
    let business = header(request_named(&v31, "list_contacts"), "X-Business").unwrap();
    assert_eq!(business["value"], "{{business_id}}");
    assert_eq!(business["disabled"], true, "without X-Business v3.1 serves the lead business");
}

#[test]
fn oauth_is_configured_the_sage_way() {
    let sage200 = collection("sage200-standard");
    assert_eq!(oauth_entry(&sage200, "grant_type"), "authorization_code");
    assert_eq!(oauth_entry(&sage200, "authUrl"), "{{auth_url}}");
    assert_eq!(variable(&sage200, "auth_url"), "https://id.sage.com/authorize");
    assert_eq!(variable(&sage200, "access_token_url"), "https://id.sage.com/oauth/token");
    assert_eq!(oauth_entry(&sage200, "scope"), "openid profile email offline_access");
    let audience = &oauth_entry(&sage200, "authRequestParams")[0];
    assert_eq!((&audience["key"], &audience["value"]), (&"audience".into(), &"s200ukipd/sage200".into()));
    assert_eq!(audience["send_as"], "request_url");
    assert_eq!(oauth_entry(&sage200, "clientId"), "{{client_id}}");
    assert_eq!(oauth_entry(&sage200, "clientSecret"), "{{client_secret}}");

    let v3 = collection("accounting-v3");
    assert_eq!(oauth_entry(&v3, "client_authentication"), "header", "v3 wants HTTP Basic");
    assert_eq!(variable(&v3, "base_url"), "https://api.columbus.sage.com/{{country}}/sageone");
    assert_eq!(variable(&v3, "country"), "uki");

    let v31 = collection("accounting-v31");
    assert_eq!(oauth_entry(&v31, "client_authentication"), "body");
    assert_eq!(oauth_entry(&v31, "challengeAlgorithm"), "S256", "PKCE is one switch away");
    assert_eq!(oauth_entry(&v31, "authRequestParams"), &serde_json::json!([]));
}

#[test]
fn output_is_pretty_json_named_after_the_product() {
    let product = product("accounting-v31");
    let text = postman::collection_json(product);
    assert!(text.ends_with("}\n"));
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), postman::collection(product));
    assert_eq!(postman::file_name(product), "accounting-v31.postman_collection.json");
}
