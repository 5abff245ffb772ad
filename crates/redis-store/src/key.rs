//! Which Redis keys hold one Sage connection's tokens and its refresh lock.

use std::fmt;

use sage_core::auth::SageApi;

/// The namespace used when none is set.
pub const DEFAULT_NAMESPACE: &str = "sage";

/// One Sage connection: the product, the tenant (v3.1 business, v3 site, Sage 200 site or company)
/// and the user who consented. Every app instance using the same key shares one token set.
///
/// Parts are escaped before they are joined with `:`, so `("a:b", "c")` and `("a", "b:c")` never
/// name the same key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ConnectionKey {
    namespace: String,
    api: SageApi,
    tenant: String,
    user: String,
}

impl ConnectionKey {
    /// The key of `user`'s connection to `tenant` on `api`, in the `sage` namespace.
    pub fn new(api: SageApi, tenant: impl Into<String>, user: impl Into<String>) -> Self {
        Self { namespace: DEFAULT_NAMESPACE.into(), api, tenant: tenant.into(), user: user.into() }
    }

    /// Puts the keys under another prefix, e.g. one per application sharing a Redis.
    pub fn with_namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = namespace.into();
        self
    }

    /// The prefix of every key, `sage` unless set.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The Sage API the tokens are for.
    pub fn api(&self) -> SageApi {
        self.api
    }

    /// The business, site or company.
    pub fn tenant(&self) -> &str {
        &self.tenant
    }

    /// The user who consented.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The hash holding the stored token set and its revision:
    /// `{namespace}:tokens:{api}:{tenant}:{user}`.
    pub fn tokens_key(&self) -> String {
        self.redis_key("tokens")
    }

    /// The string holding the refresh lock: `{namespace}:refresh-lock:{api}:{tenant}:{user}`.
    pub fn lock_key(&self) -> String {
        self.redis_key("refresh-lock")
    }

    fn redis_key(&self, kind: &str) -> String {
        let parts = [self.namespace.as_str(), kind, self.api.name(), &self.tenant, &self.user];
        parts.iter().map(|part| escape_key_part(part)).collect::<Vec<_>>().join(":")
    }
}

impl fmt::Display for ConnectionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.tokens_key())
    }
}

/// Percent-encodes everything but letters, digits and `-_.@`, so no part of a key built from it
/// (an id, a product, a tenant) can contain the `:` separator.
pub fn escape_key_part(part: &str) -> String {
    let mut escaped = String::with_capacity(part.len());
    for byte in part.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'@') {
            escaped.push(char::from(byte));
        } else {
            escaped.push_str(&format!("%{byte:02X}"));
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_namespaced_per_product_tenant_and_user() {
        let key = ConnectionKey::new(SageApi::AccountingV31, "business-1", "user@example.com");
        assert_eq!(key.tokens_key(), "sage:tokens:accounting-v31:business-1:user@example.com");
        assert_eq!(key.lock_key(), "sage:refresh-lock:accounting-v31:business-1:user@example.com");
        let other = key.clone().with_namespace("billing-app");
        assert_eq!(other.tokens_key(), "billing-app:tokens:accounting-v31:business-1:user@example.com");
    }

    #[test]
    fn separators_inside_parts_cannot_make_two_connections_collide() {
        let left = ConnectionKey::new(SageApi::Sage200, "a:b", "c");
        let right = ConnectionKey::new(SageApi::Sage200, "a", "b:c");
        assert_ne!(left.tokens_key(), right.tokens_key());
        assert_eq!(left.tokens_key(), "sage:tokens:sage200:a%3Ab:c");
        assert_eq!(ConnectionKey::new(SageApi::Sage200, "%", "é").tokens_key(), "sage:tokens:sage200:%25:%C3%A9");
    }
}
