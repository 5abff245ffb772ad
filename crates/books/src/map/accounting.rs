//! Accounting v3.1 and v3: their records have the same shapes (v3.1 adds analysis types and
//! `idempotency_id`), so one macro writes the mapping over either typed crate and each version's
//! module adds only what differs (see `accounting_v31.rs`, `accounting_v3.rs`).

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::backend::Draft;
use crate::error::{Error, Result};
use crate::model::{Coded, DocumentStatus, Extra, PaymentKind};
use crate::resource::Resource;

/// The contact type ids that make a contact a customer or a supplier.
pub(super) const CUSTOMER: &str = "CUSTOMER";
pub(super) const SUPPLIER: &str = "VENDOR";

/// A document status id (`artefact_statuses`) in the model's terms.
pub(super) fn status(code: &str) -> DocumentStatus {
    match code {
        "DRAFT" | "PRO_FORMA" => DocumentStatus::Draft,
        "UNPAID" => DocumentStatus::Open,
        "PART_PAID" => DocumentStatus::PartPaid,
        "PAID" => DocumentStatus::Paid,
        "VOID" => DocumentStatus::Void,
        _ => DocumentStatus::Other,
    }
}

/// A payment's transaction type id in the model's terms.
pub(super) fn payment_kind(code: &str) -> PaymentKind {
    match code {
        "CUSTOMER_RECEIPT" => PaymentKind::CustomerReceipt,
        "VENDOR_PAYMENT" => PaymentKind::SupplierPayment,
        "CUSTOMER_REFUND" => PaymentKind::CustomerRefund,
        "VENDOR_REFUND" => PaymentKind::SupplierRefund,
        _ => PaymentKind::Other,
    }
}

/// The transaction type id a payment of `kind` is created with.
pub(super) fn transaction_type(kind: PaymentKind) -> Option<&'static str> {
    Some(match kind {
        PaymentKind::CustomerReceipt => "CUSTOMER_RECEIPT",
        PaymentKind::SupplierPayment => "VENDOR_PAYMENT",
        PaymentKind::CustomerRefund => "CUSTOMER_REFUND",
        PaymentKind::SupplierRefund => "VENDOR_REFUND",
        PaymentKind::Other => return None,
    })
}

/// A product value with the model's reading of it.
pub(super) fn coded<K>(code: Option<&str>, kind: fn(&str) -> K) -> Option<Coded<K>> {
    code.map(|code| Coded { kind: kind(code), code: code.to_owned() })
}

/// `typed` with a draft's `extra` fields merged in; an extra key that names a typed field
/// replaces its value (a round trip through JSON, so the typed body reads it as its own).
pub(super) fn merged<T: Serialize + DeserializeOwned>(typed: T, extra: Extra) -> Result<T> {
    if extra.is_empty() {
        return Ok(typed);
    }
    let invalid = |err: serde_json::Error| Error::Invalid(format!("extra fields: {err}"));
    let mut body = serde_json::to_value(typed).map_err(invalid)?;
    let Some(object) = body.as_object_mut() else { return Err(Error::Invalid("the body is not an object".into())) };
    object.extend(extra);
    serde_json::from_value(body).map_err(invalid)
}

/// A field of an Accounting body (`$source` of an error item) as the model names it.
pub(super) fn model_field(resource: Resource, source: &str) -> Option<String> {
    let party = match resource {
        Resource::Supplier | Resource::PurchaseInvoice | Resource::PurchaseCreditNote => "supplier",
        _ => "customer",
    };
    // `invoice_lines[1].x` and `invoice_lines.1.x` both occur.
    let source = source.replace('[', ".").replace(']', "");
    let (head, rest) = source.split_once('.').map_or((source.as_str(), None), |(head, rest)| (head, Some(rest)));
    let line_field = |field: &str| -> String {
        match field {
            "ledger_account_id" | "ledger_account" => "account_id".into(),
            "discount_amount" => "discount".into(),
            "product_id" | "service_id" | "product" | "service" => "item".into(),
            "analysis_type_categories" => "tracking_ids".into(),
            other => other.into(),
        }
    };
    Some(match (head, rest) {
        ("contact_id" | "contact", None) => party.into(),
        ("invoice_lines" | "credit_note_lines", None) => "item_lines".into(),
        ("invoice_lines" | "credit_note_lines", Some(rest)) => match rest.split_once('.') {
            Some((index, field)) if index.bytes().all(|b| b.is_ascii_digit()) => {
                format!("item_lines[{index}].{}", line_field(field))
            }
            _ => format!("item_lines[].{}", line_field(rest)),
        },
        ("invoice_number" | "credit_note_number" | "vendor_reference", None) => "number".into(),
        ("total_amount", None) if resource == Resource::Payment => "amount".into(),
        ("allocated_artefacts", None) => "allocations".into(),
        ("allocated_artefacts", Some(rest)) => match rest.split_once('.') {
            Some((index, "artefact_id")) => format!("allocations[{index}].document_id"),
            Some((index, field)) => format!("allocations[{index}].{field}"),
            None => "allocations".into(),
        },
        ("transaction_type_id", None) => "kind".into(),
        ("main_address", _) => "address".into(),
        ("main_contact_person", _) => "contact_person".into(),
        _ => return None,
    })
}

/// How to find whether a create whose answer was lost was made: list what it would be among.
pub(super) fn how_to_find(draft: &Draft) -> String {
    let (list, party, date) = match draft {
        Draft::Customer(party) => return format!("list customers and look for the name {:?}", party.name),
        Draft::Supplier(party) => return format!("list suppliers and look for the name {:?}", party.name),
        Draft::SalesInvoice(doc) => ("sales_invoices", &doc.party_id, doc.date),
        Draft::SalesCreditNote(doc) => ("sales_credit_notes", &doc.party_id, doc.date),
        Draft::PurchaseInvoice(doc) => ("purchase_invoices", &doc.party_id, doc.date),
        Draft::PurchaseCreditNote(doc) => ("purchase_credit_notes", &doc.party_id, doc.date),
        Draft::Payment(payment) => ("contact_payments", &payment.party_id, payment.date),
    };
    format!("list {list} with contact_id={party} dated {date} and compare them with what was sent")
}

/// Makes a v3.1 create idempotent: its `idempotency_id` (in `extra`) is the caller's, or a fresh
/// one set here. Sage makes the record once per id, so sending the same draft again is safe when
/// the caller chose the id (no uncertainty: `None`); when it was made here, the answer to a lost
/// create says what it is, so the caller can send again with it.
pub(super) fn idempotent_create(draft: &mut Draft) -> Option<String> {
    const FIELD: &str = "idempotency_id";
    let extra = draft.extra_mut();
    if extra.get(FIELD).and_then(|id| id.as_str()).is_some_and(|id| !id.is_empty()) {
        return None;
    }
    let id = sage_core::new_idempotency_id();
    extra.insert(FIELD.into(), id.clone().into());
    Some(format!(
        "send the same draft again with extra `{FIELD}` = \"{id}\" (Sage makes it once per id), or {}",
        how_to_find(draft)
    ))
}

/// Reads one of the four documents (`$doc`, typed) into the model, its lines under `$lines`.
macro_rules! read_document {
    ($doc:ident, $variant:ident, lines: $lines:ident, number: $number:expr, due_date: $due:expr, discount: $discount:expr) => {{
        let doc = $doc;
        $crate::model::Document {
            id: id(&doc.id),
            number: $number(&doc),
            reference: doc.reference.clone(),
            party: doc.contact.as_ref().and_then(|contact| {
                let mut party = contact.named()?;
                party.name = doc.contact_name.clone().or(party.name);
                Some(party)
            }),
            date: doc.date,
            due_date: $due(&doc),
            status: coded(doc.status.as_ref().and_then(|status| status.id.as_deref()), status),
            currency: named(&doc.currency),
            exchange_rate: doc.exchange_rate,
            totals: $crate::model::Totals {
                net: doc.net_amount,
                tax: doc.tax_amount,
                gross: doc.total_amount,
                outstanding: doc.outstanding_amount,
                paid: doc.total_paid,
            },
            base_totals: $crate::model::Totals {
                net: doc.base_currency_net_amount,
                tax: doc.base_currency_tax_amount,
                gross: doc.base_currency_total_amount,
                outstanding: doc.base_currency_outstanding_amount,
                paid: None,
            },
            item_lines: doc.$lines.iter().flatten().map(|line| read_item_line!(line, $discount)).collect(),
            analysis_lines: Vec::new(),
            notes: doc.notes.clone(),
            timestamps: $crate::model::Timestamps {
                created_at: doc.created_at,
                updated_at: doc.updated_at,
                deleted_at: doc.deleted_at,
            },
            raw: raw(Record::$variant(Box::new(doc))),
            kind: ::std::marker::PhantomData,
        }
    }};
}

/// Reads an item line of any of the four documents.
macro_rules! read_item_line {
    ($line:ident, $discount:expr) => {
        $crate::model::ItemLine {
            id: $line.id.clone(),
            description: $line.description.clone(),
            item: named(&$line.product).or_else(|| named(&$line.service)),
            quantity: $line.quantity,
            unit_price: $line.unit_price,
            discount: $discount($line),
            account: named(&$line.ledger_account),
            tax_rate: named(&$line.tax_rate),
            net: $line.net_amount,
            tax: $line.tax_amount,
            gross: $line.total_amount,
            tracking: Tracked::tracking($line),
        }
    };
}

/// Writes an item line of any of the four documents as `$new`: sales lines take a discount and
/// an optional quantity, purchase lines a required quantity and no discount.
macro_rules! write_item_line {
    (sales $new:ident, $line:ident) => {{
        let line = $line;
        let new = $new {
            quantity: Some(line.quantity),
            discount_amount: line.discount,
            ..$new::new(line.description, line.account_id.unwrap_or_default(), line.unit_price)
        };
        write_item_line!(@rest new, line)
    }};
    (purchase $new:ident, $line:ident) => {{
        let line = $line;
        let new = $new::new(line.description, line.account_id.unwrap_or_default(), line.quantity, line.unit_price);
        write_item_line!(@rest new, line)
    }};
    (@rest $new:ident, $line:ident) => {{
        let mut new = $new;
        new.tax_rate_id = $line.tax_rate_id.map(Into::into);
        match $line.item {
            Some($crate::model::ItemRef { kind: $crate::model::ItemKind::Product, id }) => new.product_id = Some(id.into()),
            Some($crate::model::ItemRef { kind: $crate::model::ItemKind::Service, id }) => new.service_id = Some(id.into()),
            None => {}
        }
        TakesTracking::set_tracking(&mut new, $line.tracking_ids);
        $crate::map::accounting::merged(new, $line.extra)
    }};
}

pub(super) use {read_document, read_item_line, write_item_line};

#[cfg(test)]
#[path = "accounting_tests.rs"]
mod tests;
