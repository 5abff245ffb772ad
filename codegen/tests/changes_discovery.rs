//! The generator finds followable lists from the schemas themselves: every Accounting list taking
//! `updated_or_created_since` (with `deleted_since` as its deletion feed) and every Sage 200 list
//! whose items carry `date_time_updated`, and nothing else.

use std::path::Path;

use sage_codegen::ir::{ModelKind, Product, Response, Type};
use sage_codegen::{emit_product, load_schemas};

fn product(name: &str) -> Product {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas");
    let products = load_schemas(&dir).unwrap_or_else(|errors| panic!("{errors}"));
    products.into_iter().find(|product| product.name == name).unwrap_or_else(|| panic!("no product {name}"))
}

fn item_has(product: &Product, response: &Response, field: &str) -> bool {
    let Response::List(Type::Model(item)) = response else { return false };
    product.areas.iter().flat_map(|area| &area.models).any(|model| {
        model.name == *item
            && matches!(&model.kind, ModelKind::Struct { fields } if fields.iter().any(|f| f.json_name == field))
    })
}

/// The `FeedSpec` entries of the generated `changes.rs`, split per operation.
fn feeds(product: &Product) -> Vec<(String, String)> {
    let files = emit_product(product).unwrap();
    let text = &files["src/generated/changes.rs"];
    text.split("sage_core::changes::FeedSpec {")
        .skip(1)
        .map(|entry| {
            let name = entry.split("operation: \"").nth(1).unwrap().split('"').next().unwrap().to_owned();
            (name, entry.to_owned())
        })
        .collect()
}

#[test]
fn accounting_lists_with_a_change_filter_are_found_with_their_deletion_feeds() {
    for name in ["accounting-v3", "accounting-v31"] {
        let product = product(name);
        let found = feeds(&product);
        let ops: Vec<_> =
            product.areas.iter().flat_map(|area| &area.resources).flat_map(|resource| &resource.operations).collect();
        let expected: Vec<&str> = ops
            .iter()
            .filter(|op| op.params.iter().any(|param| param.name == "updated_or_created_since"))
            .filter(|op| item_has(&product, &op.response, "updated_at"))
            .map(|op| op.name.as_str())
            .collect();
        assert!(expected.len() > 30, "{name}: {}", expected.len());
        let mut expected_sorted = expected.clone();
        expected_sorted.sort();
        let names: Vec<&str> = found.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, expected_sorted, "{name}");
        for op in ops {
            let Some((_, entry)) = found.iter().find(|(found, _)| *found == op.name) else { continue };
            let deletes = op.params.iter().any(|param| param.name == "deleted_since");
            assert_eq!(entry.contains("deleted_since"), deletes, "{name} {}", op.name);
            let sortable =
                op.params.iter().any(|param| param.name == "sort" && param.description.contains("updated_at"));
            assert_eq!(entry.contains("Some(\"sort\")"), sortable, "{name} {}", op.name);
        }
    }
}

#[test]
fn sage200_lists_whose_items_carry_date_time_updated_are_found() {
    for name in ["sage200-pro", "sage200-standard"] {
        let product = product(name);
        let found = feeds(&product);
        let lists = product
            .areas
            .iter()
            .flat_map(|area| &area.resources)
            .flat_map(|resource| &resource.operations)
            .filter(|op| matches!(op.response, Response::List(_)) && op.params.iter().any(|p| p.name == "$filter"));
        let mut expected: Vec<&str> = lists
            .filter(|op| {
                item_has(&product, &op.response, "date_time_updated") && item_has(&product, &op.response, "id")
            })
            .map(|op| op.name.as_str())
            .collect();
        expected.sort();
        let names: Vec<&str> = found.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, expected, "{name}");
        assert!(found.iter().any(|(name, entry)| name == "list_customers" && entry.contains("UpdatedFilter::OData")));
        assert!(found.iter().all(|(_, entry)| entry.contains("deleted: None")), "Sage 200 has no deletion feed");
    }
}
