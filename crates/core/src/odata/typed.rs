//! Typed queries: field paths generated per model (`Customer::fields().balance`) build Sage 200's
//! `$filter`, `$select`, `$orderby` and `$expand`, and Accounting's `attributes`, with values
//! written as Sage reads them, so a query Sage cannot answer does not compile or is refused before
//! it is sent.
//!
//! ```
//! use sage_core::query::{kind, Field, Query};
//! # struct Customer;
//! let balance = Field::<Customer, kind::Decimal>::new("balance");
//! let name = Field::<Customer, kind::Text>::new("name");
//! let filter = balance.gt(1000).and(name.starts_with("A"));
//! assert_eq!(filter.to_string(), "balance gt 1000 and startswith(name, 'A')");
//! let query = Query::new().filter(filter).orderby(name.asc()).top(50).build().unwrap();
//! assert_eq!(query.orderby.as_deref(), Some("name asc"));
//! // balance.gt(12.5f64);      // does not compile: decimals are exact
//! // name.gt(3);               // does not compile: a string field compares with strings
//! ```
//!
//! Strings stay possible: every list operation still takes `.filter("…")`, and a [`Filter`] or
//! [`Attributes`] converts into the `String` those setters take.

use std::fmt;
use std::marker::PhantomData;

use super::ODataQuery;

/// The most records Sage 200 serves for one call (`$top`).
pub const MAX_TOP: i64 = 5000;

/// The kind of a field, which decides what it compares with and how a value is written.
pub mod kind {
    use std::marker::PhantomData;

    /// A string: compares with strings, written in single quotes (`'` doubled); `contains`,
    /// `startswith`, `endswith`.
    pub struct Text;
    /// A 64-bit integer.
    pub struct Integer;
    /// An exact decimal (money, quantities): compares with [`crate::types::Decimal`] or integers,
    /// never floats.
    pub struct Decimal;
    /// A boolean: `eq`/`ne` only.
    pub struct Boolean;
    /// A calendar date, written `2016-02-23`.
    pub struct Date;
    /// A point in time, written in UTC with `Z` (`2016-02-24T09:52:11.452Z`).
    pub struct DateTime;
    /// A value of the enum `E`, written quoted as on the wire (`'AccountStatusActive'`): `eq`/`ne`.
    pub struct Enum<E>(PhantomData<E>);
    /// A related record of model `N`: `$expand`, with a nested `$select` of `N`'s fields.
    pub struct One<N>(PhantomData<N>);
    /// A list of records of model `N`: `$expand`, with a nested `$select` of `N`'s fields.
    pub struct Many<N>(PhantomData<N>);
    /// A related record the schema describes only as an object (a map): `$expand` without a
    /// nested `$select`.
    pub struct Object;
    /// Anything else (JSON, lists of values): `$select` only.
    pub struct Other;
}

/// A kind whose values `$filter` can compare with `eq` and `ne`.
pub trait Comparable {
    /// What a value of the field is given as.
    type Value;
    /// The value as an OData literal.
    fn literal(value: &Self::Value) -> String;
}

/// A kind whose values are ordered: `gt`, `ge`, `lt`, `le` (not booleans nor enums).
pub trait Ordered: Comparable {}

/// A kind that can be sorted on (`$orderby`): every value, not related records.
pub trait Sortable {}

/// A kind of related records, which `$expand` can include.
pub trait Expandable {}

/// Related records of a generated model, which `$expand` can include with a nested `$select`.
pub trait Nested: Expandable {
    /// The related model.
    type Model;
}

/// A model with generated field paths (`sage_core::fields!`).
pub trait HasFields {
    /// The field paths, one public member per field.
    type Fields;
    /// The model's field paths.
    fn fields() -> Self::Fields;
}

/// A string literal: `'O''Brien'`.
pub fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

impl Comparable for kind::Text {
    type Value = String;
    fn literal(value: &String) -> String {
        quote(value)
    }
}
impl Ordered for kind::Text {}

impl Comparable for kind::Integer {
    type Value = i64;
    fn literal(value: &i64) -> String {
        value.to_string()
    }
}
impl Ordered for kind::Integer {}

impl Comparable for kind::Decimal {
    type Value = crate::types::Decimal;
    fn literal(value: &crate::types::Decimal) -> String {
        value.to_string()
    }
}
impl Ordered for kind::Decimal {}

impl Comparable for kind::Boolean {
    type Value = bool;
    fn literal(value: &bool) -> String {
        value.to_string()
    }
}

impl Comparable for kind::Date {
    type Value = crate::types::Date;
    fn literal(value: &crate::types::Date) -> String {
        value.format("%Y-%m-%d").to_string()
    }
}
impl Ordered for kind::Date {}

impl Comparable for kind::DateTime {
    type Value = crate::types::DateTime;
    /// In UTC with `Z`, whatever offset the value has (one without an offset is taken as UTC);
    /// fractions of a second only when there are any.
    fn literal(value: &crate::types::DateTime) -> String {
        value.to_utc().to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
    }
}
impl Ordered for kind::DateTime {}

impl<E: serde::Serialize> Comparable for kind::Enum<E> {
    type Value = E;
    /// The wire value, quoted.
    fn literal(value: &E) -> String {
        match serde_json::to_value(value) {
            Ok(serde_json::Value::String(text)) => quote(&text),
            Ok(other) => quote(&other.to_string()),
            Err(_) => quote(""),
        }
    }
}

impl Sortable for kind::Text {}
impl Sortable for kind::Integer {}
impl Sortable for kind::Decimal {}
impl Sortable for kind::Boolean {}
impl Sortable for kind::Date {}
impl Sortable for kind::DateTime {}
impl<E> Sortable for kind::Enum<E> {}

impl Expandable for kind::Object {}
impl<N> Expandable for kind::One<N> {}
impl<N> Expandable for kind::Many<N> {}
impl<N> Nested for kind::One<N> {
    type Model = N;
}
impl<N> Nested for kind::Many<N> {
    type Model = N;
}

/// The path of a field of model `M`, of kind `K` (see [`kind`]): generated as
/// `Model::fields().field_name`.
pub struct Field<M, K> {
    name: &'static str,
    _types: PhantomData<fn() -> (M, K)>,
}

impl<M, K> Clone for Field<M, K> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<M, K> Copy for Field<M, K> {}

impl<M, K> fmt::Debug for Field<M, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Field({})", self.name)
    }
}

impl<M, K> Field<M, K> {
    /// The field whose wire name is `name`.
    pub const fn new(name: &'static str) -> Self {
        Self { name, _types: PhantomData }
    }

    /// The wire name.
    pub const fn name(self) -> &'static str {
        self.name
    }

    /// The field without its kind, for a list of fields of one model (`$select`, `attributes`).
    pub const fn any(self) -> AnyField<M> {
        AnyField { name: self.name, _model: PhantomData }
    }

    fn compare(self, op: &str, literal: String) -> Filter<M> {
        Filter::new(format!("{} {op} {literal}", self.name), Precedence::Atom)
    }
}

impl<M, K: Comparable> Field<M, K> {
    /// `field eq value`.
    pub fn eq(self, value: impl Into<K::Value>) -> Filter<M> {
        self.compare("eq", K::literal(&value.into()))
    }

    /// `field ne value`.
    pub fn ne(self, value: impl Into<K::Value>) -> Filter<M> {
        self.compare("ne", K::literal(&value.into()))
    }

    /// `field eq a or field eq b …`, in brackets: Sage 200 has no `in`. `None` for no values.
    pub fn one_of<V: Into<K::Value>>(self, values: impl IntoIterator<Item = V>) -> Option<Filter<M>> {
        let filter = values.into_iter().map(|value| self.eq(value)).reduce(Filter::or)?;
        Some(Filter::new(filter.bracketed(Precedence::Atom), Precedence::Atom))
    }
}

impl<M, K: Ordered> Field<M, K> {
    /// `field gt value`.
    pub fn gt(self, value: impl Into<K::Value>) -> Filter<M> {
        self.compare("gt", K::literal(&value.into()))
    }

    /// `field ge value`.
    pub fn ge(self, value: impl Into<K::Value>) -> Filter<M> {
        self.compare("ge", K::literal(&value.into()))
    }

    /// `field lt value`.
    pub fn lt(self, value: impl Into<K::Value>) -> Filter<M> {
        self.compare("lt", K::literal(&value.into()))
    }

    /// `field le value`.
    pub fn le(self, value: impl Into<K::Value>) -> Filter<M> {
        self.compare("le", K::literal(&value.into()))
    }
}

impl<M> Field<M, kind::Text> {
    fn function(self, function: &str, text: &str) -> Filter<M> {
        Filter::new(format!("{function}({}, {})", self.name, quote(text)), Precedence::Atom)
    }

    /// `contains(field, 'text')`.
    pub fn contains(self, text: impl AsRef<str>) -> Filter<M> {
        self.function("contains", text.as_ref())
    }

    /// `startswith(field, 'text')`.
    pub fn starts_with(self, text: impl AsRef<str>) -> Filter<M> {
        self.function("startswith", text.as_ref())
    }

    /// `endswith(field, 'text')`.
    pub fn ends_with(self, text: impl AsRef<str>) -> Filter<M> {
        self.function("endswith", text.as_ref())
    }
}

impl<M, K: Sortable> Field<M, K> {
    /// Sorted ascending: `field asc`.
    pub fn asc(self) -> Order<M> {
        Order { text: format!("{} asc", self.name), _model: PhantomData }
    }

    /// Sorted descending: `field desc`.
    pub fn desc(self) -> Order<M> {
        Order { text: format!("{} desc", self.name), _model: PhantomData }
    }
}

/// A field of model `M` of any kind (see [`Field::any`]).
pub struct AnyField<M> {
    name: &'static str,
    _model: PhantomData<fn() -> M>,
}

impl<M> Clone for AnyField<M> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<M> Copy for AnyField<M> {}

impl<M> AnyField<M> {
    /// The wire name.
    pub const fn name(self) -> &'static str {
        self.name
    }
}

impl<M, K> From<Field<M, K>> for AnyField<M> {
    fn from(field: Field<M, K>) -> Self {
        field.any()
    }
}

/// One `$orderby` key of model `M`: [`Field::asc`] or [`Field::desc`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order<M> {
    text: String,
    _model: PhantomData<fn() -> M>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Precedence {
    Or,
    And,
    /// A comparison, a function call or a bracketed expression.
    Atom,
}

/// A `$filter` expression on model `M`. `Display` (and `String::from`) give the text Sage reads.
pub struct Filter<M> {
    text: String,
    precedence: Precedence,
    _model: PhantomData<fn() -> M>,
}

impl<M> Clone for Filter<M> {
    fn clone(&self) -> Self {
        Self::new(self.text.clone(), self.precedence)
    }
}

impl<M> PartialEq for Filter<M> {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl<M> fmt::Debug for Filter<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Filter({})", self.text)
    }
}

impl<M> Filter<M> {
    fn new(text: String, precedence: Precedence) -> Self {
        Self { text, precedence, _model: PhantomData }
    }

    fn bracketed(&self, at_least: Precedence) -> String {
        if self.precedence < at_least {
            format!("({})", self.text)
        } else {
            self.text.clone()
        }
    }

    /// Both hold: `a and b` (an `or` inside is bracketed).
    pub fn and(self, other: Filter<M>) -> Filter<M> {
        let text = format!("{} and {}", self.bracketed(Precedence::And), other.bracketed(Precedence::And));
        Filter::new(text, Precedence::And)
    }

    /// Either holds: `a or b`.
    pub fn or(self, other: Filter<M>) -> Filter<M> {
        Filter::new(format!("{} or {}", self.text, other.text), Precedence::Or)
    }

    /// Does not hold: `not (a)`, or `not f(…)` for a function.
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Filter<M> {
        let is_call = self.precedence == Precedence::Atom && self.text.ends_with(')') && !self.text.starts_with('(');
        let text = if is_call { format!("not {}", self.text) } else { format!("not ({})", self.text) };
        Filter::new(text, Precedence::Atom)
    }

    /// The text Sage reads.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl<M> fmt::Display for Filter<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl<M> From<Filter<M>> for String {
    fn from(filter: Filter<M>) -> Self {
        filter.text
    }
}

/// Accounting's `attributes` of a list of model `M`: the fields to return beside `id`,
/// `displayed_as` and `$path`. Converts into the `String` the generated `attributes` setters take.
pub struct Attributes<M> {
    names: Vec<&'static str>,
    all: bool,
    _model: PhantomData<fn() -> M>,
}

impl<M> Attributes<M> {
    /// These fields.
    pub fn of(fields: impl IntoIterator<Item = AnyField<M>>) -> Self {
        Self { names: fields.into_iter().map(AnyField::name).collect(), all: false, _model: PhantomData }
    }

    /// Every field (`attributes=all`).
    pub fn all() -> Self {
        Self { names: Vec::new(), all: true, _model: PhantomData }
    }

    /// One more field.
    pub fn and(mut self, field: impl Into<AnyField<M>>) -> Self {
        self.names.push(field.into().name());
        self
    }
}

impl<M> fmt::Display for Attributes<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.all {
            return f.write_str("all");
        }
        f.write_str(&self.names.join(","))
    }
}

impl<M> From<Attributes<M>> for String {
    fn from(attributes: Attributes<M>) -> Self {
        attributes.to_string()
    }
}

/// Why a query was refused before it was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryError {
    /// `$top` above what Sage 200 serves ([`MAX_TOP`]) or below 0.
    Top(i64),
    /// `$skip` below 0.
    Skip(i64),
    /// `$skip` without `$orderby`: Sage 200 reads `$skip` only with an order.
    SkipWithoutOrderBy,
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Top(top) => write!(f, "$top={top}: Sage 200 serves 0 to {MAX_TOP} records per call"),
            Self::Skip(skip) => write!(f, "$skip={skip}: must not be negative"),
            Self::SkipWithoutOrderBy => f.write_str("$skip needs $orderby: Sage 200 ignores $skip without an order"),
        }
    }
}

impl std::error::Error for QueryError {}

/// A typed Sage 200 query on a list of model `M`; [`Query::build`] checks it and gives the
/// [`ODataQuery`] a list operation takes (`ListCustomers::new().odata(query.build()?)`).
pub struct Query<M> {
    filter: Option<Filter<M>>,
    select: Vec<String>,
    expand: Vec<String>,
    orderby: Vec<String>,
    top: Option<i64>,
    skip: Option<i64>,
    count: Option<bool>,
}

impl<M> Default for Query<M> {
    fn default() -> Self {
        Self {
            filter: None,
            select: Vec::new(),
            expand: Vec::new(),
            orderby: Vec::new(),
            top: None,
            skip: None,
            count: None,
        }
    }
}

impl<M> Clone for Query<M> {
    fn clone(&self) -> Self {
        Self {
            filter: self.filter.clone(),
            select: self.select.clone(),
            expand: self.expand.clone(),
            orderby: self.orderby.clone(),
            top: self.top,
            skip: self.skip,
            count: self.count,
        }
    }
}

impl<M> fmt::Debug for Query<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Query")
            .field("filter", &self.filter)
            .field("select", &self.select)
            .field("expand", &self.expand)
            .field("orderby", &self.orderby)
            .field("top", &self.top)
            .field("skip", &self.skip)
            .field("count", &self.count)
            .finish()
    }
}

impl<M> Query<M> {
    /// No option set.
    pub fn new() -> Self {
        Self::default()
    }

    /// `$filter`; a second call adds its filter with `and`.
    pub fn filter(mut self, filter: Filter<M>) -> Self {
        self.filter = Some(match self.filter.take() {
            Some(first) => first.and(filter),
            None => filter,
        });
        self
    }

    /// Adds a field to `$select`.
    pub fn select(mut self, field: impl Into<AnyField<M>>) -> Self {
        self.select.push(field.into().name().to_owned());
        self
    }

    /// Adds a sort key to `$orderby`.
    pub fn orderby(mut self, order: Order<M>) -> Self {
        self.orderby.push(order.text);
        self
    }

    /// Includes the related record(s) `field` inline (`$expand`).
    pub fn expand<K: Expandable>(mut self, field: Field<M, K>) -> Self {
        self.expand.push(field.name().to_owned());
        self
    }

    /// Includes the related record(s) `field` with only the fields `nested` picks from the related
    /// model's paths: `$expand=customer&$select=customer.name`.
    pub fn expand_select<K, F>(mut self, field: Field<M, K>, nested: F) -> Self
    where
        K: Nested,
        K::Model: HasFields,
        F: FnOnce(<K::Model as HasFields>::Fields) -> Vec<AnyField<K::Model>>,
    {
        self.expand.push(field.name().to_owned());
        let picked = nested(K::Model::fields());
        self.select.extend(picked.into_iter().map(|inner| format!("{}.{}", field.name(), inner.name())));
        self
    }

    /// `$top` (at most [`MAX_TOP`]).
    pub fn top(mut self, top: i64) -> Self {
        self.top = Some(top);
        self
    }

    /// `$skip` (only with an `$orderby`).
    pub fn skip(mut self, skip: i64) -> Self {
        self.skip = Some(skip);
        self
    }

    /// `$count`.
    pub fn count(mut self, count: bool) -> Self {
        self.count = Some(count);
        self
    }

    /// The options as text, once checked: refused when Sage 200 could not answer them.
    pub fn build(&self) -> Result<ODataQuery, QueryError> {
        let list = |items: &[String]| (!items.is_empty()).then(|| items.join(","));
        let query = ODataQuery {
            count: self.count,
            expand: list(&self.expand),
            filter: self.filter.as_ref().map(|filter| filter.text.clone()),
            orderby: list(&self.orderby),
            select: list(&self.select),
            skip: self.skip,
            top: self.top,
        };
        query.check()?;
        Ok(query)
    }
}

impl<M> TryFrom<Query<M>> for ODataQuery {
    type Error = QueryError;

    fn try_from(query: Query<M>) -> Result<Self, QueryError> {
        query.build()
    }
}

impl ODataQuery {
    /// Whether Sage 200 can answer these options: `$top` from 0 to 5000, `$skip` not negative and
    /// only with `$orderby`.
    pub fn check(&self) -> Result<(), QueryError> {
        if let Some(top) = self.top.filter(|top| !(0..=MAX_TOP).contains(top)) {
            return Err(QueryError::Top(top));
        }
        if let Some(skip) = self.skip {
            if skip < 0 {
                return Err(QueryError::Skip(skip));
            }
            if self.orderby.as_deref().is_none_or(|order| order.trim().is_empty()) {
                return Err(QueryError::SkipWithoutOrderBy);
            }
        }
        Ok(())
    }
}

/// The field paths of a generated model, for typed queries: one call per model, a field per
/// entry as `member: Kind` or `member as "wire name": Kind`, kinds from [`kind`].
///
/// ```text
/// sage_core::fields! { Customer => CustomerFields { balance: Decimal, path as "$path": Text, status: Enum<AccountStatus> } }
/// ```
///
/// gives `pub struct CustomerFields { pub balance: Field<Customer, kind::Decimal>, … }` and
/// `Customer::fields()`.
#[doc(hidden)]
#[macro_export]
macro_rules! fields {
    ($model:ident => $fields:ident { $( $member:ident $(as $wire:literal)? : $kind:ident $(<$arg:ty>)? ),* $(,)? }) => {
        #[doc = concat!("The field paths of [`", stringify!($model), "`], for typed queries (`", stringify!($model), "::fields()`).")]
        #[derive(Debug, Clone, Copy)]
        #[allow(missing_docs)]
        pub struct $fields {
            $( pub $member: $crate::query::Field<$model, $crate::query::kind::$kind $(<$arg>)?>, )*
        }

        impl $model {
            /// The field paths of this model, for typed queries.
            #[inline]
            pub const fn fields() -> $fields {
                $fields { $( $member: $crate::query::Field::new($crate::fields!(@name $member $($wire)?)), )* }
            }
        }

        impl $crate::query::HasFields for $model {
            type Fields = $fields;
            #[inline]
            fn fields() -> $fields {
                $model::fields()
            }
        }
    };
    (@name $member:ident $wire:literal) => { $wire };
    (@name $member:ident) => { stringify!($member) };
}
