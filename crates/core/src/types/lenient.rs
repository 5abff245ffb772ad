//! Decoding that survives the drift Sage's APIs show in practice: numbers sent as strings and
//! strings as numbers, `"true"`/`"false"` for booleans, `""` for an unset date, and `null` in a
//! field the spec says is always present.
//!
//! Generated models read each field by one of these rules (through `types::model`, whose `Fields`
//! methods apply them to one value at a time): [`value`] for a required, non-nullable scalar (`null`
//! or `""` gives the type's default: `0`, `false`, an empty string), [`option`] for an `Option`
//! scalar (`null` or `""` gives `None`), and [`or_default`] for a required list or model (`null`
//! gives an empty one). Scalars are strings, integers, booleans, decimals, dates, timestamps, ids and
//! open enums. Anything that is neither the right type nor a faithful spelling of it (`"12abc"` for
//! an integer) is still an error. Every value read from another spelling is noted for
//! [`drift`]'s audit.
//!
//! Decimals stay exact: a JSON string is parsed as written, and a JSON number is parsed from the
//! shortest text that round-trips its `f64`, which is the number as written whenever it has at most
//! 15 significant digits. Longer numbers would not survive `f64` (neither in a field nor in a
//! model's `extra` map), so [`exact_numbers`] hands them to the decoder as their text;
//! [`from_slice`] (what the client uses) applies it.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use serde::de::{self, DeserializeOwned, Deserializer, Unexpected, Visitor};
use serde::Deserialize;

use super::drift::{self, Coercion, DriftKind};
use super::{Date, DateTime, Decimal};

/// A scalar that can be read from any faithful spelling of it.
pub trait Lenient: Sized + Default + private::Sealed {
    /// The value `raw` spells, `None` for `null` (or an empty string where that means "no value").
    #[doc(hidden)]
    fn from_raw<E: de::Error>(raw: Raw<'_>) -> Result<Option<Self>, E>;
}

/// A type read leniently as the raw value it wraps: a resource id (see
/// [`string_id!`](crate::string_id)) or a generated open enum.
#[doc(hidden)]
pub trait LenientNewtype: Sized + Default {
    /// The raw value: `String` or `i64`.
    type Raw: Lenient;
    /// Wraps the raw value.
    fn from_raw_value(raw: Self::Raw) -> Self;
    /// The value's text when the schema does not list it (an enum's `Other`), to be noted.
    #[inline]
    fn unlisted(&self) -> Option<&str> {
        None
    }
}

impl<T: LenientNewtype> Lenient for T {
    fn from_raw<E: de::Error>(raw: Raw<'_>) -> Result<Option<Self>, E> {
        let value = T::Raw::from_raw(raw)?.map(T::from_raw_value);
        if let Some(text) = value.as_ref().and_then(T::unlisted) {
            drift::note(|| DriftKind::UnknownEnumValue(text.to_owned()))?;
        }
        Ok(value)
    }
}

mod private {
    pub trait Sealed {}
    impl<T: super::LenientNewtype> Sealed for T {}
    impl Sealed for i64 {}
    impl Sealed for bool {}
    impl Sealed for String {}
    impl Sealed for super::Decimal {}
    impl Sealed for super::Date {}
    impl Sealed for super::DateTime {}
}

/// A required, non-nullable scalar: any faithful spelling, with `null` read as the type's default.
pub fn value<'de, D: Deserializer<'de>, T: Lenient>(deserializer: D) -> Result<T, D::Error> {
    let raw = deserializer.deserialize_any(RawVisitor)?;
    if matches!(raw, Raw::Null) {
        drift::note(|| DriftKind::Coerced(Coercion::NullAsDefault))?;
    }
    T::from_raw(raw).map(Option::unwrap_or_default)
}

/// An optional scalar: any faithful spelling, `null` (or `""` for numbers and booleans) as `None`.
pub fn option<'de, D: Deserializer<'de>, T: Lenient>(deserializer: D) -> Result<Option<T>, D::Error> {
    T::from_raw(deserializer.deserialize_any(RawVisitor)?)
}

/// A required list, map or model: `null` reads as the empty value (noted).
pub fn or_default<'de, D: Deserializer<'de>, T: Deserialize<'de> + Default>(deserializer: D) -> Result<T, D::Error> {
    match Option::<T>::deserialize(deserializer)? {
        Some(value) => Ok(value),
        None => {
            drift::note(|| DriftKind::Coerced(Coercion::NullAsDefault))?;
            Ok(T::default())
        }
    }
}

/// Decodes a JSON body as the client does: through [`exact_numbers`], so decimals longer than an
/// `f64` holds keep every digit.
pub fn from_slice<T: DeserializeOwned>(body: &[u8]) -> serde_json::Result<T> {
    serde_json::from_slice(&exact_numbers(body))
}

/// The body with every number an `f64` (or `i64`/`u64`) cannot hold exactly — a fraction or
/// exponent with more than 15 significant digits, an integer beyond 64 bits — turned into a JSON
/// string of the same text. Lenient decimal fields read either form; such a number in a model's
/// `extra` map arrives as a string rather than rounded. Bodies without one are returned as they are.
pub fn exact_numbers(body: &[u8]) -> Cow<'_, [u8]> {
    if may_hold_inexact_number(body) {
        quote_inexact_numbers(body)
    } else {
        Cow::Borrowed(body)
    }
}

/// [`exact_numbers`]' full pass: every byte outside strings is looked at.
fn quote_inexact_numbers(body: &[u8]) -> Cow<'_, [u8]> {
    let mut out: Option<Vec<u8>> = None;
    let mut copied = 0;
    let mut index = 0;
    while index < body.len() {
        let byte = body[index];
        if byte == b'"' {
            index = after_string(body, index + 1);
            continue;
        }
        if byte != b'-' && !byte.is_ascii_digit() {
            index += 1;
            continue;
        }
        let start = index;
        while index < body.len() && is_number_byte(body[index]) {
            index += 1;
        }
        let token = &body[start..index];
        if !exceeds_f64(token) {
            continue;
        }
        let out = out.get_or_insert_with(|| Vec::with_capacity(body.len() + 16));
        out.extend_from_slice(&body[copied..start]);
        out.push(b'"');
        out.extend_from_slice(token);
        out.push(b'"');
        copied = index;
    }
    match out {
        None => Cow::Borrowed(body),
        Some(mut out) => {
            out.extend_from_slice(&body[copied..]);
            Cow::Owned(out)
        }
    }
}

/// The bytes a JSON number is spelled with.
const fn is_number_byte(byte: u8) -> bool {
    matches!(byte, b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-')
}

/// Whether `body` may hold a number that [`exceeds_f64`], strings included; most bodies hold none.
/// Such a number is at least 16 bytes long, so it covers a multiple of 16: only every sixteenth
/// byte is looked at. A number's byte there is a digit or, in JSON's grammar, a `-`, `.`, `e`, `E`
/// or `+` next to one; a letter `e` in a word is not, so text is passed over at the cost of the
/// probe. Where a probe does land in a number, the number bytes around it must be 16 or more.
fn may_hold_inexact_number(body: &[u8]) -> bool {
    const LONG: usize = 16;
    let is_number = |byte: &u8| NUMBER_BYTE[usize::from(*byte)];
    let digit_at = |at: usize| body.get(at).is_some_and(u8::is_ascii_digit);
    let number_at = |at: usize| body.get(at).is_some_and(is_number);
    let mut probe = 0;
    while let Some(byte) = body.get(probe) {
        // Most probes land in text or punctuation: one table look-up passes them over. Of the rest,
        // most are in short numbers or ids; a run of 16 reaches 8 bytes to one side of the probe.
        if is_number(byte)
            && (byte.is_ascii_digit() || digit_at(probe + 1) || probe.checked_sub(1).is_some_and(digit_at))
            && (number_at(probe + 8) || probe.checked_sub(8).is_some_and(number_at))
        {
            let start = body[..probe].iter().rposition(|byte| !is_number(byte)).map_or(0, |at| at + 1);
            let end = body[probe..].iter().position(|byte| !is_number(byte)).map_or(body.len(), |at| probe + at);
            if end - start >= LONG {
                return true;
            }
            probe = end / LONG * LONG;
        }
        probe += LONG;
    }
    false
}

/// Which bytes [`is_number_byte`], by value.
static NUMBER_BYTE: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = is_number_byte(byte as u8);
        byte += 1;
    }
    table
};

/// The index just past the string whose text starts at `from` (the body's end if it never closes).
/// String text is most of a body, so it is skipped with `memchr` rather than byte by byte.
fn after_string(body: &[u8], mut from: usize) -> usize {
    while let Some(offset) = memchr::memchr2(b'"', b'\\', &body[from..]) {
        let at = from + offset;
        if body[at] == b'"' {
            return at + 1;
        }
        // A backslash escapes the next byte (`\"` does not close the string).
        from = (at + 2).min(body.len());
    }
    body.len()
}

/// Whether serde_json would round the number `token`: a non-integer with more than 15 significant
/// digits (`f64` keeps 15 exactly), or an integer outside `i64` and `u64`.
pub(super) fn exceeds_f64(token: &[u8]) -> bool {
    // 16 significant digits, or 20 for an integer beyond 64 bits, need at least 16 bytes.
    if token.len() < 16 {
        return false;
    }
    let Ok(text) = std::str::from_utf8(token) else { return false };
    if !text.contains(['.', 'e', 'E']) {
        return text.parse::<i64>().is_err() && text.parse::<u64>().is_err();
    }
    let mantissa = text.split(['e', 'E']).next().unwrap_or_default();
    let digits = mantissa.bytes().filter(u8::is_ascii_digit).skip_while(|digit| *digit == b'0');
    let significant = digits.collect::<Vec<_>>();
    let trailing_zeros = significant.iter().rev().take_while(|digit| **digit == b'0').count();
    significant.len() - trailing_zeros > 15
}

/// What a JSON scalar was, before the field's type is applied.
#[doc(hidden)]
#[derive(Debug)]
pub enum Raw<'a> {
    Null,
    Bool(bool),
    Signed(i64),
    Unsigned(u64),
    Float(f64),
    Text(Cow<'a, str>),
}

impl Raw<'_> {
    fn unexpected(&self) -> Unexpected<'_> {
        match self {
            Self::Null => Unexpected::Unit,
            Self::Bool(value) => Unexpected::Bool(*value),
            Self::Signed(value) => Unexpected::Signed(*value),
            Self::Unsigned(value) => Unexpected::Unsigned(*value),
            Self::Float(value) => Unexpected::Float(*value),
            Self::Text(text) => Unexpected::Str(text),
        }
    }

    fn invalid<T, E: de::Error>(&self, expected: &'static str) -> Result<T, E> {
        Err(E::invalid_value(self.unexpected(), &expected))
    }

    /// `None` for `null` and for text that is empty or only spaces (noted: Sage blanks unset dates).
    fn blank_as_none<E: de::Error>(self) -> Result<Option<Self>, E> {
        match self {
            Self::Null => Ok(None),
            Self::Text(text) if text.trim().is_empty() => {
                drift::note(|| DriftKind::Coerced(Coercion::BlankAsNone))?;
                Ok(None)
            }
            raw => Ok(Some(raw)),
        }
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, number, boolean or null")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Raw::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Raw::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Self::Value, E> {
        Ok(Raw::Bool(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Self::Value, E> {
        Ok(Raw::Signed(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Self::Value, E> {
        Ok(Raw::Unsigned(value))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Self::Value, E> {
        Ok(Raw::Float(value))
    }

    fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<Self::Value, E> {
        Ok(Raw::Text(Cow::Borrowed(value)))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        Ok(Raw::Text(Cow::Owned(value.to_owned())))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Self::Value, E> {
        Ok(Raw::Text(Cow::Owned(value)))
    }
}

impl Lenient for String {
    fn from_raw<E: de::Error>(raw: Raw<'_>) -> Result<Option<Self>, E> {
        let text = match raw {
            Raw::Null => return Ok(None),
            Raw::Text(text) => return Ok(Some(text.into_owned())),
            Raw::Bool(value) => value.to_string(),
            Raw::Signed(value) => value.to_string(),
            Raw::Unsigned(value) => value.to_string(),
            Raw::Float(value) => value.to_string(),
        };
        drift::note(|| DriftKind::Coerced(Coercion::ScalarAsText))?;
        Ok(Some(text))
    }
}

impl Lenient for i64 {
    fn from_raw<E: de::Error>(raw: Raw<'_>) -> Result<Option<Self>, E> {
        let Some(raw) = raw.blank_as_none()? else { return Ok(None) };
        let value = match &raw {
            Raw::Signed(value) => Some(*value),
            Raw::Unsigned(value) => i64::try_from(*value).ok(),
            Raw::Float(value) => Decimal::from_str(&value.to_string()).ok().and_then(whole),
            Raw::Text(text) => {
                let text = text.trim();
                text.parse().ok().or_else(|| Decimal::from_str(text).ok().and_then(whole))
            }
            Raw::Null | Raw::Bool(_) => None,
        };
        if value.is_some() && matches!(raw, Raw::Text(_)) {
            drift::note(|| DriftKind::Coerced(Coercion::TextAsNumber))?;
        }
        value.map(Some).map_or_else(|| raw.invalid("an integer"), Ok)
    }
}

/// The integer `value` is, if it has no fraction and fits.
fn whole(value: Decimal) -> Option<i64> {
    use rust_decimal::prelude::ToPrimitive;
    value.fract().is_zero().then(|| value.to_i64()).flatten()
}

impl Lenient for bool {
    fn from_raw<E: de::Error>(raw: Raw<'_>) -> Result<Option<Self>, E> {
        let Some(raw) = raw.blank_as_none()? else { return Ok(None) };
        let value = match &raw {
            Raw::Bool(value) => Some(*value),
            Raw::Signed(0) | Raw::Unsigned(0) => Some(false),
            Raw::Signed(1) | Raw::Unsigned(1) => Some(true),
            Raw::Text(text) => match text.trim() {
                text if text.eq_ignore_ascii_case("true") || text == "1" => Some(true),
                text if text.eq_ignore_ascii_case("false") || text == "0" => Some(false),
                _ => None,
            },
            _ => None,
        };
        match (&raw, value) {
            (Raw::Text(_), Some(_)) => drift::note(|| DriftKind::Coerced(Coercion::TextAsBoolean))?,
            (Raw::Signed(_) | Raw::Unsigned(_), Some(_)) => {
                drift::note(|| DriftKind::Coerced(Coercion::NumberAsBoolean))?
            }
            _ => {}
        }
        value.map(Some).map_or_else(|| raw.invalid("a boolean"), Ok)
    }
}

impl Lenient for Decimal {
    fn from_raw<E: de::Error>(raw: Raw<'_>) -> Result<Option<Self>, E> {
        let Some(raw) = raw.blank_as_none()? else { return Ok(None) };
        let value = match &raw {
            Raw::Signed(value) => Some(Decimal::from(*value)),
            Raw::Unsigned(value) => Some(Decimal::from(*value)),
            Raw::Float(value) if value.is_finite() => parse_decimal(&value.to_string()),
            Raw::Text(text) => parse_decimal(text.trim()),
            _ => None,
        };
        value.map(Some).map_or_else(|| raw.invalid("a decimal number"), Ok)
    }
}

fn parse_decimal(text: &str) -> Option<Decimal> {
    Decimal::from_str_exact(text).or_else(|_| Decimal::from_scientific(text)).ok()
}

impl Lenient for Date {
    /// `YYYY-MM-DD`; a timestamp gives its date as written (noted), `""` no date (noted).
    fn from_raw<E: de::Error>(raw: Raw<'_>) -> Result<Option<Self>, E> {
        let Some(raw) = raw.blank_as_none()? else { return Ok(None) };
        let Raw::Text(text) = &raw else { return raw.invalid("a date (YYYY-MM-DD)") };
        let text = text.trim();
        if let Ok(date) = Date::parse_from_str(text, "%Y-%m-%d") {
            return Ok(Some(date));
        }
        match text.parse::<DateTime>() {
            Ok(timestamp) => {
                drift::note(|| DriftKind::Coerced(Coercion::DateTimeAsDate))?;
                Ok(Some(timestamp.naive().date()))
            }
            Err(_) => raw.invalid("a date (YYYY-MM-DD)"),
        }
    }
}

impl Lenient for DateTime {
    /// RFC 3339 or Sage 200's local `YYYY-MM-DDThh:mm:ss`; `""` no timestamp (noted).
    fn from_raw<E: de::Error>(raw: Raw<'_>) -> Result<Option<Self>, E> {
        let Some(raw) = raw.blank_as_none()? else { return Ok(None) };
        match &raw {
            Raw::Text(text) => match text.trim().parse() {
                Ok(timestamp) => Ok(Some(timestamp)),
                Err(_) => raw.invalid("a timestamp (RFC 3339, or YYYY-MM-DDThh:mm:ss)"),
            },
            _ => raw.invalid("a timestamp (RFC 3339, or YYYY-MM-DDThh:mm:ss)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Row {
        #[serde(deserialize_with = "value")]
        count: i64,
        #[serde(deserialize_with = "value")]
        active: bool,
        #[serde(deserialize_with = "value")]
        name: String,
        #[serde(deserialize_with = "value")]
        amount: Decimal,
        #[serde(default, deserialize_with = "option")]
        limit: Option<Decimal>,
        #[serde(deserialize_with = "or_default")]
        tags: Vec<String>,
        #[serde(flatten)]
        extra: super::super::Extra,
    }

    fn row(body: &str) -> Result<Row, serde_json::Error> {
        from_slice(body.as_bytes())
    }

    #[test]
    fn drifted_spellings_decode_to_the_intended_values() {
        let row =
            row(r#"{"count":"42","active":"TRUE","name":1234,"amount":0.1,"limit":" 12.50 ","tags":null}"#).unwrap();
        assert_eq!((row.count, row.active, row.name.as_str()), (42, true, "1234"));
        assert_eq!(row.amount, Decimal::new(1, 1));
        assert_eq!(row.limit.unwrap().to_string(), "12.50");
        assert!(row.tags.is_empty());
    }

    #[test]
    fn nulls_in_required_fields_give_defaults_and_blank_numbers_give_none() {
        let row = row(r#"{"count":null,"active":null,"name":null,"amount":null,"limit":"","tags":[]}"#).unwrap();
        assert_eq!((row.count, row.active, row.name.as_str(), row.amount), (0, false, "", Decimal::ZERO));
        assert_eq!(row.limit, None);
    }

    #[test]
    fn long_decimals_keep_every_digit_even_beside_unknown_fields() {
        let body = r#"{"count":1.0,"active":0,"name":"x","amount":12345678901234567.89,"limit":-1.5e-3,
            "tags":[],"balance":98765432109876543.21,"small":0.1,"big":123456789012345678901234}"#;
        let row = row(body).unwrap();
        assert_eq!(row.amount.to_string(), "12345678901234567.89");
        assert_eq!(row.limit, Some(Decimal::new(-15, 4)));
        assert_eq!((row.count, row.active), (1, false));
        assert_eq!(row.extra["balance"], json!("98765432109876543.21"));
        assert_eq!(row.extra["small"], json!(0.1));
        assert_eq!(row.extra["big"], json!("123456789012345678901234"));
    }

    #[test]
    fn unfaithful_spellings_are_still_errors() {
        for body in [
            r#"{"count":"12abc","active":true,"name":"","amount":"1","tags":[]}"#,
            r#"{"count":1.5,"active":true,"name":"","amount":"1","tags":[]}"#,
            r#"{"count":1,"active":"yes","name":"","amount":"1","tags":[]}"#,
            r#"{"count":1,"active":true,"name":"","amount":"1,50","tags":[]}"#,
            r#"{"count":1,"active":true,"name":[],"amount":"1","tags":[]}"#,
        ] {
            assert!(row(body).is_err(), "{body}");
        }
    }

    #[derive(Debug, Deserialize)]
    struct Dates {
        #[serde(default, deserialize_with = "option")]
        paid: Option<Date>,
        #[serde(default, deserialize_with = "option")]
        at: Option<DateTime>,
    }

    #[test]
    fn blank_dates_are_no_date_and_timestamps_give_their_date() {
        let dates: Dates = from_slice(br#"{"paid":"","at":"  "}"#).unwrap();
        assert_eq!((dates.paid, dates.at), (None, None));
        let dates: Dates = from_slice(br#"{"paid":"2024-03-01T00:00:00","at":"2024-03-01T10:00:00.66"}"#).unwrap();
        assert_eq!(dates.paid, Date::from_ymd_opt(2024, 3, 1));
        assert_eq!(dates.at.unwrap().to_string(), "2024-03-01T10:00:00.66");
        for body in [&br#"{"paid":"2024-13-45"}"#[..], br#"{"paid":20240301}"#, br#"{"at":"yesterday"}"#] {
            let error = from_slice::<Dates>(body).unwrap_err().to_string();
            assert!(error.contains("expected a date") || error.contains("expected a timestamp"), "{error}");
        }
    }

    #[test]
    fn numbers_inside_strings_and_short_numbers_are_left_alone() {
        let body = br#"{"a":"12345678901234567.89","b":[1,-2.5,1e3,18446744073709551615],"c":"\"-9"}"#;
        assert!(matches!(exact_numbers(body), Cow::Borrowed(_)));
        assert_eq!(
            exact_numbers(br#"[1.2345678901234567,-99999999999999999999]"#).as_ref(),
            br#"["1.2345678901234567","-99999999999999999999"]"#
        );
    }

    #[test]
    fn escapes_decide_where_a_string_ends() {
        // `\\` is an escaped backslash, so the quote after it closes the string and the number
        // that follows is outside it; `\"` keeps the string open over the digits.
        assert_eq!(
            exact_numbers(br#"{"a":"x\\","b":1.2345678901234567}"#).as_ref(),
            br#"{"a":"x\\","b":"1.2345678901234567"}"#
        );
        assert!(matches!(exact_numbers(br#"["x\",1.2345678901234567]"#), Cow::Borrowed(_)));
        // Bodies cut off inside a string or right after a backslash are left for the decoder to refuse.
        for body in [&br#"["abc"#[..], br#"["abc\"#, br#"["\"#] {
            assert!(matches!(exact_numbers(body), Cow::Borrowed(_)));
        }
    }

    #[test]
    fn a_long_number_is_found_wherever_it_starts() {
        // The quick look probes every sixteenth byte; a number of 16 bytes must be found at every
        // offset, whichever of its bytes the probe lands on, and one of 15 never.
        let body = |number: &str, offset: usize| {
            format!("[{}{number}]", r#""x","#.repeat(offset / 4) + &" ".repeat(offset % 4))
        };
        for offset in 0..40 {
            for long in ["1.23456789012345", "-1.2345678901234", "1.234567890123e-7", "12345678901234.5e+1"] {
                assert!(may_hold_inexact_number(body(long, offset).as_bytes()), "{long} at {offset}");
            }
            assert!(!may_hold_inexact_number(body("1.2345678901234", offset).as_bytes()), "15 bytes at {offset}");
            let exact = exact_numbers(body("1234567.123456789", offset).as_bytes()).into_owned();
            assert_eq!(exact, body(r#""1234567.123456789""#, offset).into_bytes());
        }
        assert!(!may_hold_inexact_number(b""));
    }

    #[test]
    fn the_quick_look_misses_no_number_the_full_pass_would_quote() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(16);
        let mut digits = |most: usize| -> String {
            let count = rng.gen_range(1..=most);
            (0..count).map(|_| char::from(b'0' + rng.gen_range(0..10))).collect()
        };
        for round in 0..20_000 {
            let sign = if round % 3 == 0 { "-" } else { "" };
            let mut number = format!("{sign}{}", digits(21));
            if round % 5 < 3 {
                number = format!("{number}.{}", digits(21));
            }
            if round % 5 == 1 {
                number = format!("{number}e{}", digits(3));
            }
            let padding = " ".repeat(round % 16);
            let body = format!(r#"[{padding}"word e1",{number}]"#);
            let quoted = matches!(quote_inexact_numbers(body.as_bytes()), Cow::Owned(_));
            assert!(!quoted || may_hold_inexact_number(body.as_bytes()), "{body}");
        }
    }

    #[test]
    fn letters_e_in_words_are_not_numbers() {
        // Every sixteenth byte is an `e`; `e`s run for 16 bytes, but none is next to a digit.
        let body = format!("[{}]", (0..8).map(|_| r#""eeeeeeeeeeeeeeeeeeeeeeeeeeeeee""#).collect::<Vec<_>>().join(","));
        assert!(body.len() > 16 * 8);
        assert!(!may_hold_inexact_number(body.as_bytes()));
        assert!(may_hold_inexact_number(body.replace("eee", "1e1").as_bytes()));
    }
}
