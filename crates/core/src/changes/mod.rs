//! Incremental sync: every change to a list since a [`Checkpoint`], as a stream of [`Batch`]es.
//!
//! Sage has no webhooks. Accounting filters lists with `updated_or_created_since` (inclusive) and
//! reports deletions with `deleted_since` (exclusive); Sage 200 filters with OData on
//! `date_time_updated` and has no deletion feed. The generator finds every list operation that
//! supports this and implements [`Changes`] for it, with a [`FeedSpec`] saying how.
//!
//! The feed never trusts page offsets across a result set that is changing: where the list can be
//! sorted by its updated-at field it re-queries from the last timestamp seen instead of asking for
//! page 2, and only pages within a group of equal timestamps. It re-reads an overlap window
//! before the checkpoint (clock skew, writes committed late) and drops the versions it already
//! delivered there, by id and timestamp, so memory stays bounded by a page plus that window.
//! Timestamps all come from the server, never from this machine's clock.
//!
//! Checkpoints move only when the caller stores the one a batch carries, after processing it: a
//! crash re-delivers (at least once), never skips.

mod feed;
mod follow;
mod spec;
mod store;

pub use feed::{Batch, Change, ChangeFeed, Checkpoint, Seen, DEFAULT_OVERLAP};
pub use follow::Shutdown;
pub use spec::{Changes, DeletedFeed, FeedSpec, UpdatedFilter};
pub use store::{CheckpointError, CheckpointStore, FileCheckpointStore, Lease};
