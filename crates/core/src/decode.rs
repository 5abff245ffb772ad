//! Turning response bodies into typed values, with the path of the field that did not fit.

use serde::de::DeserializeOwned;

use crate::error::{DecodeError, Error, Result};
use crate::types::{drift, lenient};

/// Decodes a body, naming the path of the first field that does not fit. An empty body
/// (204 No Content) decodes as JSON `null`, which `()` accepts.
///
/// The plain decoder runs first; only a body that fails is decoded again with path tracking,
/// so successful calls pay nothing for good error messages. Numbers an `f64` would round reach
/// the decoder as text ([`lenient::exact_numbers`]), so decimals keep every digit. Values read
/// from another spelling than the schema's are DEBUG events of target `sage_core::drift`, when a
/// subscriber wants them ([`drift::trace`]).
///
/// Public for tools and tests that decode a body exactly as the client does.
#[doc(hidden)]
pub fn decode<T: DeserializeOwned>(operation: &'static str, body: &[u8]) -> Result<T> {
    let body_or_null: &[u8] = if body.iter().all(u8::is_ascii_whitespace) { b"null" } else { body };
    let exact = lenient::exact_numbers(body_or_null);
    let decoded = serde_json::from_slice(&exact);
    if decoded.is_ok() {
        drift::trace::<T>(operation, body_or_null);
    }
    decoded.map_err(|plain| {
        let mut deserializer = serde_json::Deserializer::from_slice(&exact);
        let (path, message) = match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
            Err(tracked) => (tracked.path().to_string(), tracked.inner().to_string()),
            Ok(_) => (String::from("."), plain.to_string()),
        };
        Error::Decode(Box::new(DecodeError {
            operation,
            path,
            message,
            body: String::from_utf8_lossy(body).into_owned(),
        }))
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::Page;

    #[test]
    fn decode_errors_name_the_field_path() {
        let err =
            decode::<Page<BTreeMap<String, u32>>>("list_things", br#"{"$items":[{"a":1},{"a":"x"}]}"#).unwrap_err();
        let Error::Decode(decode) = err else { panic!("expected a decode error") };
        assert_eq!(decode.path, "$items[1].a");
        assert_eq!(decode.operation, "list_things");
    }

    #[test]
    fn empty_bodies_decode_as_unit() {
        decode::<()>("delete_contact", b"").unwrap();
        assert!(decode::<u32>("get", b"").is_err());
    }
}
