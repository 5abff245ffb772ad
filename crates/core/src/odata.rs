//! Sage 200's OData query options. Every Sage 200 list operation takes the same seven, so they are
//! one type here instead of seven fields and setters on each of some three hundred operations.

use crate::operation::Request;

pub mod typed;

/// The OData options of a Sage 200 list: which records (`$filter`), in what order (`$orderby`),
/// which fields (`$select`, `$expand`) and which slice (`$top`, `$skip`, `$count`).
///
/// List operations have a setter for each option (`ListCustomers::new().filter("…").top(10)`),
/// and `odata(query)` sets them all from one value, e.g. a query reused across calls.
/// Sage serves at most 5000 records per call and reads `$skip` only together with `$orderby`;
/// [`crate::Client::items`] pages through longer lists itself.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ODataQuery {
    /// Whether to include the total count of matching items.
    pub count: Option<bool>,
    /// Comma-separated related records to include inline.
    pub expand: Option<String>,
    /// OData filter expression, e.g. `balance gt 100` (dates in UTC with `Z`, enum values quoted).
    pub filter: Option<String>,
    /// Comma-separated fields to sort by, each optionally followed by `asc` or `desc`.
    pub orderby: Option<String>,
    /// Comma-separated fields to return.
    pub select: Option<String>,
    /// Number of items to skip.
    pub skip: Option<i64>,
    /// Maximum number of items to return (the API defaults to 500, and serves at most 5000).
    pub top: Option<i64>,
}

impl ODataQuery {
    /// No option set: the API's defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets [`count`](Self::count).
    pub fn count(mut self, count: bool) -> Self {
        self.count = Some(count);
        self
    }

    /// Sets [`expand`](Self::expand).
    pub fn expand(mut self, expand: impl Into<String>) -> Self {
        self.expand = Some(expand.into());
        self
    }

    /// Sets [`filter`](Self::filter).
    pub fn filter(mut self, filter: impl Into<String>) -> Self {
        self.filter = Some(filter.into());
        self
    }

    /// Sets [`orderby`](Self::orderby).
    pub fn orderby(mut self, orderby: impl Into<String>) -> Self {
        self.orderby = Some(orderby.into());
        self
    }

    /// Sets [`select`](Self::select).
    pub fn select(mut self, select: impl Into<String>) -> Self {
        self.select = Some(select.into());
        self
    }

    /// Sets [`skip`](Self::skip).
    pub fn skip(mut self, skip: i64) -> Self {
        self.skip = Some(skip);
        self
    }

    /// Sets [`top`](Self::top).
    pub fn top(mut self, top: i64) -> Self {
        self.top = Some(top);
        self
    }
}

impl Request {
    /// Adds the options that are set, as `$count`, `$expand`, … query parameters.
    pub fn odata(self, query: &ODataQuery) -> Self {
        self.query("$count", &query.count)
            .query("$expand", &query.expand)
            .query("$filter", &query.filter)
            .query("$orderby", &query.orderby)
            .query("$select", &query.select)
            .query("$skip", &query.skip)
            .query("$top", &query.top)
    }
}

/// The OData setters of a generated list operation whose options live in a field `odata`; each
/// forwards to [`ODataQuery`]'s. Used by the generated Sage 200 crates.
#[doc(hidden)]
#[macro_export]
macro_rules! odata_setters {
    ($(#[$attribute:meta])* $operation:ident) => {
        $(#[$attribute])*
        impl $operation {
            /// Whether to include the total count of matching items (`$count`).
            #[inline]
            pub fn count(mut self, count: bool) -> Self {
                self.odata = self.odata.count(count);
                self
            }

            /// Comma-separated related records to include inline (`$expand`).
            #[inline]
            pub fn expand(mut self, expand: impl Into<String>) -> Self {
                self.odata = self.odata.expand(expand);
                self
            }

            /// OData filter expression, e.g. `balance gt 100` (dates in UTC with `Z`, enum values
            /// quoted) (`$filter`).
            #[inline]
            pub fn filter(mut self, filter: impl Into<String>) -> Self {
                self.odata = self.odata.filter(filter);
                self
            }

            /// Comma-separated fields to sort by, each optionally followed by `asc` or `desc`
            /// (`$orderby`).
            #[inline]
            pub fn orderby(mut self, orderby: impl Into<String>) -> Self {
                self.odata = self.odata.orderby(orderby);
                self
            }

            /// Comma-separated fields to return (`$select`).
            #[inline]
            pub fn select(mut self, select: impl Into<String>) -> Self {
                self.odata = self.odata.select(select);
                self
            }

            /// Number of items to skip (`$skip`; Sage reads it only with `$orderby`).
            #[inline]
            pub fn skip(mut self, skip: i64) -> Self {
                self.odata = self.odata.skip(skip);
                self
            }

            /// Maximum number of items to return (`$top`; the API defaults to 500 and serves at
            /// most 5000).
            #[inline]
            pub fn top(mut self, top: i64) -> Self {
                self.odata = self.odata.top(top);
                self
            }

            /// Sets every OData option at once, e.g. from a query shared by several calls.
            #[inline]
            pub fn odata(mut self, odata: $crate::ODataQuery) -> Self {
                self.odata = odata;
                self
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Method;

    #[test]
    fn options_become_query_parameters_in_a_fixed_order_and_unset_ones_are_left_out() {
        let query = ODataQuery::new().top(10).filter("balance gt 100").orderby("name desc").count(true);
        let request = Request::new("list_customers", Method::Get, "/customers").odata(&query);
        let pairs: Vec<(&str, &str)> =
            request.query.iter().map(|(name, value)| (name.as_str(), value.as_str())).collect();
        assert_eq!(
            pairs,
            [("$count", "true"), ("$filter", "balance gt 100"), ("$orderby", "name desc"), ("$top", "10")]
        );
        assert!(Request::new("list", Method::Get, "/x").odata(&ODataQuery::new()).query.is_empty());
    }

    struct ListThings {
        odata: ODataQuery,
    }
    // In a crate of its own the setters are public API; here most go unused.
    crate::odata_setters!(
        #[allow(dead_code)]
        ListThings
    );

    #[deprecated(note = "a deprecated operation keeps its setters without warnings")]
    struct ListOldThings {
        odata: ODataQuery,
    }
    crate::odata_setters!(
        #[allow(deprecated, dead_code)]
        ListOldThings
    );

    #[test]
    #[allow(deprecated)]
    fn a_deprecated_operation_gets_setters_too() {
        assert_eq!(ListOldThings { odata: ODataQuery::new() }.top(1).odata.top, Some(1));
    }

    #[test]
    fn generated_setters_fill_the_operation_s_query() {
        let list = ListThings { odata: ODataQuery::new() }.skip(5).orderby("id").select("id,name").expand("x");
        assert_eq!(list.odata, ODataQuery::new().skip(5).orderby("id").select("id,name").expand("x"));
        let shared = ODataQuery::new().filter("a eq 1").top(3);
        assert_eq!(list.odata(shared.clone()).top(4).odata, shared.top(4));
    }
}
