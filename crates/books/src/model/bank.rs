//! Bank accounts: where receipts go in and payments go out. A program picks one here instead of
//! asking each product's own API.

use serde::Serialize;

use super::common::{Coded, Ref, Timestamps};
use crate::raw::Raw;
use crate::types::Decimal;

/// What kind of account a bank account is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BankAccountKind {
    /// A current (checking) account.
    Current,
    /// A savings or deposit account.
    Savings,
    /// A credit card.
    CreditCard,
    /// Cash in hand or petty cash.
    Cash,
    /// A loan.
    Loan,
    /// A value the model does not name; see [`Coded::code`].
    Other,
}

impl BankAccountKind {
    /// The kind a product's account type code names. Accounting sends `CHECKING`, `CASH_IN_HAND`,
    /// …; Sage 200 `BankAccountTypeCurrent`, `BankAccountTypePettyCash`, …; both are read here, by
    /// letters only and ignoring case, so that spelling variants of one type agree.
    pub(crate) fn from_code(code: &str) -> Self {
        let letters: String = code.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase();
        let name = letters.strip_prefix("bankaccounttype").unwrap_or(&letters);
        match name {
            "checking" | "current" | "currentaccount" => Self::Current,
            "savings" | "saving" | "deposit" | "depositaccount" => Self::Savings,
            "creditcard" => Self::CreditCard,
            "cashinhand" | "cash" | "pettycash" => Self::Cash,
            "loan" => Self::Loan,
            _ => Self::Other,
        }
    }
}

/// A bank account (Sage 200: bank), as a payment's `bank_account_id` names it.
#[derive(Debug, Clone, Serialize)]
pub struct BankAccount {
    /// The product's id (what a payment's `bank_account_id` takes).
    pub id: String,
    /// The user-facing code, where there is one (Accounting: the nominal code; Sage 200: the bank
    /// code).
    pub code: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Account number at the bank.
    pub account_number: Option<String>,
    /// Sort code.
    pub sort_code: Option<String>,
    /// International bank account number.
    pub iban: Option<String>,
    /// Bank identifier code.
    pub bic: Option<String>,
    /// The currency the account is kept in.
    pub currency: Option<Ref>,
    /// Balance in the account's currency, exact.
    pub balance: Option<Decimal>,
    /// Current, savings, credit card, …, with the product's value.
    pub account_type: Option<Coded<BankAccountKind>>,
    /// The ledger account its money is posted to.
    pub ledger_account: Option<Ref>,
    /// Whether it is offered for use (not hidden or inactive).
    pub active: Option<bool>,
    /// Created, updated, deleted.
    #[serde(flatten)]
    pub timestamps: Timestamps,
    #[serde(skip)]
    pub(crate) raw: Raw,
}

impl_raw!(BankAccount);

#[cfg(test)]
mod tests {
    use super::BankAccountKind::{self, *};

    #[test]
    fn both_products_codes_read_as_one_kind_and_the_rest_as_other() {
        let cases = [
            ("CHECKING", Current),
            ("BankAccountTypeCurrent", Current),
            ("SAVINGS", Savings),
            ("BankAccountTypeDeposit", Savings),
            ("CREDIT_CARD", CreditCard),
            ("BankAccountTypeCreditCard", CreditCard),
            ("CASH_IN_HAND", Cash),
            ("BankAccountTypePettyCash", Cash),
            ("LOAN", Loan),
            ("OTHER", Other),
            ("", Other),
            ("BankAccountTypeMystery", Other),
        ];
        for (code, kind) in cases {
            assert_eq!(BankAccountKind::from_code(code), kind, "{code}");
        }
    }
}
