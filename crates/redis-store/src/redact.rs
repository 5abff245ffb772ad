//! Redis URLs may carry a password (`redis://:secret@host`, `?password=`): this is the only form
//! in which one is ever shown.

use url::Url;

const MASK: &str = "***";

/// The URL with its password (in the user info or a `pass`/`password` query parameter) masked.
/// A URL that does not parse is not shown at all, since where its password is cannot be known.
pub(crate) fn redact_url(raw: &str) -> String {
    let Ok(mut url) = Url::parse(raw) else {
        return "<unparseable Redis URL>".into();
    };
    if url.password().is_some() {
        // Only fails for URLs that cannot have credentials, and those have no password to hide.
        let _ = url.set_password(Some(MASK));
    }
    let has_secret_param = url.query_pairs().any(|(name, _)| is_secret_param(&name));
    if has_secret_param {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(name, value)| {
                let value = if is_secret_param(&name) { MASK.to_owned() } else { value.into_owned() };
                (name.into_owned(), value)
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    url.to_string()
}

/// The password in `raw`, as written and decoded, so error texts from the Redis client can be
/// scrubbed of it.
pub(crate) fn secrets_of(raw: &str) -> Vec<String> {
    let Ok(url) = Url::parse(raw) else {
        return Vec::new();
    };
    let mut secrets: Vec<String> =
        url.query_pairs().filter(|(name, _)| is_secret_param(name)).map(|(_, value)| value.into_owned()).collect();
    if let Some(password) = url.password() {
        let encoded = format!("p={password}");
        let decoded = url::form_urlencoded::parse(encoded.as_bytes()).next().map(|(_, value)| value.into_owned());
        secrets.extend(decoded);
        secrets.push(password.to_owned());
    }
    secrets.retain(|secret| !secret.is_empty());
    secrets
}

/// Masks every occurrence of each secret in `text`.
pub(crate) fn scrub(mut text: String, secrets: &[String]) -> String {
    for secret in secrets {
        if text.contains(secret.as_str()) {
            text = text.replace(secret.as_str(), MASK);
        }
    }
    text
}

fn is_secret_param(name: &str) -> bool {
    name.eq_ignore_ascii_case("pass") || name.eq_ignore_ascii_case("password")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_passwords_in_user_info_and_query() {
        assert_eq!(redact_url("redis://:hunter2@cache:6379/0"), "redis://:***@cache:6379/0");
        assert_eq!(
            redact_url("rediss://app:hunter2@cache.example.com:6380/"),
            "rediss://app:***@cache.example.com:6380/"
        );
        let unix = redact_url("redis+unix:///run/redis.sock?db=1&pass=hunter2");
        assert!(!unix.contains("hunter2") && unix.contains("db=1"), "{unix}");
        assert_eq!(redact_url("redis://127.0.0.1:6379/"), "redis://127.0.0.1:6379/");
    }

    #[test]
    fn an_unparseable_url_is_not_echoed() {
        assert_eq!(redact_url("redis://:hunter2@[bad"), "<unparseable Redis URL>");
    }

    #[test]
    fn finds_the_password_to_scrub_even_when_percent_encoded() {
        let secrets = secrets_of("redis://:p%40ss@cache/");
        assert_eq!(scrub("auth p@ss failed for p%40ss".into(), &secrets), "auth *** failed for ***");
        assert_eq!(secrets_of("redis+unix:///s.sock?pass=x1"), ["x1"]);
        assert!(secrets_of("redis://cache/").is_empty());
    }
}
