//! Value types used by generated models: exact decimals, calendar dates, timestamps and the
//! catch-all map that keeps fields a schema does not (yet) describe.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{FixedOffset, NaiveDateTime, Timelike};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Money and quantities: exact, never `f64`. Sage sends decimals as JSON strings (Accounting)
/// or numbers (Sage 200); both decode exactly.
pub use rust_decimal::Decimal;

pub mod drift;
pub mod lenient;
mod literal;
#[doc(hidden)]
pub mod model;

#[doc(inline)]
pub use crate::dec;
pub use literal::decimal_literal;

/// A calendar date without a time (`YYYY-MM-DD`).
pub use chrono::NaiveDate as Date;

/// Any JSON value, for the parts of an API its description leaves open.
pub type Json = serde_json::Value;

/// Fields present in a response that the schema does not list, kept so that a model
/// survives a read-modify-write round trip without losing data.
pub type Extra = BTreeMap<String, serde_json::Value>;

/// A point in time as Sage writes it.
///
/// Accounting sends RFC 3339 with an offset (`2024-03-01T10:00:00Z`); Sage 200 often sends a
/// local time without one (`2024-03-01T10:00:00.66`). Both parse, and each is written back exactly
/// as it arrived — same offset notation, same number of fraction digits — so round trips are lossless.
/// Equality compares the time and offset, not the notation.
#[derive(Clone, Copy)]
pub struct DateTime {
    local: NaiveDateTime,
    offset: Option<FixedOffset>,
    notation: Notation,
}

/// How the text was written, beyond the value itself.
#[derive(Debug, Clone, Copy, Default)]
struct Notation {
    /// Digits after the seconds' decimal point (0 = none).
    fraction_digits: u8,
    /// `Z` rather than `+00:00`.
    zulu: bool,
}

impl DateTime {
    /// A timestamp with a known UTC offset.
    pub fn with_offset(value: chrono::DateTime<FixedOffset>) -> Self {
        let notation = Notation {
            fraction_digits: default_digits(value.nanosecond()),
            zulu: value.offset().local_minus_utc() == 0,
        };
        Self { local: value.naive_local(), offset: Some(*value.offset()), notation }
    }

    /// A timestamp as the server's local time, with no offset (Sage 200's usual form).
    pub fn local(value: NaiveDateTime) -> Self {
        Self {
            local: value,
            offset: None,
            notation: Notation { fraction_digits: default_digits(value.nanosecond()), zulu: false },
        }
    }

    /// The wall-clock time as written.
    pub fn naive(&self) -> NaiveDateTime {
        self.local
    }

    /// The offset, if the value carried one.
    pub fn offset(&self) -> Option<FixedOffset> {
        self.offset
    }

    /// The instant in UTC; a value without an offset is taken to be UTC already.
    pub fn to_utc(&self) -> chrono::DateTime<chrono::Utc> {
        let offset = self.offset.unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset"));
        let fixed = self.local.and_local_timezone(offset).single().expect("fixed offsets are unambiguous");
        fixed.with_timezone(&chrono::Utc)
    }
}

/// Fraction digits for a value built in code: none, milliseconds, microseconds or nanoseconds.
fn default_digits(nanos: u32) -> u8 {
    match nanos {
        0 => 0,
        n if n % 1_000_000 == 0 => 3,
        n if n % 1_000 == 0 => 6,
        _ => 9,
    }
}

/// The Unix epoch in UTC: what a required timestamp Sage leaves out or sends as `null` reads as.
impl Default for DateTime {
    fn default() -> Self {
        Self::from(chrono::DateTime::<chrono::Utc>::UNIX_EPOCH)
    }
}

impl PartialEq for DateTime {
    fn eq(&self, other: &Self) -> bool {
        (self.local, self.offset) == (other.local, other.offset)
    }
}

impl Eq for DateTime {}

impl std::hash::Hash for DateTime {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (self.local, self.offset).hash(state);
    }
}

impl From<chrono::DateTime<chrono::Utc>> for DateTime {
    fn from(value: chrono::DateTime<chrono::Utc>) -> Self {
        Self::with_offset(value.fixed_offset())
    }
}

/// Why a string is not a timestamp.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an RFC 3339 timestamp or a local `YYYY-MM-DDThh:mm:ss` time")]
pub struct ParseDateTimeError(String);

impl FromStr for DateTime {
    type Err = ParseDateTimeError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut value = match chrono::DateTime::parse_from_rfc3339(text) {
            Ok(value) => Self::with_offset(value),
            Err(_) => {
                NaiveDateTime::from_str(text).map(Self::local).map_err(|_| ParseDateTimeError(text.to_owned()))?
            }
        };
        let fraction = text.split_once('.').map(|(_, rest)| rest.bytes().take_while(u8::is_ascii_digit).count());
        value.notation = Notation {
            fraction_digits: fraction.map_or(0, |digits| digits.min(9) as u8),
            zulu: text.ends_with(['Z', 'z']),
        };
        Ok(value)
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.local.format("%Y-%m-%dT%H:%M:%S"))?;
        let digits = usize::from(self.notation.fraction_digits);
        if digits > 0 {
            let nanos = format!("{:09}", self.local.nanosecond());
            write!(f, ".{}", &nanos[..digits])?;
        }
        match self.offset {
            None => Ok(()),
            Some(offset) if offset.local_minus_utc() == 0 && self.notation.zulu => f.write_str("Z"),
            Some(offset) => write!(f, "{offset}"),
        }
    }
}

impl fmt::Debug for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DateTime({self})")
    }
}

impl Serialize for DateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Serde adapters for decimals that a product sends as JSON numbers (Sage 200).
///
/// The default `Decimal` encoding is a JSON string, which Accounting uses. Generated code picks
/// the module matching the product's `decimal_format`.
pub mod decimal_number {
    use super::Decimal;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes the decimal as a JSON number, digit for digit even when an `f64` would round it
    /// (then as raw JSON text, which serde_json writes verbatim).
    pub fn serialize<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
        let text = value.normalize().to_string();
        if super::lenient::exceeds_f64(text.as_bytes()) {
            let raw = serde_json::value::RawValue::from_string(text).map_err(serde::ser::Error::custom)?;
            return serde::Serialize::serialize(&raw, serializer);
        }
        let number: serde_json::Number = text.parse().map_err(serde::ser::Error::custom)?;
        serde::Serialize::serialize(&number, serializer)
    }

    /// Reads a decimal from a JSON number or string.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
        <Decimal as Deserialize>::deserialize(deserializer)
    }

    /// The same, for optional fields.
    pub mod option {
        use super::Decimal;
        use serde::{Deserialize, Deserializer, Serializer};

        /// Writes `Some` as a JSON number and `None` as `null`.
        pub fn serialize<S: Serializer>(value: &Option<Decimal>, serializer: S) -> Result<S::Ok, S::Error> {
            match value {
                Some(value) => super::serialize(value, serializer),
                None => serializer.serialize_none(),
            }
        }

        /// Reads an optional decimal from a JSON number, string or `null`.
        pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Decimal>, D::Error> {
            <Option<Decimal> as Deserialize>::deserialize(deserializer)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip_in_the_form_they_arrived() {
        for text in
            ["2024-03-01T10:00:00Z", "2024-03-01T10:00:00+01:00", "2014-06-30T10:20:29.503", "2014-06-30T10:20:29"]
        {
            let value: DateTime = serde_json::from_value(serde_json::json!(text)).unwrap();
            assert_eq!(serde_json::to_value(value).unwrap(), serde_json::json!(text), "{text}");
        }
    }

    #[test]
    fn offsets_are_honoured_when_converting_to_utc() {
        let value: DateTime = "2024-03-01T10:00:00+02:00".parse().unwrap();
        assert_eq!(value.to_utc().to_rfc3339(), "2024-03-01T08:00:00+00:00");
        assert!("yesterday".parse::<DateTime>().is_err());
    }

    #[test]
    fn decimals_decode_exactly_from_strings_and_numbers() {
        let from_string: Decimal = serde_json::from_str("\"2464.16\"").unwrap();
        let from_number: Decimal = serde_json::from_str("2464.16").unwrap();
        assert_eq!(from_string, Decimal::new(246416, 2));
        assert_eq!(from_number, Decimal::new(246416, 2));
        assert_eq!(serde_json::to_string(&from_number).unwrap(), "\"2464.16\"");
    }

    #[test]
    fn number_format_writes_json_numbers() {
        #[derive(serde::Serialize, serde::Deserialize)]
        struct Row {
            #[serde(with = "decimal_number")]
            balance: Decimal,
            #[serde(with = "decimal_number::option", default)]
            limit: Option<Decimal>,
        }
        let row: Row = serde_json::from_str(r#"{"balance": 2464.16, "limit": "4000.00"}"#).unwrap();
        assert_eq!(serde_json::to_string(&row).unwrap(), r#"{"balance":2464.16,"limit":4000}"#);
        let long = Row { balance: "-12345678901234567.89".parse().unwrap(), limit: Some(Decimal::new(1, 1)) };
        assert_eq!(serde_json::to_string(&long).unwrap(), r#"{"balance":-12345678901234567.89,"limit":0.1}"#);
    }
}
