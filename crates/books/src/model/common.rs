//! Pieces every record shares: references to other records, addresses, people, totals, timestamps
//! and open enums that keep the product's own value.

use serde::Serialize;

use crate::types::{DateTime, Decimal};

/// Another record, as this one names it: its id and, when the product says, how it is displayed.
/// Kept as text so the same field holds Accounting's string ids and Sage 200's integer ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ref {
    /// The other record's id.
    pub id: String,
    /// The product's display text for it (a name, a code and name, …), when sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl Ref {
    /// A reference by id only.
    pub fn id(id: impl Into<String>) -> Self {
        Self { id: id.into(), name: None }
    }
}

/// A postal address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Address {
    /// First line.
    pub line1: Option<String>,
    /// Second line.
    pub line2: Option<String>,
    /// Town or city.
    pub city: Option<String>,
    /// County, state or region.
    pub region: Option<String>,
    /// Postcode or zip code.
    pub postal_code: Option<String>,
    /// Country code (ISO 3166 alpha-2 where the product uses it).
    pub country: Option<String>,
}

impl Address {
    /// Whether no part of the address is known.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// A person at a customer or supplier.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ContactPerson {
    /// Full name.
    pub name: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// Telephone number.
    pub telephone: Option<String>,
    /// Mobile number.
    pub mobile: Option<String>,
    /// Job title.
    pub job_title: Option<String>,
}

impl ContactPerson {
    /// Whether nothing about the person is known.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// When the product created, last changed and deleted the record (server time).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Timestamps {
    /// Created at.
    pub created_at: Option<DateTime>,
    /// Last updated at.
    pub updated_at: Option<DateTime>,
    /// Deleted at, for records a change feed reports as deleted.
    pub deleted_at: Option<DateTime>,
}

/// A document's money in one currency. Every amount is exact; `None` when the product does not
/// report it (not zero).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Net of tax.
    pub net: Option<Decimal>,
    /// Tax.
    pub tax: Option<Decimal>,
    /// Net plus tax.
    pub gross: Option<Decimal>,
    /// Still owed.
    pub outstanding: Option<Decimal>,
    /// Paid or allocated so far.
    pub paid: Option<Decimal>,
}

/// A value from a set the model knows (`kind`), with the product's own value beside it (`code`), so
/// nothing is lost when a product has more values than the model: those read as the kind's `Other`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coded<K> {
    /// What the model makes of it.
    pub kind: K,
    /// The product's value as sent (e.g. `PART_PAID`).
    pub code: String,
}

/// Where a document stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentStatus {
    /// Not yet posted (drafts, pro formas).
    Draft,
    /// Posted, nothing paid.
    Open,
    /// Posted, partly paid.
    PartPaid,
    /// Fully paid.
    Paid,
    /// Voided or cancelled.
    Void,
    /// A value the model does not name; see [`Coded::code`].
    Other,
}
