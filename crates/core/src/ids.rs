//! Resource ids as their own types, so a contact id cannot go where an invoice id belongs.
//!
//! Generated crates declare one type per resource with [`string_id!`](crate::string_id) (Accounting's
//! ids are strings) or [`integer_id!`](crate::integer_id) (Sage 200's are integers). On the wire an
//! id is its raw value; in Rust it converts from the raw value, prints as it, and parses from text.

/// Declares a string id type: `#[serde(transparent)]`, `From<&str>`/`From<String>`, `Display`,
/// `FromStr`, `AsRef<str>`, `Deref<Target = str>`.
#[macro_export]
macro_rules! string_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $crate::types::lenient::LenientNewtype for $name {
            type Raw = String;
            #[inline]
            fn from_raw_value(raw: String) -> Self {
                Self(raw)
            }
        }

        impl $name {
            /// The id as Sage writes it.
            #[inline]
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl ::std::ops::Deref for $name {
            type Target = str;
            #[inline]
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            #[inline]
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl ::std::fmt::Display for $name {
            #[inline]
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            #[inline]
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(Self(value.to_owned()))
            }
        }

        impl From<String> for $name {
            #[inline]
            fn from(value: String) -> Self {
                Self(value)
            }
        }

        impl From<&String> for $name {
            #[inline]
            fn from(value: &String) -> Self {
                Self(value.clone())
            }
        }

        impl From<&str> for $name {
            #[inline]
            fn from(value: &str) -> Self {
                Self(value.to_owned())
            }
        }

        impl From<&$name> for $name {
            #[inline]
            fn from(value: &$name) -> Self {
                value.clone()
            }
        }

        impl From<$name> for String {
            #[inline]
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl PartialEq<str> for $name {
            #[inline]
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            #[inline]
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

/// Declares an integer id type: `#[serde(transparent)]`, `From<i64>`, `Display`, `FromStr`, `Copy`.
#[macro_export]
macro_rules! integer_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl $crate::types::lenient::LenientNewtype for $name {
            type Raw = i64;
            #[inline]
            fn from_raw_value(raw: i64) -> Self {
                Self(raw)
            }
        }

        impl $name {
            /// The id as Sage writes it.
            #[inline]
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl ::std::fmt::Display for $name {
            #[inline]
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&self.0, f)
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::num::ParseIntError;
            #[inline]
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                value.parse().map(Self)
            }
        }

        impl From<i64> for $name {
            #[inline]
            fn from(value: i64) -> Self {
                Self(value)
            }
        }

        impl From<&$name> for $name {
            #[inline]
            fn from(value: &$name) -> Self {
                *value
            }
        }

        impl From<$name> for i64 {
            #[inline]
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl PartialEq<i64> for $name {
            #[inline]
            fn eq(&self, other: &i64) -> bool {
                self.0 == *other
            }
        }
    };
}

#[cfg(test)]
mod tests {
    crate::string_id!(
        /// A test id.
        ContactId
    );
    crate::integer_id!(
        /// A test id.
        CustomerId
    );

    #[test]
    fn ids_read_leniently_like_their_raw_value() {
        #[derive(serde::Deserialize)]
        struct Row {
            #[serde(deserialize_with = "crate::types::lenient::value")]
            customer: CustomerId,
            #[serde(default, deserialize_with = "crate::types::lenient::option")]
            contact: Option<ContactId>,
        }
        let row: Row = serde_json::from_str(r#"{"customer": "42", "contact": 7}"#).unwrap();
        assert_eq!((row.customer, row.contact), (CustomerId(42), Some(ContactId("7".into()))));
    }

    #[test]
    fn ids_are_their_raw_value_on_the_wire_and_in_text() {
        let id: ContactId = serde_json::from_str(r#""abc123""#).unwrap();
        assert_eq!(id, "abc123");
        assert_eq!(serde_json::to_string(&id).unwrap(), r#""abc123""#);
        assert_eq!(id.to_string(), "abc123");
        let customer: CustomerId = serde_json::from_str("42").unwrap();
        assert_eq!(customer, 42);
        assert_eq!("42".parse::<CustomerId>().unwrap(), customer);
        assert!("x".parse::<CustomerId>().is_err());
        assert_eq!(serde_json::to_string(&customer).unwrap(), "42");
    }
}
