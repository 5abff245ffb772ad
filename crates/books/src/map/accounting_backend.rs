//! The Accounting mapping, written once over a typed crate (`$krate`): reads into the model,
//! drafts into create bodies, and the [`Backend`](crate::backend::Backend) that sends them. The
//! invoking module supplies what differs between versions: `Tracked` and `TakesTracking` for
//! lines, `contact_active`, `bank_currency`, and `more` for resources only it has.

macro_rules! accounting_backend {
    ($krate:ident, $record:ident, $raw:ident, $product:ident, idempotent_creates: $idempotent:expr) => {
        use std::marker::PhantomData;

        use async_trait::async_trait;
        use futures_util::stream::{BoxStream, StreamExt};
        use sage_core::changes::{Changes, Checkpoint};
        use sage_core::{Client, ListOperation};
        use $krate::common::{
            Address, BankAccount, Base, Contact, ContactPayment, ContactPerson, Generic, LedgerAccount, Product, Service,
            TaxRate,
        };
        use $krate::banking::{GetBankAccount, ListBankAccounts};
        use $krate::contacts::{CreateContact, GetContact, ListContacts, NewContact, NewContactMainAddress,
            NewContactMainContactPerson};
        use $krate::ledger::{GetJournal, GetLedgerAccount, Journal, ListJournals, ListLedgerAccounts};
        use $krate::payments::{CreateContactPayment, GetContactPayment, ListContactPayments, NewContactPayment,
            NewContactPaymentAllocatedArtefact};
        use $krate::products::{GetProduct, GetService, ListProducts, ListServices};
        use $krate::purchases::{
            CreatePurchaseCreditNote, CreatePurchaseInvoice, GetPurchaseCreditNote, GetPurchaseInvoice,
            ListPurchaseCreditNotes, ListPurchaseInvoices, NewPurchaseCreditNoteLine, NewPurchaseInvoiceLine,
            PurchaseCreditNote, PurchaseInvoice,
        };
        use $krate::sales::{
            CreateSalesCreditNote, CreateSalesInvoice, GetSalesCreditNote, GetSalesInvoice, ListSalesCreditNotes,
            ListSalesInvoices, NewSalesCreditNoteLine, NewSalesInvoiceLine, SalesCreditNote, SalesInvoice,
        };
        use $krate::taxes::{GetTaxRate, ListTaxRates};

        use $crate::backend::{Backend, Draft, Record as Normalized, RecordFeed};
        use $crate::error::{Context, Error, Result};
        use $crate::map::{all, filled};
        use $crate::map::accounting::{
            coded, how_to_find, idempotent_create, merged, model_field, payment_kind, read_document, read_item_line, status,
            transaction_type, write_item_line, CUSTOMER, SUPPLIER,
        };
        use $crate::model::{self as m, Party, PartyRole};
        use $crate::raw::{$record as Record, Raw};
        use $crate::resource::{ProductKind, Resource};

        const PRODUCT: ProductKind = ProductKind::$product;

        fn raw(record: Record) -> Raw {
            Raw::$raw(record)
        }

        fn id<T: ToString>(id: &Option<T>) -> String {
            id.as_ref().map(ToString::to_string).unwrap_or_default()
        }

        /// A record that names another: its id and display text.
        trait Named {
            fn named(&self) -> Option<m::Ref>;
        }

        fn named<T: Named>(value: &Option<T>) -> Option<m::Ref> {
            value.as_ref().and_then(Named::named)
        }

        $crate::map::accounting_backend::accounting_backend!(@named Base, Generic, Contact, LedgerAccount, Product, Service);

        fn address(address: &Address) -> m::Address {
            m::Address {
                line1: address.address_line_1.clone(),
                line2: address.address_line_2.clone(),
                city: address.city.clone(),
                region: address.region.clone(),
                postal_code: address.postal_code.clone(),
                country: address.country.as_ref().and_then(|country| country.id.clone()),
            }
        }

        fn person(person: &ContactPerson) -> m::ContactPerson {
            m::ContactPerson {
                name: person.name.clone(),
                email: person.email.clone(),
                telephone: person.telephone.clone(),
                mobile: person.mobile.clone(),
                job_title: person.job_title.clone(),
            }
        }

        fn timestamps(
            created_at: Option<sage_core::types::DateTime>,
            updated_at: Option<sage_core::types::DateTime>,
            deleted_at: Option<sage_core::types::DateTime>,
        ) -> m::Timestamps {
            m::Timestamps { created_at, updated_at, deleted_at }
        }

        /// Whether a contact has the contact type `type_id`; one whose types were not sent is kept.
        fn has_type(contact: &Contact, type_id: &str) -> bool {
            contact.contact_types.as_ref().is_none_or(|types| types.iter().any(|kind| kind.id.as_deref() == Some(type_id)))
        }

        pub(crate) fn party<R: PartyRole>(contact: Contact) -> Party<R> {
            Party {
                id: id(&contact.id),
                reference: contact.reference.clone(),
                name: contact.name.clone(),
                email: contact.email.clone(),
                tax_number: contact.tax_number.clone(),
                currency: named(&contact.currency),
                balance: contact.balance,
                credit_limit: contact.credit_limit,
                credit_days: contact.credit_days,
                active: contact_active(&contact),
                address: contact.main_address.as_ref().map(address),
                delivery_address: contact.delivery_address.as_ref().map(address),
                contact_person: contact.main_contact_person.as_ref().map(person),
                notes: contact.notes.clone(),
                timestamps: timestamps(contact.created_at, contact.updated_at, contact.deleted_at),
                raw: raw(Record::Contact(Box::new(contact))),
                role: PhantomData,
            }
        }

        pub(crate) fn sales_invoice(doc: SalesInvoice) -> m::SalesInvoice {
            read_document!(doc, SalesInvoice, lines: invoice_lines,
                number: |doc: &SalesInvoice| doc.invoice_number.clone(), due_date: |doc: &SalesInvoice| doc.due_date,
                discount: |line: &$krate::sales::SalesInvoiceLineItem| line.discount_amount)
        }

        pub(crate) fn sales_credit_note(doc: SalesCreditNote) -> m::SalesCreditNote {
            read_document!(doc, SalesCreditNote, lines: credit_note_lines,
                number: |doc: &SalesCreditNote| doc.credit_note_number.clone(), due_date: |_: &SalesCreditNote| None,
                discount: |line: &$krate::sales::SalesCreditNoteLineItem| line.discount_amount)
        }

        pub(crate) fn purchase_invoice(doc: PurchaseInvoice) -> m::PurchaseInvoice {
            read_document!(doc, PurchaseInvoice, lines: invoice_lines,
                number: |doc: &PurchaseInvoice| doc.vendor_reference.clone(), due_date: |doc: &PurchaseInvoice| doc.due_date,
                discount: |_| None)
        }

        pub(crate) fn purchase_credit_note(doc: PurchaseCreditNote) -> m::PurchaseCreditNote {
            read_document!(doc, PurchaseCreditNote, lines: credit_note_lines,
                number: |doc: &PurchaseCreditNote| doc.vendor_reference.clone(), due_date: |_: &PurchaseCreditNote| None,
                discount: |_| None)
        }

        pub(crate) fn payment(payment: ContactPayment) -> m::Payment {
            let kind = payment.transaction_type.as_ref().and_then(|kind| kind.id.as_deref());
            m::Payment {
                id: id(&payment.id),
                kind: coded(kind, payment_kind),
                party: named(&payment.contact),
                bank_account: named(&payment.bank_account),
                date: payment.date,
                reference: payment.reference.clone(),
                payment_method: named(&payment.payment_method),
                currency: named(&payment.currency),
                exchange_rate: payment.exchange_rate,
                amount: payment.total_amount,
                base_amount: payment.base_currency_total_amount,
                allocations: payment
                    .allocated_artefacts
                    .iter()
                    .flatten()
                    .map(|allocated| m::Allocation {
                        document: named(&allocated.artefact),
                        amount: allocated.amount,
                        discount: allocated.discount,
                    })
                    .collect(),
                timestamps: timestamps(payment.created_at, payment.updated_at, payment.deleted_at),
                raw: raw(Record::ContactPayment(Box::new(payment))),
            }
        }

        pub(crate) fn ledger_account(account: LedgerAccount) -> m::LedgerAccount {
            m::LedgerAccount {
                id: id(&account.id),
                code: account.nominal_code.map(|code| code.to_string()),
                name: account.name.clone(),
                account_type: named(&account.ledger_account_type),
                tax_rate: named(&account.tax_rate),
                visibility: m::Visibility {
                    sales: account.visible_in_sales,
                    purchases: account.visible_in_expenses,
                    banking: account.visible_in_banking,
                    journals: account.visible_in_journals,
                    other_payments: account.visible_in_other_payments,
                    other_receipts: account.visible_in_other_receipts,
                    reporting: account.visible_in_reporting,
                },
                tracking: Vec::new(),
                timestamps: timestamps(account.created_at, account.updated_at, None),
                raw: raw(Record::LedgerAccount(Box::new(account))),
            }
        }

        pub(crate) fn tax_rate(rate: TaxRate) -> m::TaxRate {
            m::TaxRate {
                id: id(&rate.id),
                code: None,
                name: rate.name.clone(),
                percentage: rate.percentage,
                active: rate.is_visible,
                timestamps: timestamps(rate.created_at, rate.updated_at, None),
                raw: raw(Record::TaxRate(Box::new(rate))),
            }
        }

        /// A bank account: its details block gives the name and numbers (blank ones read as unset).
        pub(crate) fn bank_account(account: BankAccount) -> m::BankAccount {
            let details = account.bank_account_details.clone().unwrap_or_default();
            m::BankAccount {
                id: id(&account.id),
                code: account.nominal_code.map(|code| code.to_string()),
                name: filled(&details.account_name).or_else(|| filled(&account.displayed_as)),
                account_number: filled(&details.account_number),
                sort_code: filled(&details.sort_code),
                iban: filled(&details.iban),
                bic: filled(&details.bic),
                currency: bank_currency(&account),
                balance: account.balance,
                account_type: account.bank_account_type.as_ref().and_then(|kind| {
                    let code = kind.id.clone()?;
                    Some(m::Coded { kind: m::BankAccountKind::from_code(&code), code })
                }),
                ledger_account: named(&account.ledger_account),
                active: account.is_active,
                timestamps: timestamps(account.created_at, account.updated_at, account.deleted_at),
                raw: raw(Record::BankAccount(Box::new(account))),
            }
        }

        pub(crate) fn product(item: Product) -> m::Item {
            m::Item {
                id: id(&item.id),
                kind: m::ItemKind::Product,
                code: item.item_code.clone(),
                description: item.description.clone(),
                purchase_description: item.purchase_description.clone(),
                sales_price: item.sales_prices.iter().flatten().find_map(|price| price.price),
                cost_price: item.cost_price,
                sales_account: named(&item.sales_ledger_account),
                purchase_account: named(&item.purchase_ledger_account),
                sales_tax_rate: named(&item.sales_tax_rate),
                purchase_tax_rate: named(&item.purchase_tax_rate),
                active: item.active,
                timestamps: timestamps(item.created_at, item.updated_at, item.deleted_at),
                raw: raw(Record::Product(Box::new(item))),
            }
        }

        pub(crate) fn service(item: Service) -> m::Item {
            m::Item {
                id: id(&item.id),
                kind: m::ItemKind::Service,
                code: item.item_code.clone(),
                description: item.description.clone(),
                purchase_description: item.purchase_description.clone(),
                sales_price: item.sales_rates.iter().flatten().find_map(|rate| rate.rate),
                cost_price: item.cost_price,
                sales_account: named(&item.sales_ledger_account),
                purchase_account: named(&item.purchase_ledger_account),
                sales_tax_rate: named(&item.sales_tax_rate),
                purchase_tax_rate: named(&item.purchase_tax_rate),
                active: item.active,
                timestamps: timestamps(item.created_at, item.updated_at, item.deleted_at),
                raw: raw(Record::Service(Box::new(item))),
            }
        }

        pub(crate) fn journal(journal: Journal) -> m::JournalEntry {
            m::JournalEntry {
                id: id(&journal.id),
                reference: journal.reference.clone(),
                description: journal.description.clone(),
                date: journal.date,
                total: journal.total,
                lines: journal
                    .journal_lines
                    .iter()
                    .flatten()
                    .map(|line| m::JournalLine {
                        id: line.id.clone(),
                        account: named(&line.ledger_account),
                        debit: line.debit,
                        credit: line.credit,
                        details: line.details.clone(),
                        tracking: Tracked::tracking(line),
                    })
                    .collect(),
                timestamps: timestamps(journal.created_at, journal.updated_at, journal.deleted_at),
                raw: raw(Record::Journal(Box::new(journal))),
            }
        }

        pub(crate) fn new_contact<R: PartyRole>(party: m::NewParty<R>, type_id: &str) -> Result<NewContact> {
            let contact = NewContact {
                reference: party.reference,
                tax_number: party.tax_number,
                currency_id: party.currency_id.map(Into::into),
                credit_limit: party.credit_limit,
                credit_days: party.credit_days,
                notes: party.notes,
                main_address: party.address.map(|address| NewContactMainAddress {
                    address_line_1: address.line1,
                    address_line_2: address.line2,
                    city: address.city,
                    region: address.region,
                    postal_code: address.postal_code,
                    country_id: address.country.map(Into::into),
                    ..NewContactMainAddress::default()
                }),
                main_contact_person: match (party.contact_person, party.email) {
                    (Some(person), email) => Some(NewContactMainContactPerson {
                        name: person.name,
                        email: person.email.or(email),
                        telephone: person.telephone,
                        mobile: person.mobile,
                        job_title: person.job_title,
                        is_main_contact: Some(true),
                        ..NewContactMainContactPerson::default()
                    }),
                    (None, Some(email)) => Some(NewContactMainContactPerson {
                        email: Some(email),
                        is_main_contact: Some(true),
                        ..NewContactMainContactPerson::default()
                    }),
                    (None, None) => None,
                },
                ..NewContact::new(party.name, [type_id])
            };
            merged(contact, party.extra)
        }

        pub(crate) fn new_sales_invoice(doc: m::NewSalesInvoice) -> Result<$krate::sales::NewSalesInvoice> {
            let lines = doc.item_lines.into_iter().map(|line| write_item_line!(sales NewSalesInvoiceLine, line));
            let new = $krate::sales::NewSalesInvoice {
                due_date: doc.due_date,
                invoice_number: doc.number,
                reference: doc.reference,
                currency_id: doc.currency_id.map(Into::into),
                exchange_rate: doc.exchange_rate,
                notes: doc.notes,
                ..$krate::sales::NewSalesInvoice::new(doc.party_id, doc.date, lines.collect::<Result<Vec<_>>>()?)
            };
            merged(new, doc.extra)
        }

        pub(crate) fn new_sales_credit_note(doc: m::NewSalesCreditNote) -> Result<$krate::sales::NewSalesCreditNote> {
            let lines = doc.item_lines.into_iter().map(|line| write_item_line!(sales NewSalesCreditNoteLine, line));
            let new = $krate::sales::NewSalesCreditNote {
                credit_note_number: doc.number,
                reference: doc.reference,
                currency_id: doc.currency_id.map(Into::into),
                exchange_rate: doc.exchange_rate,
                notes: doc.notes,
                ..$krate::sales::NewSalesCreditNote::new(doc.party_id, doc.date, lines.collect::<Result<Vec<_>>>()?)
            };
            merged(new, doc.extra)
        }

        pub(crate) fn new_purchase_invoice(doc: m::NewPurchaseInvoice) -> Result<$krate::purchases::NewPurchaseInvoice> {
            let due_date = doc.due_date.ok_or(Error::Missing { resource: Resource::PurchaseInvoice, field: "due_date".into() })?;
            let lines = doc.item_lines.into_iter().map(|line| write_item_line!(purchase NewPurchaseInvoiceLine, line));
            let lines = lines.collect::<Result<Vec<_>>>()?;
            let new = $krate::purchases::NewPurchaseInvoice {
                vendor_reference: doc.number,
                reference: doc.reference,
                currency_id: doc.currency_id.map(Into::into),
                exchange_rate: doc.exchange_rate,
                notes: doc.notes,
                ..$krate::purchases::NewPurchaseInvoice::new(doc.party_id, doc.date, due_date, lines)
            };
            merged(new, doc.extra)
        }

        pub(crate) fn new_purchase_credit_note(
            doc: m::NewPurchaseCreditNote,
        ) -> Result<$krate::purchases::NewPurchaseCreditNote> {
            let lines = doc.item_lines.into_iter().map(|line| write_item_line!(purchase NewPurchaseCreditNoteLine, line));
            let lines = lines.collect::<Result<Vec<_>>>()?;
            let new = $krate::purchases::NewPurchaseCreditNote {
                vendor_reference: doc.number,
                reference: doc.reference,
                currency_id: doc.currency_id.map(Into::into),
                exchange_rate: doc.exchange_rate,
                notes: doc.notes,
                ..$krate::purchases::NewPurchaseCreditNote::new(doc.party_id, doc.date, lines)
            };
            merged(new, doc.extra)
        }

        pub(crate) fn new_payment(payment: m::NewPayment) -> Result<NewContactPayment> {
            let kind = transaction_type(payment.kind).ok_or(Error::Unsupported {
                product: PRODUCT,
                resource: Resource::Payment,
                field: Some("kind".into()),
            })?;
            let bank_account = payment.bank_account_id.ok_or(Error::Missing {
                resource: Resource::Payment,
                field: "bank_account_id".into(),
            })?;
            let allocations = payment.allocations.into_iter().map(|allocation| NewContactPaymentAllocatedArtefact {
                artefact_id: Some(allocation.document_id),
                amount: Some(allocation.amount),
                discount: allocation.discount,
                ..NewContactPaymentAllocatedArtefact::default()
            });
            let allocations: Vec<_> = allocations.collect();
            let new = NewContactPayment {
                allocated_artefacts: (!allocations.is_empty()).then_some(allocations),
                reference: payment.reference,
                payment_method_id: payment.payment_method_id.map(Into::into),
                currency_id: payment.currency_id.map(Into::into),
                exchange_rate: payment.exchange_rate,
                ..NewContactPayment::new(bank_account, payment.party_id, kind, payment.date, payment.amount)
            };
            merged(new, payment.extra)
        }

        fn read_error(resource: Resource, id: Option<&str>) -> impl Fn(sage_core::Error) -> Error + '_ {
            move |err| Error::from_core(err, Context::read(PRODUCT, resource, id))
        }

        fn stream<O: ListOperation>(
            client: &Client,
            operation: O,
            resource: Resource,
            map: fn(O::Item) -> Normalized,
            keep: fn(&O::Item) -> bool,
        ) -> BoxStream<'static, Result<Normalized>> {
            $crate::map::stream(PRODUCT, client, operation, resource, map, keep)
        }

        fn feed<O: Changes>(
            client: &Client,
            operation: O,
            resource: Resource,
            checkpoint: Checkpoint,
            map: fn(O::Item) -> Normalized,
            keep: fn(&O::Item) -> bool,
        ) -> Result<Box<dyn RecordFeed>> {
            $crate::map::feed(PRODUCT, client, operation, resource, checkpoint, map, keep)
        }

        fn customer(contact: Contact) -> Normalized {
            Normalized::Customer(party(contact))
        }

        fn supplier(contact: Contact) -> Normalized {
            Normalized::Supplier(party(contact))
        }

        fn is_customer(contact: &Contact) -> bool {
            has_type(contact, CUSTOMER)
        }

        fn is_supplier(contact: &Contact) -> bool {
            has_type(contact, SUPPLIER)
        }

        /// The mapping of this Accounting version.
        #[derive(Debug, Clone, Copy)]
        pub(crate) struct Mapping;

        #[async_trait]
        impl Backend for Mapping {
            fn product(&self) -> ProductKind {
                PRODUCT
            }

            fn list(&self, client: &Client, resource: Resource) -> Result<BoxStream<'static, Result<Normalized>>> {
                use Normalized as N;
                let contacts = || ListContacts::new().attributes("all");
                Ok(match resource {
                    Resource::Customer => stream(client, contacts().contact_type_id(CUSTOMER), resource, customer, is_customer),
                    Resource::Supplier => stream(client, contacts().contact_type_id(SUPPLIER), resource, supplier, is_supplier),
                    Resource::SalesInvoice => stream(client, ListSalesInvoices::new().attributes("all"), resource,
                        |doc| N::SalesInvoice(sales_invoice(doc)), all),
                    Resource::SalesCreditNote => stream(client, ListSalesCreditNotes::new().attributes("all"), resource,
                        |doc| N::SalesCreditNote(sales_credit_note(doc)), all),
                    Resource::PurchaseInvoice => stream(client, ListPurchaseInvoices::new().attributes("all"), resource,
                        |doc| N::PurchaseInvoice(purchase_invoice(doc)), all),
                    Resource::PurchaseCreditNote => stream(client, ListPurchaseCreditNotes::new().attributes("all"),
                        resource, |doc| N::PurchaseCreditNote(purchase_credit_note(doc)), all),
                    Resource::Payment => stream(client, ListContactPayments::new().attributes("all"), resource,
                        |item| N::Payment(payment(item)), all),
                    Resource::LedgerAccount => stream(client, ListLedgerAccounts::new().attributes("all"), resource,
                        |item| N::LedgerAccount(ledger_account(item)), all),
                    Resource::TaxRate => stream(client, ListTaxRates::new().attributes("all"), resource,
                        |item| N::TaxRate(tax_rate(item)), all),
                    Resource::BankAccount => stream(client, ListBankAccounts::new().attributes("all"), resource,
                        |item| N::BankAccount(bank_account(item)), all),
                    Resource::Item => {
                        let products = stream(client, ListProducts::new().attributes("all"), resource,
                            |item| N::Item(product(item)), all);
                        let services = stream(client, ListServices::new().attributes("all"), resource,
                            |item| N::Item(service(item)), all);
                        products.chain(services).boxed()
                    }
                    Resource::JournalEntry => stream(client, ListJournals::new().attributes("all"), resource,
                        |item| N::JournalEntry(journal(item)), all),
                    other => return more::list(client, other),
                })
            }

            async fn get(&self, client: &Client, resource: Resource, key: &str) -> Result<Normalized> {
                use Normalized as N;
                let fail = read_error(resource, Some(key));
                Ok(match resource {
                    Resource::Customer => N::Customer(party(GetContact::new(key).send(client).await.map_err(fail)?)),
                    Resource::Supplier => N::Supplier(party(GetContact::new(key).send(client).await.map_err(fail)?)),
                    Resource::SalesInvoice => {
                        N::SalesInvoice(sales_invoice(GetSalesInvoice::new(key).send(client).await.map_err(fail)?))
                    }
                    Resource::SalesCreditNote => N::SalesCreditNote(sales_credit_note(
                        GetSalesCreditNote::new(key).send(client).await.map_err(fail)?,
                    )),
                    Resource::PurchaseInvoice => N::PurchaseInvoice(purchase_invoice(
                        GetPurchaseInvoice::new(key).send(client).await.map_err(fail)?,
                    )),
                    Resource::PurchaseCreditNote => N::PurchaseCreditNote(purchase_credit_note(
                        GetPurchaseCreditNote::new(key).send(client).await.map_err(fail)?,
                    )),
                    Resource::Payment => N::Payment(payment(GetContactPayment::new(key).send(client).await.map_err(fail)?)),
                    Resource::LedgerAccount => {
                        N::LedgerAccount(ledger_account(GetLedgerAccount::new(key).send(client).await.map_err(fail)?))
                    }
                    Resource::TaxRate => N::TaxRate(tax_rate(GetTaxRate::new(key).send(client).await.map_err(fail)?)),
                    Resource::BankAccount => {
                        N::BankAccount(bank_account(GetBankAccount::new(key).send(client).await.map_err(fail)?))
                    }
                    Resource::Item => match GetProduct::new(key).send(client).await {
                        Ok(item) => N::Item(product(item)),
                        Err(err) if err.status() == Some(404) => {
                            N::Item(service(GetService::new(key).send(client).await.map_err(fail)?))
                        }
                        Err(err) => return Err(fail(err)),
                    },
                    Resource::JournalEntry => N::JournalEntry(journal(GetJournal::new(key).send(client).await.map_err(fail)?)),
                    other => return more::get(client, other, key).await,
                })
            }

            async fn create(&self, client: &Client, mut draft: Draft) -> Result<Normalized> {
                use Normalized as N;
                let resource = draft.resource();
                let find = if $idempotent { idempotent_create(&mut draft) } else { Some(how_to_find(&draft)) };
                let context = Context { product: PRODUCT, resource, id: None, uncertain: find.as_deref(), field: model_field };
                let fail = |err| Error::from_core(err, context);
                Ok(match draft {
                    Draft::Customer(new) => {
                        let body = new_contact(new, CUSTOMER)?;
                        N::Customer(party(CreateContact::new(body).send(client).await.map_err(fail)?))
                    }
                    Draft::Supplier(new) => {
                        let body = new_contact(new, SUPPLIER)?;
                        N::Supplier(party(CreateContact::new(body).send(client).await.map_err(fail)?))
                    }
                    Draft::SalesInvoice(new) => {
                        let body = new_sales_invoice(new)?;
                        N::SalesInvoice(sales_invoice(CreateSalesInvoice::new(body).send(client).await.map_err(fail)?))
                    }
                    Draft::SalesCreditNote(new) => {
                        let body = new_sales_credit_note(new)?;
                        N::SalesCreditNote(sales_credit_note(
                            CreateSalesCreditNote::new(body).send(client).await.map_err(fail)?,
                        ))
                    }
                    Draft::PurchaseInvoice(new) => {
                        let body = new_purchase_invoice(new)?;
                        N::PurchaseInvoice(purchase_invoice(
                            CreatePurchaseInvoice::new(body).send(client).await.map_err(fail)?,
                        ))
                    }
                    Draft::PurchaseCreditNote(new) => {
                        let body = new_purchase_credit_note(new)?;
                        N::PurchaseCreditNote(purchase_credit_note(
                            CreatePurchaseCreditNote::new(body).send(client).await.map_err(fail)?,
                        ))
                    }
                    Draft::Payment(new) => {
                        let body = new_payment(new)?;
                        N::Payment(payment(CreateContactPayment::new(body).send(client).await.map_err(fail)?))
                    }
                })
            }

            fn changes(&self, client: &Client, resource: Resource, checkpoint: Checkpoint) -> Result<Box<dyn RecordFeed>> {
                use Normalized as N;
                let contacts = || ListContacts::new().attributes("all");
                let at = checkpoint;
                match resource {
                    Resource::Customer => feed(client, contacts().contact_type_id(CUSTOMER), resource, at, customer, is_customer),
                    Resource::Supplier => feed(client, contacts().contact_type_id(SUPPLIER), resource, at, supplier, is_supplier),
                    Resource::SalesInvoice => feed(client, ListSalesInvoices::new().attributes("all"), resource, at,
                        |doc| N::SalesInvoice(sales_invoice(doc)), all),
                    Resource::SalesCreditNote => feed(client, ListSalesCreditNotes::new().attributes("all"), resource, at,
                        |doc| N::SalesCreditNote(sales_credit_note(doc)), all),
                    Resource::PurchaseInvoice => feed(client, ListPurchaseInvoices::new().attributes("all"), resource, at,
                        |doc| N::PurchaseInvoice(purchase_invoice(doc)), all),
                    Resource::PurchaseCreditNote => feed(client, ListPurchaseCreditNotes::new().attributes("all"), resource,
                        at, |doc| N::PurchaseCreditNote(purchase_credit_note(doc)), all),
                    Resource::Payment => feed(client, ListContactPayments::new().attributes("all"), resource, at,
                        |item| N::Payment(payment(item)), all),
                    Resource::LedgerAccount => feed(client, ListLedgerAccounts::new().attributes("all"), resource, at,
                        |item| N::LedgerAccount(ledger_account(item)), all),
                    Resource::TaxRate => feed(client, ListTaxRates::new().attributes("all"), resource, at,
                        |item| N::TaxRate(tax_rate(item)), all),
                    Resource::BankAccount => feed(client, ListBankAccounts::new().attributes("all"), resource, at,
                        |item| N::BankAccount(bank_account(item)), all),
                    Resource::JournalEntry => feed(client, ListJournals::new().attributes("all"), resource, at,
                        |item| N::JournalEntry(journal(item)), all),
                    other => more::changes(client, other, at),
                }
            }
        }
    };
    (@named $($ty:ident),*) => {$(
        impl Named for $ty {
            fn named(&self) -> Option<m::Ref> {
                Some(m::Ref { id: self.id.as_ref()?.to_string(), name: self.displayed_as.clone() })
            }
        }
    )*};
}

pub(crate) use accounting_backend;
