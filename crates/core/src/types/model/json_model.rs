//! `json_model!`: a generated model's `Serialize`, `Deserialize` and [`FromFields`](super::FromFields)
//! impls from one line per field, so that the generated crates state each field's wire name and
//! decoding once instead of spelling out three impls per model.

/// Implements `Serialize`, `Deserialize` and `FromFields` for a generated model (a struct with an
/// `extra: Extra` field), from one line per field:
///
/// ```text
/// member: "wire name", read, write;
/// ```
///
/// `read` is the [`Fields`](crate::types::model::Fields) method that decodes the value and `write`
/// the [`Entries`](crate::types::model::Entries) method that writes it. `Name: Default { … }`
/// reads each value straight into `Self::default()`'s fields (a model whose fields are all
/// `Option`s); `Name { … }` reads into locals first, so that a required field (one written with
/// `field` or `number`) that never came can be told apart: it reads as its type's default (Sage
/// leaves out what a `$select` did not ask for), except one read with `next_value` (a nested model
/// without a default), which is serde's ``missing field`` error.
///
/// ```
/// # use sage_core::types::{Decimal, Extra};
/// #[derive(Debug)]
/// pub struct Contact { pub name: String, pub balance: Option<Decimal>, pub extra: Extra }
///
/// sage_core::json_model! {
///     Contact {
///         name: "Name", lenient_value, field;
///         balance: "Balance", lenient_option, optional_number;
///     }
/// }
///
/// let contact: Contact = serde_json::from_str(r#"{"Balance":"12.50","Name":"Acme","Notes":1}"#).unwrap();
/// assert_eq!((contact.name.as_str(), contact.balance.unwrap().to_string()), ("Acme", "12.50".into()));
/// assert_eq!(serde_json::to_string(&contact).unwrap(), r#"{"Name":"Acme","Balance":12.5,"Notes":1}"#);
/// ```
#[doc(hidden)]
#[macro_export]
macro_rules! json_model {
    ($model:ident: Default { $($member:ident: $wire:literal, $read:ident, $write:ident;)* }) => {
        $crate::json_model!(@serialize $model { $($member: $wire, $write;)* });

        impl $crate::types::model::FromFields for $model {
            fn from_fields<'de, A: $crate::__serde::de::MapAccess<'de>>(
                mut fields: $crate::types::model::Fields<'de, A>,
            ) -> ::core::result::Result<Self, A::Error> {
                let mut model = <Self as ::core::default::Default>::default();
                while let ::core::option::Option::Some(key) = fields.next_key()? {
                    match key {
                        $($wire => fields.$read(&mut model.$member),)*
                        _ => fields.keep_unknown(),
                    }
                }
                model.extra = fields.into_extra();
                ::core::result::Result::Ok(model)
            }
        }
    };
    ($model:ident { $($member:ident: $wire:literal, $read:ident, $write:ident;)* }) => {
        $crate::json_model!(@serialize $model { $($member: $wire, $write;)* });

        impl $crate::types::model::FromFields for $model {
            fn from_fields<'de, A: $crate::__serde::de::MapAccess<'de>>(
                mut fields: $crate::types::model::Fields<'de, A>,
            ) -> ::core::result::Result<Self, A::Error> {
                $(let mut $member = ::core::option::Option::None;)*
                while let ::core::option::Option::Some(key) = fields.next_key()? {
                    match key {
                        $($wire => fields.$read(&mut $member),)*
                        _ => fields.keep_unknown(),
                    }
                }
                ::core::result::Result::Ok(Self {
                    $($member: $crate::json_model!(@take fields, $member, $wire, $read, $write),)*
                    extra: fields.into_extra(),
                })
            }
        }
    };
    (@serialize $model:ident { $($member:ident: $wire:literal, $write:ident;)* }) => {
        impl $crate::__serde::Serialize for $model {
            fn serialize<S: $crate::__serde::Serializer>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error> {
                #[allow(unused_mut)]
                let mut map = $crate::types::model::Entries::new(serializer)?;
                $(map.$write($wire, &self.$member);)*
                map.end(&self.extra)
            }
        }

        impl<'de> $crate::__serde::Deserialize<'de> for $model {
            fn deserialize<D: $crate::__serde::Deserializer<'de>>(deserializer: D) -> ::core::result::Result<Self, D::Error> {
                $crate::types::model::deserialize(deserializer)
            }
        }
    };
    // A required field's value once every key is read: its type's default if it never came (Sage
    // leaves out what a `$select` did not ask for), or an error for a model that has no default.
    (@take $fields:ident, $local:ident, $wire:literal, next_value, field) => { $fields.required($local, $wire)? };
    (@take $fields:ident, $local:ident, $wire:literal, $read:ident, field) => { $fields.or_missing($local, $wire)? };
    (@take $fields:ident, $local:ident, $wire:literal, $read:ident, number) => { $fields.or_missing($local, $wire)? };
    // An optional one's: `None` if it never came.
    (@take $fields:ident, $local:ident, $wire:literal, $read:ident, $optional:ident) => { $local.unwrap_or_default() };
}
