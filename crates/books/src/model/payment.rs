//! Money received from customers and paid to suppliers, and what it settled.

use serde::Serialize;

use super::common::{Coded, Ref, Timestamps};
use super::Extra;
use crate::raw::Raw;
use crate::types::{Date, Decimal};

/// Which way a payment goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentKind {
    /// Money in from a customer.
    CustomerReceipt,
    /// Money out to a supplier.
    SupplierPayment,
    /// Money back out to a customer.
    CustomerRefund,
    /// Money back in from a supplier.
    SupplierRefund,
    /// A value the model does not name; see [`Coded::code`].
    Other,
}

/// Part of a payment set against one document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Allocation {
    /// The invoice or credit note.
    pub document: Option<Ref>,
    /// Amount allocated, in the payment's currency.
    pub amount: Option<Decimal>,
    /// Settlement discount given.
    pub discount: Option<Decimal>,
}

/// A customer receipt or supplier payment as read from the product.
#[derive(Debug, Clone, Serialize)]
pub struct Payment {
    /// The product's id.
    pub id: String,
    /// Direction, with the product's value.
    pub kind: Option<Coded<PaymentKind>>,
    /// The customer or supplier.
    pub party: Option<Ref>,
    /// The bank account the money moved through.
    pub bank_account: Option<Ref>,
    /// Payment date.
    pub date: Option<Date>,
    /// Reference.
    pub reference: Option<String>,
    /// Method (cash, cheque, bank transfer, …).
    pub payment_method: Option<Ref>,
    /// Currency.
    pub currency: Option<Ref>,
    /// Exchange rate, as the product states it.
    pub exchange_rate: Option<Decimal>,
    /// Amount in the payment's currency.
    pub amount: Option<Decimal>,
    /// Amount in the base currency.
    pub base_amount: Option<Decimal>,
    /// What it settled.
    pub allocations: Vec<Allocation>,
    /// Created, updated, deleted.
    #[serde(flatten)]
    pub timestamps: Timestamps,
    #[serde(skip)]
    pub(crate) raw: Raw,
}

impl Payment {
    /// The product's own record, typed, for what the model leaves out.
    pub fn raw(&self) -> &Raw {
        &self.raw
    }
}

/// Part of a new payment to set against one document.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAllocation {
    /// The invoice or credit note id.
    pub document_id: String,
    /// Amount to allocate.
    pub amount: Decimal,
    /// Settlement discount.
    pub discount: Option<Decimal>,
}

impl NewAllocation {
    /// `amount` set against `document_id`.
    pub fn new(document_id: impl Into<String>, amount: Decimal) -> Self {
        Self { document_id: document_id.into(), amount, discount: None }
    }
}

/// A receipt or payment to create, with what it settles.
#[derive(Debug, Clone)]
pub struct NewPayment {
    /// Direction.
    pub kind: PaymentKind,
    /// Customer or supplier id.
    pub party_id: String,
    /// Bank account id; Accounting requires one.
    pub bank_account_id: Option<String>,
    /// Payment date.
    pub date: Date,
    /// Amount, in the payment's currency.
    pub amount: Decimal,
    /// Reference.
    pub reference: Option<String>,
    /// Payment method id.
    pub payment_method_id: Option<String>,
    /// Currency id.
    pub currency_id: Option<String>,
    /// Exchange rate for a foreign-currency payment.
    pub exchange_rate: Option<Decimal>,
    /// Documents it settles.
    pub allocations: Vec<NewAllocation>,
    /// Product-specific fields, merged into the create body as they are.
    pub extra: Extra,
}

impl NewPayment {
    /// A payment of `amount` of `kind` for `party_id` on `date`, allocated to nothing yet.
    pub fn new(kind: PaymentKind, party_id: impl Into<String>, date: Date, amount: Decimal) -> Self {
        Self {
            kind,
            party_id: party_id.into(),
            bank_account_id: None,
            date,
            amount,
            reference: None,
            payment_method_id: None,
            currency_id: None,
            exchange_rate: None,
            allocations: Vec::new(),
            extra: Extra::new(),
        }
    }

    /// Sets `amount` of the payment against `document_id`.
    #[must_use]
    pub fn allocate(mut self, document_id: impl Into<String>, amount: Decimal) -> Self {
        self.allocations.push(NewAllocation::new(document_id, amount));
        self
    }
}
