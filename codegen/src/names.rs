//! Rust identifiers for schema names: the naming rules live in [`sage_schema::names`]; this adds the
//! one escaping style the emitter uses everywhere (`r#type` for keywords).

use proc_macro2::{Ident, Span};
pub use sage_schema::names::*;

/// The identifier for `name`, as a raw identifier when it is a keyword.
///
/// Callers pass names the loader already validated with [`is_identifier`].
pub fn ident(name: &str) -> Ident {
    if is_keyword(name) {
        Ident::new_raw(name, Span::call_site())
    } else {
        Ident::new(name, Span::call_site())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_become_raw_identifiers() {
        assert_eq!(ident("type").to_string(), "r#type");
        assert_eq!(ident("kind").to_string(), "kind");
    }
}
