//! What a cassette must not hold: secrets (tokens, codes, client secrets, passwords) always, and
//! on request e-mail addresses and person names.
//!
//! Bodies are kept as the text that travelled, so a replay answers byte for byte what Sage sent:
//! the JSON is parsed only to find the values to hide, which are then replaced in the text. When
//! the text spells a value differently from its parsed form (escapes), the parsed body with the
//! values replaced is written instead, so nothing is ever missed.

use std::collections::HashMap;

use serde_json::Value;

/// Form and query fields that carry secrets (token requests, authorize redirects).
const FORM_SECRETS: [&str; 9] = [
    "code",
    "code_verifier",
    "client_secret",
    "refresh_token",
    "access_token",
    "id_token",
    "password",
    "client_assertion",
    "assertion",
];

/// JSON keys of person names, when personal data is redacted.
const NAME_KEYS: [&str; 9] = [
    "first_name",
    "last_name",
    "middle_name",
    "full_name",
    "forename",
    "surname",
    "contact_name",
    "contact_person_name",
    "user_name",
];

/// Shorter secrets are replaced only where they stand as a whole value (a field, a JSON string),
/// never inside other text.
const MIN_FREE_TEXT_SECRET: usize = 8;

/// Whether a JSON key names a secret: the OAuth token fields, anything `…_token`, `…secret…`,
/// `…password…`.
fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    matches!(
        key.as_str(),
        "access_token" | "refresh_token" | "id_token" | "client_secret" | "password" | "code_verifier"
    ) || key.ends_with("_token")
        || key.contains("secret")
        || key.contains("password")
        || key.contains("api_key")
        || key.contains("subscription_key")
}

/// Learns the values to hide and gives each one a stable placeholder, so that the same token (or
/// person) reads the same everywhere in a cassette.
#[derive(Default)]
pub(crate) struct Redactor {
    personal_data: bool,
    /// Secret value → placeholder, e.g. `redacted-refresh_token-2`.
    secrets: HashMap<String, String>,
    /// Person name or e-mail → placeholder.
    personal: HashMap<String, String>,
    counts: HashMap<String, usize>,
}

impl Redactor {
    pub(crate) fn new(personal_data: bool) -> Self {
        Self { personal_data, ..Self::default() }
    }

    /// A secret seen outside a body (the bearer token of a call): hidden wherever it appears.
    pub(crate) fn learn_secret(&mut self, kind: &str, value: &str) -> String {
        if let Some(placeholder) = self.secrets.get(value) {
            return placeholder.clone();
        }
        let kind: String = kind
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '_' { c.to_ascii_lowercase() } else { '_' })
            .collect();
        let count = self.counts.entry(kind.clone()).or_default();
        *count += 1;
        let placeholder = format!("redacted-{kind}-{count}");
        self.secrets.insert(value.to_owned(), placeholder.clone());
        placeholder
    }

    fn learn_person(&mut self, value: &str, email: bool) -> String {
        if let Some(placeholder) = self.personal.get(value) {
            return placeholder.clone();
        }
        let kind = if email { "email" } else { "person" };
        let count = self.counts.entry(kind.to_owned()).or_default();
        *count += 1;
        let placeholder = if email { format!("person{count}@example.invalid") } else { format!("Person {count}") };
        self.personal.insert(value.to_owned(), placeholder.clone());
        placeholder
    }

    /// A URL with secret query fields replaced and known secrets hidden.
    pub(crate) fn url(&mut self, url: &url::Url) -> String {
        let mut url = url.clone();
        if url.query().is_some() {
            let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
            let pairs: Vec<(String, String)> =
                pairs.into_iter().map(|(name, value)| self.form_pair(name, value)).collect();
            url.query_pairs_mut().clear().extend_pairs(pairs);
        }
        self.scrub(url.as_str())
    }

    /// A form body (`application/x-www-form-urlencoded`) with secret fields replaced.
    pub(crate) fn form(&mut self, body: &str) -> String {
        let pairs: Vec<(String, String)> =
            url::form_urlencoded::parse(body.as_bytes()).into_owned().map(|(n, v)| self.form_pair(n, v)).collect();
        url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
    }

    fn form_pair(&mut self, name: String, value: String) -> (String, String) {
        if FORM_SECRETS.contains(&name.as_str()) || is_secret_key(&name) {
            let placeholder = self.learn_secret(&name, &value);
            (name, placeholder)
        } else {
            let value = self.scrub(&value);
            (name, value)
        }
    }

    /// A body of any kind: JSON is redacted by key, a form by field, other text by what is known.
    pub(crate) fn body(&mut self, text: &str, content_type: Option<&str>) -> String {
        let form = content_type.is_some_and(|kind| kind.contains("x-www-form-urlencoded"));
        if form {
            return self.form(text);
        }
        match serde_json::from_str::<Value>(text) {
            Ok(mut value) => {
                self.value(&mut value, None);
                let scrubbed = self.scrub(text);
                let faithful = serde_json::from_str::<Value>(&scrubbed).is_ok_and(|parsed| parsed == value);
                if faithful {
                    scrubbed
                } else {
                    value.to_string()
                }
            }
            Err(_) => self.scrub(text),
        }
    }

    /// Replaces secret (and, when asked, personal) values inside a parsed body, learning them.
    fn value(&mut self, value: &mut Value, key: Option<&str>) {
        match value {
            Value::Object(fields) => {
                for (name, field) in fields.iter_mut() {
                    self.value(field, Some(name));
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|item| self.value(item, key)),
            Value::String(text) => {
                let secret = key.is_some_and(is_secret_key);
                let name =
                    self.personal_data && key.is_some_and(|key| NAME_KEYS.contains(&key.to_ascii_lowercase().as_str()));
                if secret && !text.is_empty() {
                    *text = self.learn_secret(key.unwrap_or("secret"), text);
                } else if name && !text.is_empty() {
                    *text = self.learn_person(text, false);
                } else {
                    *text = self.scrub(text);
                }
            }
            _ => {}
        }
    }

    /// Hides every value learned so far, and e-mail addresses when asked, in free text.
    pub(crate) fn scrub(&mut self, text: &str) -> String {
        let mut out = text.to_owned();
        for (value, placeholder) in &self.secrets {
            if value.len() >= MIN_FREE_TEXT_SECRET {
                replace_all(&mut out, value, placeholder);
                let encoded: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
                if encoded != *value {
                    replace_all(&mut out, &encoded, placeholder);
                }
            } else if let (Ok(quoted), Ok(replacement)) =
                (serde_json::to_string(value), serde_json::to_string(placeholder))
            {
                replace_all(&mut out, &quoted, &replacement);
            }
        }
        if self.personal_data {
            for (value, placeholder) in &self.personal {
                if let (Ok(quoted), Ok(replacement)) =
                    (serde_json::to_string(value), serde_json::to_string(placeholder))
                {
                    replace_all(&mut out, &quoted, &replacement);
                }
            }
            out = self.emails(&out);
        }
        out
    }

    fn emails(&mut self, text: &str) -> String {
        let found = find_emails(text);
        if found.is_empty() {
            return text.to_owned();
        }
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for (start, end) in found {
            out.push_str(&text[last..start]);
            let placeholder = self.learn_person(&text[start..end], true);
            out.push_str(&placeholder);
            last = end;
        }
        out.push_str(&text[last..]);
        out
    }
}

fn replace_all(text: &mut String, from: &str, to: &str) {
    if !from.is_empty() && text.contains(from) {
        *text = text.replace(from, to);
    }
}

/// Byte ranges of the e-mail addresses in `text`: `local@domain.tld`.
fn find_emails(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let local = |b: u8| b.is_ascii_alphanumeric() || b"._%+-".contains(&b);
    let domain = |b: u8| b.is_ascii_alphanumeric() || b".-".contains(&b);
    let mut found = Vec::new();
    let mut from = 0;
    for at in memchr::memchr_iter(b'@', bytes) {
        if at < from {
            continue;
        }
        let mut start = at;
        while start > from && local(bytes[start - 1]) {
            start -= 1;
        }
        let mut end = at + 1;
        while end < bytes.len() && domain(bytes[end]) {
            end += 1;
        }
        while end > at + 1 && bytes[end - 1] == b'.' {
            end -= 1;
        }
        let host = &text[at + 1..end];
        let dotted =
            host.contains('.') && !host.starts_with('.') && host.rsplit('.').next().is_some_and(|tld| tld.len() >= 2);
        if start < at && dotted {
            found.push((start, end));
            from = end;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_responses_lose_their_tokens_but_keep_their_shape() {
        let mut redactor = Redactor::new(false);
        let body = r#"{"access_token":"AT-secret-value-1","refresh_token":"RT-secret-value-1","token_type":"bearer","expires_in":300,"refresh_token_expires_in":2678400}"#;
        let out = redactor.body(body, Some("application/json"));
        assert!(!out.contains("AT-secret-value-1") && !out.contains("RT-secret-value-1"), "{out}");
        assert!(out.contains(r#""access_token":"redacted-access_token-1""#), "{out}");
        assert!(out.contains(r#""expires_in":300"#) && out.contains("2678400") && out.contains("bearer"), "{out}");
        // A later body naming the same token (anywhere) hides it as well.
        assert_eq!(redactor.scrub("token RT-secret-value-1 used"), "token redacted-refresh_token-1 used");
    }

    #[test]
    fn form_fields_with_secrets_are_replaced() {
        let mut redactor = Redactor::new(false);
        let form = "grant_type=authorization_code&code=abc123xyz&code_verifier=vvvvvvvvvvvv&client_id=app&client_secret=s3cr3t!%26&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb";
        let out = redactor.form(form);
        for secret in ["abc123xyz", "vvvvvvvvvvvv", "s3cr3t"] {
            assert!(!out.contains(secret), "{secret} in {out}");
        }
        assert!(out.contains("grant_type=authorization_code") && out.contains("client_id=app"), "{out}");
        assert!(out.contains("code=redacted-code-1"), "{out}");
    }

    #[test]
    fn json_text_is_kept_as_sent_where_nothing_is_secret() {
        let mut redactor = Redactor::new(false);
        let body = "{\"$items\": [{\"name\": \"A \\u0026 B\", \"balance\": \"12.50\", \"code\": \"P1\"}]}";
        assert_eq!(redactor.body(body, Some("application/json")), body);
    }

    #[test]
    fn a_secret_spelt_with_escapes_is_still_hidden() {
        let mut redactor = Redactor::new(false);
        let body = r#"{"password":"p\u0061ssw0rd-long"}"#;
        let out = redactor.body(body, None);
        assert!(!out.contains("assw0rd"), "{out}");
    }

    #[test]
    fn personal_data_is_replaced_only_when_asked() {
        let body =
            r#"{"first_name":"Ada","last_name":"Lovelace","email":"ada@example.com","notes":"mail ada@example.com"}"#;
        let mut keep = Redactor::new(false);
        assert_eq!(keep.body(body, None), body);
        let mut hide = Redactor::new(true);
        let out = hide.body(body, None);
        assert!(!out.contains("Ada") && !out.contains("Lovelace") && !out.contains("ada@"), "{out}");
        assert!(out.contains("person1@example.invalid") && out.contains("Person 1"), "{out}");
        assert_eq!(out.matches("person1@example.invalid").count(), 2, "{out}");
    }

    #[test]
    fn emails_are_found_with_their_bounds() {
        let text = "x a.b+c@mail.example.co.uk, @nobody, me@host.";
        let found: Vec<&str> = find_emails(text).into_iter().map(|(s, e)| &text[s..e]).collect();
        assert_eq!(found, ["a.b+c@mail.example.co.uk"]);
    }
}
