//! The products this build of the CLI knows, with their operation tables.

use sage_core::catalog::OperationSpec;
use sage_core::Product;

/// One product the CLI can talk to.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    /// Runtime facts (base URL, identity server, headers, paging).
    pub product: Product,
    /// Every operation, sorted by name.
    pub operations: &'static [OperationSpec],
}

/// Every product compiled in.
pub fn all() -> Vec<Entry> {
    vec![
        Entry { product: sage_accounting_v31::PRODUCT, operations: sage_accounting_v31::operations::OPERATIONS },
        Entry { product: sage_accounting_v3::PRODUCT, operations: sage_accounting_v3::operations::OPERATIONS },
        Entry { product: sage200_pro::PRODUCT, operations: sage200_pro::operations::OPERATIONS },
        Entry { product: sage200_standard::PRODUCT, operations: sage200_standard::operations::OPERATIONS },
    ]
}

/// The product called `name`, or an error listing the known ones.
pub fn find(name: &str) -> Result<Entry, String> {
    all().into_iter().find(|entry| entry.product.name == name).ok_or_else(|| {
        let known: Vec<_> = all().iter().map(|entry| entry.product.name).collect();
        format!("unknown product `{name}`; known: {}", known.join(", "))
    })
}
