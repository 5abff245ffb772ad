//! Model drafts written as Sage 200 create bodies.
//!
//! A document's analysis lines become its nominal analysis (one item per line, on the nominal
//! code, cost centre and department the line's account id names) and its tax
//! analysis (one item per tax code, the goods and tax of its lines summed); the headline goods
//! and tax values are the lines' totals. Every id the model carries as text is a Sage 200 number:
//! one that is not fails here, before anything is sent.

use sage200::purchases::{
    NewSupplier, PurchaseCreditNote, PurchaseCreditNoteNominalAnalysisItems, PurchaseCreditNoteTaxAnalysisItems,
    PurchaseInvoice, PurchaseInvoiceNominalAnalysisItems, PurchaseInvoiceTaxAnalysisItems, PurchasePayment,
    SupplierContact, SupplierMainAddress,
};
use sage200::sales::{
    CustomerContact, CustomerMainAddress, NewCustomer, SalesAllocation, SalesAllocationAllocationLines,
    SalesCreditNote, SalesCreditNoteNominalAnalysisItems, SalesCreditNoteTaxAnalysisItems, SalesInvoice,
    SalesInvoiceNominalAnalysisItems, SalesInvoiceTaxAnalysisItems, SalesReceipt,
};
use sage_core::types::{DateTime, Decimal};

use super::accounting::merged;
use super::sage200_read::account_parts;
use crate::error::{Error, Result};
use crate::model::{self as m, NewAnalysisLine, PaymentKind};
use crate::resource::{ProductKind, Resource};
use crate::types::Date;

/// A Sage 200 id from the model's text, or why not.
pub(super) fn number(resource: Resource, field: &str, id: &str) -> Result<i64> {
    id.trim()
        .parse()
        .map_err(|_| Error::Invalid(format!("{resource} `{field}`: `{id}` is not a Sage 200 id (a whole number)")))
}

/// A day as Sage 200 takes a date-time: midnight, server time.
pub(super) fn midnight(date: Date) -> Option<DateTime> {
    date.and_hms_opt(0, 0, 0).map(DateTime::local)
}

fn missing(resource: Resource, field: impl Into<String>) -> Error {
    Error::Missing { resource, field: field.into() }
}

/// Reads a customer or supplier draft into Sage's body (`$new`, with `$address` and `$contact`).
macro_rules! write_party {
    ($draft:ident, $resource:expr, $new:ident, $address:ident, $contact:ident) => {{
        let party = $draft;
        let resource = $resource;
        let reference = party.reference.clone().filter(|reference| !reference.trim().is_empty());
        let reference = reference.ok_or_else(|| missing(resource, "reference"))?;
        let currency_id = party.currency_id.as_deref().map(|id| number(resource, "currency_id", id)).transpose()?;
        let person = party.contact_person.clone().unwrap_or_default();
        let email = person.email.clone().or(party.email.clone());
        let contact = (person.name.is_some() || email.is_some() || person.telephone.is_some()).then(|| $contact {
            name: person.name.clone(),
            default_email: email,
            default_telephone: person.telephone.clone(),
            is_default: Some(true),
            ..$contact::default()
        });
        let body = $new {
            vat_number: party.tax_number,
            currency_id: currency_id.map(Into::into),
            credit_limit: party.credit_limit,
            payment_terms_days: party.credit_days,
            main_address: party.address.map(|address| $address {
                address_1: address.line1,
                address_2: address.line2,
                city: address.city,
                county: address.region,
                postcode: address.postal_code,
                country: address.country,
                ..$address::default()
            }),
            contacts: contact.map(|contact| vec![contact]),
            ..$new::new(party.name, reference)
        };
        merged(body, party.extra)
    }};
}

/// The body of `POST /customers`.
pub(super) fn new_customer(party: m::NewCustomer) -> Result<NewCustomer> {
    write_party!(party, Resource::Customer, NewCustomer, CustomerMainAddress, CustomerContact)
}

/// The body of `POST /suppliers`.
pub(super) fn new_supplier(party: m::NewSupplier) -> Result<NewSupplier> {
    write_party!(party, Resource::Supplier, NewSupplier, SupplierMainAddress, SupplierContact)
}

/// One nominal analysis item to send.
struct NominalItem {
    code: String,
    cost_centre: Option<String>,
    department: Option<String>,
    narrative: Option<String>,
    value: Decimal,
    extra: m::Extra,
}

/// One tax analysis item to send: a tax code with its lines' goods and (when all state it) tax.
struct TaxItem {
    id: i64,
    goods: Decimal,
    tax: Option<Decimal>,
}

/// A document's analysis as Sage takes it.
struct Analysis {
    goods: Decimal,
    tax: Option<Decimal>,
    nominal: Vec<NominalItem>,
    taxes: Vec<TaxItem>,
}

/// Splits the lines into nominal and tax analysis; each line's account id names its nominal code,
/// cost centre and department.
fn analysis(resource: Resource, lines: Vec<NewAnalysisLine>) -> Result<Analysis> {
    let coded = lines.iter().filter(|line| line.tax_rate_id.is_some()).count();
    if coded != 0 && coded != lines.len() {
        let index = lines.iter().position(|line| line.tax_rate_id.is_none()).unwrap_or_default();
        // Sage splits the goods by tax code: a line without one would leave part unassigned.
        return Err(missing(resource, format!("analysis_lines[{index}].tax_rate_id")));
    }
    let goods = lines.iter().map(|line| line.net).sum();
    let tax = lines.iter().map(|line| line.tax).sum::<Option<Decimal>>();
    let mut taxes: Vec<TaxItem> = Vec::new();
    let mut nominal = Vec::new();
    for (index, line) in lines.into_iter().enumerate() {
        if let Some(tax_rate_id) = &line.tax_rate_id {
            let id = number(resource, &format!("analysis_lines[{index}].tax_rate_id"), tax_rate_id)?;
            match taxes.iter_mut().find(|item| item.id == id) {
                Some(item) => {
                    item.goods += line.net;
                    item.tax = item.tax.zip(line.tax).map(|(sum, tax)| sum + tax);
                }
                None => taxes.push(TaxItem { id, goods: line.net, tax: line.tax }),
            }
        }
        let (code, cost_centre, department) = account_parts(&line.account_id);
        if code.trim().is_empty() {
            return Err(missing(resource, format!("analysis_lines[{index}].account_id")));
        }
        let given = |part: &str| Some(part.to_owned()).filter(|part| !part.is_empty());
        nominal.push(NominalItem {
            code: code.to_owned(),
            cost_centre: given(cost_centre),
            department: given(department),
            narrative: line.description,
            value: line.net,
            extra: line.extra,
        });
    }
    Ok(Analysis { goods, tax, nominal, taxes })
}

/// Writes a document draft as `$body` (with `$nominal` and `$tax` items); a trailing field name
/// (`due_date`) sets the due date where the body has one.
macro_rules! write_document {
    ($draft:ident, $resource:expr, $body:ident, $nominal:ident, $tax:ident, $($due:ident)?) => {{
        let doc = $draft;
        let resource = $resource;
        let party = number(resource, "party_id", &doc.party_id)?;
        let analysis = analysis(resource, doc.analysis_lines)?;
        let nominal = analysis
            .nominal
            .into_iter()
            .map(|item| {
                let typed = $nominal {
                    cost_centre: item.cost_centre,
                    department: item.department,
                    narrative: item.narrative,
                    value: Some(item.value),
                    ..$nominal::new(item.code)
                };
                merged(typed, item.extra)
            })
            .collect::<Result<Vec<_>>>()?;
        let taxes: Vec<_> = analysis
            .taxes
            .into_iter()
            .map(|item| $tax { goods_amount: Some(item.goods), tax_amount: item.tax, ..$tax::new(item.id) })
            .collect();
        #[allow(unused_mut)]
        let mut body = $body {
            reference: doc.number,
            second_reference: doc.reference,
            transaction_date: midnight(doc.date),
            exchange_rate: doc.exchange_rate,
            document_goods_value: Some(analysis.goods),
            document_tax_value: analysis.tax,
            nominal_analysis_items: Some(nominal),
            tax_analysis_items: (!taxes.is_empty()).then_some(taxes),
            ..$body::new(party)
        };
        $(body.$due = doc.due_date.and_then(midnight);)?
        merged(body, doc.extra)
    }};
}

/// The body of `POST /sales_invoices`.
pub(super) fn sales_invoice(doc: m::NewSalesInvoice) -> Result<SalesInvoice> {
    write_document!(
        doc,
        Resource::SalesInvoice,
        SalesInvoice,
        SalesInvoiceNominalAnalysisItems,
        SalesInvoiceTaxAnalysisItems,
        due_date
    )
}

/// The body of `POST /sales_credit_notes`.
pub(super) fn sales_credit_note(doc: m::NewSalesCreditNote) -> Result<SalesCreditNote> {
    write_document!(
        doc,
        Resource::SalesCreditNote,
        SalesCreditNote,
        SalesCreditNoteNominalAnalysisItems,
        SalesCreditNoteTaxAnalysisItems,
    )
}

/// The body of `POST /purchase_invoices`.
pub(super) fn purchase_invoice(doc: m::NewPurchaseInvoice) -> Result<PurchaseInvoice> {
    write_document!(
        doc,
        Resource::PurchaseInvoice,
        PurchaseInvoice,
        PurchaseInvoiceNominalAnalysisItems,
        PurchaseInvoiceTaxAnalysisItems,
        due_date
    )
}

/// The body of `POST /purchase_credit_notes`.
pub(super) fn purchase_credit_note(doc: m::NewPurchaseCreditNote) -> Result<PurchaseCreditNote> {
    write_document!(
        doc,
        Resource::PurchaseCreditNote,
        PurchaseCreditNote,
        PurchaseCreditNoteNominalAnalysisItems,
        PurchaseCreditNoteTaxAnalysisItems,
    )
}

/// A payment draft as Sage 200 takes it: a sales receipt or a purchase payment.
pub(super) enum CashBody {
    Receipt(SalesReceipt),
    Payment(PurchasePayment),
}

/// The body of `POST /sales_receipts` or `POST /purchase_payments`. Refunds are not mapped, and
/// Sage 200's API allocates on the sales ledger only: a supplier payment with allocations is refused.
pub(super) fn payment(product: ProductKind, payment: &m::NewPayment) -> Result<CashBody> {
    let resource = Resource::Payment;
    let unsupported = |field: &str| Error::Unsupported { product, resource, field: Some(field.into()) };
    let bank = payment.bank_account_id.as_deref().ok_or_else(|| missing(resource, "bank_account_id"))?;
    let bank = number(resource, "bank_account_id", bank)?;
    let party = number(resource, "party_id", &payment.party_id)?;
    Ok(match payment.kind {
        PaymentKind::CustomerReceipt => {
            let body = SalesReceipt {
                reference: payment.reference.clone(),
                transaction_date: midnight(payment.date),
                exchange_rate: payment.exchange_rate,
                ..SalesReceipt::new(bank, payment.amount, party)
            };
            CashBody::Receipt(merged(body, payment.extra.clone())?)
        }
        PaymentKind::SupplierPayment if payment.allocations.is_empty() => {
            let body = PurchasePayment {
                reference: payment.reference.clone(),
                transaction_date: midnight(payment.date),
                exchange_rate: payment.exchange_rate,
                ..PurchasePayment::new(bank, payment.amount, party)
            };
            CashBody::Payment(merged(body, payment.extra.clone())?)
        }
        PaymentKind::SupplierPayment => return Err(unsupported("allocations")),
        _ => return Err(unsupported("kind")),
    })
}

/// The body of one `POST /sales_allocations`: `amount` moved off the receipt onto the document.
pub(super) fn allocation(customer: i64, receipt: i64, document: i64, amount: Decimal, date: Date) -> SalesAllocation {
    let lines =
        [SalesAllocationAllocationLines::new(document, amount), SalesAllocationAllocationLines::new(receipt, -amount)];
    SalesAllocation { allocation_date: midnight(date), ..SalesAllocation::new(customer, lines) }
}
