//! [`Books`]: the model over one client's product.

use std::sync::Arc;

use futures_util::stream::{BoxStream, StreamExt};
use sage_core::changes::Checkpoint;
use sage_core::Client;

use crate::backend::Backend;
use crate::capability::{self, Support};
use crate::check::check_create;
use crate::error::{Error, Result};
use crate::feed::Feed;
use crate::records::{BooksDraft, BooksRecord};
use crate::resource::{Operation, ProductKind, Resource};

/// The finance model over one [`Client`]: the same calls whichever product the client is for.
///
/// Each call is checked against [`capability`] first: what the product cannot do fails with
/// [`Error::Unsupported`] before anything is sent, and a create missing a field the product
/// requires fails with [`Error::Missing`].
#[derive(Clone)]
pub struct Books {
    client: Client,
    backend: Arc<dyn Backend>,
}

impl std::fmt::Debug for Books {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Books").field("product", &self.backend.product()).finish_non_exhaustive()
    }
}

impl Books {
    /// The model over `client`, for the product the client was built for.
    pub fn new(client: Client) -> Result<Self> {
        let name = client.product().name;
        let product = ProductKind::from_name(name)
            .ok_or_else(|| Error::Invalid(format!("the finance model does not map the product `{name}`")))?;
        Ok(Self { client, backend: crate::map::backend(product) })
    }

    /// The product the model reads and writes.
    pub fn product(&self) -> ProductKind {
        self.backend.product()
    }

    /// The client calls go through.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Whether this product does `operation` on `resource` (and takes or gives `field`) through
    /// the model.
    pub fn supports(&self, resource: Resource, operation: Operation, field: Option<&str>) -> Support {
        capability::support(self.product(), resource, operation, field)
    }

    fn require(&self, resource: Resource, operation: Operation) -> Result<()> {
        match self.supports(resource, operation, None) {
            Support::Supported => Ok(()),
            _ => Err(Error::Unsupported { product: self.product(), resource, field: None }),
        }
    }

    /// Every `R`, read page by page as the product pages (memory holds one page).
    pub fn list<R: BooksRecord>(&self) -> BoxStream<'static, Result<R>> {
        let records =
            self.require(R::RESOURCE, Operation::List).and_then(|()| self.backend.list(&self.client, R::RESOURCE));
        match records {
            Ok(records) => records.map(|record| record.and_then(typed::<R>)).boxed(),
            Err(err) => futures_util::stream::once(async move { Err(err) }).boxed(),
        }
    }

    /// The `R` with this id.
    pub async fn get<R: BooksRecord>(&self, id: &str) -> Result<R> {
        self.require(R::RESOURCE, Operation::Get)?;
        typed(self.backend.get(&self.client, R::RESOURCE, id).await?)
    }

    /// Creates the record `draft` describes and returns it as the product answered. Checked
    /// first: a field the product cannot take, or a required one left unset, fails unsent.
    pub async fn create<D: BooksDraft>(&self, draft: D) -> Result<D::Output> {
        let resource = D::Output::RESOURCE;
        check_create(self.product(), resource, &draft)?;
        typed(self.backend.create(&self.client, draft.into_draft()).await?)
    }

    /// Changes to every `R` from `checkpoint` on (`Checkpoint::default()`: everything, then what
    /// changes).
    pub fn changes<R: BooksRecord>(&self, checkpoint: Checkpoint) -> Result<Feed<R>> {
        self.require(R::RESOURCE, Operation::Changes)?;
        Ok(Feed::new(self.backend.changes(&self.client, R::RESOURCE, checkpoint)?))
    }
}

fn typed<R: BooksRecord>(record: crate::backend::Record) -> Result<R> {
    R::from_record(record)
        .ok_or_else(|| Error::Decode(format!("the product answered another resource than {}", R::RESOURCE)))
}
