//! The product's own record behind each normalized one, typed, so that nothing a product sends is
//! out of reach: match on [`Raw`] and then on the product's record enum.

/// One product's read records, boxed (they are large and a record holds one of them).
macro_rules! accounting_records {
    ($(#[$doc:meta])* $name:ident, $krate:ident { $($(#[$more_doc:meta])* $more:ident($more_ty:ty),)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum $name {
            /// A customer or supplier.
            Contact(Box<$krate::common::Contact>),
            /// A sales invoice.
            SalesInvoice(Box<$krate::sales::SalesInvoice>),
            /// A sales credit note.
            SalesCreditNote(Box<$krate::sales::SalesCreditNote>),
            /// A purchase invoice.
            PurchaseInvoice(Box<$krate::purchases::PurchaseInvoice>),
            /// A purchase credit note.
            PurchaseCreditNote(Box<$krate::purchases::PurchaseCreditNote>),
            /// A customer receipt or supplier payment.
            ContactPayment(Box<$krate::common::ContactPayment>),
            /// A ledger account.
            LedgerAccount(Box<$krate::common::LedgerAccount>),
            /// A tax rate.
            TaxRate(Box<$krate::common::TaxRate>),
            /// A bank account.
            BankAccount(Box<$krate::common::BankAccount>),
            /// A product (goods).
            Product(Box<$krate::common::Product>),
            /// A service.
            Service(Box<$krate::common::Service>),
            /// A journal.
            Journal(Box<$krate::ledger::Journal>),
            $($(#[$more_doc])* $more(Box<$more_ty>),)*
        }
    };
}

accounting_records! {
    /// A record of Sage Business Cloud Accounting v3.1 as its typed crate reads it.
    AccountingV31Record, sage_accounting_v31 {
        /// An analysis type with its categories.
        AnalysisType(sage_accounting_v31::common::AnalysisType),
        /// A business the user can reach.
        Business(sage_accounting_v31::businesses::Business),
    }
}

accounting_records! {
    /// A record of Sage Business Cloud Accounting v3 as its typed crate reads it.
    AccountingV3Record, sage_accounting_v3 {}
}

/// A record of Sage 200 (Professional or Standard Online: the editions share their models) as the
/// `sage200` crate reads it. Invoices, credit notes, receipts and payments are posted transactions.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Sage200Record {
    /// A customer.
    Customer(Box<sage200::sales::Customer>),
    /// A supplier.
    Supplier(Box<sage200::purchases::Supplier>),
    /// A sales ledger transaction: an invoice, credit note, receipt or refund.
    SalesPostedTransaction(Box<sage200::sales::SalesPostedTransaction>),
    /// A purchase ledger transaction: an invoice, credit note, payment or refund.
    PurchasePostedTransaction(Box<sage200::purchases::PurchasePostedTransaction>),
    /// A nominal code (an account number with its cost centre and department).
    NominalCode(Box<sage200::nominal::NominalCode>),
    /// A tax code.
    TaxCode(Box<sage200::financials::TaxCode>),
    /// A bank account.
    Bank(Box<sage200::cash_book::Bank>),
    /// Every cost centre (a tracking category's values).
    CostCentres(Vec<sage200::nominal::CostCentre>),
    /// Every department (a tracking category's values).
    Departments(Vec<sage200::nominal::Department>),
}

/// The product record a normalized record was mapped from.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Raw {
    /// From Accounting v3.1.
    AccountingV31(AccountingV31Record),
    /// From Accounting v3.
    AccountingV3(AccountingV3Record),
    /// From Sage 200 Professional or Standard Online.
    Sage200(Sage200Record),
}
