//! `send_methods!`: the `send` every generated operation has (and, for lists, `items` and the
//! `ListOperation` impl), written once here instead of once per operation.

/// `send` for a generated operation; when it returns a page of a list (`-> Page<Item>`), also
/// `items` and [`ListOperation`](crate::ListOperation) with that item type. The output type is
/// written out so that the docs show it.
///
/// `send` returns [`Client::send`](crate::Client::send)'s future instead of being an `async fn`
/// that awaits it: the caller awaits the same future, and rustc does not build and check a state
/// machine of its own for every operation (a twentieth to a tenth of a product crate's build).
///
/// ```text
/// sage_core::send_methods!(GetContact -> Contact);
/// sage_core::send_methods!(#[allow(deprecated)] ListContacts -> Page<Contact>);
/// ```
#[doc(hidden)]
#[macro_export]
macro_rules! send_methods {
    ($(#[$attribute:meta])* $operation:ident -> Page<$item:ty>) => {
        // `send` as for any output (the next rule: `$crate::Page` does not match `Page` here).
        $crate::send_methods!($(#[$attribute])* $operation -> $crate::Page<$item>);

        $(#[$attribute])*
        impl $operation {
            /// Every item of every page, fetched lazily as the stream is polled.
            #[inline]
            pub fn items(&self, client: &$crate::Client) -> $crate::BoxStream<'static, $crate::Result<$item>> {
                client.items(self)
            }
        }

        $(#[$attribute])*
        impl $crate::ListOperation for $operation {
            type Item = $item;
        }
    };
    ($(#[$attribute:meta])* $operation:ident -> $output:ty) => {
        $(#[$attribute])*
        impl $operation {
            /// Sends the request and decodes the response.
            #[inline]
            pub fn send<'a>(
                &'a self,
                client: &'a $crate::Client,
            ) -> impl ::core::future::Future<Output = $crate::Result<$output>> + 'a {
                client.send(self)
            }
        }
    };
}
