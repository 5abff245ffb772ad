//! `setters!`: the chainable setters of a generated operation's optional parameters, one line per
//! parameter in the generated crates instead of a six-line method each.

/// A setter for each optional parameter of an operation: `name(value)` stores `Some(value.into())`
/// in the field of the same name and returns the operation, so calls chain. Each parameter is
/// written as its setter's argument type; strings and ids take `impl Into<…>` so that callers can
/// pass a `&str` or a raw id, other types are taken as they are (`Into` is then the identity):
///
/// ```text
/// sage_core::setters! {
///     #[allow(deprecated)]
///     ListContacts {
///         /// Use this to filter by the contact name, company name or reference.
///         search: impl Into<String>,
///         page: i64,
///     }
/// }
/// ```
#[doc(hidden)]
#[macro_export]
macro_rules! setters {
    (
        $(#[$attribute:meta])*
        $operation:ident { $( $(#[$doc:meta])* $name:ident: $argument:ty ),* $(,)? }
    ) => {
        $(#[$attribute])*
        impl $operation {
            $(
                $(#[$doc])*
                #[inline]
                pub fn $name(mut self, $name: $argument) -> Self {
                    self.$name = Some($name.into());
                    self
                }
            )*
        }
    };
}

#[cfg(test)]
mod tests {
    #[derive(Debug, Clone, PartialEq)]
    struct ThingId(String);

    impl From<&str> for ThingId {
        fn from(value: &str) -> Self {
            Self(value.to_owned())
        }
    }

    #[derive(Debug, Default)]
    struct ListThings {
        search: Option<String>,
        parent: Option<ThingId>,
        page: Option<i64>,
        r#type: Option<bool>,
    }

    crate::setters! {
        ListThings {
            /// A documented setter.
            search: impl Into<String>,
            parent: impl Into<ThingId>,
            page: i64,
            r#type: bool,
        }
    }

    #[deprecated(note = "a deprecated operation keeps its setters without warnings")]
    #[derive(Debug, Default)]
    struct ListOldThings {
        page: Option<i64>,
    }

    crate::setters! {
        #[allow(deprecated)]
        ListOldThings { page: i64 }
    }

    #[test]
    fn each_setter_stores_its_value_and_leaves_the_others_unset() {
        let things = ListThings::default().search("acme").page(2);
        assert_eq!(things.search.as_deref(), Some("acme"));
        assert_eq!(things.page, Some(2));
        assert_eq!((things.parent, things.r#type), (None, None));

        let things = ListThings::default().parent("T-1").r#type(true);
        assert_eq!(things.parent, Some(ThingId("T-1".to_owned())));
        assert_eq!(things.r#type, Some(true));
        assert_eq!(things.search, None);
    }

    #[test]
    #[allow(deprecated)]
    fn a_deprecated_operation_has_its_setters() {
        assert_eq!(ListOldThings::default().page(3).page, Some(3));
    }
}
