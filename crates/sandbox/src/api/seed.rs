//! The demo data each tenant (v3.1 business, v3 site, Sage 200 company) starts with.

use std::collections::HashMap;

use sage_schema::ir::{self, HeaderPolicy};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::fixtures;

/// Records per collection path (relative to the product's base).
pub(crate) type Collections = HashMap<String, Vec<Value>>;

/// Contacts seeded per Accounting tenant: more than one default page (20) so paging shows.
const CONTACTS: usize = 25;

/// The starting data of one tenant.
pub(crate) fn collections(product: &ir::Product, tenant: &str) -> Collections {
    match product.header_policy {
        HeaderPolicy::Sage200 => sage200(tenant),
        HeaderPolicy::AccountingV3 => accounting("/accounts/v3", tenant, tenant),
        HeaderPolicy::AccountingV31 => {
            let name =
                fixtures::V31_BUSINESSES.iter().find(|business| business.id == tenant).map_or(tenant, |b| b.name);
            accounting("", tenant, name)
        }
    }
}

/// A stable 32-hex-digit id, so seeded records keep their ids across runs.
fn stable_id(parts: &[&str]) -> String {
    let digest = Sha256::digest(parts.join("/").as_bytes());
    digest[..16].iter().map(|byte| format!("{byte:02x}")).collect()
}

fn accounting(prefix: &str, tenant: &str, owner: &str) -> Collections {
    let contacts: Vec<Value> = (1..=CONTACTS)
        .map(|n| {
            let id = stable_id(&[tenant, "contacts", &n.to_string()]);
            let name = format!("Customer {n:02} of {owner}");
            let reference = format!("CUST{n:03}");
            json!({
                "id": id,
                "displayed_as": format!("{name} ({reference})"),
                "$path": format!("/contacts/{id}"),
                "name": name,
                "reference": reference,
                "contact_types": [{ "id": "CUSTOMER", "displayed_as": "Customer" }],
                "balance": format!("{}.{:02}", n * 100, n),
                "currency": { "id": "GBP", "displayed_as": "Pound Sterling (GBP)" },
                "email": format!("accounts{n}@example.invalid"),
            })
        })
        .collect();
    let invoices: Vec<Value> = contacts
        .iter()
        .take(3)
        .enumerate()
        .map(|(index, contact)| {
            let number = format!("SI-{}", index + 1);
            let id = stable_id(&[tenant, "sales_invoices", &number]);
            json!({
                "id": id,
                "displayed_as": number,
                "$path": format!("/sales_invoices/{id}"),
                "invoice_number": number,
                "contact": { "id": contact["id"], "displayed_as": contact["displayed_as"] },
                "date": "2024-04-01",
                "due_date": "2024-05-01",
                "total_amount": "120.00",
                "outstanding_amount": "120.00",
                "status": { "id": "UNPAID", "displayed_as": "Unpaid" },
            })
        })
        .collect();
    HashMap::from([(format!("{prefix}/contacts"), contacts), (format!("{prefix}/sales_invoices"), invoices)])
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
    let suppliers =
        vec![json!({ "id": 31_001, "reference": "CON001", "name": "Concept Stationery Supplies", "balance": 525.0 })];
    HashMap::from([("/customers".to_owned(), customers), ("/suppliers".to_owned(), suppliers)])
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
        "on_hold": false,
        "telephone": "01234 567890",
    })
}
