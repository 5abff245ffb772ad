//! How one list operation reports changes: written by the generator from the schemas.

use crate::operation::ListOperation;

/// How a list is filtered to records changed since a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdatedFilter {
    /// A query parameter taking a timestamp, inclusive of it (Accounting's
    /// `updated_or_created_since`).
    Param(&'static str),
    /// An OData `$filter` on the item's updated-at field, `ge` the timestamp (Sage 200).
    OData,
}

/// A list's deletion feed (Accounting's `deleted_since`, exclusive of the timestamp).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeletedFeed {
    /// The query parameter, e.g. `deleted_since`.
    pub param: &'static str,
    /// The field of a deleted record holding when it was deleted, e.g. `deleted_at`.
    pub field: &'static str,
}

/// Everything the feed needs to know about one list operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedSpec {
    /// The operation name, e.g. `list_contacts`.
    pub operation: &'static str,
    /// How to ask for records changed since a time.
    pub filter: UpdatedFilter,
    /// The item's identifier field (`id`).
    pub id_field: &'static str,
    /// The item's updated-at field (`updated_at`, `date_time_updated`).
    pub updated_field: &'static str,
    /// The query parameter that orders the list (`sort`, `$orderby`), when it can be ordered by
    /// the updated-at field: the feed then re-queries from timestamps instead of paging.
    pub sort_param: Option<&'static str>,
    /// The deletion feed, where the product has one.
    pub deleted: Option<DeletedFeed>,
    /// The largest page the API serves (200 on Accounting, 5000 on Sage 200).
    pub max_page_size: u32,
}

/// A list operation whose changes can be followed; implemented by generated code.
pub trait Changes: ListOperation {
    /// How this operation reports changes.
    const FEED: FeedSpec;
}
