//! The CSV columns of each resource: a fixed, flat set, each named by its path in the record's JSON
//! (`totals.gross`), so a column means the same whatever the product and whatever the record holds.

use sage_books::Resource;
use serde_json::Value;

const TIMES: [&str; 2] = ["created_at", "updated_at"];

const COMPANY: &[&str] = &[
    "id",
    "name",
    "base_currency.id",
    "address.line1",
    "address.line2",
    "address.city",
    "address.region",
    "address.postal_code",
    "address.country",
];

const PARTY: &[&str] = &[
    "id",
    "reference",
    "name",
    "email",
    "tax_number",
    "currency.id",
    "balance",
    "credit_limit",
    "credit_days",
    "active",
    "address.line1",
    "address.line2",
    "address.city",
    "address.region",
    "address.postal_code",
    "address.country",
    "contact_person.name",
    "contact_person.email",
    "contact_person.telephone",
];

const LEDGER_ACCOUNT: &[&str] = &[
    "id",
    "code",
    "name",
    "account_type.id",
    "account_type.name",
    "tax_rate.id",
    "visibility.sales",
    "visibility.purchases",
    "visibility.banking",
    "visibility.journals",
];

const TAX_RATE: &[&str] = &["id", "code", "name", "percentage", "active"];

const BANK_ACCOUNT: &[&str] = &[
    "id",
    "code",
    "name",
    "account_number",
    "sort_code",
    "iban",
    "bic",
    "currency.id",
    "balance",
    "account_type.kind",
    "account_type.code",
    "ledger_account.id",
    "active",
];

const ITEM: &[&str] = &[
    "id",
    "kind",
    "code",
    "description",
    "sales_price",
    "cost_price",
    "sales_account.id",
    "purchase_account.id",
    "sales_tax_rate.id",
    "purchase_tax_rate.id",
    "active",
];

const DOCUMENT: &[&str] = &[
    "id",
    "number",
    "reference",
    "party.id",
    "party.name",
    "date",
    "due_date",
    "status.kind",
    "status.code",
    "currency.id",
    "exchange_rate",
    "totals.net",
    "totals.tax",
    "totals.gross",
    "totals.outstanding",
    "totals.paid",
    "base_totals.net",
    "base_totals.tax",
    "base_totals.gross",
    "notes",
];

const PAYMENT: &[&str] = &[
    "id",
    "kind.kind",
    "kind.code",
    "party.id",
    "party.name",
    "bank_account.id",
    "date",
    "reference",
    "payment_method.id",
    "currency.id",
    "exchange_rate",
    "amount",
    "base_amount",
];

const JOURNAL_ENTRY: &[&str] = &["id", "reference", "description", "date", "total"];

const TRACKING_CATEGORY: &[&str] = &["id", "name", "kind.kind", "kind.code"];

/// The header of `resource`'s CSV: its own columns, then when the product created and changed it.
pub fn columns(resource: Resource) -> Vec<&'static str> {
    let own = match resource {
        Resource::Company => COMPANY,
        Resource::Customer | Resource::Supplier => PARTY,
        Resource::LedgerAccount => LEDGER_ACCOUNT,
        Resource::TaxRate => TAX_RATE,
        Resource::BankAccount => BANK_ACCOUNT,
        Resource::Item => ITEM,
        Resource::SalesInvoice
        | Resource::SalesCreditNote
        | Resource::PurchaseInvoice
        | Resource::PurchaseCreditNote => DOCUMENT,
        Resource::Payment => PAYMENT,
        Resource::JournalEntry => JOURNAL_ENTRY,
        Resource::TrackingCategory => TRACKING_CATEGORY,
    };
    own.iter().chain(&TIMES).copied().collect()
}

/// One cell per column of `record`: text as it is (money is already exact text), numbers and
/// booleans written out, and an empty cell where the record has no value.
pub fn row(record: &Value, columns: &[&str]) -> Vec<String> {
    columns.iter().map(|column| cell(column.split('.').try_fold(record, |value, key| value.get(key)))).collect()
}

fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_values_are_cells_and_missing_ones_are_empty() {
        let record = serde_json::json!({
            "id": "inv-1",
            "party": {"id": "c-9", "name": null},
            "totals": {"gross": "349.20", "net": "291.00"},
            "status": {"kind": "paid", "code": "PAID"},
        });
        let columns = columns(Resource::SalesInvoice);
        let cells = row(&record, &columns);
        let at = |name: &str| cells[columns.iter().position(|column| *column == name).unwrap()].as_str();
        assert_eq!(at("id"), "inv-1");
        assert_eq!(at("party.id"), "c-9");
        assert_eq!(at("party.name"), "");
        assert_eq!(at("totals.gross"), "349.20", "money keeps its exact text, trailing zero included");
        assert_eq!(at("status.kind"), "paid");
        assert_eq!(at("due_date"), "");
        assert_eq!(cells.len(), columns.len());
    }

    #[test]
    fn every_resource_has_an_id_column_first_and_no_column_twice() {
        for resource in Resource::ALL {
            let columns = columns(resource);
            assert_eq!(columns[0], "id", "{resource}");
            let mut unique = columns.clone();
            unique.sort_unstable();
            unique.dedup();
            assert_eq!(unique.len(), columns.len(), "{resource}");
        }
    }
}
