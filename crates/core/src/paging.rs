//! One page of a list, in either of Sage's shapes.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

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
}
