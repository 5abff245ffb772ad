//! One page of a list, in either of Sage's shapes.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use crate::operation::Request;
use crate::product::PagingStyle;

/// Page size asked for when walking a Sage 200 list whose `$top` the caller left unset
/// (Sage 200's own default).
const ODATA_PAGE_SIZE: u64 = 500;

/// Order used when walking a Sage 200 list whose `$orderby` the caller left unset: Sage 200 only
/// pages with `$skip` over an ordered result, and every Sage 200 record has an `id`.
const ODATA_DEFAULT_ORDER: &str = "id";

/// One page of a list response.
///
/// Accounting wraps lists in an envelope (`$items`, `$total`, `$page`, `$next`, `$back`, and the
/// page size as `$itemsPerPage` or `$items_per_page`); Sage 200 returns a bare array. Both decode
/// into this type; fields the bare form lacks are `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Total number of items across all pages, when known.
    pub total: Option<u64>,
    /// This page's number (from 1), when known.
    pub page: Option<u64>,
    /// Requested page size, when known.
    pub items_per_page: Option<u64>,
    /// Link to the next page; `None` on the last page.
    pub next: Option<String>,
    /// Link to the previous page.
    pub back: Option<String>,
}

impl<T> Page<T> {
    /// A page holding just `items`.
    pub fn from_items(items: Vec<T>) -> Self {
        Self { items, total: None, page: None, items_per_page: None, next: None, back: None }
    }
}

#[derive(Deserialize)]
struct Envelope<T> {
    #[serde(rename = "$items")]
    items: Vec<T>,
    #[serde(rename = "$total", default)]
    total: Option<u64>,
    #[serde(rename = "$page", default)]
    page: Option<u64>,
    #[serde(rename = "$itemsPerPage", alias = "$items_per_page", default)]
    items_per_page: Option<u64>,
    #[serde(rename = "$next", default)]
    next: Option<String>,
    #[serde(rename = "$back", default)]
    back: Option<String>,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Page<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PageVisitor<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for PageVisitor<T> {
            type Value = Page<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON array or a `$items` envelope")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Page<T>, A::Error> {
                Vec::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(Page::from_items)
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Page<T>, A::Error> {
                let envelope = Envelope::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(Page {
                    items: envelope.items,
                    total: envelope.total,
                    page: envelope.page,
                    items_per_page: envelope.items_per_page,
                    next: envelope.next,
                    back: envelope.back,
                })
            }
        }

        deserializer.deserialize_any(PageVisitor(PhantomData))
    }
}

/// Where a paged walk is, and which request fetches the next page.
pub(crate) struct Cursor {
    style: PagingStyle,
    request: Request,
    done: bool,
    fetched: u64,
    last_next: Option<String>,
}

impl Cursor {
    pub(crate) fn start(style: PagingStyle, mut request: Request) -> Self {
        match style {
            PagingStyle::Envelope if request.query_value("page").is_none() => request.set_query("page", 1),
            PagingStyle::Envelope => {}
            PagingStyle::OData => {
                if request.query_value("$top").is_none() {
                    request.set_query("$top", ODATA_PAGE_SIZE);
                }
                if request.query_value("$orderby").is_none() {
                    request.set_query("$orderby", ODATA_DEFAULT_ORDER);
                }
            }
        }
        Self { style, request, done: false, fetched: 0, last_next: None }
    }

    pub(crate) fn next_request(&self) -> Option<Request> {
        (!self.done).then(|| self.request.clone())
    }

    pub(crate) fn advance<T>(&mut self, page: &Page<T>) {
        let count = page.items.len() as u64;
        self.fetched += count;
        let reached_total = page.total.is_some_and(|total| self.fetched >= total);
        match self.style {
            PagingStyle::Envelope => {
                let repeated = page.next.is_some() && page.next == self.last_next;
                self.done = count == 0 || page.next.is_none() || repeated || reached_total;
                self.last_next = page.next.clone();
                let current = self.request.query_value("page").and_then(|page| page.parse::<u64>().ok()).unwrap_or(1);
                self.request.set_query("page", current + 1);
            }
            PagingStyle::OData => {
                let top =
                    self.request.query_value("$top").and_then(|top| top.parse::<u64>().ok()).unwrap_or(ODATA_PAGE_SIZE);
                self.done = count == 0 || count < top || reached_total;
                let skip = self.request.query_value("$skip").and_then(|skip| skip.parse::<u64>().ok()).unwrap_or(0);
                self.request.set_query("$skip", skip + count);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_accounting_envelope_with_either_page_size_key() {
        let body = r#"{"$total":3,"$page":1,"$next":"/contacts?page=2","$back":null,"$itemsPerPage":2,"$items":[1,2]}"#;
        let page: Page<u32> = serde_json::from_str(body).unwrap();
        assert_eq!(page.items, [1, 2]);
        assert_eq!((page.total, page.page, page.items_per_page), (Some(3), Some(1), Some(2)));
        assert_eq!(page.next.as_deref(), Some("/contacts?page=2"));
        let page: Page<u32> = serde_json::from_str(r#"{"$items":[],"$items_per_page":20}"#).unwrap();
        assert_eq!(page.items_per_page, Some(20));
    }

    #[test]
    fn decodes_bare_arrays() {
        let page: Page<String> = serde_json::from_str(r#"["a","b"]"#).unwrap();
        assert_eq!(page, Page::from_items(vec!["a".to_owned(), "b".to_owned()]));
    }

    #[test]
    fn rejects_other_shapes() {
        assert!(serde_json::from_str::<Page<u32>>("42").is_err());
        assert!(serde_json::from_str::<Page<u32>>(r#"{"items":[1]}"#).is_err());
    }

    fn envelope(items: usize, next: Option<&str>, total: Option<u64>) -> Page<u8> {
        Page { items: vec![0; items], next: next.map(str::to_owned), total, ..Page::from_items(vec![]) }
    }

    #[test]
    fn envelope_cursor_follows_next_and_stops_defensively() {
        let base = Request::new("list", crate::Method::Get, "/x");
        let mut cursor = Cursor::start(PagingStyle::Envelope, base.clone());
        assert_eq!(cursor.next_request().unwrap().query_value("page"), Some("1"));
        cursor.advance(&envelope(2, Some("/x?page=2"), None));
        assert_eq!(cursor.next_request().unwrap().query_value("page"), Some("2"));
        cursor.advance(&envelope(2, Some("/x?page=2"), None));
        assert!(cursor.next_request().is_none(), "a repeated $next link ends the walk");

        let mut cursor = Cursor::start(PagingStyle::Envelope, base.clone());
        cursor.advance(&envelope(3, Some("/x?page=2"), Some(3)));
        assert!(cursor.next_request().is_none(), "$total reached");

        let mut cursor = Cursor::start(PagingStyle::Envelope, base);
        cursor.advance(&envelope(0, Some("/x?page=2"), None));
        assert!(cursor.next_request().is_none(), "empty page");
    }

    #[test]
    fn odata_cursor_keeps_the_callers_order() {
        let request = Request::new("list", crate::Method::Get, "/x").query("$orderby", &Some("name desc"));
        let cursor = Cursor::start(PagingStyle::OData, request);
        assert_eq!(cursor.next_request().unwrap().query_value("$orderby"), Some("name desc"));
    }

    #[test]
    fn odata_cursor_skips_by_page_size() {
        let request = Request::new("list", crate::Method::Get, "/x").query("$top", &Some(2_u64));
        let mut cursor = Cursor::start(PagingStyle::OData, request);
        cursor.advance(&Page::from_items(vec![1_u8, 2]));
        let second = cursor.next_request().unwrap();
        assert_eq!(second.query_value("$skip"), Some("2"));
        assert_eq!(second.query_value("$orderby"), Some("id"), "$skip needs an order");
        cursor.advance(&Page::from_items(vec![3_u8]));
        assert!(cursor.next_request().is_none(), "a short page is the last");
    }
}
