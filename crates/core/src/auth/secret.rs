//! Secret newtypes: their `Debug` never shows the value, and they have no `Display`.

use secrecy::{ExposeSecret, SecretString};

macro_rules! secret_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name(SecretString);

        impl $name {
            /// Wraps a secret value.
            pub fn new(value: impl Into<String>) -> Self {
                Self(SecretString::from(value.into()))
            }

            /// The value itself; call only where it must leave the process (an HTTP header or form).
            pub fn secret(&self) -> &str {
                self.0.expose_secret()
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, concat!(stringify!($name), "([redacted])"))
            }
        }

        impl PartialEq for $name {
            /// Constant-time comparison, so equality checks leak nothing through timing.
            fn eq(&self, other: &Self) -> bool {
                use subtle::ConstantTimeEq;
                self.secret().as_bytes().ct_eq(other.secret().as_bytes()).into()
            }
        }

        impl Eq for $name {}
    };
}

secret_type!(
    /// A bearer access token.
    AccessToken
);
secret_type!(
    /// A refresh token; Sage 200 and Accounting v3.1 rotate it on every refresh.
    RefreshToken
);
secret_type!(
    /// An OAuth client secret, or an API subscription key.
    ClientSecret
);
secret_type!(
    /// An OpenID Connect ID token (Sage 200's Sage ID returns one).
    IdToken
);
secret_type!(
    /// A single-use authorization code from the redirect; whoever holds it can obtain tokens.
    AuthorizationCode
);
secret_type!(
    /// The PKCE code verifier: keep it (server-side) between the authorize URL and the code exchange.
    PkceVerifier
);
secret_type!(
    /// The anti-CSRF `state` of one authorization request. Compared in constant time.
    CsrfState
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let token = AccessToken::new("eyJ-very-secret");
        assert_eq!(format!("{token:?}"), "AccessToken([redacted])");
        assert_eq!(token.secret(), "eyJ-very-secret");
        assert!(!format!("{:?}", RefreshToken::new("r-123")).contains("r-123"));
        for debug in [
            format!("{:?}", IdToken::new("id-123")),
            format!("{:?}", AuthorizationCode::new("code-123")),
            format!("{:?}", PkceVerifier::new("verifier-123")),
            format!("{:?}", ClientSecret::new("secret-123")),
        ] {
            assert!(debug.ends_with("([redacted])") && !debug.contains("123"), "{debug}");
        }
    }

    #[test]
    fn equality_compares_values() {
        assert_eq!(AccessToken::new("a"), AccessToken::new("a"));
        assert_ne!(AccessToken::new("a"), AccessToken::new("b"));
    }
}
