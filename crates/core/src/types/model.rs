//! Plumbing for generated models' `Deserialize` and `Serialize` impls.
//!
//! A model keeps the fields its schema does not list in `extra`. serde's `#[serde(flatten)]` does
//! that by buffering every unknown value in a private `Content` tree first, which makes each
//! model's derived impl large and slow to compile. Here a model reads its JSON object in one pass
//! instead: [`Fields::next_key`] yields each key, a known key's value decodes straight into the
//! local the generated `match` names, and any other key's value goes into `extra` as a
//! `serde_json::Value` (numbers as exact as [`lenient::from_slice`](super::lenient::from_slice)
//! delivers them). Errors are the ones serde's derive gives: ``missing field `Name` ``,
//! ``duplicate field `Name` ``, and a value's own error at its key's path. [`Entries`] writes a
//! model back the same way, without serde's flatten machinery either: its fields, then `extra`.
//!
//! A field's read or write returns nothing: its error is kept, no later value is touched, and the
//! next [`Fields::next_key`] or [`Entries::end`] returns it. So the impls are one plain call per
//! field instead of one `?` each, whose expansion was the larger part of what rustc spent on a
//! generated crate's models.
//!
//! A model whose fields are all optional starts from `Default` and reads each value straight into its
//! field ([`Fields::lenient_into`], [`Fields::option_into`]). One with required fields reads into
//! locals first, so that a missing one is an error. Generated crates write these impls with
//! [`json_model!`](crate::json_model), one line per field; for `Contact`, with a required `Name`
//! and an optional `Balance`, it expands to:
//!
//! ```
//! # use sage_core::types::{model::{self, Fields, FromFields}, Decimal, Extra};
//! # #[derive(Debug)]
//! # pub struct Contact { pub name: String, pub balance: Option<Decimal>, pub extra: Extra }
//! impl<'de> serde::Deserialize<'de> for Contact {
//!     fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
//!         model::deserialize(deserializer)
//!     }
//! }
//!
//! impl FromFields for Contact {
//!     fn from_fields<'de, A: serde::de::MapAccess<'de>>(mut fields: Fields<'de, A>) -> Result<Self, A::Error> {
//!         let mut name = None;
//!         let mut balance = None;
//!         while let Some(key) = fields.next_key()? {
//!             match key {
//!                 "Name" => fields.lenient_value(&mut name),
//!                 "Balance" => fields.lenient_option(&mut balance),
//!                 _ => fields.keep_unknown(),
//!             }
//!         }
//!         Ok(Self { name: fields.required(name, "Name")?, balance: balance.unwrap_or_default(), extra: fields.into_extra() })
//!     }
//! }
//!
//! let contact: Contact = serde_json::from_str(r#"{"Balance":"12.50","Name":"Acme","Notes":1}"#).unwrap();
//! assert_eq!((contact.name.as_str(), contact.balance.unwrap().to_string()), ("Acme", "12.50".into()));
//! assert_eq!(contact.extra["Notes"], 1);
//! ```

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde::Deserialize;

use super::drift::{self, Coercion, DriftKind};
use super::lenient::{self, Lenient};
use super::{Decimal, Extra};

/// A model that reads itself from the fields of a JSON object; see the [module docs](self).
#[doc(hidden)]
pub trait FromFields: Sized {
    /// Reads every field from `fields`, then assembles the model.
    fn from_fields<'de, A: MapAccess<'de>>(fields: Fields<'de, A>) -> Result<Self, A::Error>;
}

/// Decodes a model from a JSON object (what its `Deserialize` impl calls).
#[doc(hidden)]
pub fn deserialize<'de, D: Deserializer<'de>, T: FromFields>(deserializer: D) -> Result<T, D::Error> {
    deserializer.deserialize_map(ModelVisitor(PhantomData))
}

struct ModelVisitor<T>(PhantomData<T>);

impl<'de, T: FromFields> Visitor<'de> for ModelVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = std::any::type_name::<T>();
        write!(f, "struct {}", path.rsplit("::").next().unwrap_or(path))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::from_fields(Fields { map, key: Key::default(), extra: Extra::new(), error: None })
    }
}

/// An object key: borrowed from the input when it can be (no escapes), owned otherwise.
#[doc(hidden)]
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Key<'de>(Cow<'de, str>);

impl Key<'_> {
    /// The key's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the text is borrowed from the input rather than copied.
    pub fn is_borrowed(&self) -> bool {
        matches!(self.0, Cow::Borrowed(_))
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_identifier(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<Self::Value, E> {
        Ok(Key(Cow::Borrowed(value)))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        Ok(Key(Cow::Owned(value.to_owned())))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Self::Value, E> {
        Ok(Key(Cow::Owned(value)))
    }
}

/// The fields of one JSON object, read in order, each value decoded into the slot the caller names.
///
/// A slot is an `Option` that stays `None` until its key is seen; seeing the key twice is an error.
/// A value that fails to decode is reported by the next [`next_key`](Self::next_key).
#[doc(hidden)]
pub struct Fields<'de, A: MapAccess<'de>> {
    map: A,
    /// The key [`next_key`](Self::next_key) last returned.
    key: Key<'de>,
    extra: Extra,
    /// Why the last value could not be read; the object is not read any further.
    error: Option<A::Error>,
}

impl<'de, A: MapAccess<'de>> Fields<'de, A> {
    /// The next key, `None` after the last field; the error of the value read last, if it failed.
    pub fn next_key(&mut self) -> Result<Option<&str>, A::Error> {
        if let Some(error) = self.error.take() {
            return Err(error);
        }
        match self.map.next_key::<Key<'de>>()? {
            Some(key) => {
                self.key = key;
                Ok(Some(self.key.as_str()))
            }
            None => Ok(None),
        }
    }

    /// A scalar read leniently (see [`lenient::option`]): `null` and blanks are `Some(None)`.
    pub fn lenient_option<T: Lenient>(&mut self, slot: &mut Option<Option<T>>) {
        if self.expect_first(slot.is_some()) {
            let value = self.map.next_value_seed(LenientSeed(PhantomData));
            self.store(value, |value| *slot = Some(value));
        }
    }

    /// A required scalar read leniently (see [`lenient::value`]): `null` is the type's default.
    pub fn lenient_value<T: Lenient>(&mut self, slot: &mut Option<T>) {
        if self.expect_first(slot.is_some()) {
            let value = self.map.next_value_seed(ValueSeed(PhantomData));
            self.store(value, |value| *slot = Some(value));
        }
    }

    /// A required list, map or model (see [`lenient::or_default`]): `null` is the empty value.
    pub fn or_default<T: Deserialize<'de> + Default>(&mut self, slot: &mut Option<T>) {
        if self.expect_first(slot.is_some()) {
            let value = self.map.next_value_seed(OrDefaultSeed(PhantomData));
            self.store(value, |value| *slot = Some(value));
        }
    }

    /// A value decoded by its own `Deserialize` impl (dates, enums, models, `Option`s of them).
    pub fn next_value<T: Deserialize<'de>>(&mut self, slot: &mut Option<T>) {
        if self.expect_first(slot.is_some()) {
            let value = self.map.next_value();
            self.store(value, |value| *slot = Some(value));
        }
    }

    /// An optional scalar read leniently (see [`lenient::option`]) straight into a model's field, for
    /// models whose fields are all optional and start from `Default`. A key seen again after a
    /// non-`null` value is serde's duplicate error; after a `null`, the later value is taken.
    pub fn lenient_into<T: Lenient>(&mut self, field: &mut Option<T>) {
        if self.expect_first(field.is_some()) {
            let value = self.map.next_value_seed(LenientSeed(PhantomData));
            self.store(value, |value| *field = value);
        }
    }

    /// An optional value decoded by its own `Deserialize` impl straight into a model's field (see
    /// [`lenient_into`](Self::lenient_into)); `null` is `None`.
    pub fn option_into<T: Deserialize<'de>>(&mut self, field: &mut Option<T>) {
        if self.expect_first(field.is_some()) {
            let value = self.map.next_value();
            self.store(value, |value| *field = value);
        }
    }

    /// Keeps the current key's value as it is, for `extra` (noted for an audit).
    pub fn keep_unknown(&mut self) {
        match self.map.next_value::<serde_json::Value>() {
            Ok(value) => {
                let key = std::mem::take(&mut self.key).0.into_owned();
                if let Err(error) = drift::note_at(Some(&key), || DriftKind::UnknownField) {
                    self.error = Some(error);
                }
                self.extra.insert(key, value);
            }
            Err(error) => self.error = Some(error),
        }
    }

    /// The value of a required field whose type has no default (a nested model with required
    /// fields of its own), or serde's ``missing field `name` `` error.
    pub fn required<T>(&self, slot: Option<T>, name: &'static str) -> Result<T, A::Error> {
        slot.ok_or_else(|| de::Error::missing_field(name))
    }

    /// The value of a required field; the type's default (noted) when Sage left it out, as it does
    /// for fields a `$select` or `attributes` did not ask for.
    pub fn or_missing<T: Default>(&self, slot: Option<T>, name: &'static str) -> Result<T, A::Error> {
        match slot {
            Some(value) => Ok(value),
            None => {
                drift::note_at(Some(name), || DriftKind::Coerced(Coercion::MissingAsDefault))?;
                Ok(T::default())
            }
        }
    }

    /// The unknown fields, in key order.
    pub fn into_extra(self) -> Extra {
        self.extra
    }

    /// Whether the current key's slot is still empty; if not, keeps serde's ``duplicate field
    /// `name` `` error.
    fn expect_first(&mut self, filled: bool) -> bool {
        if filled {
            self.error = Some(de::Error::custom(format_args!("duplicate field `{}`", self.key.as_str())));
        }
        !filled
    }

    /// Puts a decoded value in its place, or keeps the error for [`next_key`](Self::next_key).
    fn store<T>(&mut self, value: Result<T, A::Error>, put: impl FnOnce(T)) {
        match value {
            Ok(value) => put(value),
            Err(error) => self.error = Some(error),
        }
    }
}

/// Decodes one value with [`lenient::option`].
struct LenientSeed<T>(PhantomData<T>);

impl<'de, T: Lenient> DeserializeSeed<'de> for LenientSeed<T> {
    type Value = Option<T>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<T>, D::Error> {
        lenient::option(deserializer)
    }
}

/// Decodes one value with [`lenient::value`].
struct ValueSeed<T>(PhantomData<T>);

impl<'de, T: Lenient> DeserializeSeed<'de> for ValueSeed<T> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        lenient::value(deserializer)
    }
}

/// Decodes one value with [`lenient::or_default`].
struct OrDefaultSeed<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de> + Default> DeserializeSeed<'de> for OrDefaultSeed<T> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        lenient::or_default(deserializer)
    }
}

/// The entries of a model's JSON object, written in order: its fields (an unset `Option` is
/// left out), then `extra`. A generated `Serialize` impl is one call per field; the first error is
/// kept, nothing more is written, and [`end`](Self::end) returns it.
#[doc(hidden)]
pub struct Entries<M: SerializeMap> {
    map: M,
    error: Option<M::Error>,
}

impl<M: SerializeMap> Entries<M> {
    /// Starts the object.
    pub fn new<S: Serializer<SerializeMap = M>>(serializer: S) -> Result<Self, S::Error> {
        Ok(Self { map: serializer.serialize_map(None)?, error: None })
    }

    /// A field that is always written.
    pub fn field<T: Serialize + ?Sized>(&mut self, name: &'static str, value: &T) {
        if self.error.is_none() {
            self.error = self.map.serialize_entry(name, value).err();
        }
    }

    /// An `Option` field: written when set, left out when `None`.
    pub fn optional<T: Serialize>(&mut self, name: &'static str, value: &Option<T>) {
        if let Some(value) = value {
            self.field(name, value);
        }
    }

    /// A decimal written as a JSON number (see [`decimal_number`](super::decimal_number)).
    pub fn number(&mut self, name: &'static str, value: &Decimal) {
        self.field(name, &AsNumber(value));
    }

    /// An optional decimal written as a JSON number when set.
    pub fn optional_number(&mut self, name: &'static str, value: &Option<Decimal>) {
        if let Some(value) = value {
            self.number(name, value);
        }
    }

    /// Writes the fields the schema does not list, and closes the object; or the first field's
    /// error.
    pub fn end(mut self, extra: &Extra) -> Result<M::Ok, M::Error> {
        if let Some(error) = self.error {
            return Err(error);
        }
        for (name, value) in extra {
            self.map.serialize_entry(name, value)?;
        }
        self.map.end()
    }
}

struct AsNumber<'a>(&'a Decimal);

impl Serialize for AsNumber<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        super::decimal_number::serialize(self.0, serializer)
    }
}

mod json_model;

#[cfg(test)]
mod tests;
