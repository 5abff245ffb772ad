//! Customers and suppliers: one shape, told apart by a marker type so a supplier id cannot be
//! passed where a customer is meant.

use std::marker::PhantomData;

use serde::Serialize;

use super::common::{Address, ContactPerson, Ref, Timestamps};
use super::Extra;
use crate::raw::Raw;
use crate::resource::Resource;
use crate::types::Decimal;

/// Which side of the business a party is on.
pub trait PartyRole: Send + Sync + 'static {
    /// The model resource for parties of this role.
    const RESOURCE: Resource;
}

/// Marker: someone the business sells to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomerRole;

/// Marker: someone the business buys from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SupplierRole;

impl PartyRole for CustomerRole {
    const RESOURCE: Resource = Resource::Customer;
}

impl PartyRole for SupplierRole {
    const RESOURCE: Resource = Resource::Supplier;
}

/// A customer or supplier as read from the product.
#[derive(Debug, Clone, Serialize)]
#[serde(bound = "")]
pub struct Party<R> {
    /// The product's id.
    pub id: String,
    /// The user-facing account reference (Accounting's `reference`, Sage 200's account number).
    pub reference: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// Tax (VAT) registration number.
    pub tax_number: Option<String>,
    /// The currency the party trades in.
    pub currency: Option<Ref>,
    /// What the party owes (customer) or is owed (supplier), in its currency.
    pub balance: Option<Decimal>,
    /// Credit limit.
    pub credit_limit: Option<Decimal>,
    /// Payment terms in days.
    pub credit_days: Option<i64>,
    /// Whether the party is active; `None` when the product does not say.
    pub active: Option<bool>,
    /// Main (invoice) address.
    pub address: Option<Address>,
    /// Delivery address, when separate.
    pub delivery_address: Option<Address>,
    /// Main contact person.
    pub contact_person: Option<ContactPerson>,
    /// Free notes.
    pub notes: Option<String>,
    /// Created, updated, deleted.
    #[serde(flatten)]
    pub timestamps: Timestamps,
    #[serde(skip)]
    pub(crate) raw: Raw,
    #[serde(skip)]
    pub(crate) role: PhantomData<R>,
}

impl<R> Party<R> {
    /// The product's own record, typed, for what the model leaves out.
    pub fn raw(&self) -> &Raw {
        &self.raw
    }
}

/// Someone the business sells to.
pub type Customer = Party<CustomerRole>;
/// Someone the business buys from.
pub type Supplier = Party<SupplierRole>;

/// A customer or supplier to create.
#[derive(Debug, Clone)]
pub struct NewParty<R> {
    /// Name (required everywhere).
    pub name: String,
    /// Account reference; some products make one up when unset.
    pub reference: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// Tax (VAT) registration number.
    pub tax_number: Option<String>,
    /// Currency id (Accounting: the ISO code).
    pub currency_id: Option<String>,
    /// Credit limit.
    pub credit_limit: Option<Decimal>,
    /// Payment terms in days.
    pub credit_days: Option<i64>,
    /// Main address.
    pub address: Option<Address>,
    /// Main contact person.
    pub contact_person: Option<ContactPerson>,
    /// Free notes.
    pub notes: Option<String>,
    /// Product-specific fields merged into the create body as they are (e.g. Accounting's
    /// `"locale"`), for what the model does not name. A key the model also sets is overridden.
    pub extra: Extra,
    /// Which role; public only so that struct update syntax (`..NewCustomer::new(name)`) works.
    #[doc(hidden)]
    pub role: PhantomData<R>,
}

impl<R> NewParty<R> {
    /// A party with only its name; set other fields with struct update syntax or directly.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            reference: None,
            email: None,
            tax_number: None,
            currency_id: None,
            credit_limit: None,
            credit_days: None,
            address: None,
            contact_person: None,
            notes: None,
            extra: Extra::new(),
            role: PhantomData,
        }
    }
}

/// A customer to create.
pub type NewCustomer = NewParty<CustomerRole>;
/// A supplier to create.
pub type NewSupplier = NewParty<SupplierRole>;
