//! The demo data each tenant (v3.1 business, v3 site, Sage 200 company) starts with: coherent reference
//! data (contact types, ledger accounts, tax rates, currencies, countries, products and services) that
//! the customers, suppliers and invoices point at, with invoice totals computed from their lines; then,
//! from the schema, one example record in every other read-only collection and every single-object
//! resource (settings, the current user), so each of them answers as Sage's does.

use std::collections::HashMap;

use sage_schema::ir::{self, HeaderPolicy, Type};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::models::Models;
use super::{links, route, totals};
use crate::fixtures;

/// Records per collection path (relative to the product's base).
pub(crate) type Collections = HashMap<String, Vec<Value>>;

/// Customers and suppliers seeded per Accounting tenant: 25 contacts, more than one default page (20)
/// so paging shows.
const CUSTOMERS: usize = 22;
const SUPPLIERS: usize = 3;

/// The starting data of one tenant.
pub(crate) fn collections(product: &ir::Product, tenant: &str) -> Collections {
    let mut data = match product.header_policy {
        HeaderPolicy::Sage200 => sage200(tenant),
        HeaderPolicy::AccountingV3 => accounting("/accounts/v3", tenant, tenant),
        HeaderPolicy::AccountingV31 => {
            let name =
                fixtures::V31_BUSINESSES.iter().find(|business| business.id == tenant).map_or(tenant, |b| b.name);
            accounting("", tenant, name)
        }
    };
    examples(product, tenant, &mut data);
    data
}

/// A stable 32-hex-digit id, so seeded records keep their ids across runs.
fn stable_id(parts: &[&str]) -> String {
    let digest = Sha256::digest(parts.join("/").as_bytes());
    digest[..16].iter().map(|byte| format!("{byte:02x}")).collect()
}

/// An Accounting record: `id`, `displayed_as` and `$path` (relative to the API, as Sage writes it).
fn record(collection: &str, id: &str, shown: &str, fields: Value) -> Value {
    let mut record = json!({ "id": id, "displayed_as": shown, "$path": format!("/{collection}/{id}") });
    if let (Value::Object(record), Value::Object(fields)) = (&mut record, fields) {
        record.extend(fields);
    }
    record
}

/// Where Sage shows a ledger account of this type: a bank account only in banking (not among sales or
/// expense accounts), sales accounts in sales and receipts, expense accounts in expenses and payments;
/// every one in journals and reporting.
fn visibility(kind: &str) -> [(&'static str, bool); 7] {
    let (sales, expenses, banking) = match kind {
        "SALES" | "OTHER_INCOME" => (true, false, false),
        "DIRECT_EXPENSES" | "OVERHEADS" | "DEPRECIATION" => (false, true, false),
        "BANK" => (false, false, true),
        _ => (false, false, false),
    };
    [
        ("sales", sales),
        ("other_receipts", sales),
        ("expenses", expenses),
        ("other_payments", expenses),
        ("banking", banking),
        ("journals", true),
        ("reporting", true),
    ]
}

fn accounting(prefix: &str, tenant: &str, owner: &str) -> Collections {
    let id = |kind: &str, n: &str| stable_id(&[tenant, kind, n]);
    let contact_types = vec![
        record("contact_types", "CUSTOMER", "Customer", json!({"name": "Customer"})),
        record("contact_types", "VENDOR", "Supplier", json!({"name": "Supplier"})),
    ];
    let currencies = vec![
        record("currencies", "GBP", "Pound Sterling (GBP)", json!({"name": "Pound Sterling", "symbol": "£"})),
        record("currencies", "EUR", "Euro (EUR)", json!({"name": "Euro", "symbol": "€"})),
        record("currencies", "USD", "US Dollar (USD)", json!({"name": "US Dollar", "symbol": "$"})),
    ];
    let countries = vec![
        record("countries", "GB", "United Kingdom (GB)", json!({})),
        record("countries", "IE", "Ireland (IE)", json!({})),
        record("countries", "US", "United States (US)", json!({})),
    ];
    let tax_rate = |code: &str, name: &str, percentage: &str| {
        let shown = format!("{name} {percentage}%");
        record("tax_rates", code, &shown, json!({"name": name, "percentage": percentage, "is_visible": true}))
    };
    let tax_rates = vec![
        tax_rate("GB_STANDARD", "Standard", "20.00"),
        tax_rate("GB_LOWER", "Lower Rate", "5.00"),
        tax_rate("GB_ZERO", "Zero Rated", "0.00"),
        tax_rate("GB_EXEMPT", "Exempt", "0.00"),
    ];
    let ledger_account = |code: u32, name: &str, kind: &str, tax: &Value| {
        let shown = format!("{name} ({code})");
        let mut fields = json!({
            "name": name, "display_name": name, "nominal_code": code, "included_in_chart": true,
            "ledger_account_type": {"id": kind, "displayed_as": kind},
            "tax_rate": links::link_to(tax),
        });
        for (area, visible) in visibility(kind) {
            fields[format!("visible_in_{area}")] = Value::Bool(visible);
        }
        record("ledger_accounts", &id("ledger_accounts", &code.to_string()), &shown, fields)
    };
    let ledger_accounts = vec![
        ledger_account(1200, "Current", "BANK", &tax_rates[3]),
        ledger_account(4000, "Sales - Products", "SALES", &tax_rates[0]),
        ledger_account(4010, "Sales - Services", "SALES", &tax_rates[0]),
        ledger_account(5000, "Cost of sales - goods", "DIRECT_EXPENSES", &tax_rates[0]),
        ledger_account(7500, "Office costs", "OVERHEADS", &tax_rates[0]),
    ];
    let item = |collection: &str, code: &str, description: &str, price: &str, ledger: &Value| {
        let fields = json!({
            "item_code": code, "description": description, "active": true,
            "sales_ledger_account": links::link_to(ledger),
            "sales_tax_rate": links::link_to(&tax_rates[0]),
            "sales_prices": [{"price_name": "Selling Price", "price": price}],
        });
        record(collection, &id(collection, code), description, fields)
    };
    let products = vec![
        item("products", "BRAKE01", "Brake pads", "125.50", &ledger_accounts[1]),
        item("products", "OIL5W30", "Engine oil 5W-30, 5 l", "38.99", &ledger_accounts[1]),
    ];
    let services = vec![item("services", "FIT01", "Fitting, per hour", "45.00", &ledger_accounts[2])];
    let contact = |kind: usize, n: usize, name: String, reference: String| {
        let fields = json!({
            "name": name, "reference": reference,
            "contact_types": [links::link_to(&contact_types[kind])],
            "balance": "0.00",
            "currency": links::link_to(&currencies[0]),
            "default_sales_ledger_account": links::link_to(&ledger_accounts[1]),
            "default_sales_tax_rate": links::link_to(&tax_rates[0]),
            "email": format!("accounts{n}@example.invalid"),
        });
        record("contacts", &id("contacts", &reference), &format!("{name} ({reference})"), fields)
    };
    let mut contacts: Vec<Value> =
        (1..=CUSTOMERS).map(|n| contact(0, n, format!("Customer {n:02} of {owner}"), format!("CUST{n:03}"))).collect();
    contacts.extend((1..=SUPPLIERS).map(|n| contact(1, n, format!("Supplier {n} of {owner}"), format!("SUPP{n:03}"))));

    let bank_accounts = vec![record(
        "bank_accounts",
        &id("bank_accounts", "1200"),
        "Current (1200)",
        json!({
            "bank_account_type": {"id": "CHECKING", "displayed_as": "Current"},
            "ledger_account": links::link_to(&ledger_accounts[0]),
            "currency": links::link_to(&currencies[0]),
            "balance": "0.00", "nominal_code": 1200,
        }),
    )];
    let mut data = Collections::new();
    let mut put = |name: &str, records: Vec<Value>| data.insert(format!("{prefix}/{name}"), records);
    put("transaction_types", transaction_types());
    put("artefact_statuses", artefact_statuses());
    put("bank_accounts", bank_accounts);
    put("contact_types", contact_types);
    put("currencies", currencies);
    put("countries", countries);
    put("ledger_accounts", ledger_accounts);
    put("tax_rates", tax_rates);
    put("products", products);
    put("services", services);
    put("contacts", contacts);
    let invoices = sales_invoices(&data, prefix, tenant);
    if let Some(contacts) = data.get_mut(&format!("{prefix}/contacts")) {
        add_balances(contacts, &invoices);
    }
    data.insert(format!("{prefix}/sales_invoices"), invoices);
    data
}

/// The transaction types payments and documents name (`transaction_type_id`), with Sage's ids.
fn transaction_types() -> Vec<Value> {
    [
        ("CUSTOMER_RECEIPT", "Customer Receipt"),
        ("CUSTOMER_REFUND", "Customer Refund"),
        ("VENDOR_PAYMENT", "Supplier Payment"),
        ("VENDOR_REFUND", "Supplier Refund"),
        ("SALES_INVOICE", "Sales Invoice"),
        ("SALES_CREDIT_NOTE", "Sales Credit Note"),
        ("PURCHASE_INVOICE", "Purchase Invoice"),
        ("PURCHASE_CREDIT_NOTE", "Purchase Credit Note"),
        ("OTHER_RECEIPT", "Other Receipt"),
        ("OTHER_PAYMENT", "Other Payment"),
        ("JOURNAL", "Journal"),
    ]
    .iter()
    .map(|(id, shown)| record("transaction_types", id, shown, json!({})))
    .collect()
}

/// The statuses an invoice or credit note moves through as it is paid.
fn artefact_statuses() -> Vec<Value> {
    [("DRAFT", "Draft"), ("UNPAID", "Unpaid"), ("PART_PAID", "Part Paid"), ("PAID", "Paid"), ("VOID", "Void")]
        .iter()
        .map(|(id, shown)| record("artefact_statuses", id, shown, json!({})))
        .collect()
}

/// Three invoices for the first customers, priced from the seeded products and service, their totals
/// computed and added to the customers' balances.
fn sales_invoices(data: &Collections, prefix: &str, tenant: &str) -> Vec<Value> {
    let get = |name: &str| data.get(&format!("{prefix}/{name}")).cloned().unwrap_or_default();
    let (products, services, contacts) = (get("products"), get("services"), get("contacts"));
    let line = |item: &Value, quantity: &str| {
        json!({
            "description": item["description"],
            "quantity": quantity,
            "unit_price": item["sales_prices"][0]["price"],
            "ledger_account_id": item["sales_ledger_account"]["id"],
            "tax_rate_id": item["sales_tax_rate"]["id"],
        })
    };
    (0..3)
        .map(|index| {
            let number = format!("SI-{}", index + 1);
            let contact = &contacts[index];
            let mut invoice = json!({
                "invoice_number": number,
                "contact_id": contact["id"],
                "date": "2024-04-01",
                "due_date": "2024-05-01",
                "status": { "id": "UNPAID", "displayed_as": "Unpaid", "$path": "/artefact_statuses/UNPAID" },
                "total_paid": "0.00", "payments_allocations_total_amount": "0.00",
                "payments_allocations_total_discount": "0.00",
                "invoice_lines": [line(&products[index % 2], "2"), line(&services[0], &(index + 1).to_string())],
            });
            // Links and amounts as a posted invoice gets them; the seeded references always resolve.
            let _ = links::resolve(&mut invoice, data, prefix, true);
            totals::ACCOUNTING.compute(&mut invoice, data, prefix);
            record("sales_invoices", &stable_id(&[tenant, "sales_invoices", &number]), &number, invoice)
        })
        .collect()
}

/// Sets each invoiced customer's balance to what its seeded invoices leave outstanding.
fn add_balances(contacts: &mut [Value], invoices: &[Value]) {
    for invoice in invoices {
        let Some(contact) = contacts.iter_mut().find(|contact| contact["id"] == invoice["contact_id"]) else {
            continue;
        };
        let balance = totals::amount(&contact["balance"]).unwrap_or_default();
        let outstanding = totals::amount(&invoice["outstanding_amount"]).unwrap_or_default();
        contact["balance"] = totals::money(balance + outstanding);
    }
}

fn sage200(company: &str) -> Collections {
    let customers = if company == fixtures::SAGE200_COMPANIES[0].0 {
        vec![
            customer(27_825, "ABS001", "ABS Garages Ltd", 2_464.16, 4_000.0),
            customer(27_826, "BRO001", "Bronson Builders Merchants", 1_090.5, 2_500.0),
            customer(27_827, "COM001", "Compton Packaging", 0.0, 1_000.0),
        ]
    } else {
        vec![customer(41_001, "ENG001", "Engineering Supplies Ltd", 310.0, 5_000.0)]
    };
    let suppliers = vec![json!({
        "id": 31_001, "reference": "CON001", "name": "Concept Stationery Supplies", "balance": 525.0,
        "currency_id": 1, "country_code_id": 1, "default_tax_code_id": 1,
    })];
    let currencies = vec![
        json!({"id": 1, "name": "Pound Sterling", "symbol": "£", "is_base_currency": true, "core_currency_rate": 1.0}),
        json!({"id": 2, "name": "Euro", "symbol": "€", "is_base_currency": false, "core_currency_rate": 1.17}),
        json!({"id": 3, "name": "US Dollar", "symbol": "$", "is_base_currency": false, "core_currency_rate": 1.27}),
    ];
    let country_codes = vec![
        json!({"id": 1, "code": "GB", "name": "United Kingdom", "eu_member": false}),
        json!({"id": 2, "code": "IE", "name": "Ireland", "eu_member": true}),
    ];
    let tax_codes = vec![
        json!({"id": 1, "code": 1, "name": "Standard rate", "tax_rate": 20.0}),
        json!({"id": 2, "code": 0, "name": "Zero rated", "tax_rate": 0.0}),
        json!({"id": 3, "code": 2, "name": "Exempt", "tax_rate": 0.0}),
        json!({"id": 4, "code": 5, "name": "Lower rate", "tax_rate": 5.0}),
    ];
    let nominal = |id: u64, reference: &str, name: &str| json!({"id": id, "reference": reference, "name": name, "cost_centre_code": "", "department_code": "", "report_category_id": 1});
    let nominal_codes = vec![
        nominal(2_001, "1200", "Bank current account"),
        nominal(2_002, "4000", "Sales - products"),
        nominal(2_003, "4010", "Sales - services"),
        nominal(2_004, "5000", "Cost of sales"),
    ];
    let product = |id: u64, code: &str, name: &str| json!({"id": id, "code": code, "name": name, "description": name, "product_group_id": 1, "revenue_nominal_code_id": 2_002});
    let products = vec![product(5_001, "BRAKE01", "Brake pads"), product(5_002, "OIL5W30", "Engine oil 5W-30, 5 l")];
    let warehouses = vec![json!({"id": 1, "name": "Main warehouse"})];
    // Receipts and payments need a bank account (Sage 200 refuses them without one).
    let banks = vec![json!({
        "id": 1, "code": "1200", "description": "Bank current account", "account_name": "Current account",
        "sort_code": "12-34-56", "account_no": "12345678", "account_currency_id": 1, "balance": 0.0,
        "bank_account_nominal_reference": "1200",
    })];
    HashMap::from([
        ("/customers".to_owned(), customers),
        ("/suppliers".to_owned(), suppliers),
        ("/currencies".to_owned(), currencies),
        ("/country_codes".to_owned(), country_codes),
        ("/tax_codes".to_owned(), tax_codes),
        ("/nominal_codes".to_owned(), nominal_codes),
        ("/products".to_owned(), products),
        ("/warehouses".to_owned(), warehouses),
        ("/banks".to_owned(), banks),
    ])
}

fn customer(id: u64, reference: &str, name: &str, balance: f64, credit_limit: f64) -> Value {
    json!({
        "id": id,
        "reference": reference,
        "name": name,
        "short_name": reference,
        "balance": balance,
        "credit_limit": credit_limit,
        "currency_id": 1,
        "country_code_id": 1,
        "default_tax_code_id": 1,
        "on_hold": false,
        "telephone": "01234 567890",
    })
}

/// One example record, built from the schema, in each read-only collection the seeds above leave empty
/// (so every `GET …/{id}` has something to find), and the object of each single-object resource.
fn examples(product: &ir::Product, tenant: &str, data: &mut Collections) {
    let models = Models::of(product);
    let accounting = product.header_policy != HeaderPolicy::Sage200;
    let operations: Vec<&ir::Operation> = route::operations(product).collect();
    let creatable = |path: &str| operations.iter().any(|op| op.method == ir::Method::Post && op.path == path);
    for operation in &operations {
        let path = operation.path.as_str();
        if operation.method != ir::Method::Get || path.contains('{') || data.contains_key(path) {
            continue;
        }
        let example = match &operation.response {
            ir::Response::List(ty) if !creatable(path) => {
                let mut example = models.example(ty, accounting);
                let name = route::last_segment(path);
                if accounting {
                    let id = stable_id(&[tenant, path, "1"]);
                    example = merge(example, record(name, &id, &format!("Example {name}"), json!({})));
                } else {
                    example = merge(example, json!({"id": 1}));
                }
                example
            }
            ir::Response::One(ty @ Type::Model(_)) => {
                let example = models.example(ty, accounting);
                if accounting {
                    merge(example, json!({"$path": path.rsplit_once("/v3").map_or(path, |(_, rest)| rest)}))
                } else {
                    example
                }
            }
            _ => continue,
        };
        data.insert(path.to_owned(), vec![example]);
    }
}

fn merge(mut base: Value, over: Value) -> Value {
    if let (Value::Object(base), Value::Object(over)) = (&mut base, over) {
        base.extend(over);
    }
    base
}
