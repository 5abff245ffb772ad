//! Bank account mapping tests for each product, on hand-written bodies shaped like Sage's: money as
//! decimal strings (Accounting) or JSON numbers (Sage 200), `""` for an unset date or detail,
//! nulls, and fields no schema lists.

#![allow(deprecated)] // Accounting v3 is deprecated by Sage; mapping it is the point.

use serde_json::{json, Value};

use crate::model::{BankAccount, BankAccountKind, Coded, Ref};
use crate::raw::{AccountingV31Record, AccountingV3Record, Raw, Sage200Record};
use crate::types::{DateTime, Decimal};

fn dec(text: &str) -> Decimal {
    text.parse().expect("a decimal")
}

fn at(text: &str) -> Option<DateTime> {
    Some(text.parse().expect("a date-time"))
}

fn read<T: serde::de::DeserializeOwned>(body: Value) -> T {
    serde_json::from_value(body).expect("the typed crate reads the body")
}

/// An Accounting current account: details filled, a blank sort code, no creation date.
fn accounting_current() -> Value {
    json!({
        "id": "65ce2b7e", "displayed_as": "Woodside Snooker (1200)", "$path": "/bank_accounts/65ce2b7e",
        "created_at": "", "updated_at": "2026-11-24T08:35:27Z", "deleted_at": null,
        "bank_account_details": {
            "account_name": "Woodside Snooker", "account_number": "12345678", "sort_code": "",
            "bic": "HLFXGB21F08", "iban": "GB29 NWBK 6016 1331 9268 19"
        },
        "ledger_account": {"id": "ad2ad828", "displayed_as": "Woodside Snooker (1200)", "$path": "/ledger_accounts/ad2ad828"},
        "bank_account_type": {"id": "CHECKING", "displayed_as": "Current", "$path": "/bank_account_types/CHECKING"},
        "currency": {"id": "GBP", "displayed_as": "Pound Sterling (GBP)"},
        "balance": "-430035.84", "nominal_code": 1200, "editable": true, "deletable": false,
        "journal_code": null, "gifi_code": null, "is_active": true,
        "default_payment_method": {"id": "CREDIT_DEBIT", "displayed_as": "Credit/Debit Card"},
        "open_banking_consent": {"status": "none"}
    })
}

/// Cash in hand: no bank details, no name of its own, a balance of `0.0`.
fn accounting_cash() -> Value {
    json!({
        "id": "0ffbc27f", "displayed_as": "Cash (1230)",
        "created_at": "2026-01-02T09:00:00Z", "updated_at": "2026-01-02T09:00:00Z",
        "bank_account_details": {"account_name": null, "account_number": null, "sort_code": null, "bic": null, "iban": null},
        "ledger_account": {"id": "fec66e91", "displayed_as": "Cash (1230)"},
        "bank_account_type": {"id": "CASH_IN_HAND", "displayed_as": "Cash in Hand"},
        "balance": "0.0", "nominal_code": null, "is_active": false
    })
}

/// What both Accounting versions read the same way from the current account.
fn accounting_current_common(account: &BankAccount) {
    assert_eq!(account.id, "65ce2b7e");
    assert_eq!(account.code.as_deref(), Some("1200"));
    assert_eq!(account.name.as_deref(), Some("Woodside Snooker"), "the account's own name, not the display text");
    assert_eq!(account.account_number.as_deref(), Some("12345678"));
    assert_eq!(account.sort_code, None, "a blank sort code is no sort code");
    assert_eq!(account.iban.as_deref(), Some("GB29 NWBK 6016 1331 9268 19"));
    assert_eq!(account.bic.as_deref(), Some("HLFXGB21F08"));
    assert_eq!(account.balance, Some(dec("-430035.84")), "an overdrawn balance, exact");
    assert_eq!(account.account_type, Some(Coded { kind: BankAccountKind::Current, code: "CHECKING".into() }));
    let ledger = Ref { id: "ad2ad828".into(), name: Some("Woodside Snooker (1200)".into()) };
    assert_eq!(account.ledger_account, Some(ledger));
    assert_eq!(account.active, Some(true));
    assert_eq!(account.timestamps.created_at, None, "`\"\"` is no date");
    assert_eq!(account.timestamps.updated_at, at("2026-11-24T08:35:27Z"));
}

fn accounting_cash_common(account: &BankAccount) {
    assert_eq!(account.name.as_deref(), Some("Cash (1230)"), "without details the display text names it");
    assert_eq!((&account.account_number, &account.sort_code, &account.iban), (&None, &None, &None));
    assert_eq!(account.code, None);
    assert_eq!(account.balance, Some(dec("0.0")));
    assert_eq!(account.account_type.as_ref().map(|kind| kind.kind), Some(BankAccountKind::Cash));
    assert_eq!(account.active, Some(false));
    assert_eq!(account.currency, None);
}

#[test]
fn accounting_v31_reads_a_bank_account_with_its_currency_and_keeps_the_raw_record() {
    let account = crate::map::accounting_v31::bank_account(read(accounting_current()));
    accounting_current_common(&account);
    assert_eq!(account.currency, Some(Ref { id: "GBP".into(), name: Some("Pound Sterling (GBP)".into()) }));
    let Raw::AccountingV31(AccountingV31Record::BankAccount(raw)) = account.raw() else {
        panic!("{:?}", account.raw())
    };
    assert!(raw.extra.contains_key("open_banking_consent"), "a field no schema lists is kept: {:?}", raw.extra);
    accounting_cash_common(&crate::map::accounting_v31::bank_account(read(accounting_cash())));
}

#[test]
fn accounting_v3_reads_a_bank_account_without_a_currency() {
    let account = crate::map::accounting_v3::bank_account(read(accounting_current()));
    accounting_current_common(&account);
    assert_eq!(account.currency, None, "v3 bank accounts have no currency field (the capability table says so)");
    let Raw::AccountingV3(AccountingV3Record::BankAccount(raw)) = account.raw() else { panic!("{:?}", account.raw()) };
    assert!(raw.extra.contains_key("currency"), "what v3 does not list is kept, not lost: {:?}", raw.extra);
    accounting_cash_common(&crate::map::accounting_v3::bank_account(read(accounting_cash())));
}

#[test]
fn a_bank_account_serializes_with_stable_snake_case_names_and_no_raw() {
    let account = crate::map::accounting_v31::bank_account(read(accounting_current()));
    let json = serde_json::to_value(&account).expect("serializes");
    assert_eq!(json["balance"], "-430035.84", "money as exact text");
    assert_eq!(json["account_type"], json!({"kind": "current", "code": "CHECKING"}));
    assert_eq!(json["ledger_account"]["id"], "ad2ad828");
    assert_eq!(json["updated_at"], "2026-11-24T08:35:27Z");
    assert!(json.get("raw").is_none() && json.get("timestamps").is_none(), "{json}");
}

/// A Sage 200 bank: money as JSON numbers, blanks for unset text, a hidden account on an
/// analysed nominal code.
fn sage200_bank() -> Value {
    json!({
        "id": 7, "code": "1210", "description": "Deposit account", "account_name": "Brake & Clutch Ltd",
        "account_no": "87654321", "sort_code": "40-11-62", "iban": "", "bic": null,
        "account_type": "BankAccountTypeDeposit", "account_status_type": "AccountStatusHidden",
        "account_currency_id": 2, "account_currency": {"id": 2, "name": "Euro", "symbol": "€"},
        "balance": 10234.57, "balance_in_base": 8931.2, "overdraft_limit": 0,
        "bank_account_nominal_reference": "1210", "bank_account_nominal_cost_centre": "NTH",
        "bank_account_nominal_department": "", "bank_account_nominal_code": {"id": 2_204, "name": "Deposit account"},
        "statement_balance": 10000, "statement_date": "2026-10-31T00:00:00Z",
        "date_time_created": "2026-01-05T10:00:00Z", "date_time_updated": "2026-11-30T17:45:03.25Z",
        "a_field_no_schema_lists": [1, 2]
    })
}

#[test]
fn sage200_reads_a_bank_with_its_nominal_code_as_a_ledger_account_id() {
    let account = super::sage200_read::bank_account(read(sage200_bank()));
    assert_eq!(account.id, "7");
    assert_eq!(account.code.as_deref(), Some("1210"));
    assert_eq!(account.name.as_deref(), Some("Deposit account"), "the name Sage 200 shows for the bank");
    assert_eq!(account.account_number.as_deref(), Some("87654321"));
    assert_eq!(account.sort_code.as_deref(), Some("40-11-62"));
    assert_eq!((account.iban.as_deref(), account.bic.as_deref()), (None, None), "blank and null are both unset");
    assert_eq!(account.currency, Some(Ref { id: "2".into(), name: Some("Euro".into()) }));
    assert_eq!(account.balance, Some(dec("10234.57")), "a JSON number read exactly");
    assert_eq!(
        account.account_type,
        Some(Coded { kind: BankAccountKind::Savings, code: "BankAccountTypeDeposit".into() })
    );
    let ledger = Ref { id: "1210/NTH/".into(), name: Some("Deposit account".into()) };
    assert_eq!(account.ledger_account, Some(ledger), "the same key a ledger account of that code reads with");
    assert_eq!(account.active, Some(false), "hidden");
    assert_eq!(account.timestamps.created_at, at("2026-01-05T10:00:00Z"));
    assert_eq!(account.timestamps.updated_at, at("2026-11-30T17:45:03.25Z"));
    let Raw::Sage200(Sage200Record::Bank(raw)) = account.raw() else { panic!("{:?}", account.raw()) };
    assert!(raw.extra.contains_key("a_field_no_schema_lists"), "{:?}", raw.extra);
}

#[test]
fn sage200_reads_a_bare_bank_with_nulls_and_blanks_as_unset() {
    let body = json!({
        "id": 1, "code": "1200", "sort_code": "", "description": "", "account_name": "Current account",
        "account_no": null, "account_type": "", "account_status_type": null, "account_currency_id": null,
        "balance": null, "bank_account_nominal_reference": "", "date_time_created": "", "date_time_updated": null
    });
    let account = super::sage200_read::bank_account(read(body));
    assert_eq!(account.name.as_deref(), Some("Current account"), "a blank description falls back to the bank's name");
    assert_eq!((account.sort_code, account.account_number), (None, None));
    assert_eq!((account.account_type, account.active, account.currency), (None, None, None));
    assert_eq!((account.balance, account.ledger_account), (None, None));
    assert_eq!((account.timestamps.created_at, account.timestamps.updated_at), (None, None));
}
