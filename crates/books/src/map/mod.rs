//! Each product's mapping onto the model, behind [`Backend`]: one module per product.

use std::sync::Arc;

use futures_util::stream::{BoxStream, StreamExt};
use sage_core::changes::{Changes, Checkpoint};
use sage_core::{Client, ListOperation};

use crate::backend::{Backend, Record, RecordFeed};
use crate::error::{Context, Error, Result};
use crate::feed::Mapped;
use crate::resource::{ProductKind, Resource};

pub(crate) mod accounting;
pub(crate) mod accounting_backend;
pub(crate) mod accounting_v3;
pub(crate) mod accounting_v31;
mod sage200;
mod sage200_read;
mod sage200_write;

#[cfg(test)]
mod bank_tests;

/// The mapping for `product`.
pub(crate) fn backend(product: ProductKind) -> Arc<dyn Backend> {
    match product {
        ProductKind::AccountingV31 => Arc::new(accounting_v31::Mapping),
        ProductKind::AccountingV3 => Arc::new(accounting_v3::Mapping),
        ProductKind::Sage200Pro | ProductKind::Sage200Standard => Arc::new(sage200::Mapping { product }),
    }
}

/// Every item of `operation`, normalized, dropping those `keep` refuses.
pub(crate) fn stream<O: ListOperation>(
    product: ProductKind,
    client: &Client,
    operation: O,
    resource: Resource,
    map: impl Fn(O::Item) -> Record + Send + 'static,
    keep: fn(&O::Item) -> bool,
) -> BoxStream<'static, Result<Record>> {
    client
        .items(&operation)
        .filter_map(move |item| {
            std::future::ready(match item {
                Ok(item) if !keep(&item) => None,
                Ok(item) => Some(Ok(map(item))),
                Err(err) => Some(Err(Error::from_core(err, Context::read(product, resource, None)))),
            })
        })
        .boxed()
}

/// The change feed of `operation`, normalized, dropping those `keep` refuses.
pub(crate) fn feed<O: Changes>(
    product: ProductKind,
    client: &Client,
    operation: O,
    resource: Resource,
    checkpoint: Checkpoint,
    map: fn(O::Item) -> Record,
    keep: fn(&O::Item) -> bool,
) -> Result<Box<dyn RecordFeed>> {
    let feed = client
        .changes(&operation, checkpoint)
        .map_err(|err| Error::from_core(err, Context::read(product, resource, None)))?;
    Ok(Box::new(Mapped { feed, product, resource, map, keep }))
}

/// The `keep` that keeps every item.
pub(crate) fn all<T>(_: &T) -> bool {
    true
}

/// Text that says something: both products send `""` as well as `null` for a detail they lack
/// (Accounting's bank details, Sage 200's blank cost centres and references).
pub(crate) fn filled(text: &Option<String>) -> Option<String> {
    text.as_deref().map(str::trim).filter(|text| !text.is_empty()).map(str::to_owned)
}
