//! Mapping tests for Accounting v3.1 and v3 on hand-written bodies shaped like Sage's (decimals
//! as strings, `""` for an unset date, nulls, fields no schema lists), both ways. One macro runs
//! the same tests over both versions; where they differ (tracking, `is_active`) it says so.

use serde_json::{json, Value};

use crate::model::*;
use crate::types::{Date, Decimal};

fn dec(text: &str) -> Decimal {
    text.parse().expect("a decimal")
}

/// A decimal as a body writes it: a string or a number, compared exactly.
fn decimal_in(value: &Value) -> Decimal {
    match value {
        Value::String(text) => dec(text),
        Value::Number(number) => dec(&number.to_string()),
        other => panic!("not a decimal: {other}"),
    }
}

fn contact_body() -> Value {
    json!({
        "id": "c9e1", "displayed_as": "Brake & Clutch Ltd (BRAKE01)", "$path": "/contacts/c9e1",
        "name": "Brake & Clutch Ltd", "reference": "BRAKE01", "email": "accounts@brake.example",
        "contact_types": [{"id": "CUSTOMER", "displayed_as": "Customer"}],
        "balance": "1250.75", "credit_limit": "5000.00", "credit_days": 30, "is_active": true,
        "currency": {"id": "GBP", "displayed_as": "Pound Sterling (GBP)"},
        "tax_number": "GB123456789", "notes": null,
        "main_address": {
            "address_line_1": "Unit 4", "address_line_2": "", "city": "Leeds", "region": "West Yorkshire",
            "postal_code": "LS1 4AB", "country": {"id": "GB", "displayed_as": "United Kingdom (GB)"},
            "address_type": {"id": "DELIVERY"}
        },
        "delivery_address": null,
        "main_contact_person": {"name": "Ada Clutch", "email": "ada@brake.example", "telephone": "0113 000 0000",
            "mobile": null, "job_title": "Accounts"},
        "created_at": "2026-11-01T09:00:00Z", "updated_at": "2026-11-20T16:30:12.250Z", "deleted_at": null,
        "gdpr_obfuscated": false, "a_field_no_schema_lists": {"since": "2026"}
    })
}

fn invoice_lines() -> Value {
    json!([
        {
            "id": "l1", "description": "Brake pads, fitted", "product": {"id": "p1", "displayed_as": "BP-01"},
            "service": null, "quantity": "2.0", "unit_price": "125.50", "discount_amount": "0.00",
            "ledger_account": {"id": "la4000", "displayed_as": "Sales Type A (4000)"},
            "tax_rate": {"id": "GB_STANDARD", "displayed_as": "Standard 20.00%"},
            "net_amount": "251.00", "tax_amount": "50.20", "total_amount": "301.20",
            "analysis_type_categories": [{"id": "cat-north", "displayed_as": "North",
                "analysis_type": {"id": "at1", "name": "Region", "displayed_as": "Region"}}],
            "line_field_no_schema_lists": 7
        },
        {
            "id": "l2", "description": "Disc skim", "product": null, "service": {"id": "s1", "displayed_as": "SKIM"},
            "quantity": "1", "unit_price": "40", "discount_amount": null,
            "ledger_account": {"id": "la4000", "displayed_as": "Sales Type A (4000)"},
            "tax_rate": {"id": "GB_STANDARD"}, "net_amount": "40.00", "tax_amount": "8.00", "total_amount": "48.00"
        }
    ])
}

fn invoice_body() -> Value {
    let mut body = json!({
        "id": "si17", "displayed_as": "SI-17", "$path": "/sales_invoices/si17",
        "invoice_number": "SI-17", "reference": null,
        "contact": {"id": "c9e1", "displayed_as": "Brake & Clutch Ltd (BRAKE01)", "$path": "/contacts/c9e1"},
        "contact_name": "Brake & Clutch Ltd",
        "date": "2026-11-25", "due_date": "",
        "status": {"id": "PART_PAID", "displayed_as": "Part Paid"},
        "currency": {"id": "EUR", "displayed_as": "Euro (EUR)"},
        "exchange_rate": "1.1627906977",
        "net_amount": "291.0", "tax_amount": "58.20", "total_amount": "349.20",
        "outstanding_amount": "100.00", "total_paid": "249.20",
        "base_currency_net_amount": "250.26", "base_currency_tax_amount": "50.05",
        "base_currency_total_amount": "300.31", "base_currency_outstanding_amount": "86.00",
        "created_at": "2026-11-25T10:00:00Z", "updated_at": "2026-11-25T10:05:00.123Z", "deleted_at": null,
        "brand_new_field": {"x": 1}
    });
    body["invoice_lines"] = invoice_lines();
    body
}

fn payment_body() -> Value {
    json!({
        "id": "cp1", "displayed_as": "BACS 1125",
        "transaction_type": {"id": "CUSTOMER_RECEIPT", "displayed_as": "Customer Receipt"},
        "contact": {"id": "c9e1", "displayed_as": "Brake & Clutch Ltd (BRAKE01)"},
        "bank_account": {"id": "bank1", "displayed_as": "Current (1200)"},
        "payment_method": {"id": "BANK_TRANSFER", "displayed_as": "Bank Transfer"},
        "date": "2026-11-26", "reference": "BACS 1125", "total_amount": "249.20",
        "base_currency_total_amount": "214.32", "exchange_rate": "1.1627906977",
        "allocated_artefacts": [
            {"id": "aa1", "artefact": {"id": "si17", "displayed_as": "SI-17"}, "amount": "249.20", "discount": "0.00"}
        ],
        "created_at": "2026-11-26T08:00:00Z", "updated_at": "2026-11-26T08:00:00Z"
    })
}

fn ledger_account_body() -> Value {
    json!({
        "id": "la4000", "displayed_as": "Sales Type A (4000)", "name": "Sales Type A", "nominal_code": 4000,
        "ledger_account_type": {"id": "SALES", "displayed_as": "Sales"},
        "tax_rate": {"id": "GB_STANDARD"},
        "visible_in_sales": true, "visible_in_expenses": false, "visible_in_banking": "",
        "visible_in_journals": true, "visible_in_other_payments": false, "visible_in_other_receipts": true,
        "visible_in_reporting": true, "created_at": "2020-01-01T00:00:00Z", "updated_at": ""
    })
}

fn draft_invoice() -> NewSalesInvoice {
    let mut extra = Extra::new();
    extra.insert("notes".into(), json!("from extra"));
    extra.insert("delivery_performance_date".into(), json!("2026-11-30"));
    let mut line_extra = Extra::new();
    line_extra.insert("eu_goods_services_type_id".into(), json!("GOODS"));
    NewSalesInvoice {
        due_date: Date::from_ymd_opt(2026, 12, 25),
        reference: Some("PO 88".into()),
        notes: Some("overridden".into()),
        extra,
        ..NewSalesInvoice::new("c9e1", Date::from_ymd_opt(2026, 11, 25).expect("a date"))
    }
    .item_line(NewItemLine {
        item: Some(ItemRef { kind: ItemKind::Product, id: "p1".into() }),
        account_id: Some("la4000".into()),
        tax_rate_id: Some("GB_STANDARD".into()),
        discount: Some(dec("5.00")),
        extra: line_extra,
        ..NewItemLine::new("Brake pads, fitted", dec("2"), dec("125.50"))
    })
    .item_line(NewItemLine {
        item: Some(ItemRef { kind: ItemKind::Service, id: "s1".into() }),
        account_id: Some("la4000".into()),
        tracking_ids: vec!["cat-north".into()],
        ..NewItemLine::new("Disc skim", dec("1"), dec("40.00"))
    })
}

macro_rules! accounting_mapping_tests {
    ($version:ident, $krate:ident, $record:ident, $raw:ident, tracked: $tracked:expr, active: $active:expr) => {
        mod $version {
            #![allow(deprecated)]

            use super::*;
            use crate::map::$version as map;
            use crate::raw::{$record, Raw};

            fn read<T: serde::de::DeserializeOwned>(body: Value) -> T {
                serde_json::from_value(body).expect("the typed crate reads the body")
            }

            #[test]
            fn an_invoice_reads_with_exact_money_lines_and_an_open_status() {
                let invoice = map::sales_invoice(read(invoice_body()));
                assert_eq!(invoice.id, "si17");
                assert_eq!(invoice.number.as_deref(), Some("SI-17"));
                assert_eq!(invoice.reference, None);
                let party = invoice.party.as_ref().expect("a customer");
                assert_eq!((party.id.as_str(), party.name.as_deref()), ("c9e1", Some("Brake & Clutch Ltd")));
                assert_eq!(invoice.date, Date::from_ymd_opt(2026, 11, 25));
                assert_eq!(invoice.due_date, None, "an empty date reads as unset");
                let status = invoice.status.as_ref().expect("a status");
                assert_eq!((status.kind, status.code.as_str()), (DocumentStatus::PartPaid, "PART_PAID"));
                assert_eq!(invoice.currency.as_ref().map(|currency| currency.id.as_str()), Some("EUR"));
                assert_eq!(invoice.exchange_rate, Some(dec("1.1627906977")));
                assert_eq!(
                    invoice.totals,
                    Totals {
                        net: Some(dec("291.0")),
                        tax: Some(dec("58.20")),
                        gross: Some(dec("349.20")),
                        outstanding: Some(dec("100.00")),
                        paid: Some(dec("249.20")),
                    }
                );
                assert_eq!(invoice.base_totals.gross, Some(dec("300.31")));
                assert_eq!(invoice.base_totals.outstanding, Some(dec("86.00")));
                assert_eq!(invoice.item_lines.len(), 2);
                assert!(invoice.analysis_lines.is_empty());
                let first = &invoice.item_lines[0];
                assert_eq!(first.item.as_ref().map(|item| item.id.as_str()), Some("p1"));
                assert_eq!((first.quantity, first.unit_price), (Some(dec("2")), Some(dec("125.50"))));
                assert_eq!(first.account.as_ref().map(|account| account.id.as_str()), Some("la4000"));
                assert_eq!((first.net, first.tax, first.gross), (Some(dec("251")), Some(dec("50.2")), Some(dec("301.2"))));
                let second = &invoice.item_lines[1];
                assert_eq!(second.item.as_ref().map(|item| item.id.as_str()), Some("s1"), "a service line names it");
                assert_eq!(second.discount, None);
                if $tracked {
                    let tracking = &first.tracking;
                    assert_eq!(tracking.len(), 1);
                    assert_eq!(tracking[0].value.id, "cat-north");
                    assert_eq!(tracking[0].category.as_ref().and_then(|kind| kind.name.as_deref()), Some("Region"));
                } else {
                    assert!(first.tracking.is_empty(), "this version has no analysis types");
                }
                assert_eq!(invoice.timestamps.updated_at.map(|at| at.to_string()), Some("2026-11-25T10:05:00.123Z".into()));
                assert_eq!(invoice.timestamps.deleted_at, None);
                let Raw::$raw($record::SalesInvoice(raw)) = invoice.raw() else { panic!("{:?}", invoice.raw()) };
                assert_eq!(raw.extra.get("brand_new_field"), Some(&json!({"x": 1})), "raw keeps unknown fields");
            }

            #[test]
            fn an_invoice_serializes_with_stable_snake_case_names_and_no_raw() {
                let invoice = map::sales_invoice(read(invoice_body()));
                let json = serde_json::to_value(&invoice).expect("serializes");
                assert_eq!(json["number"], "SI-17");
                assert_eq!(json["totals"]["net"], "291.0", "decimals keep their digits");
                assert_eq!(json["status"], json!({"kind": "part_paid", "code": "PART_PAID"}));
                assert_eq!(json["item_lines"][0]["unit_price"], "125.50");
                assert_eq!(json["created_at"], "2026-11-25T10:00:00Z", "timestamps sit at the top level");
                assert!(json.get("raw").is_none() && json.get("kind").is_none());
            }

            #[test]
            fn a_contact_reads_as_a_customer_with_address_and_person() {
                let customer: Customer = map::party(read(contact_body()));
                assert_eq!(customer.id, "c9e1");
                assert_eq!(customer.reference.as_deref(), Some("BRAKE01"));
                assert_eq!(customer.balance, Some(dec("1250.75")));
                assert_eq!(customer.credit_limit, Some(dec("5000")));
                assert_eq!(customer.credit_days, Some(30));
                assert_eq!(customer.active, $active);
                assert_eq!(customer.currency.as_ref().map(|currency| currency.id.as_str()), Some("GBP"));
                let address = customer.address.as_ref().expect("an address");
                assert_eq!(address.city.as_deref(), Some("Leeds"));
                assert_eq!(address.country.as_deref(), Some("GB"));
                assert_eq!(address.line2.as_deref(), Some(""), "an empty text stays what Sage sent");
                assert_eq!(customer.delivery_address, None);
                let person = customer.contact_person.as_ref().expect("a person");
                assert_eq!((person.name.as_deref(), person.mobile.as_deref()), (Some("Ada Clutch"), None));
                let Raw::$raw($record::Contact(raw)) = customer.raw() else { panic!("{:?}", customer.raw()) };
                assert!(raw.extra.contains_key("a_field_no_schema_lists"));
            }

            #[test]
            fn a_receipt_reads_with_its_allocation() {
                let payment = map::payment(read(payment_body()));
                let kind = payment.kind.as_ref().expect("a kind");
                assert_eq!((kind.kind, kind.code.as_str()), (PaymentKind::CustomerReceipt, "CUSTOMER_RECEIPT"));
                assert_eq!(payment.party.as_ref().map(|party| party.id.as_str()), Some("c9e1"));
                assert_eq!(payment.bank_account.as_ref().map(|bank| bank.id.as_str()), Some("bank1"));
                assert_eq!((payment.amount, payment.base_amount), (Some(dec("249.20")), Some(dec("214.32"))));
                assert_eq!(
                    payment.allocations,
                    vec![Allocation {
                        document: Some(Ref { id: "si17".into(), name: Some("SI-17".into()) }),
                        amount: Some(dec("249.20")),
                        discount: Some(dec("0")),
                    }]
                );
            }

            #[test]
            fn a_ledger_account_reads_its_code_and_where_it_shows() {
                let account = map::ledger_account(read(ledger_account_body()));
                assert_eq!(account.code.as_deref(), Some("4000"));
                assert_eq!(account.account_type.as_ref().map(|kind| kind.id.as_str()), Some("SALES"));
                let visible = account.visibility;
                assert_eq!((visible.sales, visible.purchases, visible.banking), (Some(true), Some(false), None));
                assert_eq!(account.timestamps.updated_at, None);
            }

            #[test]
            fn an_invoice_draft_writes_the_products_body_with_extras_merged() {
                let body = serde_json::to_value(map::new_sales_invoice(draft_invoice()).expect("maps")).expect("json");
                assert_eq!(body["contact_id"], "c9e1");
                assert_eq!(body["date"], "2026-11-25");
                assert_eq!(body["due_date"], "2026-12-25");
                assert_eq!(body["reference"], "PO 88");
                assert_eq!(body["notes"], "from extra", "an extra key replaces the model's value");
                assert_eq!(body["delivery_performance_date"], "2026-11-30", "other extras are sent as they are");
                let lines = body["invoice_lines"].as_array().expect("lines");
                assert_eq!(lines.len(), 2);
                assert_eq!(lines[0]["description"], "Brake pads, fitted");
                assert_eq!(lines[0]["ledger_account_id"], "la4000");
                assert_eq!(decimal_in(&lines[0]["quantity"]), dec("2"));
                assert_eq!(decimal_in(&lines[0]["unit_price"]), dec("125.50"));
                assert_eq!(decimal_in(&lines[0]["discount_amount"]), dec("5"));
                assert_eq!(lines[0]["tax_rate_id"], "GB_STANDARD");
                assert_eq!(lines[0]["product_id"], "p1");
                assert_eq!(lines[0]["eu_goods_services_type_id"], "GOODS");
                assert_eq!(lines[1]["service_id"], "s1");
                assert!(lines[1].get("product_id").is_none_or(Value::is_null));
                if $tracked {
                    assert_eq!(lines[1]["analysis_type_categories"], json!(["cat-north"]));
                } else {
                    assert!(lines[1].get("analysis_type_categories").is_none());
                }
            }

            #[test]
            fn a_receipt_draft_writes_its_allocations() {
                let draft = NewPayment {
                    bank_account_id: Some("bank1".into()),
                    reference: Some("BACS 1125".into()),
                    ..NewPayment::new(
                        PaymentKind::CustomerReceipt,
                        "c9e1",
                        Date::from_ymd_opt(2026, 11, 26).expect("a date"),
                        dec("249.20"),
                    )
                    .allocate("si17", dec("249.20"))
                };
                let body = serde_json::to_value(map::new_payment(draft).expect("maps")).expect("json");
                assert_eq!(body["transaction_type_id"], "CUSTOMER_RECEIPT");
                assert_eq!(body["contact_id"], "c9e1");
                assert_eq!(body["bank_account_id"], "bank1");
                assert_eq!(decimal_in(&body["total_amount"]), dec("249.20"));
                let allocated = body["allocated_artefacts"].as_array().expect("allocations");
                assert_eq!(allocated.len(), 1);
                assert_eq!(allocated[0]["artefact_id"], "si17");
                assert_eq!(decimal_in(&allocated[0]["amount"]), dec("249.20"));
            }

            #[test]
            fn a_payment_of_a_kind_the_model_cannot_name_is_refused() {
                let date = Date::from_ymd_opt(2026, 11, 26).expect("a date");
                let draft = NewPayment {
                    bank_account_id: Some("bank1".into()),
                    ..NewPayment::new(PaymentKind::Other, "c9e1", date, dec("1"))
                };
                let err = map::new_payment(draft).unwrap_err();
                assert!(matches!(&err, crate::Error::Unsupported { field: Some(field), .. } if field == "kind"), "{err:?}");
            }

            #[test]
            fn a_customer_draft_writes_a_contact_of_type_customer() {
                let draft = NewCustomer {
                    reference: Some("BRAKE01".into()),
                    email: Some("accounts@brake.example".into()),
                    address: Some(Address {
                        line1: Some("Unit 4".into()),
                        city: Some("Leeds".into()),
                        postal_code: Some("LS1 4AB".into()),
                        country: Some("GB".into()),
                        ..Address::default()
                    }),
                    ..NewCustomer::new("Brake & Clutch Ltd")
                };
                let body = serde_json::to_value(map::new_contact(draft, "CUSTOMER").expect("maps")).expect("json");
                assert_eq!(body["name"], "Brake & Clutch Ltd");
                assert_eq!(body["contact_type_ids"], json!(["CUSTOMER"]));
                assert_eq!(body["reference"], "BRAKE01");
                assert_eq!(body["main_address"]["address_line_1"], "Unit 4");
                assert_eq!(body["main_address"]["country_id"], "GB");
                assert_eq!(body["main_contact_person"]["email"], "accounts@brake.example");
            }
        }
    };
}

accounting_mapping_tests!(accounting_v31, sage_accounting_v31, AccountingV31Record, AccountingV31, tracked: true, active: Some(true));
accounting_mapping_tests!(accounting_v3, sage_accounting_v3, AccountingV3Record, AccountingV3, tracked: false, active: None);

#[test]
fn sage_field_names_map_onto_the_models() {
    use crate::map::accounting::model_field;
    use crate::resource::Resource;
    assert_eq!(model_field(Resource::SalesInvoice, "contact_id").as_deref(), Some("customer"));
    assert_eq!(model_field(Resource::PurchaseInvoice, "contact_id").as_deref(), Some("supplier"));
    assert_eq!(
        model_field(Resource::SalesInvoice, "invoice_lines.1.ledger_account_id").as_deref(),
        Some("item_lines[1].account_id")
    );
    assert_eq!(
        model_field(Resource::SalesCreditNote, "credit_note_lines[0].unit_price").as_deref(),
        Some("item_lines[0].unit_price")
    );
    assert_eq!(
        model_field(Resource::Payment, "allocated_artefacts[2].artefact_id").as_deref(),
        Some("allocations[2].document_id")
    );
    assert_eq!(
        model_field(Resource::Payment, "allocated_artefacts[0].amount").as_deref(),
        Some("allocations[0].amount")
    );
    assert_eq!(model_field(Resource::Payment, "total_amount").as_deref(), Some("amount"));
    assert_eq!(model_field(Resource::SalesInvoice, "total_amount"), None, "only a payment's total is its amount");
    assert_eq!(model_field(Resource::Customer, "something_else"), None);
}

mod errors {
    use std::time::Duration;

    use sage_core::auth::AuthError;
    use sage_core::{ApiError, ErrorItem};

    use crate::error::{Context, Error};
    use crate::map::accounting::model_field;
    use crate::resource::{ProductKind, Resource};

    fn api(status: u16, body: &str, retry_after: Option<Duration>) -> sage_core::Error {
        sage_core::Error::Api(Box::new(ApiError {
            operation: "create_sales_invoice",
            status,
            items: ErrorItem::parse_body(body.as_bytes()),
            body: body.into(),
            request_id: None,
            attempts: 1,
            retry_after,
        }))
    }

    fn create(uncertain: Option<&str>) -> Context<'_> {
        Context {
            product: ProductKind::AccountingV3,
            resource: Resource::SalesInvoice,
            id: None,
            uncertain,
            field: model_field,
        }
    }

    #[test]
    fn sages_items_read_as_a_validation_error_on_the_models_field() {
        let body = r#"[{"$severity":"warning","$dataCode":"Hint","$message":"check the date","$source":"date"},
            {"$severity":"error","$dataCode":"RecordInvalid","$message":"is not a customer","$source":"contact_id"}]"#;
        let err = Error::from_core(api(422, body, None), create(None));
        let Error::Validation { field, code, message, items } = &err else { panic!("{err:?}") };
        assert_eq!(field.as_deref(), Some("customer"), "the first error, not the warning, names the field");
        assert_eq!((code.as_str(), message.as_str()), ("RecordInvalid", "is not a customer"));
        assert_eq!(items.len(), 2);
        assert!(!err.is_retryable());
    }

    #[test]
    fn a_source_the_model_does_not_name_is_kept_as_sent() {
        let body =
            r#"[{"$severity":"error","$dataCode":"RecordInvalid","$message":"bad","$source":"shipping_tax_rate_id"}]"#;
        let err = Error::from_core(api(422, body, None), create(None));
        assert!(
            matches!(&err, Error::Validation { field: Some(field), .. } if field == "shipping_tax_rate_id"),
            "{err:?}"
        );
    }

    #[test]
    fn throttling_waits_and_retries() {
        let err = Error::from_core(api(429, "", Some(Duration::from_secs(7))), create(None));
        assert!(matches!(err, Error::RateLimited { retry_after: Some(wait) } if wait == Duration::from_secs(7)));
        assert!(err.is_retryable());
    }

    #[test]
    fn a_lost_answer_to_a_non_idempotent_create_is_an_uncertain_write() {
        let err = Error::from_core(sage_core::Error::Timeout, create(Some("list sales_invoices for c1")));
        let Error::UncertainWrite { resource, how_to_find, .. } = &err else { panic!("{err:?}") };
        assert_eq!((*resource, how_to_find.as_str()), (Resource::SalesInvoice, "list sales_invoices for c1"));
        assert!(!err.is_retryable(), "look it up before sending again");
        let err = Error::from_core(api(503, "", None), create(Some("look")));
        assert!(matches!(err, Error::UncertainWrite { .. }), "{err:?}");
        // Idempotent (v3.1) creates and reads: a plain retryable failure.
        let err = Error::from_core(sage_core::Error::Timeout, create(None));
        assert!(matches!(err, Error::Transport { retryable: true, .. }), "{err:?}");
        let err = Error::from_core(api(503, "", None), create(None));
        assert!(matches!(err, Error::Provider { status: 503, .. }) && err.is_retryable(), "{err:?}");
    }

    #[test]
    fn refusals_of_the_user_need_a_relink_or_are_auth_errors() {
        let relink = sage_core::Error::Auth(AuthError::ReauthorizationRequired { reason: "invalid_grant".into() });
        assert!(matches!(Error::from_core(relink, create(None)), Error::NeedsRelink { .. }));
        let body =
            r#"[{"$severity":"error","$dataCode":"AuthorizationFailure","$message":"No active subscription. (MSE)"}]"#;
        let err = Error::from_core(api(401, body, None), create(None));
        assert!(matches!(&err, Error::Auth { reason } if reason.contains("No active subscription")), "{err:?}");
        assert!(!err.is_retryable());
    }

    #[test]
    fn a_missing_record_on_a_get_is_not_found() {
        let context = Context::read(ProductKind::AccountingV31, Resource::Customer, Some("c404"));
        let err = Error::from_core(api(404, "", None), context);
        assert!(matches!(&err, Error::NotFound { resource: Resource::Customer, id } if id == "c404"), "{err:?}");
        assert_eq!(err.to_string(), "no customer with id `c404`");
    }
}

mod idempotency {
    use super::*;
    use crate::backend::Draft;
    use crate::map::accounting::idempotent_create;

    #[test]
    fn a_create_gets_an_idempotency_id_and_a_lost_answer_names_it() {
        let mut draft = Draft::Customer(NewCustomer::new("Acme Ltd"));
        let how = idempotent_create(&mut draft).expect("the id was made here: say what it is");
        let Draft::Customer(customer) = &draft else { unreachable!() };
        let id = customer.extra["idempotency_id"].as_str().expect("an id").to_owned();
        assert_eq!(id.len(), 32);
        assert!(how.contains(&id), "{how}");
        let Draft::Customer(customer) = draft else { unreachable!() };
        let body = serde_json::to_value(crate::map::accounting_v31::new_contact(customer, "CUSTOMER").expect("maps"))
            .expect("json");
        assert_eq!(body["idempotency_id"], id.as_str(), "the typed body carries it");
    }

    #[test]
    fn the_callers_id_is_kept_and_sending_again_is_safe() {
        let mut extra = Extra::new();
        extra.insert("idempotency_id".into(), json!("0123456789abcdef0123456789abcdef"));
        let mut draft = Draft::Customer(NewCustomer { extra, ..NewCustomer::new("Acme Ltd") });
        assert_eq!(idempotent_create(&mut draft), None);
        let Draft::Customer(customer) = draft else { unreachable!() };
        assert_eq!(customer.extra["idempotency_id"], "0123456789abcdef0123456789abcdef");
    }
}
