//! The products this build of the CLI knows, with their operation tables.

use sage_core::catalog::{OperationSpec, Reading};
use sage_core::changes::FeedSpec;
use sage_core::Product;

use crate::suggest::did_you_mean;

/// One product the CLI can talk to.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    /// Runtime facts (base URL, identity server, headers, paging).
    pub product: Product,
    /// The crate that holds its typed operations (API areas are its cargo features).
    pub crate_name: &'static str,
    /// Every operation, sorted by name.
    pub operations: &'static [OperationSpec],
    /// The list operations whose changes can be followed (`sage changes`).
    pub feeds: &'static [FeedSpec],
    /// A read operation's response through its typed output (`sage doctor`).
    pub read: fn(&str, &[u8]) -> Option<Reading>,
}

/// Every product compiled in.
pub fn all() -> Vec<Entry> {
    vec![
        Entry {
            product: sage_accounting_v31::PRODUCT,
            crate_name: "sage-accounting-v31",
            operations: sage_accounting_v31::operations::OPERATIONS,
            feeds: sage_accounting_v31::changes::FEEDS,
            read: sage_accounting_v31::operations::read,
        },
        Entry {
            product: sage_accounting_v3::PRODUCT,
            crate_name: "sage-accounting-v3",
            operations: sage_accounting_v3::operations::OPERATIONS,
            feeds: sage_accounting_v3::changes::FEEDS,
            read: sage_accounting_v3::operations::read,
        },
        Entry {
            product: sage200_pro::PRODUCT,
            crate_name: "sage200-pro",
            operations: sage200_pro::operations::OPERATIONS,
            feeds: sage200_pro::changes::FEEDS,
            read: sage200_pro::operations::read,
        },
        Entry {
            product: sage200_standard::PRODUCT,
            crate_name: "sage200-standard",
            operations: sage200_standard::operations::OPERATIONS,
            feeds: sage200_standard::changes::FEEDS,
            read: sage200_standard::operations::read,
        },
    ]
}

/// The product called `name`, or an error listing the known ones.
pub fn find(name: &str) -> Result<Entry, String> {
    all().into_iter().find(|entry| entry.product.name == name).ok_or_else(|| {
        let known: Vec<_> = all().iter().map(|entry| entry.product.name).collect();
        format!("unknown product `{name}`{}; known: {}", did_you_mean(name, known.iter().copied()), known.join(", "))
    })
}
