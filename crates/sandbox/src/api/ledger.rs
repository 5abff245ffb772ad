//! What Sage 200's sales and purchase ledgers are made of: which creates post which transaction type
//! with which sign, where each ledger keeps its posted transactions and traders, and the small value
//! helpers posting and allocating share.

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use serde_json::Value;

use super::records::id_text;
use super::totals::{self, number};

pub(super) const INVOICE: &str = "TradingAccountEntryTypeInvoice";
pub(super) const CREDIT_NOTE: &str = "TradingAccountEntryTypeCreditNote";
/// A sales receipt or a purchase payment: money in from a customer, out to a supplier.
pub(super) const RECEIPT_OR_PAYMENT: &str = "TradingAccountEntryTypePurchasePaymentSalesReceipt";
/// A sales payment or a purchase receipt: a refund out to a customer, in from a supplier.
pub(super) const REFUND: &str = "TradingAccountEntryTypePurchaseReceiptSalesPayment";

/// The sales (customers) or purchase (suppliers) ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Side {
    Sales,
    Purchase,
}

impl Side {
    /// `customer` or `supplier`: the trader field's stem (`customer_id`).
    pub(super) fn trader(self) -> &'static str {
        match self {
            Side::Sales => "customer",
            Side::Purchase => "supplier",
        }
    }

    pub(super) fn traders(self, prefix: &str) -> String {
        format!("{prefix}/{}s", self.trader())
    }

    pub(super) fn posted(self, prefix: &str) -> String {
        match self {
            Side::Sales => format!("{prefix}/sales_posted_transactions"),
            Side::Purchase => format!("{prefix}/purchase_posted_transactions"),
        }
    }

    /// The nominal code goods post to when a document names none (the seeded sales and cost of sales).
    pub(super) fn default_nominal(self) -> &'static str {
        match self {
            Side::Sales => "4000",
            Side::Purchase => "5000",
        }
    }
}

/// What one create posts.
#[derive(Debug, Clone, Copy)]
pub(super) struct Entry {
    pub(super) side: Side,
    pub(super) kind: &'static str,
    /// +1 when the document raises the trader's balance, −1 when it lowers it.
    pub(super) sign: Decimal,
    /// A receipt or payment (a cheque value), not a document with analysis items.
    pub(super) cash: bool,
}

/// The posting a create in `collection` (its last path segment) makes, if it is a ledger document.
pub(super) fn entry(collection: &str) -> Option<Entry> {
    let (side, kind, sign, cash) = match collection {
        "sales_invoices" => (Side::Sales, INVOICE, Decimal::ONE, false),
        "sales_credit_notes" => (Side::Sales, CREDIT_NOTE, Decimal::NEGATIVE_ONE, false),
        "sales_receipts" => (Side::Sales, RECEIPT_OR_PAYMENT, Decimal::NEGATIVE_ONE, true),
        "sales_payments" => (Side::Sales, REFUND, Decimal::ONE, true),
        "purchase_invoices" => (Side::Purchase, INVOICE, Decimal::ONE, false),
        "purchase_credit_notes" => (Side::Purchase, CREDIT_NOTE, Decimal::NEGATIVE_ONE, false),
        "purchase_payments" => (Side::Purchase, RECEIPT_OR_PAYMENT, Decimal::NEGATIVE_ONE, true),
        "purchase_receipts" => (Side::Purchase, REFUND, Decimal::ONE, true),
        _ => return None,
    };
    Some(Entry { side, kind, sign, cash })
}

/// `GET /customers/{id}/sales_posted_transactions` (and the suppliers' purchase ones) lists the
/// ledger's posted transactions of that trader: the records, when `rest` is such a path.
pub(super) fn trader_transactions(data: &super::seed::Collections, rest: &str) -> Option<Vec<Value>> {
    let mut segments = rest.trim_start_matches('/').split('/');
    let (Some(traders), Some(id), Some(listed), None) =
        (segments.next(), segments.next(), segments.next(), segments.next())
    else {
        return None;
    };
    let side = [Side::Sales, Side::Purchase]
        .into_iter()
        .find(|side| traders == format!("{}s", side.trader()) && side.posted("").trim_start_matches('/') == listed)?;
    let field = format!("{}_id", side.trader());
    let posted = data.get(&side.posted(""))?;
    Some(posted.iter().filter(|record| id_text(&record[field.as_str()]) == id).cloned().collect())
}

/// A day as Sage 200 writes a date-time: midnight, without an offset.
pub(super) fn date_time(day: NaiveDate) -> Value {
    Value::from(format!("{}T00:00:00", day.format("%Y-%m-%d")))
}

/// The date-time the body gave, or `today`.
pub(super) fn date_time_or(given: &Value, today: NaiveDate) -> Value {
    match given {
        Value::String(text) if !text.is_empty() => Value::from(text.as_str()),
        _ => date_time(today),
    }
}

/// `days` after a Sage 200 date-time (the date it names at midnight); the value itself when unreadable.
pub(super) fn days_after(date_time_value: &Value, days: u64) -> Value {
    let day = date_time_value.as_str().and_then(|text| NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok());
    match day.and_then(|day| day.checked_add_days(Days::new(days))) {
        Some(later) => date_time(later),
        None => date_time_value.clone(),
    }
}

/// The next unique reference number of a ledger.
pub(super) fn next_urn(posted: &[Value]) -> u64 {
    posted.iter().filter_map(|record| record["urn"].as_u64()).max().unwrap_or(0).saturating_add(1)
}

/// The item with each of `names` multiplied by `sign`.
pub(super) fn signed_fields(mut item: Value, names: &[&str], sign: Decimal) -> Value {
    for name in names {
        if let Some(value) = totals::amount(&item[*name]) {
            item[*name] = number(sign * value);
        }
    }
    item
}

/// The body's list `name` (empty when absent).
pub(super) fn items<'a>(body: &'a Value, name: &str) -> &'a [Value] {
    body.get(name).and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default()
}

/// The sum of `field` over the items that state it; `None` when none does.
pub(super) fn sum(items: &[Value], field: &str) -> Option<Decimal> {
    let stated: Vec<Decimal> = items.iter().filter_map(|item| totals::amount(&item[field])).collect();
    (!stated.is_empty()).then(|| stated.into_iter().sum())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn receipts_and_credit_notes_lower_the_balance_and_refunds_raise_it() {
        let sign = |collection: &str| entry(collection).map(|entry| entry.sign);
        assert_eq!(sign("sales_invoices"), Some(Decimal::ONE));
        assert_eq!(sign("sales_receipts"), Some(Decimal::NEGATIVE_ONE));
        assert_eq!(sign("purchase_payments"), Some(Decimal::NEGATIVE_ONE));
        assert_eq!(sign("sales_payments"), Some(Decimal::ONE));
        assert_eq!(sign("sales_credit_notes"), Some(Decimal::NEGATIVE_ONE));
        assert_eq!(sign("customers"), None);
        assert_eq!(entry("purchase_payments").map(|entry| entry.kind), Some(RECEIPT_OR_PAYMENT));
    }

    #[test]
    fn due_dates_count_days_from_the_transaction_date() {
        assert_eq!(days_after(&json!("2026-01-15T00:00:00"), 30), json!("2026-02-14T00:00:00"));
        assert_eq!(days_after(&json!("soon"), 30), json!("soon"));
        assert_eq!(next_urn(&[json!({"urn": 4}), json!({"urn": 9}), json!({})]), 10);
        assert_eq!(
            sum(&[json!({"value": 1.5}), json!({"value": "2.25"}), json!({})], "value"),
            Some(Decimal::new(375, 2))
        );
        assert_eq!(sum(&[json!({})], "value"), None);
    }
}
