//! Sage 200 Professional and Standard Online: one mapping, since the editions share their models
//! and every call used here (`sage200` marks each for both).
//!
//! Sage's split paths are handled here. Invoices and credit notes are create-only: the create
//! answers a URN, and the document is read back from the ledger's posted transactions by that URN.
//! A customer receipt is posted, then each allocation is its own `POST /sales_allocations` moving
//! money off the receipt onto a document. Sage 200 creates are not idempotent: an answer lost on
//! the way is an [`Error::UncertainWrite`] saying how to look the record up; a write that stopped
//! after some of its calls succeeded is an [`Error::PartlyMade`] naming what was made.

use async_trait::async_trait;
use futures_util::stream::{self, BoxStream, StreamExt};
use sage200::cash_book::{GetBank, ListBanks};
use sage200::financials::{GetTaxCode, ListTaxCodes};
use sage200::nominal::{ListCostCentres, ListDepartments, ListNominalCodes, NominalCode};
use sage200::purchases::{
    CreatePurchaseCreditNote, CreatePurchaseInvoice, CreatePurchasePayment, CreateSupplier,
    GetPurchasePostedTransaction, GetSupplier, ListPurchasePostedTransactions, ListSuppliers,
    PurchasePostedTransaction,
};
use sage200::sales::{
    CreateCustomer, CreateSalesAllocation, CreateSalesCreditNote, CreateSalesInvoice, CreateSalesReceipt, GetCustomer,
    GetSalesPostedTransaction, ListCustomers, ListSalesPostedTransactions, SalesPostedTransaction,
};
use sage_core::changes::{Changes, Checkpoint};
use sage_core::query::quote;
use sage_core::{Client, ListOperation};

use super::all;
use super::sage200_read::{self as read, account_parts, CREDIT_NOTE, INVOICE, RECEIPT_OR_PAYMENT, REFUND};
use super::sage200_write::{self as write, number, CashBody};
use crate::backend::{Backend, Draft, Record as Normalized, RecordFeed};
use crate::error::{Context, Error, Result};
use crate::model as m;
use crate::resource::{ProductKind, Resource};

/// The mapping for one Sage 200 edition.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mapping {
    pub(crate) product: ProductKind,
}

/// `$filter` for posted transactions of the given types.
fn of_types(types: &[&str]) -> String {
    let each: Vec<String> = types.iter().map(|kind| format!("trader_transaction_type eq '{kind}'")).collect();
    each.join(" or ")
}

fn kind_is(kind: &Option<String>, types: &[&str]) -> bool {
    kind.as_deref().is_some_and(|kind| types.contains(&kind))
}

/// The URN a create answered, as the number its posted transaction is found by; when it is not
/// one, the create was made all the same, as `made` says.
fn urn_number(answered: Option<String>, made: impl FnOnce() -> String) -> Result<i64> {
    let text = answered.unwrap_or_default();
    text.trim().parse().map_err(|_| Error::PartlyMade {
        made: made(),
        failed: Box::new(Error::Decode(format!("Sage answered the URN `{text}`, not a number"))),
    })
}

/// The transaction types a resource reads from its ledger.
fn types_of(resource: Resource) -> &'static [&'static str] {
    match resource {
        Resource::SalesInvoice | Resource::PurchaseInvoice => &[INVOICE],
        Resource::SalesCreditNote | Resource::PurchaseCreditNote => &[CREDIT_NOTE],
        Resource::Payment => &[RECEIPT_OR_PAYMENT, REFUND],
        _ => &[],
    }
}

fn sales(resource: Resource, tran: SalesPostedTransaction) -> Normalized {
    match resource {
        Resource::SalesInvoice => Normalized::SalesInvoice(read::sales_document(tran)),
        Resource::SalesCreditNote => Normalized::SalesCreditNote(read::sales_document(tran)),
        _ => Normalized::Payment(read::sales_payment(tran)),
    }
}

fn purchase(resource: Resource, tran: PurchasePostedTransaction) -> Normalized {
    match resource {
        Resource::PurchaseInvoice => Normalized::PurchaseInvoice(read::purchase_document(tran)),
        Resource::PurchaseCreditNote => Normalized::PurchaseCreditNote(read::purchase_document(tran)),
        _ => Normalized::Payment(read::purchase_payment(tran)),
    }
}

/// A product field name (`$source` of an error item) as the model names it.
fn model_field(resource: Resource, source: &str) -> Option<String> {
    let (head, rest) = source.split_once('.').map_or((source, ""), |(head, rest)| (head, rest));
    let indexed = head.split_once('[').map(|(name, index)| (name, index.trim_end_matches(']')));
    Some(match (indexed, head, rest) {
        (Some(("nominal_analysis_items", index)), _, "code" | "cost_centre" | "department") => {
            format!("analysis_lines[{index}].account_id")
        }
        (Some(("nominal_analysis_items", index)), _, "value") => format!("analysis_lines[{index}].net"),
        (Some(("nominal_analysis_items", index)), _, "narrative") => format!("analysis_lines[{index}].description"),
        (Some(("tax_analysis_items", _)), _, _) | (None, "tax_analysis_items", _) => {
            "analysis_lines[].tax_rate_id".into()
        }
        (None, "nominal_analysis_items" | "document_goods_value", _) => "analysis_lines".into(),
        (None, "document_tax_value", _) => "analysis_lines[].tax".into(),
        (None, "customer_id" | "supplier_id", _) => "party_id".into(),
        (None, "transaction_date", _) => "date".into(),
        (None, "reference", _) if resource != Resource::Customer && resource != Resource::Supplier => "number".into(),
        (None, "second_reference", _) => "reference".into(),
        (None, "cheque_value", _) => "amount".into(),
        (None, "bank_id", _) => "bank_account_id".into(),
        (None, "vat_number", _) => "tax_number".into(),
        (None, "payment_terms_days", _) => "credit_days".into(),
        (None, "main_address", _) => "address".into(),
        (None, "contacts", _) => "contact_person".into(),
        (Some(("allocation_lines", _)), _, _) | (None, "allocation_lines", _) => "allocations".into(),
        _ => return None,
    })
}

impl Mapping {
    fn read_error(self, resource: Resource, id: Option<&str>) -> impl Fn(sage_core::Error) -> Error + '_ {
        move |err| Error::from_core(err, Context::read(self.product, resource, id))
    }

    /// Every item of `operation`, normalized, dropping those `keep` refuses.
    fn stream<O: ListOperation>(
        self,
        client: &Client,
        operation: O,
        resource: Resource,
        map: impl Fn(O::Item) -> Normalized + Send + 'static,
        keep: fn(&O::Item) -> bool,
    ) -> BoxStream<'static, Result<Normalized>> {
        super::stream(self.product, client, operation, resource, map, keep)
    }

    fn feed<O: Changes>(
        self,
        client: &Client,
        operation: O,
        resource: Resource,
        checkpoint: Checkpoint,
        map: fn(O::Item) -> Normalized,
        keep: fn(&O::Item) -> bool,
    ) -> Result<Box<dyn RecordFeed>> {
        super::feed(self.product, client, operation, resource, checkpoint, map, keep)
    }

    /// The posted transaction a create's URN names, read back from its ledger.
    async fn sales_by_urn(self, client: &Client, urn: i64, resource: Resource) -> Result<SalesPostedTransaction> {
        let page = ListSalesPostedTransactions::new()
            .filter(format!("urn eq {urn}"))
            .send(client)
            .await
            .map_err(self.read_error(resource, None))?;
        page.items.into_iter().next().ok_or_else(|| Error::Decode(format!("no sales posted transaction has URN {urn}")))
    }

    async fn purchase_by_urn(self, client: &Client, urn: i64, resource: Resource) -> Result<PurchasePostedTransaction> {
        let page = ListPurchasePostedTransactions::new()
            .filter(format!("urn eq {urn}"))
            .send(client)
            .await
            .map_err(self.read_error(resource, None))?;
        let first = page.items.into_iter().next();
        first.ok_or_else(|| Error::Decode(format!("no purchase posted transaction has URN {urn}")))
    }

    /// The nominal code a ledger account id names (its code, cost centre and department).
    async fn nominal_code(self, client: &Client, key: &str) -> Result<NominalCode> {
        let resource = Resource::LedgerAccount;
        let (code, cost_centre, department) = account_parts(key);
        let page = ListNominalCodes::new()
            .filter(format!("reference eq {}", quote(code)))
            .send(client)
            .await
            .map_err(self.read_error(resource, Some(key)))?;
        let blank = |value: &Option<String>| value.as_deref().unwrap_or_default().trim().to_owned();
        page.items
            .into_iter()
            .find(|found| blank(&found.cost_centre_code) == cost_centre && blank(&found.department_code) == department)
            .ok_or_else(|| Error::NotFound { resource, id: key.to_owned() })
    }

    async fn get_sales(self, client: &Client, resource: Resource, key: &str) -> Result<Normalized> {
        let not_found = || Error::NotFound { resource, id: key.to_owned() };
        let id = key.strip_prefix("sales:").unwrap_or(key);
        let id: i64 = id.parse().map_err(|_| not_found())?;
        let tran =
            GetSalesPostedTransaction::new(id).send(client).await.map_err(self.read_error(resource, Some(key)))?;
        if !kind_is(&tran.trader_transaction_type, types_of(resource)) {
            return Err(not_found());
        }
        Ok(sales(resource, tran))
    }

    async fn get_purchase(self, client: &Client, resource: Resource, key: &str) -> Result<Normalized> {
        let not_found = || Error::NotFound { resource, id: key.to_owned() };
        let id = key.strip_prefix("purchase:").unwrap_or(key);
        let id: i64 = id.parse().map_err(|_| not_found())?;
        let tran =
            GetPurchasePostedTransaction::new(id).send(client).await.map_err(self.read_error(resource, Some(key)))?;
        if !kind_is(&tran.trader_transaction_type, types_of(resource)) {
            return Err(not_found());
        }
        Ok(purchase(resource, tran))
    }

    /// The context of a create: Sage 200 creates are not idempotent, so a lost answer is uncertain.
    fn create_context<'a>(self, resource: Resource, how_to_find: &'a str) -> Context<'a> {
        Context { product: self.product, resource, id: None, uncertain: Some(how_to_find), field: model_field }
    }

    /// Posts a document, then reads it back from its ledger by the URN the create answers.
    async fn post_document(self, client: &Client, draft: Draft) -> Result<Normalized> {
        let resource = draft.resource();
        let (party, number_text) = match &draft {
            Draft::SalesInvoice(doc) => (doc.party_id.clone(), doc.number.clone()),
            Draft::SalesCreditNote(doc) => (doc.party_id.clone(), doc.number.clone()),
            Draft::PurchaseInvoice(doc) => (doc.party_id.clone(), doc.number.clone()),
            Draft::PurchaseCreditNote(doc) => (doc.party_id.clone(), doc.number.clone()),
            _ => return Err(Error::Invalid(format!("{resource} is not a document"))),
        };
        let sales_ledger = matches!(resource, Resource::SalesInvoice | Resource::SalesCreditNote);
        let (ledger, trader) = if sales_ledger { ("sales", "customer") } else { ("purchase", "supplier") };
        let reference = number_text.map_or_else(String::new, |number| format!(" and reference eq {}", quote(&number)));
        let how_to_find = format!(
            "list {ledger}_posted_transactions with $filter={trader}_id eq {party}{reference} and compare them with what was sent"
        );
        let context = self.create_context(resource, &how_to_find);
        let fail = |err| Error::from_core(err, context);
        let urn = match draft {
            Draft::SalesInvoice(doc) => CreateSalesInvoice::new(write::sales_invoice(doc)?).send(client).await,
            Draft::SalesCreditNote(doc) => {
                CreateSalesCreditNote::new(write::sales_credit_note(doc)?).send(client).await
            }
            Draft::PurchaseInvoice(doc) => CreatePurchaseInvoice::new(write::purchase_invoice(doc)?).send(client).await,
            Draft::PurchaseCreditNote(doc) => {
                CreatePurchaseCreditNote::new(write::purchase_credit_note(doc)?).send(client).await
            }
            _ => return Err(Error::Invalid(format!("{resource} is not a document"))),
        }
        .map_err(fail)?;
        let made = |urn: &str| format!("the {resource} was posted to the {ledger} ledger as URN {urn}");
        let urn = urn_number(urn.urn, || format!("the {resource} was posted to the {ledger} ledger"))?;
        let partly = |failed: Error| Error::PartlyMade { made: made(&urn.to_string()), failed: Box::new(failed) };
        Ok(if sales_ledger {
            sales(resource, self.sales_by_urn(client, urn, resource).await.map_err(partly)?)
        } else {
            purchase(resource, self.purchase_by_urn(client, urn, resource).await.map_err(partly)?)
        })
    }

    /// Posts a receipt (or supplier payment), then each allocation as its own call.
    async fn post_payment(self, client: &Client, payment: m::NewPayment) -> Result<Normalized> {
        let resource = Resource::Payment;
        let body = write::payment(self.product, &payment)?;
        let allocations = payment
            .allocations
            .iter()
            .enumerate()
            .map(|(index, allocation)| {
                number(resource, &format!("allocations[{index}].document_id"), &allocation.document_id)
                    .map(|document| (document, allocation.amount))
            })
            .collect::<Result<Vec<_>>>()?;
        if let Some(index) = allocations.iter().position(|(_, amount)| amount.is_sign_negative() || amount.is_zero()) {
            return Err(Error::Invalid(format!("payment `allocations[{index}].amount` must be more than zero")));
        }
        let allocated: sage_core::types::Decimal = allocations.iter().map(|(_, amount)| *amount).sum();
        if allocated > payment.amount {
            let message = format!("payment allocations total {allocated}, more than its amount {}", payment.amount);
            return Err(Error::Invalid(message));
        }
        let party = payment.party_id.clone();
        let (ledger, trader) = match body {
            CashBody::Receipt(_) => ("sales", "customer"),
            CashBody::Payment(_) => ("purchase", "supplier"),
        };
        let reference = payment
            .reference
            .as_deref()
            .map_or_else(String::new, |reference| format!(" and reference eq {}", quote(reference)));
        let how_to_find = format!(
            "list {ledger}_posted_transactions with $filter={trader}_id eq {party}{reference} and trader_transaction_type eq '{RECEIPT_OR_PAYMENT}' and compare them with what was sent"
        );
        let context = self.create_context(resource, &how_to_find);
        let urn = match body {
            CashBody::Receipt(body) => CreateSalesReceipt::new(body).send(client).await,
            CashBody::Payment(body) => CreatePurchasePayment::new(body).send(client).await,
        }
        .map_err(|err| Error::from_core(err, context))?;
        let what = if ledger == "sales" { "sales receipt" } else { "purchase payment" };
        let urn = urn_number(urn.urn, || format!("the {what} of {} was posted", payment.amount))?;
        let mut made = format!("the {what} of {} was posted as URN {urn}", payment.amount);
        if ledger == "purchase" {
            let tran = self.purchase_by_urn(client, urn, resource).await;
            let tran = tran.map_err(|failed| Error::PartlyMade { made, failed: Box::new(failed) })?;
            return Ok(Normalized::Payment(read::purchase_payment(tran)));
        }
        let receipt = self.sales_by_urn(client, urn, resource).await;
        let receipt = receipt.map_err(|failed| Error::PartlyMade { made: made.clone(), failed: Box::new(failed) })?;
        let Some(receipt_id) = receipt.id.map(i64::from) else {
            let failed =
                Box::new(Error::Decode(format!("the sales posted transaction of URN {urn} came without its id")));
            return Err(Error::PartlyMade { made, failed });
        };
        made = format!("{made} (sales posted transaction {receipt_id})");
        let customer = number(resource, "party_id", &payment.party_id)?;
        for (index, (document, amount)) in allocations.iter().copied().enumerate() {
            let find = format!(
                "read sales posted transaction {document} and see whether its allocated value grew by {amount}"
            );
            let context = self.create_context(resource, &find);
            let body = write::allocation(customer, receipt_id, document, amount, payment.date);
            if let Err(err) = CreateSalesAllocation::new(body).send(client).await {
                let failed = Box::new(Error::from_core(err, context));
                let made =
                    format!("{made}; allocation {index} of {amount} to sales posted transaction {document} failed");
                return Err(Error::PartlyMade { made, failed });
            }
            made = format!("{made}; {amount} allocated to sales posted transaction {document}");
        }
        let read_back = GetSalesPostedTransaction::new(receipt_id).send(client).await;
        let tran = read_back.map_err(|err| Error::PartlyMade {
            made: made.clone(),
            failed: Box::new(Error::from_core(err, Context::read(self.product, resource, None))),
        })?;
        let mut read = read::sales_payment(tran);
        read.allocations = allocations
            .into_iter()
            .map(|(document, amount)| m::Allocation {
                document: Some(m::Ref::id(document.to_string())),
                amount: Some(amount),
                discount: None,
            })
            .collect();
        Ok(Normalized::Payment(read))
    }
}

fn customer(party: sage200::sales::Customer) -> Normalized {
    Normalized::Customer(read::customer(party))
}

fn supplier(party: sage200::purchases::Supplier) -> Normalized {
    Normalized::Supplier(read::supplier(party))
}

fn ledger_account(code: NominalCode) -> Normalized {
    Normalized::LedgerAccount(read::ledger_account(code))
}

fn tax_rate(code: sage200::financials::TaxCode) -> Normalized {
    Normalized::TaxRate(read::tax_rate(code))
}

fn bank_account(bank: sage200::cash_book::Bank) -> Normalized {
    Normalized::BankAccount(read::bank_account(bank))
}

fn is_invoice_sales(tran: &SalesPostedTransaction) -> bool {
    kind_is(&tran.trader_transaction_type, &[INVOICE])
}

fn is_credit_note_sales(tran: &SalesPostedTransaction) -> bool {
    kind_is(&tran.trader_transaction_type, &[CREDIT_NOTE])
}

fn is_invoice_purchase(tran: &PurchasePostedTransaction) -> bool {
    kind_is(&tran.trader_transaction_type, &[INVOICE])
}

fn is_credit_note_purchase(tran: &PurchasePostedTransaction) -> bool {
    kind_is(&tran.trader_transaction_type, &[CREDIT_NOTE])
}

fn is_cash_sales(tran: &SalesPostedTransaction) -> bool {
    kind_is(&tran.trader_transaction_type, &[RECEIPT_OR_PAYMENT, REFUND])
}

fn is_cash_purchase(tran: &PurchasePostedTransaction) -> bool {
    kind_is(&tran.trader_transaction_type, &[RECEIPT_OR_PAYMENT, REFUND])
}

#[async_trait]
impl Backend for Mapping {
    fn product(&self) -> ProductKind {
        self.product
    }

    fn list(&self, client: &Client, resource: Resource) -> Result<BoxStream<'static, Result<Normalized>>> {
        let this = *self;
        let sales_list = || ListSalesPostedTransactions::new().filter(of_types(types_of(resource)));
        let purchase_list = || ListPurchasePostedTransactions::new().filter(of_types(types_of(resource)));
        Ok(match resource {
            Resource::Customer => this.stream(client, ListCustomers::new(), resource, customer, all),
            Resource::Supplier => this.stream(client, ListSuppliers::new(), resource, supplier, all),
            Resource::SalesInvoice => {
                this.stream(client, sales_list(), resource, move |tran| sales(resource, tran), is_invoice_sales)
            }
            Resource::SalesCreditNote => {
                this.stream(client, sales_list(), resource, move |tran| sales(resource, tran), is_credit_note_sales)
            }
            Resource::PurchaseInvoice => this.stream(
                client,
                purchase_list(),
                resource,
                move |tran| purchase(resource, tran),
                is_invoice_purchase,
            ),
            Resource::PurchaseCreditNote => this.stream(
                client,
                purchase_list(),
                resource,
                move |tran| purchase(resource, tran),
                is_credit_note_purchase,
            ),
            Resource::Payment => {
                let receipts =
                    this.stream(client, sales_list(), resource, move |tran| sales(resource, tran), is_cash_sales);
                let payments = this.stream(
                    client,
                    purchase_list(),
                    resource,
                    move |tran| purchase(resource, tran),
                    is_cash_purchase,
                );
                receipts.chain(payments).boxed()
            }
            Resource::LedgerAccount => this.stream(client, ListNominalCodes::new(), resource, ledger_account, all),
            Resource::TaxRate => this.stream(client, ListTaxCodes::new(), resource, tax_rate, all),
            Resource::BankAccount => this.stream(client, ListBanks::new(), resource, bank_account, all),
            Resource::TrackingCategory => {
                let client = client.clone();
                stream::once(async move { this.tracking(&client).await })
                    .flat_map(|categories| match categories {
                        Ok(categories) => stream::iter(categories.into_iter().map(Ok)).boxed(),
                        Err(err) => stream::once(async move { Err(err) }).boxed(),
                    })
                    .boxed()
            }
            _ => return Err(Error::Unsupported { product: self.product, resource, field: None }),
        })
    }

    async fn get(&self, client: &Client, resource: Resource, key: &str) -> Result<Normalized> {
        let fail = self.read_error(resource, Some(key));
        let not_found = || Error::NotFound { resource, id: key.to_owned() };
        let id = || key.trim().parse::<i64>().map_err(|_| not_found());
        Ok(match resource {
            Resource::Customer => customer(GetCustomer::new(id()?).send(client).await.map_err(fail)?),
            Resource::Supplier => supplier(GetSupplier::new(id()?).send(client).await.map_err(fail)?),
            Resource::SalesInvoice | Resource::SalesCreditNote => return self.get_sales(client, resource, key).await,
            Resource::PurchaseInvoice | Resource::PurchaseCreditNote => {
                return self.get_purchase(client, resource, key).await
            }
            Resource::Payment if key.starts_with("sales:") => return self.get_sales(client, resource, key).await,
            Resource::Payment if key.starts_with("purchase:") => return self.get_purchase(client, resource, key).await,
            Resource::Payment => return Err(not_found()),
            Resource::LedgerAccount => ledger_account(self.nominal_code(client, key).await?),
            Resource::TaxRate => tax_rate(GetTaxCode::new(id()?).send(client).await.map_err(fail)?),
            Resource::BankAccount => bank_account(GetBank::new(id()?).send(client).await.map_err(fail)?),
            Resource::TrackingCategory => {
                let found = self.tracking(client).await?.into_iter().find(|record| match record {
                    Normalized::TrackingCategory(category) => category.id == key,
                    _ => false,
                });
                return found.ok_or_else(not_found);
            }
            _ => return Err(Error::Unsupported { product: self.product, resource, field: None }),
        })
    }

    async fn create(&self, client: &Client, draft: Draft) -> Result<Normalized> {
        let resource = draft.resource();
        match draft {
            Draft::Customer(new) => {
                let name = &new.name;
                let how_to_find = format!("list customers and look for the name {name:?}");
                let context = self.create_context(resource, &how_to_find);
                let body = write::new_customer(new)?;
                let made =
                    CreateCustomer::new(body).send(client).await.map_err(|err| Error::from_core(err, context))?;
                Ok(customer(made))
            }
            Draft::Supplier(new) => {
                let name = &new.name;
                let how_to_find = format!("list suppliers and look for the name {name:?}");
                let context = self.create_context(resource, &how_to_find);
                let body = write::new_supplier(new)?;
                let made =
                    CreateSupplier::new(body).send(client).await.map_err(|err| Error::from_core(err, context))?;
                Ok(supplier(made))
            }
            Draft::Payment(new) => self.post_payment(client, new).await,
            document => self.post_document(client, document).await,
        }
    }

    fn changes(&self, client: &Client, resource: Resource, checkpoint: Checkpoint) -> Result<Box<dyn RecordFeed>> {
        let this = *self;
        let at = checkpoint;
        let sales_list = || ListSalesPostedTransactions::new().filter(of_types(types_of(resource)));
        let purchase_list = || ListPurchasePostedTransactions::new().filter(of_types(types_of(resource)));
        match resource {
            Resource::Customer => this.feed(client, ListCustomers::new(), resource, at, customer, all),
            Resource::Supplier => this.feed(client, ListSuppliers::new(), resource, at, supplier, all),
            Resource::SalesInvoice => this.feed(
                client,
                sales_list(),
                resource,
                at,
                |tran| Normalized::SalesInvoice(read::sales_document(tran)),
                is_invoice_sales,
            ),
            Resource::SalesCreditNote => this.feed(
                client,
                sales_list(),
                resource,
                at,
                |tran| Normalized::SalesCreditNote(read::sales_document(tran)),
                is_credit_note_sales,
            ),
            Resource::PurchaseInvoice => this.feed(
                client,
                purchase_list(),
                resource,
                at,
                |tran| Normalized::PurchaseInvoice(read::purchase_document(tran)),
                is_invoice_purchase,
            ),
            Resource::PurchaseCreditNote => this.feed(
                client,
                purchase_list(),
                resource,
                at,
                |tran| Normalized::PurchaseCreditNote(read::purchase_document(tran)),
                is_credit_note_purchase,
            ),
            Resource::LedgerAccount => this.feed(client, ListNominalCodes::new(), resource, at, ledger_account, all),
            Resource::TaxRate => this.feed(client, ListTaxCodes::new(), resource, at, tax_rate, all),
            Resource::BankAccount => this.feed(client, ListBanks::new(), resource, at, bank_account, all),
            _ => Err(Error::Unsupported { product: self.product, resource, field: None }),
        }
    }
}

impl Mapping {
    /// Sage 200's two tracking categories, each with every value it has.
    async fn tracking(self, client: &Client) -> Result<Vec<Normalized>> {
        let resource = Resource::TrackingCategory;
        let centres: Vec<_> = ListCostCentres::new().items(client).collect().await;
        let centres =
            centres.into_iter().collect::<sage_core::Result<Vec<_>>>().map_err(self.read_error(resource, None))?;
        let departments: Vec<_> = ListDepartments::new().items(client).collect().await;
        let departments =
            departments.into_iter().collect::<sage_core::Result<Vec<_>>>().map_err(self.read_error(resource, None))?;
        Ok(vec![
            Normalized::TrackingCategory(read::cost_centres(centres)),
            Normalized::TrackingCategory(read::departments(departments)),
        ])
    }
}
