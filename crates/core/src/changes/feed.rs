//! The feed itself: one pass over a list's changes since a checkpoint.

use std::collections::HashSet;
use std::marker::PhantomData;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use futures_util::stream::{self, BoxStream, StreamExt};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::spec::{Changes, FeedSpec, UpdatedFilter};
use crate::client::Client;
use crate::decode::decode;
use crate::error::{DecodeError, Error, Result};
use crate::operation::Request;
use crate::paging::Page;
use crate::product::PagingStyle;

/// How far before the checkpoint each pass re-reads by default: covers clock skew between Sage's
/// servers and writes whose timestamp was taken before they became visible.
pub const DEFAULT_OVERLAP: Duration = Duration::from_secs(5);

/// Walks whose result set kept changing are retried this often before the pass gives up advancing.
const UNSTABLE_WALK_RETRIES: u32 = 3;

/// A version already delivered: a record id and the timestamp it carried.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Seen {
    /// The record's id.
    pub id: String,
    /// Its updated-at (or deleted-at) timestamp, server time.
    pub at: DateTime<Utc>,
}

/// Where a feed resumes. Store it (see [`CheckpointStore`](super::CheckpointStore)) only after the
/// batch that carried it has been processed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Highest updated-at delivered (server time); `None`: start with a full sync.
    #[serde(default)]
    pub updated: Option<DateTime<Utc>>,
    /// Highest deleted-at delivered; `None`: every deletion Sage still reports.
    #[serde(default)]
    pub deleted: Option<DateTime<Utc>>,
    /// Versions delivered within the overlap window below `updated`, not to be delivered again.
    #[serde(default)]
    pub seen: Vec<Seen>,
    /// The same for deletions below `deleted`.
    #[serde(default)]
    pub seen_deleted: Vec<Seen>,
}

impl Checkpoint {
    /// A checkpoint for changes (and deletions) from `time` on.
    pub fn since(time: DateTime<Utc>) -> Self {
        Self { updated: Some(time), deleted: Some(time), ..Self::default() }
    }
}

/// One change to a record.
#[derive(Debug, Clone, PartialEq)]
pub enum Change<T> {
    /// Created or updated; `record` is its state when listed.
    Upserted {
        /// The record's id.
        id: String,
        /// Its updated-at timestamp.
        updated_at: DateTime<Utc>,
        /// The record.
        record: T,
    },
    /// Deleted.
    Deleted {
        /// The record's id.
        id: String,
        /// When it was deleted.
        deleted_at: DateTime<Utc>,
    },
}

impl<T> Change<T> {
    /// The id of the changed record.
    pub fn id(&self) -> &str {
        match self {
            Self::Upserted { id, .. } | Self::Deleted { id, .. } => id,
        }
    }
}

/// Changes from one page, and the checkpoint to store once they (and all earlier batches) are processed.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch<T> {
    /// The changes, oldest first where the list can be sorted.
    pub changes: Vec<Change<T>>,
    /// Where to resume after processing them.
    pub checkpoint: Checkpoint,
}

/// A change feed over one list operation. [`poll`](Self::poll) makes one pass;
/// [`follow`](Self::follow) polls forever.
pub struct ChangeFeed<T> {
    pub(super) client: Client,
    request: Request,
    spec: FeedSpec,
    pub(super) checkpoint: Checkpoint,
    overlap: Duration,
    page_size: u32,
    item: PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for ChangeFeed<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChangeFeed")
            .field("operation", &self.spec.operation)
            .field("checkpoint", &self.checkpoint)
            .field("overlap", &self.overlap)
            .field("page_size", &self.page_size)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Changes to the records `operation` lists, from `checkpoint` on. Its filters (e.g. a contact
    /// type) are kept; the feed sets the paging, ordering and change filters itself.
    pub fn changes<O: Changes + ?Sized>(&self, operation: &O, checkpoint: Checkpoint) -> Result<ChangeFeed<O::Item>> {
        Ok(ChangeFeed::new(self, operation.request()?, O::FEED, checkpoint))
    }
}

impl<T: DeserializeOwned + Send + 'static> ChangeFeed<T> {
    /// A feed over a request described as data (e.g. by the CLI, from the operations table).
    pub fn new(client: &Client, request: Request, spec: FeedSpec, checkpoint: Checkpoint) -> Self {
        Self {
            client: client.clone(),
            request,
            spec,
            checkpoint,
            overlap: DEFAULT_OVERLAP,
            page_size: spec.max_page_size,
            item: PhantomData,
        }
    }

    /// How far before the checkpoint to re-read (default [`DEFAULT_OVERLAP`]).
    #[must_use]
    pub fn overlap(mut self, overlap: Duration) -> Self {
        self.overlap = overlap;
        self
    }

    /// Items per request (default and maximum: the API's largest page).
    #[must_use]
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = size.clamp(1, self.spec.max_page_size.max(1));
        self
    }

    /// Where the next pass starts.
    pub fn checkpoint(&self) -> &Checkpoint {
        &self.checkpoint
    }

    /// Starts the next pass at `checkpoint` (e.g. the last one stored).
    pub fn set_checkpoint(&mut self, checkpoint: Checkpoint) {
        self.checkpoint = checkpoint;
    }

    /// The operation this feed follows.
    pub fn spec(&self) -> &FeedSpec {
        &self.spec
    }

    /// One pass: every change since the checkpoint, a batch per page that brought changes, then
    /// a closing batch with no changes carrying the checkpoint for the next pass.
    pub fn poll(&self) -> BoxStream<'static, Result<Batch<T>>> {
        let pass = Pass::<T>::new(self);
        stream::try_unfold(pass, |mut pass| async move { Ok(pass.next_batch().await?.map(|batch| (batch, pass))) })
            .boxed()
    }
}

/// Which half of a pass is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Upserts,
    Deletions,
    Done,
}

/// Progress through one filtered, ordered (or not) list.
#[derive(Debug, Default)]
struct Walk {
    /// The filter's lower bound; `None`: unfiltered.
    lower: Option<DateTime<Utc>>,
    page: u32,
    max_at: Option<DateTime<Utc>>,
    first_total: Option<u64>,
    counted: u64,
    stable: bool,
    retries: u32,
    /// A timestamp whose group of records was larger than a page, so it was paged by offset.
    tie: Option<DateTime<Utc>>,
    /// The ids in that group: one seen again with a newer timestamp moved while the group was
    /// paged, which may have shifted another past a page boundary.
    tie_ids: HashSet<String>,
    /// Set when that happened: walk again from the group's timestamp.
    moved: bool,
}

impl Walk {
    fn from(lower: Option<DateTime<Utc>>) -> Self {
        Self { lower, page: 1, stable: true, ..Self::default() }
    }

    fn restart(&mut self) {
        self.page = 1;
        self.first_total = None;
        self.counted = 0;
        self.stable = true;
    }
}

/// What the page just taken means for the walk.
enum Step {
    /// Fetch the next request.
    Continue,
    /// The walk reached its end.
    Finished,
}

struct Pass<T> {
    client: Client,
    request: Request,
    spec: FeedSpec,
    overlap: chrono::Duration,
    page_size: u32,
    paging: PagingStyle,
    checkpoint: Checkpoint,
    phase: Phase,
    walk: Walk,
    /// Versions delivered before this pass (from the checkpoint), for the phase running.
    previous: HashSet<Seen>,
    /// Versions delivered in this pass and still inside the window.
    current: HashSet<Seen>,
    /// Whether the closing batch (no changes, the pass's final checkpoint) was returned.
    closed: bool,
    item: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned> Pass<T> {
    fn new(feed: &ChangeFeed<T>) -> Self {
        let overlap = chrono::Duration::from_std(feed.overlap).unwrap_or(chrono::Duration::MAX);
        let checkpoint = feed.checkpoint.clone();
        let lower = checkpoint.updated.map(|at| at - overlap);
        Self {
            client: feed.client.clone(),
            request: feed.request.clone(),
            spec: feed.spec,
            overlap,
            page_size: feed.page_size,
            paging: feed.client.product().paging,
            previous: checkpoint.seen.iter().cloned().collect(),
            checkpoint,
            phase: Phase::Upserts,
            walk: Walk::from(lower),
            current: HashSet::new(),
            closed: false,
            item: PhantomData,
        }
    }

    async fn next_batch(&mut self) -> Result<Option<Batch<T>>> {
        loop {
            let deleting = match self.phase {
                Phase::Done if self.closed => return Ok(None),
                Phase::Done => {
                    self.closed = true;
                    return Ok(Some(Batch { changes: Vec::new(), checkpoint: self.snapshot() }));
                }
                Phase::Upserts => false,
                Phase::Deletions => true,
            };
            let request = self.page_request(deleting);
            let response = self.client.execute(&request).await?;
            let page: Page<Value> = decode(self.spec.operation, &response.body)?;
            let (changes, step) = self.take(page, deleting)?;
            if let Step::Finished = step {
                self.finish_walk(deleting);
            }
            if !changes.is_empty() {
                return Ok(Some(Batch { changes, checkpoint: self.snapshot() }));
            }
        }
    }

    /// The request for the walk's current page.
    fn page_request(&self, deleting: bool) -> Request {
        let mut request = self.request.clone();
        let spec = &self.spec;
        let stamp = |at: DateTime<Utc>| at.to_rfc3339_opts(SecondsFormat::AutoSi, true);
        match (deleting, spec.deleted) {
            (true, Some(deleted)) => {
                let since = self.walk.lower.unwrap_or(DateTime::UNIX_EPOCH);
                request.set_query(deleted.param, stamp(since));
                want_attribute(&mut request, deleted.field, Some(deleted.field));
            }
            _ => {
                if let Some(lower) = self.walk.lower {
                    match spec.filter {
                        UpdatedFilter::Param(param) => request.set_query(param, stamp(lower)),
                        UpdatedFilter::OData => {
                            let condition = format!("{} ge {}", spec.updated_field, stamp(lower));
                            let filter = match request.query_value("$filter") {
                                Some(existing) if existing.contains(" or ") => format!("({existing}) and {condition}"),
                                Some(existing) => format!("{existing} and {condition}"),
                                None => condition,
                            };
                            request.set_query("$filter", filter);
                        }
                    }
                }
                if let Some(sort) = spec.sort_param {
                    let order = match self.paging {
                        PagingStyle::OData => format!("{} asc,{} asc", spec.updated_field, spec.id_field),
                        PagingStyle::Envelope => format!("{}:asc", spec.updated_field),
                    };
                    request.set_query(sort, order);
                }
                want_attribute(
                    &mut request,
                    spec.updated_field,
                    (self.paging == PagingStyle::Envelope).then_some("all"),
                );
            }
        }
        let page = u64::from(self.walk.page);
        let size = u64::from(self.page_size);
        match self.paging {
            PagingStyle::Envelope => {
                request.set_query("page", page);
                request.set_query("items_per_page", size);
            }
            PagingStyle::OData => {
                request.set_query("$top", size);
                request.set_query("$skip", (page - 1) * size);
                if request.query_value("$orderby").is_none() {
                    request.set_query("$orderby", spec.id_field);
                }
            }
        }
        request
    }

    /// Turns a page into new changes and moves the walk on.
    fn take(&mut self, page: Page<Value>, deleting: bool) -> Result<(Vec<Change<T>>, Step)> {
        let field = match (deleting, self.spec.deleted) {
            (true, Some(deleted)) => deleted.field,
            _ => self.spec.updated_field,
        };
        let sorted = !deleting && self.spec.sort_param.is_some();
        let full = page.items.len() as u64 >= u64::from(self.page_size);
        let count = page.items.len() as u64;
        let mut changes = Vec::new();
        let mut last_at = None;
        for item in page.items {
            let id = id_text(&item[self.spec.id_field])
                .ok_or_else(|| self.invalid(&item, self.spec.id_field, "has no id"))?;
            let at = timestamp(&item[field]).ok_or_else(|| self.invalid(&item, field, "has no readable timestamp"))?;
            last_at = Some(at);
            self.walk.max_at = self.walk.max_at.max(Some(at));
            if sorted {
                self.track_tie(&id, at);
            }
            let seen = Seen { id, at };
            if self.previous.contains(&seen) || self.current.contains(&seen) {
                continue;
            }
            self.current.insert(seen.clone());
            changes.push(if deleting {
                Change::Deleted { id: seen.id, deleted_at: at }
            } else {
                let record = serde_json::from_value(item).map_err(|err| self.decode_error(err))?;
                Change::Upserted { id: seen.id, updated_at: at, record }
            });
        }
        if sorted {
            if !full {
                return Ok((changes, Step::Finished));
            }
            match last_at {
                // Re-query from the last timestamp rather than trusting page 2 of a changing list.
                Some(last) if self.walk.lower.is_none_or(|lower| last > lower) => {
                    self.walk.lower = Some(last);
                    self.walk.page = 1;
                    // After a group paged by offset the checkpoint waits for the pass to confirm it.
                    if self.walk.tie.is_none() {
                        self.checkpoint.updated = self.checkpoint.updated.max(Some(last));
                    }
                    self.prune(last);
                }
                // A whole page of one timestamp: page through that group.
                _ => {
                    if self.walk.page == 1 {
                        self.walk.tie = self.walk.lower;
                        self.walk.tie_ids.clear();
                    }
                    self.walk.page += 1;
                }
            }
            return Ok((changes, Step::Continue));
        }
        // Unsorted: page numbers, trusted only if the result set held still for the whole walk.
        if self.walk.page == 1 {
            self.walk.first_total = page.total;
        } else if page.total != self.walk.first_total {
            self.walk.stable = false;
        }
        self.walk.counted += count;
        if let Some(max_at) = self.walk.max_at {
            self.prune(max_at);
        }
        if full {
            self.walk.page += 1;
            return Ok((changes, Step::Continue));
        }
        Ok((changes, Step::Finished))
    }

    /// Notes ids of a group paged by offset, and any of them that moved on meanwhile.
    fn track_tie(&mut self, id: &str, at: DateTime<Utc>) {
        let Some(tie) = self.walk.tie else { return };
        if at == tie {
            self.walk.tie_ids.insert(id.to_owned());
        } else if self.walk.tie_ids.contains(id) {
            self.walk.moved = true;
        }
    }

    /// Ends a walk: advances the watermark, retries a walk that saw its list change, or moves on.
    fn finish_walk(&mut self, deleting: bool) {
        let sorted = !deleting && self.spec.sort_param.is_some();
        if sorted && self.walk.moved && self.walk.retries < UNSTABLE_WALK_RETRIES {
            tracing::debug!(operation = self.spec.operation, "a record moved while a group was paged; walking again");
            let retries = self.walk.retries + 1;
            self.walk = Walk { retries, ..Walk::from(self.walk.tie) };
            return;
        }
        let complete = self.walk.first_total.is_none_or(|total| total == self.walk.counted);
        let trusted = if sorted { !self.walk.moved } else { self.walk.stable && complete };
        if !trusted && self.walk.retries < UNSTABLE_WALK_RETRIES {
            tracing::debug!(operation = self.spec.operation, "the list changed while paging; walking it again");
            self.walk.retries += 1;
            self.walk.restart();
            return;
        }
        if !trusted {
            tracing::warn!(operation = self.spec.operation, "the list kept changing while paging; not advancing");
        }
        let advance = if trusted { self.walk.max_at } else { None };
        if deleting {
            self.checkpoint.deleted = self.checkpoint.deleted.max(advance);
            self.checkpoint.seen_deleted = self.window(self.checkpoint.deleted);
            self.phase = Phase::Done;
            return;
        }
        self.checkpoint.updated = self.checkpoint.updated.max(advance);
        self.checkpoint.seen = self.window(self.checkpoint.updated);
        match self.spec.deleted {
            Some(_) => {
                self.phase = Phase::Deletions;
                self.previous = self.checkpoint.seen_deleted.iter().cloned().collect();
                self.current.clear();
                self.walk = Walk::from(self.checkpoint.deleted.map(|at| at - self.overlap));
            }
            None => self.phase = Phase::Done,
        }
    }

    /// Forgets versions that fell out of the window below `watermark`.
    fn prune(&mut self, watermark: DateTime<Utc>) {
        let floor = watermark - self.overlap;
        self.current.retain(|seen| seen.at >= floor);
    }

    /// Delivered versions inside the window below `watermark`, sorted for a stable checkpoint.
    fn window(&self, watermark: Option<DateTime<Utc>>) -> Vec<Seen> {
        let Some(watermark) = watermark else { return Vec::new() };
        let floor = watermark - self.overlap;
        let mut seen: Vec<Seen> =
            self.previous.iter().chain(&self.current).filter(|seen| seen.at >= floor).cloned().collect();
        seen.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
        seen.dedup();
        seen
    }

    /// The checkpoint as of now: what is delivered so far is safe to skip on resume.
    fn snapshot(&self) -> Checkpoint {
        let mut checkpoint = self.checkpoint.clone();
        match self.phase {
            Phase::Upserts => checkpoint.seen = self.window(checkpoint.updated),
            Phase::Deletions => checkpoint.seen_deleted = self.window(checkpoint.deleted),
            Phase::Done => {}
        }
        checkpoint
    }

    fn invalid(&self, item: &Value, field: &str, what: &str) -> Error {
        Error::Decode(Box::new(DecodeError {
            operation: self.spec.operation,
            path: field.to_owned(),
            message: format!("a listed record {what} in `{field}`, so its changes cannot be followed"),
            body: item.to_string(),
        }))
    }

    fn decode_error(&self, err: serde_json::Error) -> Error {
        Error::Decode(Box::new(DecodeError {
            operation: self.spec.operation,
            path: String::from("."),
            message: err.to_string(),
            body: String::new(),
        }))
    }
}

/// Accounting lists show only base attributes unless asked (`attributes`), Sage 200 only the
/// selected fields (`$select`): make sure `field` is among them. Without `attributes`, an
/// Accounting list is asked for `default` (everything, for a sync).
fn want_attribute(request: &mut Request, field: &str, default: Option<&str>) {
    for option in ["attributes", "$select"] {
        if let Some(current) = request.query_value(option) {
            if !current.split(',').map(str::trim).any(|name| name == field || name == "all") {
                let wanted = format!("{current},{field}");
                request.set_query(option, wanted);
            }
            return;
        }
    }
    if let Some(default) = default {
        request.set_query("attributes", default);
    }
}

fn id_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) if !text.is_empty() => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// A timestamp as Sage writes it; one without an offset (Sage 200) is taken as UTC.
fn timestamp(value: &Value) -> Option<DateTime<Utc>> {
    value.as_str()?.parse::<crate::types::DateTime>().ok().map(|at| at.to_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_gain_the_timestamp_field_only_when_trimmed() {
        let mut request = Request::new("list", crate::Method::Get, "/x").query("attributes", &Some("name"));
        want_attribute(&mut request, "updated_at", Some("all"));
        assert_eq!(request.query_value("attributes"), Some("name,updated_at"));
        let mut all = Request::new("list", crate::Method::Get, "/x").query("attributes", &Some("all"));
        want_attribute(&mut all, "updated_at", Some("all"));
        assert_eq!(all.query_value("attributes"), Some("all"));
        let mut bare = Request::new("list", crate::Method::Get, "/x");
        want_attribute(&mut bare, "updated_at", Some("all"));
        assert_eq!(bare.query_value("attributes"), Some("all"));
        let mut odata = Request::new("list", crate::Method::Get, "/x");
        want_attribute(&mut odata, "date_time_updated", None);
        assert!(odata.query.is_empty());
    }

    #[test]
    fn timestamps_with_and_without_offset_are_read() {
        let with = timestamp(&Value::from("2024-03-01T10:00:00+01:00")).unwrap();
        assert_eq!(with.to_rfc3339(), "2024-03-01T09:00:00+00:00");
        let local = timestamp(&Value::from("2024-03-01T10:00:00.5")).unwrap();
        assert_eq!(local.to_rfc3339_opts(SecondsFormat::Millis, true), "2024-03-01T10:00:00.500Z");
        assert!(timestamp(&Value::Null).is_none());
        assert_eq!(id_text(&Value::from(7)), Some("7".into()));
    }
}
