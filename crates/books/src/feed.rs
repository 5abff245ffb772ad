//! The change feed over a model resource: the product's feed ([`sage_core::changes`]) with each
//! record normalized as it arrives, so memory stays what the product feed holds.

use std::future::Future;
use std::marker::PhantomData;
use std::time::Duration;

use futures_util::stream::{BoxStream, StreamExt};
use sage_core::changes::{Batch, Change, ChangeFeed, Checkpoint, Shutdown};
use serde::de::DeserializeOwned;

use crate::backend::{Record, RecordFeed};
use crate::error::{Context, Error, Result};
use crate::records::BooksRecord;
use crate::resource::{ProductKind, Resource};

/// Changes to one model resource. Store the checkpoint a batch carries only after processing it.
pub struct Feed<R> {
    inner: Box<dyn RecordFeed>,
    record: PhantomData<fn() -> R>,
}

impl<R> std::fmt::Debug for Feed<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Feed").field("checkpoint", self.inner.checkpoint()).finish_non_exhaustive()
    }
}

impl<R: BooksRecord> Feed<R> {
    pub(crate) fn new(inner: Box<dyn RecordFeed>) -> Self {
        Self { inner, record: PhantomData }
    }

    /// One pass: every change since the checkpoint, a batch per product page, then a closing
    /// batch with no changes carrying the checkpoint for the next pass.
    pub fn poll(&self) -> BoxStream<'static, Result<Batch<R>>> {
        self.inner.poll().map(|batch| batch.and_then(typed)).boxed()
    }

    /// Polls forever, about `interval` apart, until `shutdown` completes (see
    /// [`ChangeFeed::follow`]).
    pub fn follow(
        self,
        interval: Duration,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> BoxStream<'static, Result<Batch<R>>> {
        self.inner.follow(interval, Box::pin(shutdown)).map(|batch| batch.and_then(typed)).boxed()
    }

    /// Where the next pass starts.
    pub fn checkpoint(&self) -> &Checkpoint {
        self.inner.checkpoint()
    }

    /// Starts the next pass at `checkpoint` (e.g. the last one stored).
    pub fn set_checkpoint(&mut self, checkpoint: Checkpoint) {
        self.inner.set_checkpoint(checkpoint);
    }
}

/// A batch of normalized records as the resource's own type.
fn typed<R: BooksRecord>(batch: Batch<Record>) -> Result<Batch<R>> {
    let changes = batch
        .changes
        .into_iter()
        .map(|change| match change {
            Change::Upserted { id, updated_at, record } => R::from_record(record)
                .map(|record| Change::Upserted { id, updated_at, record })
                .ok_or_else(|| Error::Decode(format!("the {} feed gave another resource", R::RESOURCE))),
            Change::Deleted { id, deleted_at } => Ok(Change::Deleted { id, deleted_at }),
        })
        .collect::<Result<_>>()?;
    Ok(Batch { changes, checkpoint: batch.checkpoint })
}

/// A product feed whose items `map` normalizes; `keep` drops items of the list that are not of
/// the resource (a supplier in the customers' contacts).
pub(crate) struct Mapped<T> {
    pub feed: ChangeFeed<T>,
    pub product: ProductKind,
    pub resource: Resource,
    pub map: fn(T) -> Record,
    pub keep: fn(&T) -> bool,
}

impl<T: DeserializeOwned + Send + 'static> Mapped<T> {
    fn normalize(
        product: ProductKind,
        resource: Resource,
        map: fn(T) -> Record,
        keep: fn(&T) -> bool,
    ) -> impl Fn(sage_core::Result<Batch<T>>) -> Result<Batch<Record>> {
        move |batch| {
            let batch = batch.map_err(|err| Error::from_core(err, Context::read(product, resource, None)))?;
            let changes = batch
                .changes
                .into_iter()
                .filter_map(|change| match change {
                    Change::Upserted { id, updated_at, record } => {
                        keep(&record).then(|| Change::Upserted { id, updated_at, record: map(record) })
                    }
                    Change::Deleted { id, deleted_at } => Some(Change::Deleted { id, deleted_at }),
                })
                .collect();
            Ok(Batch { changes, checkpoint: batch.checkpoint })
        }
    }
}

impl<T: DeserializeOwned + Send + 'static> RecordFeed for Mapped<T> {
    fn poll(&self) -> BoxStream<'static, Result<Batch<Record>>> {
        self.feed.poll().map(Self::normalize(self.product, self.resource, self.map, self.keep)).boxed()
    }

    fn follow(self: Box<Self>, interval: Duration, shutdown: Shutdown) -> BoxStream<'static, Result<Batch<Record>>> {
        let normalize = Self::normalize(self.product, self.resource, self.map, self.keep);
        self.feed.follow(interval, shutdown).map(normalize).boxed()
    }

    fn checkpoint(&self) -> &Checkpoint {
        self.feed.checkpoint()
    }

    fn set_checkpoint(&mut self, checkpoint: Checkpoint) {
        self.feed.set_checkpoint(checkpoint);
    }
}
