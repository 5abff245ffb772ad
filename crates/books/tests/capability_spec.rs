//! The generated capability table leaves out the fields every product supports, so it is only
//! right if the mapping spec (`schemas/books/model.json`) knows every field a draft can send: the
//! generator then makes each product's spec map it. These tests fill every field of every draft
//! and check the spec declares what the drafts report, and that the table and its requirements
//! speak of declared fields only.

use std::collections::BTreeSet;
use std::path::Path;

use sage_books::capability::{CAPABILITIES, REQUIREMENTS};
use sage_books::types::{Date, Decimal};
use sage_books::*;
use serde_json::Value;

/// `schemas/books/model.json`, the model as the generator reads it.
fn model() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schemas/books/model.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    serde_json::from_str(&text).expect("model.json is JSON")
}

/// The fields `model.json` lists for `resource` under `section` (`read` or `create`).
fn declared(model: &Value, resource: Resource, section: &str) -> BTreeSet<String> {
    model["resources"][resource.name()][section]
        .as_array()
        .map(|fields| fields.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default()
}

fn d(text: &str) -> Decimal {
    text.parse().expect("a decimal")
}

fn day() -> Date {
    Date::from_ymd_opt(2026, 12, 1).expect("a date")
}

fn full_party<R>() -> NewParty<R> {
    let mut party = NewParty::new("Acme");
    party.reference = Some("ACME01".into());
    party.email = Some("ap@acme.example".into());
    party.tax_number = Some("GB123".into());
    party.currency_id = Some("GBP".into());
    party.credit_limit = Some(d("1000"));
    party.credit_days = Some(30);
    party.address = Some(Address::default());
    party.contact_person = Some(ContactPerson::default());
    party.notes = Some("note".into());
    party
}

fn full_document<K>() -> NewDocument<K> {
    let mut item = NewItemLine::new("Widgets", d("2"), d("10"));
    item.item = Some(ItemRef { kind: ItemKind::Product, id: "P1".into() });
    item.account_id = Some("4000".into());
    item.tax_rate_id = Some("T1".into());
    item.discount = Some(d("1"));
    item.tracking_ids = vec!["CC1".into()];
    let mut analysis = NewAnalysisLine::new("4000", d("20"));
    analysis.description = Some("Services".into());
    analysis.tax = Some(d("4"));
    analysis.tax_rate_id = Some("T1".into());
    analysis.tracking_ids = vec!["CC1".into()];
    let mut document = NewDocument::new("C1", day()).item_line(item).analysis_line(analysis);
    document.due_date = Some(day());
    document.number = Some("INV-1".into());
    document.reference = Some("PO-7".into());
    document.currency_id = Some("GBP".into());
    document.exchange_rate = Some(d("1"));
    document.notes = Some("note".into());
    document
}

fn full_payment() -> NewPayment {
    let mut payment = NewPayment::new(PaymentKind::CustomerReceipt, "C1", day(), d("24")).allocate("I1", d("24"));
    payment.allocations[0].discount = Some(d("1"));
    payment.bank_account_id = Some("B1".into());
    payment.reference = Some("R1".into());
    payment.payment_method_id = Some("BACS".into());
    payment.currency_id = Some("GBP".into());
    payment.exchange_rate = Some(d("1"));
    payment
}

#[test]
fn every_field_a_draft_can_send_is_one_the_spec_maps() {
    let model = model();
    let drafts: Vec<(Resource, Box<dyn DraftFields>)> = vec![
        (Resource::Customer, Box::new(full_party::<CustomerRole>())),
        (Resource::Supplier, Box::new(full_party::<SupplierRole>())),
        (Resource::SalesInvoice, Box::new(full_document::<SalesInvoiceKind>())),
        (Resource::SalesCreditNote, Box::new(full_document::<SalesCreditNoteKind>())),
        (Resource::PurchaseInvoice, Box::new(full_document::<PurchaseInvoiceKind>())),
        (Resource::PurchaseCreditNote, Box::new(full_document::<PurchaseCreditNoteKind>())),
        (Resource::Payment, Box::new(full_payment())),
    ];
    for (resource, draft) in drafts {
        let declared = declared(&model, resource, "create");
        let used = draft.used();
        assert!(used.len() > 5, "{resource}: a full draft reports its fields: {used:?}");
        let unknown: Vec<&str> = used.into_iter().filter(|field| !declared.contains(*field)).collect();
        assert!(unknown.is_empty(), "{resource}: schemas/books/model.json does not list {unknown:?} under `create`");
    }
}

#[test]
fn the_table_and_its_requirements_name_declared_fields_only() {
    let model = model();
    for row in CAPABILITIES {
        let Some(field) = row.field else { continue };
        let section = if row.operation == Operation::Create { "create" } else { "read" };
        assert!(declared(&model, row.resource, section).contains(field), "{row:?}");
    }
    for requirement in REQUIREMENTS {
        let declared = declared(&model, requirement.resource, "create");
        for field in requirement.fields {
            assert!(declared.contains(*field), "{requirement:?}: `{field}`");
        }
    }
}

#[test]
fn every_product_the_model_maps_has_rows_for_every_resource_and_operation() {
    for product in ProductKind::ALL {
        for resource in Resource::ALL {
            for operation in Operation::ALL {
                let rows = CAPABILITIES
                    .iter()
                    .filter(|row| {
                        row.product == product
                            && row.resource == resource
                            && row.operation == operation
                            && row.field.is_none()
                    })
                    .count();
                assert_eq!(rows, 1, "{product} {resource} {operation}");
            }
        }
    }
}
