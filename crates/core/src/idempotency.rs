//! Accounting v3.1's `idempotency_id`: a create that carries one is made once however often it is
//! sent, so the client can retry a create whose response was lost (timeout, reset, 502/503/504)
//! without making a duplicate.
//!
//! Generated creates mark their request with [`Request::idempotency_field`], naming the key that
//! wraps the entity (`{"contact": {…}}`). Per [`crate::Client::execute`] call the client fills in one
//! fresh id, unless the caller set one, and keeps it for every retry of that call.

use std::borrow::Cow;

use serde_json::Value;

use crate::error::Error;
use crate::operation::Request;

/// The field Sage reads inside the entity.
pub const FIELD: &str = "idempotency_id";

/// A fresh id: 32 lowercase hexadecimal characters, as Sage asks (a UUID without hyphens).
pub fn new_idempotency_id() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// The request as it is sent on every try: with an `idempotency_id` in its entity (the caller's,
/// or a fresh one) and therefore safe to retry. Requests without an idempotency field, or whose
/// body does not wrap an object under it, are sent as they are.
pub(crate) fn prepared(request: &Request) -> Result<Cow<'_, Request>, Error> {
    let (Some(key), Some(body)) = (request.idempotency_key, &request.body) else { return Ok(Cow::Borrowed(request)) };
    let Ok(mut json) = serde_json::from_slice::<Value>(body) else { return Ok(Cow::Borrowed(request)) };
    let Some(entity) = json.get_mut(key).and_then(Value::as_object_mut) else { return Ok(Cow::Borrowed(request)) };
    let mut request = request.clone();
    if entity.get(FIELD).is_none_or(Value::is_null) {
        entity.insert(FIELD.to_owned(), Value::from(new_idempotency_id()));
        request.body = Some(serde_json::to_vec(&json).map_err(|err| Error::Build(format!("request body: {err}")))?);
    }
    request.idempotent = true;
    Ok(Cow::Owned(request))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::operation::Method;

    fn create(body: Value) -> Request {
        Request::new("create_contact", Method::Post, "/contacts").idempotency_field("contact").json(&body).unwrap()
    }

    fn sent_id(request: &Request) -> Value {
        let body: Value = serde_json::from_slice(request.body.as_ref().unwrap()).unwrap();
        body["contact"][FIELD].clone()
    }

    #[test]
    fn each_call_gets_a_fresh_id_and_becomes_retryable() {
        let request = create(json!({"contact": {"name": "A", "idempotency_id": null}}));
        assert!(!request.idempotent);
        let (first, second) = (prepared(&request).unwrap(), prepared(&request).unwrap());
        let id = sent_id(&first);
        let id = id.as_str().unwrap();
        assert_eq!(id.len(), 32);
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert_ne!(sent_id(&first), sent_id(&second));
        assert!(first.idempotent && second.idempotent);
        assert_eq!(serde_json::from_slice::<Value>(first.body.as_ref().unwrap()).unwrap()["contact"]["name"], "A");
    }

    #[test]
    fn an_id_the_caller_set_is_kept() {
        let request = create(json!({"contact": {"name": "A", "idempotency_id": "0123456789abcdef0123456789abcdef"}}));
        let sent = prepared(&request).unwrap();
        assert_eq!(sent_id(&sent), "0123456789abcdef0123456789abcdef");
        assert!(sent.idempotent);
    }

    #[test]
    fn requests_without_the_field_are_untouched() {
        let plain = Request::new("create_note", Method::Post, "/notes").json(&json!({"note": {}})).unwrap();
        assert!(matches!(prepared(&plain).unwrap(), Cow::Borrowed(_)));
        let unwrapped = create(json!({"name": "A"}));
        assert!(matches!(prepared(&unwrapped).unwrap(), Cow::Borrowed(_)));
    }
}
