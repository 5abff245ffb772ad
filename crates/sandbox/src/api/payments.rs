//! Accounting's contact payments and what they pay. A payment's `allocated_artefacts` each take an
//! amount (and discount) off one invoice or credit note of the payment's contact, never more than it has
//! outstanding, and together no more than the payment's total. The artefact's outstanding amount,
//! paid totals, last paid date and status (`UNPAID`, `PART_PAID`, `PAID`) follow; a customer receipt
//! lowers the customer's balance by its total. Deleting the payment gives all of it back.

use std::collections::HashSet;

use rust_decimal::Decimal;
use serde_json::{json, Value};

use super::links;
use super::sage_error::SageError;
use super::seed::Collections;
use super::totals::{self, money};
use super::Call;

/// The collections a payment can be allocated to.
const ARTEFACTS: [&str; 4] = ["sales_invoices", "purchase_invoices", "sales_credit_notes", "purchase_credit_notes"];

/// The artefacts each payment type pays.
fn pays(transaction_type: &str) -> Option<&'static str> {
    Some(match transaction_type {
        "CUSTOMER_RECEIPT" => "sales_invoices",
        "VENDOR_PAYMENT" => "purchase_invoices",
        "CUSTOMER_REFUND" => "sales_credit_notes",
        "VENDOR_REFUND" => "purchase_credit_notes",
        _ => return None,
    })
}

/// How a payment of this type moves its contact's balance per unit of its total (the sandbox keeps
/// customer balances: invoices raise them, receipts lower them).
fn balance_effect(transaction_type: &str) -> Decimal {
    match transaction_type {
        "CUSTOMER_RECEIPT" => Decimal::NEGATIVE_ONE,
        "CUSTOMER_REFUND" => Decimal::ONE,
        _ => Decimal::ZERO,
    }
}

/// An artefact's status link, as Sage writes it.
fn status(id: &str, shown: &str) -> Value {
    json!({ "id": id, "displayed_as": shown, "$path": format!("/artefact_statuses/{id}") })
}

/// Where an artefact with this id is kept, and its index there.
fn find_artefact(data: &Collections, prefix: &str, id: &str) -> Option<(String, usize)> {
    ARTEFACTS.iter().find_map(|name| {
        let path = format!("{prefix}/{name}");
        let index = data.get(&path)?.iter().position(|record| record["id"] == id)?;
        Some((path, index))
    })
}

/// The artefact's `payments_allocations` with the payment's entry added (`sign` 1) or taken off.
fn listed_on(record: &mut Value, payment: &Value, artefact: &Value, sign: Decimal) {
    if !record["payments_allocations"].is_array() {
        record["payments_allocations"] = json!([]);
    }
    let Some(list) = record["payments_allocations"].as_array_mut() else { return };
    list.retain(|entry| entry["contact_payment"]["id"] != payment["id"]);
    if sign.is_sign_positive() {
        list.push(json!({
            "displayed_as": payment["displayed_as"],
            "type": payment["transaction_type"]["displayed_as"],
            "date": payment["date"],
            "reference": payment["reference"].as_str().unwrap_or_default(),
            "amount": artefact["amount"],
            "discount": artefact["discount"],
            "contact_payment": links::link_to(payment),
        }));
    }
}

fn contact_of(record: &Value) -> &Value {
    match &record["contact_id"] {
        Value::Null => &record["contact"]["id"],
        id => id,
    }
}

impl Call<'_> {
    /// A new invoice or credit note is unpaid, with nothing paid on it yet.
    pub(super) fn unpaid(self, collection: &str, document: &mut Value) {
        if !self.rules.accounting() || !ARTEFACTS.contains(&collection) || document.get("outstanding_amount").is_none()
        {
            return;
        }
        if document.get("status").is_none_or(Value::is_null) {
            document["status"] = status("UNPAID", "Unpaid");
        }
        for field in ["total_paid", "payments_allocations_total_amount", "payments_allocations_total_discount"] {
            document[field] = money(Decimal::ZERO);
        }
    }

    /// A contact payment about to be created, its allocations checked: each names an existing artefact
    /// of the type the payment pays, of the payment's contact, once, with no more than it has
    /// outstanding; together no more than the payment's total. The artefacts get their links.
    pub(super) fn checked_payment(
        self,
        data: &Collections,
        payment: &mut Value,
        prefix: &str,
        collection: &str,
    ) -> Result<(), SageError> {
        if !self.rules.accounting() || collection != "contact_payments" {
            return Ok(());
        }
        let invalid = |message: String, source: String| self.rules.invalid(message, source);
        let kind = payment["transaction_type_id"].as_str().unwrap_or_default().to_owned();
        let total = totals::amount(&payment["total_amount"]).unwrap_or_default();
        let contact = payment["contact_id"].clone();
        let mut seen = HashSet::new();
        let mut allocated = Decimal::ZERO;
        let Some(artefacts) = payment.get_mut("allocated_artefacts").and_then(Value::as_array_mut) else {
            return Ok(());
        };
        for (index, artefact) in artefacts.iter_mut().enumerate() {
            let source = |field: &str| format!("allocated_artefacts[{index}].{field}");
            let id = artefact["artefact_id"].as_str().unwrap_or_default().to_owned();
            if id.is_empty() {
                return Err(invalid("can't be blank".into(), source("artefact_id")));
            }
            let Some((path, position)) = find_artefact(data, prefix, &id) else {
                let message = format!("no invoice or credit note with id {id} exists");
                return Err(invalid(message, source("artefact_id")).about_missing_record());
            };
            let record = &data[&path][position];
            let shown = record["displayed_as"].as_str().unwrap_or(&id).to_owned();
            let artefact_kind = path.rsplit('/').next().unwrap_or_default();
            if pays(&kind) != Some(artefact_kind) {
                let message = format!("a {kind} payment cannot be allocated to {shown} (one of the {artefact_kind})");
                return Err(invalid(message, source("artefact_id")));
            }
            if *contact_of(record) != contact {
                return Err(invalid(format!("{shown} belongs to another contact"), source("artefact_id")));
            }
            if !seen.insert(id.clone()) {
                return Err(invalid(format!("{shown} is allocated twice"), source("artefact_id")));
            }
            let amount = totals::amount(&artefact["amount"]).unwrap_or_default();
            let discount = totals::amount(&artefact["discount"]).unwrap_or_default();
            if amount <= Decimal::ZERO || discount < Decimal::ZERO {
                return Err(invalid("must be greater than zero".into(), source("amount")));
            }
            let outstanding = totals::amount(&record["outstanding_amount"]).unwrap_or_default();
            if amount + discount > outstanding {
                let message =
                    format!("{amount} (and discount {discount}) is more than {shown} has outstanding ({outstanding})");
                return Err(invalid(message, source("amount")));
            }
            allocated += amount;
            artefact["artefact"] = links::link_to(record);
            artefact["amount"] = money(amount);
            artefact["discount"] = money(discount);
        }
        if allocated > total {
            let message = format!("The allocated amounts total {allocated}, more than the payment's total {total}");
            return Err(invalid(message, "total_amount".into()));
        }
        Ok(())
    }

    /// What a stored contact payment did (`sign` 1) or undoes when deleted (`sign` −1): its artefacts'
    /// amounts and statuses and its contact's balance; `touched` gets the collections changed.
    pub(super) fn settle(
        self,
        data: &mut Collections,
        payment: &Value,
        prefix: &str,
        sign: Decimal,
        touched: &mut Vec<String>,
    ) {
        let at = self.clock.write_time();
        let date = payment["date"].clone();
        for artefact in payment["allocated_artefacts"].as_array().map(Vec::as_slice).unwrap_or_default() {
            let id = artefact["artefact_id"].as_str().or(artefact["artefact"]["id"].as_str()).unwrap_or_default();
            let Some((path, index)) = find_artefact(data, prefix, id) else { continue };
            let Some(record) = data.get_mut(&path).and_then(|records| records.get_mut(index)) else { continue };
            let amount = sign * totals::amount(&artefact["amount"]).unwrap_or_default();
            let discount = sign * totals::amount(&artefact["discount"]).unwrap_or_default();
            let add = |record: &mut Value, field: &str, by: Decimal| {
                record[field] = money(totals::amount(&record[field]).unwrap_or_default() + by);
            };
            add(record, "outstanding_amount", -(amount + discount));
            add(record, "total_paid", amount + discount);
            add(record, "payments_allocations_total_amount", amount);
            add(record, "payments_allocations_total_discount", discount);
            record["base_currency_outstanding_amount"] = record["outstanding_amount"].clone();
            let outstanding = totals::amount(&record["outstanding_amount"]).unwrap_or_default();
            let total = totals::amount(&record["total_amount"]).unwrap_or_default();
            let (status_id, shown) = match outstanding {
                _ if outstanding.is_zero() => ("PAID", "Paid"),
                _ if outstanding < total => ("PART_PAID", "Part Paid"),
                _ => ("UNPAID", "Unpaid"),
            };
            record["status"] = status(status_id, shown);
            if sign.is_sign_positive() {
                record["last_paid"] = date.clone();
            } else if status_id == "UNPAID" {
                record["last_paid"] = Value::Null;
            }
            listed_on(record, payment, artefact, sign);
            self.stamps().updated(record, at);
            touched.push(path);
        }
        let kind = payment["transaction_type_id"].as_str().unwrap_or_default();
        let change = sign * balance_effect(kind) * totals::amount(&payment["total_amount"]).unwrap_or_default();
        let contacts = format!("{prefix}/contacts");
        let contact = data
            .get_mut(&contacts)
            .and_then(|records| records.iter_mut().find(|record| record["id"] == payment["contact_id"]));
        if let Some(contact) = contact.filter(|_| !change.is_zero()) {
            contact["balance"] = money(totals::amount(&contact["balance"]).unwrap_or_default() + change);
            self.stamps().updated(contact, at);
            touched.push(contacts);
        }
    }

    /// An updated invoice or credit note keeps what was paid on it: its outstanding amount is its new
    /// total less that, and a total below what was paid is refused.
    pub(super) fn still_paid(self, collection: &str, document: &mut Value) -> Result<(), SageError> {
        if !self.rules.accounting() || !ARTEFACTS.contains(&collection) || document.get("outstanding_amount").is_none()
        {
            return Ok(());
        }
        let paid = totals::amount(&document["total_paid"]).unwrap_or_default();
        let total = totals::amount(&document["total_amount"]).unwrap_or_default();
        if total < paid {
            let message = format!("{paid} has been paid on this document: its total cannot be {total}");
            return Err(self.rules.invalid(message, "total_amount"));
        }
        document["outstanding_amount"] = money(total - paid);
        document["base_currency_outstanding_amount"] = money(total - paid);
        Ok(())
    }

    /// An updated contact payment pays what it now names: what it paid before is given back, the
    /// update's allocations are checked against that, and applied; when they are refused the payment
    /// pays what it did before.
    pub(super) fn repaid(
        self,
        data: &mut Collections,
        before: &Value,
        updated: &mut Value,
        prefix: &str,
        touched: &mut Vec<String>,
    ) -> Result<(), SageError> {
        self.settle(data, before, prefix, Decimal::NEGATIVE_ONE, touched);
        if let Err(refused) = self.checked_payment(data, updated, prefix, "contact_payments") {
            self.settle(data, before, prefix, Decimal::ONE, touched);
            return Err(refused);
        }
        self.settle(data, updated, prefix, Decimal::ONE, touched);
        Ok(())
    }
}
