//! Which area (cargo feature) an operation belongs to.
//!
//! Accounting specs tag every operation with its resource (about 90 tags); the SDK groups those
//! into a dozen feature-sized areas with the table below. Sage 200 ships one spec per module, and the
//! module is the area.

use std::path::Path;

use super::naming::snake;

/// The area every model used by more than one area lands in.
pub const COMMON: &str = "common";

/// Built-in Accounting (v3 and v3.1) tag → area table, keyed by the snake_case tag.
const ACCOUNTING_TAGS: &[(&str, &[&str])] = &[
    ("attachments", &["attachments", "attachment_context_types"]),
    ("banking", &["bank_accounts", "bank_account_types", "bank_deposits", "bank_reconciliations", "bank_transfers"]),
    ("businesses", &["businesses", "user"]),
    (
        "contacts",
        &[
            "addresses",
            "address_types",
            "address_regions",
            "contacts",
            "contact_types",
            "contact_people",
            "contact_person_types",
        ],
    ),
    ("currencies", &["business_exchange_rates", "currencies", "exchange_rates", "live_exchange_rates"]),
    (
        "ledger",
        &[
            "coa_accounts",
            "coa_templates",
            "ledger_accounts",
            "ledger_account_classifications",
            "ledger_account_types",
            "journals",
            "journal_codes",
            "journal_code_types",
            "ledger_entries",
            "transactions",
            "unposted_transactions",
            "transaction_types",
            "analysis_type_categories",
            "analysis_types",
        ],
    ),
    (
        "opening_balances",
        &[
            "contact_opening_balances",
            "contact_opening_balance_types",
            "bank_opening_balances",
            "ledger_account_opening_balances",
            "opening_balance_journals",
        ],
    ),
    (
        "payments",
        &["contact_allocations", "payment_methods", "contact_payments", "other_payments", "unallocated_artefacts"],
    ),
    (
        "products",
        &[
            "catalog_item_types",
            "product_sales_price_types",
            "products",
            "services",
            "service_rate_types",
            "stock_items",
            "stock_movements",
        ],
    ),
    (
        "purchases",
        &["purchase_corrective_invoices", "purchase_credit_notes", "purchase_invoices", "purchase_quick_entries"],
    ),
    (
        "sales",
        &[
            "sales_corrective_invoices",
            "eu_sales_descriptions",
            "sales_credit_notes",
            "sales_estimates",
            "sales_invoices",
            "sales_quick_entries",
            "sales_quotes",
            "hosted_artefact_payment_settings",
            "corrective_reason_codes",
            "quick_entry_types",
            "artefact_statuses",
            "eu_goods_services_types",
        ],
    ),
    (
        "settings",
        &[
            "business_activity_types",
            "business_settings",
            "business_types",
            "cis_settings",
            "datev_settings",
            "financial_settings",
            "invoice_settings",
            "legal_form_types",
            "country_of_registrations",
            "email_settings",
            "countries",
            "country_groups",
            "migrations",
            "migration_tax_returns",
        ],
    ),
    (
        "taxes",
        &[
            "tax_determinations",
            "tax_offices",
            "tax_profiles",
            "tax_rates",
            "tax_return_frequencies",
            "tax_schemes",
            "tax_types",
        ],
    ),
];

/// Built-in descriptions of the Accounting areas and `common`.
const DESCRIPTIONS: &[(&str, &str)] = &[
    ("attachments", "Files attached to transactions, contacts and other records."),
    ("banking", "Bank accounts, deposits, reconciliations and transfers."),
    ("businesses", "The businesses the user can reach, and the user."),
    ("common", "Models used by several areas."),
    ("contacts", "Customers, suppliers, their addresses and contact people."),
    ("currencies", "Currencies and exchange rates."),
    ("ledger", "Chart of accounts, ledger accounts, journals, ledger entries and transactions."),
    ("opening_balances", "Opening balances of contacts, bank accounts and ledger accounts."),
    ("payments", "Contact payments, other payments and allocations."),
    ("products", "Products, services, stock items and their prices."),
    ("purchases", "Purchase invoices, credit notes, corrective invoices and quick entries."),
    ("sales", "Sales invoices, credit notes, quotes, estimates and quick entries."),
    ("settings", "Business, financial, invoice and e-mail settings, and reference lists."),
    ("taxes", "Tax rates, schemes, profiles and returns."),
];

/// The built-in area of a snake_case Accounting tag.
pub fn accounting_area(tag: &str) -> Option<&'static str> {
    ACCOUNTING_TAGS.iter().find(|(_, tags)| tags.contains(&tag)).map(|(area, _)| *area)
}

/// The built-in description of an area.
pub fn builtin_description(area: &str) -> Option<&'static str> {
    DESCRIPTIONS.iter().find(|(name, _)| *name == area).map(|(_, text)| *text)
}

/// The module a spec file covers, from its name: `sage200extra-v1.selectco.cash-book.openapi.json` →
/// `cash_book` (the last dotted part before the `openapi`/`swagger`/`json` suffixes).
pub fn module_of(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let mut parts: Vec<&str> = name.split('.').collect();
    while parts.last().is_some_and(|p| matches!(*p, "json" | "openapi" | "swagger")) {
        parts.pop();
    }
    parts.last().map(|module| snake(module))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_names_come_from_file_names() {
        assert_eq!(module_of(Path::new("/x/sage200extra-v1.selectco.cash-book.openapi.json")).unwrap(), "cash_book");
        assert_eq!(module_of(Path::new("sop.json")).unwrap(), "sop");
    }

    #[test]
    fn accounting_tags_map_to_areas() {
        assert_eq!(accounting_area("contact_people"), Some("contacts"));
        assert_eq!(accounting_area("sales_invoices"), Some("sales"));
        assert_eq!(accounting_area("nothing"), None);
    }
}
