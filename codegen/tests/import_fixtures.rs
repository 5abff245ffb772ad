//! The importer's rules, each on a small hand-made spec (Swagger 2.0 or OpenAPI 3.0).

use std::fs;
use std::path::{Path, PathBuf};

use sage_codegen::import::{import, import_to_dir, AreaSource, ImportOutput, Overrides, ProductConfig, SpecFile};
use sage_codegen::ir::ModelKind;
use sage_codegen::{parse_product, parse_products, SourceFile};
use serde_json::{json, Value};

fn product(pagination: &str) -> ProductConfig {
    ProductConfig { name: "fixture".into(), pagination: pagination.into() }
}

fn spec(path: &str, json: Value) -> SpecFile {
    SpecFile { path: PathBuf::from(path), json }
}

/// A Swagger 2.0 spec in the style of Sage Accounting.
fn swagger() -> Value {
    json!({
        "swagger": "2.0",
        "tags": [{"name": "Contacts", "description": "Operations about Contacts"}],
        "paths": {
            "/contacts": {
                "get": {
                    "operationId": "getContacts", "summary": "Returns all Contacts", "tags": ["Contacts"],
                    "parameters": [
                        {"name": "search", "in": "query", "type": "string", "description": "Filter by name"},
                        {"name": "X-Site", "in": "header", "type": "string"}
                    ],
                    "responses": {"200": {"description": "ok", "schema": {"$ref": "#/definitions/ContactArray"}}}
                },
                "post": {
                    "operationId": "postContacts", "summary": "Creates a Contact", "tags": ["Contacts"],
                    "parameters": [{"$ref": "#/parameters/ContactBody"}],
                    "responses": {"201": {"description": "created", "schema": {"$ref": "#/definitions/Contact"}}}
                }
            },
            "/contacts/{key}": {
                "get": {
                    "operationId": "getContactsKey", "summary": "Returns a Contact", "tags": ["Contacts"],
                    "parameters": [{"name": "key", "in": "path", "required": true, "type": "string"}],
                    "responses": {"200": {"description": "ok", "schema": {"$ref": "#/definitions/Contact"}}}
                },
                "delete": {
                    "summary": "Deletes a Contact", "tags": ["Contacts"],
                    "parameters": [{"name": "key", "in": "path", "required": true, "type": "string"}],
                    "responses": {"204": {"description": "gone"}}
                }
            },
            "/sales_invoices": {
                "get": {
                    "summary": "Returns all Sales Invoices", "tags": ["Sales Invoices"],
                    "parameters": [{"name": "page", "in": "query", "type": "integer", "description": "Spec page"}],
                    "responses": {"200": {"description": "ok", "schema": {"type": "array", "items": {"$ref": "#/definitions/SalesInvoice"}}}}
                }
            },
            "/widgets": {
                "get": {
                    "summary": "Returns the Widgets settings", "tags": ["Widgets"],
                    "responses": {"200": {"description": "ok", "schema": {"type": "object", "properties": {"on": {"type": "boolean"}}}}}
                }
            }
        },
        "parameters": {
            "ContactBody": {"name": "contact", "in": "body", "schema": {"$ref": "#/definitions/postContacts"}}
        },
        "definitions": {
            "Contact": {
                "type": "object", "description": "A customer or supplier.", "required": ["id"],
                "properties": {
                    "id": {"type": "string", "description": "The ID"},
                    "$path": {"type": "string", "description": "The API path"},
                    "balance": {"type": "number", "format": "double", "description": "Balance"},
                    "credit_limit": {"type": "number", "description": "Limit"},
                    "since": {"type": "string", "format": "date", "maxLength": 10, "description": "Customer since"},
                    "updated_at": {"type": "string", "format": "date-time"},
                    "status": {"type": "string", "enum": ["ACTIVE", "INACTIVE"], "maxLength": 8, "description": "Status"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "address": {"type": "object", "description": "Main address", "properties": {"line_1": {"type": "string"}}},
                    "custom": {"type": "object", "additionalProperties": {"type": "integer"}},
                    "either": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
                    "currency": {"$ref": "#/definitions/Currency"}
                }
            },
            "ContactArray": {"type": "array", "items": {"$ref": "#/definitions/Contact"}},
            "postContacts": {
                "type": "object",
                "properties": {"contact": {"type": "object", "properties": {"name": {"type": "string", "maxLength": 100}}}}
            },
            "SalesInvoice": {
                "type": "object",
                "properties": {
                    "contact": {"$ref": "#/definitions/Contact"},
                    "currency": {"$ref": "#/definitions/Currency"},
                    "lines": {"type": "array", "items": {"$ref": "#/definitions/InvoiceLine"}}
                }
            },
            "Currency": {"type": "object", "properties": {"code": {"type": "string"}}},
            "InvoiceLine": {"type": "object", "properties": {"quantity": {"type": "number"}}},
            "Unused": {"type": "object", "properties": {"line": {"$ref": "#/definitions/InvoiceLine"}}}
        }
    })
}

/// An OpenAPI 3.0 spec in the style of Sage 200, one module per file.
fn openapi(list_path: &str, professional_only: bool) -> Value {
    json!({
        "openapi": "3.0.1",
        "info": {"title": "Sage 200 Fixture Banks"},
        "paths": {
            list_path: {
                "get": {
                    "operationId": "GetBanks", "summary": "Banks", "tags": ["Banks"],
                    "responses": {
                        "200": {"description": "ok", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/bank"}}}}},
                        "400": {"description": "bad", "content": {}}
                    }
                },
                "post": {
                    "operationId": "PostBank", "summary": "Banks", "tags": ["Banks"],
                    "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/bank"}}}},
                    "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/bank"}}}}}
                }
            },
            "/banks/{Id}": {
                "x-sage-professional-only": professional_only,
                "get": {
                    "operationId": "GetBank", "summary": "Bank", "tags": ["Banks"],
                    "parameters": [
                        {"name": "Id", "in": "path", "required": true, "schema": {"type": "number"}},
                        {"name": "X-Company", "in": "header", "schema": {"type": "string"}}
                    ],
                    "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/bank"}}}}}
                }
            }
        },
        "components": {"schemas": {
            "base": {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer", "format": "int64", "description": "Record Id."}}},
            "bank": {
                "description": "A bank account.",
                "allOf": [
                    {"$ref": "#/components/schemas/base"},
                    {"type": "object", "properties": {
                        "balance": {"type": "number", "format": "decimal 2dp", "description": "Balance."},
                        "memo": {"type": "string", "nullable": true, "maxLength": 60},
                        "pro_field": {"type": "string", "x-sage-professional-only": true}
                    }}
                ]
            }
        }}
    })
}

fn file(output: &ImportOutput, name: &str) -> Value {
    let text = output.files.get(Path::new(name)).unwrap_or_else(|| panic!("no {name} in {:?}", output.files.keys()));
    serde_json::from_str(text).unwrap()
}

fn op<'a>(area: &'a Value, resource: &str, name: &str) -> &'a Value {
    &area["resources"][resource]["operations"][name]
}

fn reasons(output: &ImportOutput) -> Vec<String> {
    output.report.iter().map(|issue| format!("{} {}", issue.pointer, issue.reason)).collect()
}

fn accounting() -> ImportOutput {
    import(&[spec("v3.json", swagger())], &product("envelope"), &Overrides::default())
}

fn sage200(overrides: &Overrides) -> ImportOutput {
    sage200_from(&[spec("x.selectco.cash-book.openapi.json", openapi("/banks", false))], overrides)
}

fn sage200_from(specs: &[SpecFile], overrides: &Overrides) -> ImportOutput {
    import(specs, &product("odata"), &Overrides { area_by: AreaSource::File, ..overrides.clone() })
}

#[test]
fn swagger_operations_get_crud_names_and_land_in_their_tag_area() {
    let contacts = file(&accounting(), "contacts.json");
    let ops = contacts["resources"]["contacts"]["operations"].as_object().unwrap();
    let names: Vec<&String> = ops.keys().collect();
    assert_eq!(names, ["create_contact", "delete_contact", "get_contact", "list_contacts"]);
    assert_eq!(contacts["resources"]["contacts"]["description"], "Operations about Contacts");
    assert_eq!(op(&contacts, "contacts", "get_contact")["path"], "/contacts/{key}");
    assert_eq!(op(&contacts, "contacts", "get_contact")["parameters"]["key"]["required"], true);
    assert!(op(&contacts, "contacts", "delete_contact").get("response").is_none());
}

#[test]
fn swagger_body_parameters_resolve_through_parameter_refs_and_hoist_inline_objects() {
    let output = accounting();
    let contacts = file(&output, "contacts.json");
    assert_eq!(op(&contacts, "contacts", "create_contact")["body"], json!({"ref": "NewContactRequest"}));
    assert_eq!(contacts["models"]["NewContactRequest"]["fields"]["contact"]["type"], json!({"ref": "NewContact"}));
    assert_eq!(contacts["models"]["NewContact"]["fields"]["name"]["type"], "string");
}

#[test]
fn string_max_lengths_are_carried_and_only_onto_string_fields() {
    let contacts = file(&accounting(), "contacts.json");
    assert_eq!(contacts["models"]["NewContact"]["fields"]["name"]["max_length"], 100, "hoisted body model");
    let common = file(&accounting(), "common.json");
    let fields = &common["models"]["Contact"]["fields"];
    assert_eq!(fields["since"].get("max_length"), None, "a date is no string field");
    assert_eq!(fields["status"].get("max_length"), None, "an enum is no string field");
    assert_eq!(fields["id"].get("max_length"), None, "no maxLength, no max_length");
    let bank = &file(&sage200(&Overrides::default()), "cash_book.json")["models"]["Bank"];
    assert_eq!(bank["fields"]["memo"]["max_length"], 60, "OpenAPI 3 and allOf parts too");
}

#[test]
fn types_follow_the_mapping_rules() {
    let output = accounting();
    let common = file(&output, "common.json");
    let fields = &common["models"]["Contact"]["fields"];
    assert_eq!(fields["balance"]["type"], "decimal", "number with format double is never a float");
    assert_eq!(fields["credit_limit"]["type"], "decimal");
    assert_eq!(fields["since"]["type"], "date");
    assert_eq!(fields["updated_at"]["type"], "date-time");
    assert_eq!(fields["status"]["type"], json!({"enum": ["ACTIVE", "INACTIVE"]}));
    assert_eq!(fields["tags"]["type"], json!({"array": "string"}));
    assert_eq!(fields["address"]["type"], json!({"ref": "ContactAddress"}));
    assert_eq!(fields["custom"]["type"], json!({"map": "integer"}));
    assert_eq!(fields["either"]["type"], "json");
    assert_eq!(fields["$path"]["rust_name"], "path");
    assert_eq!(fields["id"]["required"], true);
    assert!(reasons(&output)
        .iter()
        .any(|r| r.starts_with("/definitions/Contact/properties/either ") && r.contains("oneOf")));
}

#[test]
fn every_description_and_enum_value_reaches_the_schema() {
    let common = file(&accounting(), "common.json");
    let contact = &common["models"]["Contact"];
    assert_eq!(contact["description"], "A customer or supplier.");
    assert_eq!(contact["fields"].as_object().unwrap().len(), 12);
    assert_eq!(contact["fields"]["balance"]["description"], "Balance");
    assert_eq!(contact["fields"]["address"]["description"], "Main address");
    let contacts = file(&accounting(), "contacts.json");
    assert_eq!(op(&contacts, "contacts", "list_contacts")["parameters"]["search"]["description"], "Filter by name");
}

#[test]
fn models_live_with_their_only_user_or_in_common() {
    let output = accounting();
    let sales = file(&output, "sales.json");
    let common = file(&output, "common.json");
    assert!(sales["models"].get("SalesInvoice").is_some(), "used by sales only");
    assert!(common["models"].get("Contact").is_some(), "used by contacts and sales");
    assert!(common["models"].get("Currency").is_some(), "reached through Contact and SalesInvoice");
    assert!(common["models"].get("Unused").is_some(), "kept although no operation uses it");
    assert!(reasons(&output).iter().any(|r| r.starts_with("/definitions/Unused ")));
    assert!(common["models"].get("InvoiceLine").is_some(), "common may only use common models");
    assert!(sales["models"].get("InvoiceLine").is_none());
}

#[test]
fn envelope_lists_return_list_and_get_paging_parameters() {
    let output = accounting();
    let contacts = file(&output, "contacts.json");
    let list = op(&contacts, "contacts", "list_contacts");
    assert_eq!(list["response"], json!({"list": {"ref": "Contact"}}), "array definitions are inlined");
    assert!(list["parameters"]["items_per_page"]["description"].as_str().unwrap().contains("max 200"));
    assert_eq!(list["parameters"]["page"]["type"], "integer");
    let invoices = op(&file(&output, "sales.json"), "sales_invoices", "list_sales_invoices").clone();
    assert_eq!(invoices["parameters"]["page"]["description"], "Spec page", "the spec's own parameter is kept");
    let get = op(&contacts, "contacts", "get_contact");
    assert!(get["parameters"].get("page").is_none(), "single gets do not page");
}

#[test]
fn header_parameters_are_left_to_the_header_policy() {
    let output = accounting();
    let list = op(&file(&output, "contacts.json"), "contacts", "list_contacts").clone();
    assert!(list["parameters"].get("X-Site").is_none());
    let issue = output.report.iter().find(|i| i.reason.contains("X-Site")).unwrap();
    assert_eq!(issue.pointer, "/paths/~1contacts/get/parameters/1");
    assert!(issue.reason.contains("provided by the header policy"));
    assert_eq!(issue.file, PathBuf::from("v3.json"));
}

#[test]
fn unknown_tags_get_their_own_area_and_a_report_entry() {
    let output = accounting();
    let widgets = file(&output, "widgets.json");
    let get = op(&widgets, "widgets", "get_widgets");
    assert_eq!(get["response"], json!({"one": {"ref": "GetWidgetsResponse"}}));
    assert!(reasons(&output).iter().any(|r| r.contains("tag `Widgets` is in no area table")));
}

#[test]
fn overrides_pin_names_and_map_tags() {
    let overrides = Overrides {
        operation_names: [("GET /contacts/{key}".to_string(), "fetch_contact".to_string())].into(),
        tag_areas: [("Widgets".to_string(), "settings".to_string())].into(),
        path_prefix: "/accounts/v3".into(),
        ..Overrides::default()
    };
    let output = import(&[spec("v3.json", swagger())], &product("envelope"), &overrides);
    let contacts = file(&output, "contacts.json");
    assert_eq!(op(&contacts, "contacts", "fetch_contact")["path"], "/accounts/v3/contacts/{key}");
    assert!(file(&output, "settings.json")["resources"].get("widgets").is_some());
    assert!(!output.files.contains_key(Path::new("widgets.json")));
}

#[test]
fn colliding_names_are_made_unique_and_reported() {
    let overrides = Overrides {
        operation_names: [("GET /contacts/{key}".to_string(), "list_contacts".to_string())].into(),
        ..Overrides::default()
    };
    let output = import(&[spec("v3.json", swagger())], &product("envelope"), &overrides);
    let ops = &file(&output, "contacts.json")["resources"]["contacts"]["operations"];
    assert!(ops.get("list_contacts").is_some() && ops.get("list_contacts_2").is_some());
    assert!(reasons(&output).iter().any(|r| r.contains("`list_contacts` is taken")));
}

#[test]
fn openapi_schemas_merge_all_of_and_keep_nullable() {
    let output = sage200(&Overrides::default());
    let area = file(&output, "cash_book.json");
    assert_eq!(area["description"], "Sage 200 Fixture Banks", "module areas are described by the spec title");
    let bank = &area["models"]["Bank"];
    assert_eq!(bank["description"], "A bank account.");
    assert_eq!(bank["fields"]["id"], json!({"type": "integer", "required": true, "description": "Record Id."}));
    assert_eq!(bank["fields"]["balance"]["type"], "decimal");
    assert_eq!(bank["fields"]["memo"]["nullable"], true);
    assert_eq!(op(&area, "banks", "create_bank")["body"], json!({"ref": "Bank"}));
    assert_eq!(op(&area, "banks", "create_bank")["response"], json!({"one": {"ref": "Bank"}}));
}

#[test]
fn odata_lists_get_the_query_options_no_spec_lists() {
    let area = file(&sage200(&Overrides::default()), "cash_book.json");
    let list = op(&area, "banks", "list_banks");
    assert_eq!(list["response"], json!({"list": {"ref": "Bank"}}));
    for (wire, rust) in [("$filter", "filter"), ("$select", "select"), ("$orderby", "orderby"), ("$top", "top")] {
        assert_eq!(list["parameters"][wire]["rust_name"], rust);
    }
    for wire in ["$skip", "$expand", "$count"] {
        assert!(list["parameters"].get(wire).is_some(), "{wire}");
    }
    assert!(list["parameters"].get("page").is_none(), "no envelope paging on OData products");
    assert!(op(&area, "banks", "get_bank")["parameters"].get("$top").is_none());
}

#[test]
fn number_path_parameters_are_decimal_unless_overridden() {
    let plain = file(&sage200(&Overrides::default()), "cash_book.json");
    let id = &op(&plain, "banks", "get_bank")["parameters"]["Id"];
    assert_eq!(id["type"], "decimal");
    assert_eq!(id["rust_name"], "id");
    let overrides = Overrides { number_path_params_as_integer: true, ..Overrides::default() };
    let as_integer = file(&sage200(&overrides), "cash_book.json");
    assert_eq!(op(&as_integer, "banks", "get_bank")["parameters"]["Id"]["type"], "integer");
}

#[test]
fn professional_only_endpoints_and_fields_are_given_to_their_edition() {
    let specs = [spec("x.selectco.cash-book.openapi.json", openapi("/banks", true))];
    let overrides = Overrides { professional_only: Some("fixture-pro".into()), ..Overrides::default() };
    let output = sage200_from(&specs, &overrides);
    assert_eq!((output.stats.operations_in_spec, output.stats.operations_written), (3, 3), "nothing is left out");
    let area = file(&output, "cash_book.json");
    assert_eq!(op(&area, "banks", "get_bank")["editions"], json!(["fixture-pro"]), "marked on its path item");
    assert!(op(&area, "banks", "list_banks").get("editions").is_none());
    assert_eq!(area["models"]["Bank"]["fields"]["pro_field"]["editions"], json!(["fixture-pro"]));
    assert!(area["models"]["Bank"]["fields"]["memo"].get("editions").is_none());

    // The loader reads each edition as a product without what is not its own.
    let product_json = json!({
        "name": "fixture", "title": "Fixture", "crate": "sage-fixture", "auth_profile": "sage200",
        "header_policy": "sage200", "pagination": "odata", "decimal_format": "number",
        "editions": {
            "fixture-pro": {"title": "Pro", "crate": "sage-fixture-pro", "base_url": "https://example.com/pro"},
            "fixture-lite": {"title": "Lite", "crate": "sage-fixture-lite", "base_url": "https://example.com/lite"}
        }
    });
    let mut files = vec![SourceFile { path: "schemas/fixture/product.json".into(), text: product_json.to_string() }];
    for (name, text) in &output.files {
        files.push(SourceFile { path: format!("schemas/fixture/{}", name.display()), text: text.clone() });
    }
    let mut editions = parse_products(&files).unwrap_or_else(|e| panic!("{e}"));
    editions.sort_by(|a, b| b.name.cmp(&a.name));
    let names: Vec<_> = editions.iter().map(|product| (product.name.as_str(), product.schema_dir.as_str())).collect();
    assert_eq!(names, [("fixture-pro", "fixture"), ("fixture-lite", "fixture")]);
    let operations = |product: &sage_codegen::ir::Product| -> Vec<String> {
        let ops = product.areas.iter().flat_map(|area| &area.resources).flat_map(|resource| &resource.operations);
        ops.map(|op| op.name.clone()).collect()
    };
    let bank_fields = |product: &sage_codegen::ir::Product| -> Vec<String> {
        let bank = product.areas.iter().flat_map(|area| &area.models).find(|model| model.name == "Bank").unwrap();
        let ModelKind::Struct { fields } = &bank.kind else { panic!("Bank is a struct") };
        fields.iter().map(|field| field.json_name.clone()).collect()
    };
    assert!(operations(&editions[0]).contains(&"get_bank".to_owned()));
    assert!(!operations(&editions[1]).contains(&"get_bank".to_owned()));
    assert_eq!(operations(&editions[0]).len(), operations(&editions[1]).len() + 1);
    assert!(bank_fields(&editions[0]).contains(&"pro_field".to_owned()));
    assert!(!bank_fields(&editions[1]).contains(&"pro_field".to_owned()));
    assert_eq!(editions[1].shared_crate.as_deref(), Some("sage-fixture"));
    assert_eq!(editions[1].base_url, "https://example.com/lite");

    // Without `professional_only` nothing is marked: the marks stand for no edition.
    let unmarked = sage200_from(&specs, &Overrides::default());
    assert!(!unmarked.files[Path::new("cash_book.json")].contains("\"editions\""));
}

#[test]
fn the_same_endpoint_in_two_module_files_is_written_once() {
    let specs = [
        spec("x.selectco.price-book.openapi.json", openapi("/banks", false)),
        spec("x.selectco.sales.openapi.json", openapi("/other_banks", false)),
    ];
    let overrides = Overrides { area_by: AreaSource::File, ..Overrides::default() };
    let output = import(&specs, &product("odata"), &overrides);
    assert_eq!(output.stats.duplicates_merged, 1, "GET /banks/{{Id}} is in both files");
    assert_eq!(output.stats.operations_written, 5);
    assert!(reasons(&output).iter().any(|r| r.contains("same endpoint as in x.selectco.price-book.openapi.json")));
    assert!(file(&output, "common.json")["models"].get("Bank").is_some(), "used by both modules");
}

#[test]
fn output_is_deterministic_sorted_and_newline_terminated() {
    let (first, second) = (accounting(), accounting());
    assert_eq!(first.files, second.files);
    let text = &first.files[Path::new("contacts.json")];
    assert!(text.ends_with("}\n"));
    let keys: Vec<&str> = text.lines().filter(|l| l.starts_with("  \"")).map(|l| l.trim()).collect();
    assert_eq!(keys[0], "\"description\": \"Customers, suppliers, their addresses and contact people.\",");
    assert!(keys[1].starts_with("\"models\"") && keys[2].starts_with("\"resources\""));
}

#[test]
fn not_a_spec_is_reported_not_a_panic() {
    let output = import(&[spec("junk.json", json!({"hello": 1}))], &product("envelope"), &Overrides::default());
    assert!(output.files.is_empty());
    assert_eq!(output.report.len(), 1);
    assert_eq!(output.report[0].file, PathBuf::from("junk.json"));
}

#[test]
fn imported_fixtures_load_with_the_schema_loader() {
    let product_json = |pagination: &str| {
        json!({
            "name": "fixture", "title": "Fixture", "crate": "sage-fixture", "description": "Test.",
            "base_url": "https://example.com", "auth_profile": "sage200", "header_policy": "sage200",
            "pagination": pagination, "decimal_format": "number"
        })
        .to_string()
    };
    for (output, pagination) in [(accounting(), "envelope"), (sage200(&Overrides::default()), "odata")] {
        let mut files =
            vec![SourceFile { path: "schemas/fixture/product.json".into(), text: product_json(pagination) }];
        for (name, text) in &output.files {
            files.push(SourceFile { path: format!("schemas/fixture/{}", name.display()), text: text.clone() });
        }
        parse_product(&files).unwrap_or_else(|e| panic!("fixture import does not load: {e:?}"));
    }
}

#[test]
fn import_to_dir_keeps_hand_written_files_and_removes_stale_ones() {
    let dir = std::env::temp_dir().join(format!("sage-import-fixture-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let spec_path = std::env::temp_dir().join(format!("sage-import-fixture-{}.swagger.json", std::process::id()));
    fs::write(&spec_path, swagger().to_string()).unwrap();
    fs::write(dir.join("product.json"), r#"{"name": "fixture", "pagination": "envelope"}"#).unwrap();
    fs::write(dir.join("overrides.json"), r#"{"hand_written": ["core"]}"#).unwrap();
    fs::write(dir.join("core.json"), "hand-written").unwrap();
    fs::write(dir.join("gone.json"), "{}").unwrap();
    let output = import_to_dir(std::slice::from_ref(&spec_path), &dir).unwrap();
    assert_eq!(fs::read_to_string(dir.join("core.json")).unwrap(), "hand-written");
    assert!(!dir.join("gone.json").exists(), "area files the specs no longer produce are removed");
    assert_eq!(fs::read_to_string(dir.join("contacts.json")).unwrap(), output.files[Path::new("contacts.json")]);
    assert!(dir.join("overrides.json").exists() && dir.join("product.json").exists());
    fs::remove_dir_all(&dir).unwrap();
    fs::remove_file(&spec_path).unwrap();
}
