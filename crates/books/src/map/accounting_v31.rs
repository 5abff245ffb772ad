//! Sage Business Cloud Accounting v3.1: the shared Accounting mapping, plus analysis types
//! (tracking categories and tracking on lines), the businesses list, and idempotent creates: each
//! carries an `idempotency_id` (the caller's in `extra`, or a fresh one), so Sage makes the record
//! once however often the same draft is sent.

use sage_accounting_v31::businesses::{Business, GetBusiness, ListBusinesses};
use sage_accounting_v31::common::{AnalysisType, AnalysisTypeLineItem};
use sage_accounting_v31::ledger::{GetAnalysisType, ListAnalysisTypes};

super::accounting_backend::accounting_backend!(
    sage_accounting_v31, AccountingV31Record, AccountingV31, AccountingV31, idempotent_creates: true
);

/// Lines that carry analysis type categories.
trait Tracked {
    fn tracking(&self) -> Vec<m::Tracking>;
}

fn tracking(categories: &Option<Vec<AnalysisTypeLineItem>>) -> Vec<m::Tracking> {
    let value = |item: &AnalysisTypeLineItem| {
        let category = item.analysis_type.as_ref().and_then(|kind| {
            Some(m::Ref { id: kind.id.as_ref()?.to_string(), name: kind.name.clone().or(kind.displayed_as.clone()) })
        });
        Some(m::Tracking { category, value: m::Ref { id: item.id.clone()?, name: item.displayed_as.clone() } })
    };
    categories.iter().flatten().filter_map(value).collect()
}

macro_rules! tracked {
    ($($line:ty),*) => {$(
        impl Tracked for $line {
            fn tracking(&self) -> Vec<m::Tracking> {
                tracking(&self.analysis_type_categories)
            }
        }
    )*};
}

tracked!(
    sage_accounting_v31::sales::SalesInvoiceLineItem,
    sage_accounting_v31::sales::SalesCreditNoteLineItem,
    sage_accounting_v31::purchases::PurchaseInvoiceLineItem,
    sage_accounting_v31::purchases::PurchaseCreditNoteLineItem,
    sage_accounting_v31::ledger::JournalLine
);

/// New lines that take analysis type category ids.
trait TakesTracking {
    fn set_tracking(&mut self, ids: Vec<String>);
}

macro_rules! takes_tracking {
    ($($line:ty),*) => {$(
        impl TakesTracking for $line {
            fn set_tracking(&mut self, ids: Vec<String>) {
                self.analysis_type_categories = (!ids.is_empty()).then_some(ids);
            }
        }
    )*};
}

takes_tracking!(NewSalesInvoiceLine, NewSalesCreditNoteLine, NewPurchaseInvoiceLine, NewPurchaseCreditNoteLine);

fn contact_active(contact: &Contact) -> Option<bool> {
    contact.is_active
}

fn bank_currency(account: &BankAccount) -> Option<m::Ref> {
    named(&account.currency)
}

pub(crate) fn tracking_category(kind: AnalysisType) -> m::TrackingCategory {
    m::TrackingCategory {
        id: id(&kind.id),
        name: kind.name.clone(),
        kind: m::Coded { kind: m::TrackingKind::AnalysisType, code: "analysis_type".into() },
        values: kind
            .analysis_type_categories
            .iter()
            .flatten()
            .filter_map(|category| {
                Some(m::TrackingValue {
                    id: category.id.as_ref()?.to_string(),
                    code: category.code.clone(),
                    name: category.name.clone(),
                })
            })
            .collect(),
        timestamps: timestamps(kind.created_at, kind.updated_at, None),
        raw: raw(Record::AnalysisType(Box::new(kind))),
    }
}

pub(crate) fn company(business: Business) -> m::Company {
    let address = m::Address {
        line1: business.address_line_1.clone(),
        line2: business.address_line_2.clone(),
        city: business.city.clone(),
        region: business.region.clone(),
        postal_code: business.postal_code.clone(),
        country: business.country.as_ref().and_then(|country| country.id.clone()),
    };
    m::Company {
        id: id(&business.id),
        name: business.name.clone(),
        base_currency: None,
        address: (!address.is_empty()).then_some(address),
        timestamps: timestamps(business.created_at, business.updated_at, None),
        raw: raw(Record::Business(Box::new(business))),
    }
}

/// Resources only v3.1 has.
mod more {
    use super::*;

    fn business(business: Business) -> Normalized {
        Normalized::Company(company(business))
    }

    fn category(kind: AnalysisType) -> Normalized {
        Normalized::TrackingCategory(tracking_category(kind))
    }

    pub(super) fn list(client: &Client, resource: Resource) -> Result<BoxStream<'static, Result<Normalized>>> {
        match resource {
            Resource::TrackingCategory => {
                Ok(stream(client, ListAnalysisTypes::new().attributes("all"), resource, category, all))
            }
            Resource::Company => Ok(stream(client, ListBusinesses::new(), resource, business, all)),
            other => Err(unsupported(other)),
        }
    }

    pub(super) async fn get(client: &Client, resource: Resource, key: &str) -> Result<Normalized> {
        match resource {
            Resource::TrackingCategory => {
                Ok(category(GetAnalysisType::new(key).send(client).await.map_err(read_error(resource, Some(key)))?))
            }
            Resource::Company => {
                Ok(business(GetBusiness::new(key).send(client).await.map_err(read_error(resource, Some(key)))?))
            }
            other => Err(unsupported(other)),
        }
    }

    pub(super) fn changes(client: &Client, resource: Resource, at: Checkpoint) -> Result<Box<dyn RecordFeed>> {
        match resource {
            Resource::TrackingCategory => {
                feed(client, ListAnalysisTypes::new().attributes("all"), resource, at, category, all)
            }
            other => Err(unsupported(other)),
        }
    }

    fn unsupported(resource: Resource) -> Error {
        Error::Unsupported { product: PRODUCT, resource, field: None }
    }
}
