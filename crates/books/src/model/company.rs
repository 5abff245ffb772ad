//! The business (Accounting) or company (Sage 200) whose books these are.

use serde::Serialize;

use super::common::{Address, Ref, Timestamps};
use crate::raw::Raw;

/// The business whose books a client reads.
#[derive(Debug, Clone, Serialize)]
pub struct Company {
    /// The product's id.
    pub id: String,
    /// Name.
    pub name: Option<String>,
    /// Base currency.
    pub base_currency: Option<Ref>,
    /// Registered or main address.
    pub address: Option<Address>,
    /// Created, updated, deleted.
    #[serde(flatten)]
    pub timestamps: Timestamps,
    #[serde(skip)]
    pub(crate) raw: Raw,
}

impl_raw!(Company);
