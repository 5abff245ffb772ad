//! Sage 200 records read into the model.
//!
//! Invoices, credit notes, receipts and payments are posted transactions of the sales or purchase
//! ledger; `trader_transaction_type` says which. Sage keeps their values signed by their effect on
//! the trader's balance (credit notes, receipts and payments negative); the model gives every
//! document and payment its own amounts, so those are turned positive here. Posted documents have
//! no quantity × price lines: their nominal analysis (an amount per account, with cost centre and
//! department) and tax analysis (goods and tax per tax code) become analysis lines.

use std::collections::BTreeMap;
use std::marker::PhantomData;

use sage200::cash_book::Bank;
use sage200::common::AccountStatus;
use sage200::financials::TaxCode;
use sage200::nominal::{CostCentre, Department, NominalCode};
use sage200::purchases::{PurchasePostedTransaction, Supplier};
use sage200::sales::{Customer, SalesPostedTransaction};
use sage_core::types::{DateTime, Decimal, Json};

use crate::types::Date;

use super::filled;
use crate::model::{self as m, Coded, DocumentKind, DocumentStatus, Party, PartyRole, PaymentKind, TrackingKind};
use crate::raw::{Raw, Sage200Record as Record};

/// An invoice (either ledger).
pub(super) const INVOICE: &str = "TradingAccountEntryTypeInvoice";
/// A credit note (either ledger).
pub(super) const CREDIT_NOTE: &str = "TradingAccountEntryTypeCreditNote";
/// A customer's receipt (sales) or a payment to a supplier (purchases).
pub(super) const RECEIPT_OR_PAYMENT: &str = "TradingAccountEntryTypePurchasePaymentSalesReceipt";
/// A refund paid to a customer (sales) or received from a supplier (purchases).
pub(super) const REFUND: &str = "TradingAccountEntryTypePurchaseReceiptSalesPayment";

/// The two tracking categories Sage 200 analyses nominal postings by, by model id.
pub(super) const COST_CENTRES: &str = "cost_centre";
pub(super) const DEPARTMENTS: &str = "department";

/// Which ledger a posted transaction is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ledger {
    Sales,
    Purchase,
}

impl Ledger {
    /// The prefix of a payment's model id: payments come from both ledgers, whose ids overlap.
    pub(super) fn prefix(self) -> &'static str {
        match self {
            Self::Sales => "sales",
            Self::Purchase => "purchase",
        }
    }
}

/// A ledger account's model id: its nominal account code, with the cost centre and department
/// when either is set (`4000`, `4010/NTH/WSH`, `4010//WSH`). Sage 200 names accounts this way on
/// posted analysis and on creates (which carry no numeric id), so reads and writes agree.
pub(super) fn account_key(code: &str, cost_centre: Option<&str>, department: Option<&str>) -> String {
    match (cost_centre.unwrap_or_default(), department.unwrap_or_default()) {
        ("", "") => code.to_owned(),
        (cost_centre, department) => format!("{code}/{cost_centre}/{department}"),
    }
}

/// The parts of an account key: code, cost centre, department (blank when unset).
pub(super) fn account_parts(key: &str) -> (&str, &str, &str) {
    let mut parts = key.splitn(3, '/');
    let code = parts.next().unwrap_or_default();
    (code, parts.next().unwrap_or_default(), parts.next().unwrap_or_default())
}

/// A payment's model id: `sales:123`, `purchase:45`.
pub(super) fn payment_id(ledger: Ledger, id: &str) -> String {
    format!("{}:{id}", ledger.prefix())
}

fn text<T: ToString>(value: &Option<T>) -> String {
    value.as_ref().map(ToString::to_string).unwrap_or_default()
}

fn day(value: &Option<DateTime>) -> Option<Date> {
    value.as_ref().map(|value| value.naive().date())
}

fn timestamps(created: Option<DateTime>, updated: Option<DateTime>) -> m::Timestamps {
    m::Timestamps { created_at: created, updated_at: updated, deleted_at: None }
}

fn raw(record: Record) -> Raw {
    Raw::Sage200(record)
}

/// The display name in an expanded link (`customer`, `supplier`), when Sage sent one.
fn link_name(link: &Option<BTreeMap<String, Json>>) -> Option<String> {
    link.as_ref()?.get("name")?.as_str().map(str::to_owned)
}

/// +1 for what Sage keeps positive (invoices, refunds), −1 for what it keeps negative.
fn sign(kind: Option<&str>) -> Decimal {
    match kind {
        Some(CREDIT_NOTE | RECEIPT_OR_PAYMENT) => Decimal::NEGATIVE_ONE,
        _ => Decimal::ONE,
    }
}

/// Fields both ledgers' posted transactions have, read through one shape.
macro_rules! posted_view {
    ($tran:expr, $party_id:ident, $party:ident) => {{
        let tran = $tran;
        Posted {
            id: text(&tran.id),
            kind: tran.trader_transaction_type.clone(),
            party: tran.$party_id.map(|id| m::Ref { id: id.to_string(), name: link_name(&tran.$party) }),
            reference: filled(&tran.reference),
            second_reference: filled(&tran.second_reference),
            date: day(&tran.transaction_date),
            due_date: day(&tran.due_date),
            exchange_rate: tran.exchange_rate,
            goods: tran.document_goods_value,
            tax: tran.document_tax_value,
            gross: tran.document_gross_value,
            outstanding: tran.document_outstanding_value,
            allocated: tran.document_allocated_value,
            base_goods: tran.base_goods_value,
            base_tax: tran.base_tax_value,
            base_gross: tran.base_gross_value,
            nominal: tran
                .nominal_analysis_items
                .iter()
                .flatten()
                .map(|item| Nominal {
                    code: filled(&item.code),
                    name: filled(&item.name),
                    cost_centre: filled(&item.cost_centre),
                    department: filled(&item.department),
                    narrative: filled(&item.narrative),
                    value: item.value,
                })
                .collect(),
            taxes: tran
                .tax_analysis_items
                .iter()
                .flatten()
                .map(|item| Tax { id: item.id, name: filled(&item.name), tax: item.tax_amount })
                .collect(),
            allocations: tran.allocation_history_items.iter().flatten().map(|item| item.allocation_value).collect(),
            created: tran.date_time_created,
            updated: tran.date_time_updated,
        }
    }};
}

/// A posted transaction of either ledger, as the model needs it.
struct Posted {
    id: String,
    kind: Option<String>,
    party: Option<m::Ref>,
    reference: Option<String>,
    second_reference: Option<String>,
    date: Option<Date>,
    due_date: Option<Date>,
    exchange_rate: Option<Decimal>,
    goods: Option<Decimal>,
    tax: Option<Decimal>,
    gross: Option<Decimal>,
    outstanding: Option<Decimal>,
    allocated: Option<Decimal>,
    base_goods: Option<Decimal>,
    base_tax: Option<Decimal>,
    base_gross: Option<Decimal>,
    nominal: Vec<Nominal>,
    taxes: Vec<Tax>,
    allocations: Vec<Option<Decimal>>,
    created: Option<DateTime>,
    updated: Option<DateTime>,
}

struct Nominal {
    code: Option<String>,
    name: Option<String>,
    cost_centre: Option<String>,
    department: Option<String>,
    narrative: Option<String>,
    value: Option<Decimal>,
}

struct Tax {
    id: Option<i64>,
    name: Option<String>,
    tax: Option<Decimal>,
}

/// Sage 200 has no document status: it is read from what is outstanding and allocated.
fn status(
    gross: Option<Decimal>,
    outstanding: Option<Decimal>,
    allocated: Option<Decimal>,
) -> Option<Coded<DocumentStatus>> {
    let outstanding = outstanding?;
    let (kind, code) = if outstanding.is_zero() && gross.is_some_and(|gross| !gross.is_zero()) {
        (DocumentStatus::Paid, "settled")
    } else if allocated.is_some_and(|allocated| !allocated.is_zero()) {
        (DocumentStatus::PartPaid, "part_allocated")
    } else {
        (DocumentStatus::Open, "outstanding")
    };
    Some(Coded { kind, code: code.into() })
}

/// The tracking values of a nominal analysis item: its cost centre and department, when set.
fn tracking(cost_centre: Option<String>, department: Option<String>) -> Vec<m::Tracking> {
    let value =
        |category: &str, code: String| m::Tracking { category: Some(m::Ref::id(category)), value: m::Ref::id(code) };
    cost_centre
        .map(|code| value(COST_CENTRES, code))
        .into_iter()
        .chain(department.map(|code| value(DEPARTMENTS, code)))
        .collect()
}

fn document<K: DocumentKind>(posted: Posted, raw_record: Record) -> m::Document<K> {
    let sign = sign(posted.kind.as_deref());
    let own = |value: Option<Decimal>| value.map(|value| value * sign);
    let (gross, outstanding) = (own(posted.gross), own(posted.outstanding));
    let nominal_lines = posted.nominal.into_iter().map(|item| m::AnalysisLine {
        id: None,
        description: item.narrative,
        account: item.code.map(|code| m::Ref {
            id: account_key(&code, item.cost_centre.as_deref(), item.department.as_deref()),
            name: item.name,
        }),
        net: own(item.value),
        tax: None,
        tax_rate: None,
        tracking: tracking(item.cost_centre, item.department),
    });
    let tax_lines = posted.taxes.into_iter().map(|item| m::AnalysisLine {
        id: None,
        description: None,
        account: None,
        net: None,
        tax: own(item.tax),
        tax_rate: item.id.map(|id| m::Ref { id: id.to_string(), name: item.name }),
        tracking: Vec::new(),
    });
    m::Document {
        id: posted.id,
        number: posted.reference,
        reference: posted.second_reference,
        party: posted.party,
        date: posted.date,
        due_date: posted.due_date,
        status: status(gross, outstanding, own(posted.allocated)),
        currency: None,
        exchange_rate: posted.exchange_rate,
        totals: m::Totals {
            net: own(posted.goods),
            tax: own(posted.tax),
            gross,
            outstanding,
            paid: gross.zip(outstanding).map(|(gross, outstanding)| gross - outstanding),
        },
        base_totals: m::Totals {
            net: own(posted.base_goods),
            tax: own(posted.base_tax),
            gross: own(posted.base_gross),
            outstanding: None,
            paid: None,
        },
        item_lines: Vec::new(),
        analysis_lines: nominal_lines.chain(tax_lines).collect(),
        notes: None,
        timestamps: timestamps(posted.created, posted.updated),
        raw: raw(raw_record),
        kind: PhantomData,
    }
}

/// A sales posted transaction as the document its type says (the caller has checked the type).
pub(super) fn sales_document<K: DocumentKind>(tran: SalesPostedTransaction) -> m::Document<K> {
    let posted = posted_view!(&tran, customer_id, customer);
    document(posted, Record::SalesPostedTransaction(Box::new(tran)))
}

/// A purchase posted transaction as the document its type says.
pub(super) fn purchase_document<K: DocumentKind>(tran: PurchasePostedTransaction) -> m::Document<K> {
    let posted = posted_view!(&tran, supplier_id, supplier);
    document(posted, Record::PurchasePostedTransaction(Box::new(tran)))
}

fn payment_kind(ledger: Ledger, kind: &str) -> PaymentKind {
    match (ledger, kind) {
        (Ledger::Sales, RECEIPT_OR_PAYMENT) => PaymentKind::CustomerReceipt,
        (Ledger::Sales, REFUND) => PaymentKind::CustomerRefund,
        (Ledger::Purchase, RECEIPT_OR_PAYMENT) => PaymentKind::SupplierPayment,
        (Ledger::Purchase, REFUND) => PaymentKind::SupplierRefund,
        _ => PaymentKind::Other,
    }
}

fn payment(ledger: Ledger, posted: Posted, raw_record: Record) -> m::Payment {
    let sign = sign(posted.kind.as_deref());
    let own = |value: Option<Decimal>| value.map(|value| value * sign);
    m::Payment {
        id: payment_id(ledger, &posted.id),
        kind: posted.kind.map(|code| Coded { kind: payment_kind(ledger, &code), code }),
        party: posted.party,
        bank_account: None,
        date: posted.date,
        reference: posted.reference,
        payment_method: None,
        currency: None,
        exchange_rate: posted.exchange_rate,
        amount: own(posted.gross),
        base_amount: own(posted.base_gross),
        // Sage 200's allocation history names no counterpart transaction: the amounts only.
        allocations: posted
            .allocations
            .into_iter()
            .map(|amount| m::Allocation { document: None, amount: own(amount), discount: None })
            .collect(),
        timestamps: timestamps(posted.created, posted.updated),
        raw: raw(raw_record),
    }
}

/// A sales receipt or refund.
pub(super) fn sales_payment(tran: SalesPostedTransaction) -> m::Payment {
    let posted = posted_view!(&tran, customer_id, customer);
    payment(Ledger::Sales, posted, Record::SalesPostedTransaction(Box::new(tran)))
}

/// A purchase payment or refund.
pub(super) fn purchase_payment(tran: PurchasePostedTransaction) -> m::Payment {
    let posted = posted_view!(&tran, supplier_id, supplier);
    payment(Ledger::Purchase, posted, Record::PurchasePostedTransaction(Box::new(tran)))
}

/// Reads a customer or supplier (their shapes match field for field).
macro_rules! read_party {
    ($party:ident, $variant:ident) => {{
        let party = $party;
        let person = party
            .contacts
            .iter()
            .flatten()
            .find(|contact| contact.is_default == Some(true))
            .or_else(|| party.contacts.iter().flatten().next())
            .map(|contact| m::ContactPerson {
                name: filled(&contact.name).or_else(|| {
                    let parts = [filled(&contact.first_name), filled(&contact.last_name)];
                    let full = parts.into_iter().flatten().collect::<Vec<_>>().join(" ");
                    (!full.is_empty()).then_some(full)
                }),
                email: filled(&contact.default_email),
                telephone: filled(&contact.default_telephone),
                mobile: None,
                job_title: None,
            })
            .filter(|person| !person.is_empty());
        let address = party.main_address.as_ref().map(|address| m::Address {
            line1: filled(&address.address_1),
            line2: filled(&address.address_2),
            city: filled(&address.city).or_else(|| filled(&address.address_3)),
            region: filled(&address.county).or_else(|| filled(&address.address_4)),
            postal_code: filled(&address.postcode),
            country: filled(&address.country),
        });
        let active = match &party.account_status_type {
            Some(sage200::common::AccountStatus::Active) => Some(true),
            Some(sage200::common::AccountStatus::Hidden) => Some(false),
            _ => None,
        };
        Party {
            id: text(&party.id),
            reference: Some(party.reference.clone()).filter(|reference| !reference.is_empty()),
            name: Some(party.name.clone()),
            email: person.as_ref().and_then(|person| person.email.clone()),
            tax_number: filled(&party.vat_number),
            currency: party.currency_id.map(|id| m::Ref { id: id.to_string(), name: link_name(&party.currency) }),
            balance: party.balance,
            credit_limit: party.credit_limit,
            credit_days: party.payment_terms_days,
            active,
            address: address.filter(|address| !address.is_empty()),
            delivery_address: None,
            contact_person: person,
            notes: None,
            timestamps: timestamps(party.date_time_created, party.date_time_updated),
            raw: raw(Record::$variant(Box::new(party))),
            role: PhantomData,
        }
    }};
}

/// A customer.
pub(super) fn customer<R: PartyRole>(party: Customer) -> Party<R> {
    read_party!(party, Customer)
}

/// A supplier.
pub(super) fn supplier<R: PartyRole>(party: Supplier) -> Party<R> {
    read_party!(party, Supplier)
}

/// A nominal code: its account number, with the cost centre and department that make it unique
/// (and its id, see [`account_key`]).
pub(super) fn ledger_account(code: NominalCode) -> m::LedgerAccount {
    let (cost_centre, department) = (filled(&code.cost_centre_code), filled(&code.department_code));
    m::LedgerAccount {
        id: account_key(&code.reference, cost_centre.as_deref(), department.as_deref()),
        code: Some(code.reference.clone()),
        name: filled(&code.name),
        account_type: filled(&code.nominal_account_type).map(m::Ref::id),
        tax_rate: None,
        visibility: m::Visibility::default(),
        tracking: tracking(cost_centre, department),
        timestamps: timestamps(code.date_time_created, code.date_time_updated),
        raw: raw(Record::NominalCode(Box::new(code))),
    }
}

/// A tax code.
pub(super) fn tax_rate(code: TaxCode) -> m::TaxRate {
    m::TaxRate {
        id: text(&code.id),
        code: Some(code.code.to_string()),
        name: Some(code.name.clone()),
        percentage: code.tax_rate,
        active: None,
        timestamps: timestamps(code.date_time_created, code.date_time_updated),
        raw: raw(Record::TaxCode(Box::new(code))),
    }
}

/// A bank. Its ledger account is named as ledger account ids are: nominal code, cost centre and
/// department; `description` is the name Sage 200 shows for it, `account_name` the bank's.
pub(super) fn bank_account(bank: Bank) -> m::BankAccount {
    let nominal = filled(&bank.bank_account_nominal_reference).map(|code| {
        let (cost_centre, department) =
            (filled(&bank.bank_account_nominal_cost_centre), filled(&bank.bank_account_nominal_department));
        m::Ref {
            id: account_key(&code, cost_centre.as_deref(), department.as_deref()),
            name: link_name(&bank.bank_account_nominal_code),
        }
    });
    m::BankAccount {
        id: text(&bank.id),
        code: filled(&Some(bank.code.clone())),
        name: filled(&bank.description).or_else(|| filled(&bank.account_name)),
        account_number: filled(&bank.account_no),
        sort_code: filled(&Some(bank.sort_code.clone())),
        iban: filled(&bank.iban),
        bic: filled(&bank.bic),
        currency: bank
            .account_currency_id
            .map(|id| m::Ref { id: id.to_string(), name: link_name(&bank.account_currency) }),
        balance: bank.balance,
        account_type: filled(&bank.account_type).map(|code| Coded { kind: m::BankAccountKind::from_code(&code), code }),
        ledger_account: nominal,
        active: match &bank.account_status_type {
            Some(AccountStatus::Active) => Some(true),
            Some(AccountStatus::Hidden) => Some(false),
            Some(AccountStatus::Other(_)) | None => None,
        },
        timestamps: timestamps(bank.date_time_created, bank.date_time_updated),
        raw: raw(Record::Bank(Box::new(bank))),
    }
}

/// The cost centre category with every cost centre as a value (lines name them by code).
pub(super) fn cost_centres(centres: Vec<CostCentre>) -> m::TrackingCategory {
    m::TrackingCategory {
        id: COST_CENTRES.into(),
        name: Some("Cost centre".into()),
        kind: Coded { kind: TrackingKind::CostCentre, code: "cost_centres".into() },
        values: centres
            .iter()
            .map(|centre| m::TrackingValue {
                id: centre.code.clone(),
                code: Some(centre.code.clone()),
                name: filled(&centre.name),
            })
            .collect(),
        timestamps: m::Timestamps::default(),
        raw: raw(Record::CostCentres(centres)),
    }
}

/// The department category with every department as a value.
pub(super) fn departments(departments: Vec<Department>) -> m::TrackingCategory {
    m::TrackingCategory {
        id: DEPARTMENTS.into(),
        name: Some("Department".into()),
        kind: Coded { kind: TrackingKind::Department, code: "departments".into() },
        values: departments
            .iter()
            .map(|department| m::TrackingValue {
                id: department.code.clone(),
                code: Some(department.code.clone()),
                name: filled(&department.name),
            })
            .collect(),
        timestamps: m::Timestamps::default(),
        raw: raw(Record::Departments(departments)),
    }
}
