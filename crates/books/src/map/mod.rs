//! Each product's mapping onto the model, behind [`Backend`]: one module per product.

use std::sync::Arc;

use crate::backend::Backend;
use crate::resource::ProductKind;

pub(crate) mod accounting;
pub(crate) mod accounting_backend;
pub(crate) mod accounting_v3;
pub(crate) mod accounting_v31;
mod sage200;
mod sage200_read;
mod sage200_write;

#[cfg(test)]
mod bank_tests;

/// The mapping for `product`, if the model has one yet.
pub(crate) fn backend(product: ProductKind) -> Option<Arc<dyn Backend>> {
    match product {
        ProductKind::AccountingV31 => Some(Arc::new(accounting_v31::Mapping)),
        ProductKind::AccountingV3 => Some(Arc::new(accounting_v3::Mapping)),
        ProductKind::Sage200Pro | ProductKind::Sage200Standard => Some(Arc::new(sage200::Mapping { product })),
    }
}
