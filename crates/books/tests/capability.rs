//! The capability table read as data: how a field falls back to its operation, and the table's
//! own consistency (one row per fact, requirements only where creates are supported).

use std::collections::HashSet;

use sage_books::capability::{required, support, CAPABILITIES, REQUIREMENTS};
use sage_books::{Operation, ProductKind, Resource, Support};

#[test]
fn a_field_without_a_row_has_its_operations_support() {
    let v31 = ProductKind::AccountingV31;
    assert_eq!(support(v31, Resource::SalesInvoice, Operation::Create, None), Support::Supported);
    assert_eq!(support(v31, Resource::SalesInvoice, Operation::Create, Some("reference")), Support::Supported);
    assert_eq!(
        support(v31, Resource::SalesInvoice, Operation::Create, Some("analysis_lines")),
        Support::NotAvailable,
        "Accounting documents have item lines only"
    );
    // A read gives the balance: read-only is about what a create can take.
    assert_eq!(support(v31, Resource::Customer, Operation::Get, Some("balance")), Support::Supported);
}

#[test]
fn what_has_no_row_is_not_available_down_to_its_fields() {
    let v3 = ProductKind::AccountingV3;
    assert_eq!(support(v3, Resource::TrackingCategory, Operation::List, None), Support::NotAvailable);
    assert_eq!(support(v3, Resource::TrackingCategory, Operation::List, Some("name")), Support::NotAvailable);
    assert_eq!(support(v3, Resource::LedgerAccount, Operation::Create, None), Support::NotAvailable);
    assert_eq!(
        support(ProductKind::AccountingV31, Resource::TrackingCategory, Operation::List, None),
        Support::Supported
    );
}

#[test]
fn v31_and_v3_differ_only_where_the_products_do() {
    let differs: Vec<_> = Resource::ALL
        .into_iter()
        .flat_map(|resource| Operation::ALL.map(|operation| (resource, operation)))
        .filter(|&(resource, operation)| {
            support(ProductKind::AccountingV31, resource, operation, None)
                != support(ProductKind::AccountingV3, resource, operation, None)
        })
        .collect();
    assert_eq!(
        differs,
        [
            (Resource::Company, Operation::List),
            (Resource::Company, Operation::Get),
            (Resource::TrackingCategory, Operation::List),
            (Resource::TrackingCategory, Operation::Get),
            (Resource::TrackingCategory, Operation::Changes),
        ]
    );
}

#[test]
fn each_fact_has_one_row() {
    let mut seen = HashSet::new();
    for row in CAPABILITIES {
        let key = (row.product, row.resource, row.operation, row.field);
        assert!(seen.insert(key), "two rows for {key:?}");
    }
}

#[test]
fn requirements_are_for_creates_the_product_supports() {
    for requirement in REQUIREMENTS {
        assert_eq!(
            support(requirement.product, requirement.resource, Operation::Create, None),
            Support::Supported,
            "{requirement:?}"
        );
        assert!(!requirement.fields.is_empty());
    }
    assert_eq!(required(ProductKind::AccountingV31, Resource::Customer), ["name"]);
    assert!(required(ProductKind::AccountingV31, Resource::PurchaseInvoice).contains(&"due_date"));
    assert!(!required(ProductKind::AccountingV31, Resource::SalesInvoice).contains(&"due_date"));
}

#[test]
fn resources_parse_from_their_singular_or_plural_names() {
    for resource in Resource::ALL {
        assert_eq!(resource.name().parse::<Resource>(), Ok(resource));
        assert_eq!(resource.plural().parse::<Resource>(), Ok(resource));
    }
    assert_eq!("sales-invoices".parse::<Resource>(), Ok(Resource::SalesInvoice));
    assert_eq!("tracking_categories".parse::<Resource>(), Ok(Resource::TrackingCategory));
    assert!("invoices".parse::<Resource>().is_err());
    for product in ProductKind::ALL {
        assert_eq!(ProductKind::from_name(product.name()), Some(product));
    }
}
