//! How generated code describes a call: an [`Operation`] turns itself into a [`Request`].

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::Error;

/// HTTP methods Sage's APIs use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The method name as sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
        }
    }

    pub(crate) fn to_http(self) -> http::Method {
        match self {
            Self::Get => http::Method::GET,
            Self::Post => http::Method::POST,
            Self::Put => http::Method::PUT,
            Self::Patch => http::Method::PATCH,
            Self::Delete => http::Method::DELETE,
        }
    }
}

/// A request described as data: nothing here touches the network.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// Operation name from the schema, e.g. `list_contacts`; used in traces and errors.
    pub operation: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// Path template relative to the base URL, e.g. `/contacts/{key}`.
    pub path_template: &'static str,
    /// Values for the `{placeholders}` of the template, unencoded.
    pub path_params: Vec<(&'static str, String)>,
    /// Query parameters in order, unencoded.
    pub query: Vec<(String, String)>,
    /// JSON body, already serialized.
    pub body: Option<Vec<u8>>,
    /// Whether sending it twice has the same effect as once; only these are retried by default.
    pub idempotent: bool,
    /// For a create whose entity accepts Sage's `idempotency_id`: the key wrapping the entity in
    /// the body (`contact` in `{"contact": {…}}`). The client then fills in an id per call and
    /// retries the create safely (see [`Request::idempotency_field`]).
    pub idempotency_key: Option<&'static str>,
    /// The products (by [`Product::name`](crate::Product::name)) that have this operation: the
    /// generated crate's product, or the Sage 200 editions that have it (`["sage200-pro"]` for a
    /// Professional-only one). A [`Client`](crate::Client) of any other product refuses it before
    /// sending ([`Error::WrongProduct`]). Empty (a hand-built request): not checked.
    pub products: &'static [&'static str],
}

impl Request {
    /// Starts a request; idempotency defaults from the method (GET, PUT, DELETE are idempotent).
    pub fn new(operation: &'static str, method: Method, path_template: &'static str) -> Self {
        let idempotent = matches!(method, Method::Get | Method::Put | Method::Delete);
        Self {
            operation,
            method,
            path_template,
            path_params: Vec::new(),
            query: Vec::new(),
            body: None,
            idempotent,
            idempotency_key: None,
            products: &[],
        }
    }

    /// Names the products that have this operation (see [`Request::products`](Request#structfield.products)).
    #[inline]
    pub fn products(mut self, products: &'static [&'static str]) -> Self {
        self.products = products;
        self
    }

    /// Whether a client of `product` may send it: it names no products, or names this one.
    #[inline]
    pub fn is_for(&self, product: &str) -> bool {
        self.products.is_empty() || self.products.contains(&product)
    }

    /// Marks a create whose entity, wrapped under `key` in the body, accepts an `idempotency_id`.
    /// Each [`crate::Client::execute`] call then sends the caller's id, or a fresh one, on every
    /// try, and retries the create like an idempotent request: Sage makes the record once.
    pub fn idempotency_field(mut self, key: &'static str) -> Self {
        self.idempotency_key = Some(key);
        self
    }

    /// Overrides the method's default idempotency (the schema's `idempotent` key).
    pub fn idempotent(mut self, idempotent: bool) -> Self {
        self.idempotent = idempotent;
        self
    }

    /// Binds a `{name}` placeholder of the path template.
    pub fn path(mut self, name: &'static str, value: impl ToString) -> Self {
        self.path_params.push((name, value.to_string()));
        self
    }

    /// Adds a query parameter when it is set.
    pub fn query<T: QueryValue + ?Sized>(mut self, name: &str, value: &T) -> Self {
        value.push_to(name, &mut self.query);
        self
    }

    /// Replaces (or adds) a query parameter; used by paging.
    pub fn set_query(&mut self, name: &str, value: impl ToString) {
        self.query.retain(|(key, _)| key != name);
        self.query.push((name.to_owned(), value.to_string()));
    }

    /// The current value of a query parameter.
    pub fn query_value(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }

    /// Serializes `body` as the JSON request body.
    pub fn json<B: Serialize + ?Sized>(mut self, body: &B) -> Result<Self, Error> {
        let bytes = serde_json::to_vec(body).map_err(|err| Error::Build(format!("request body: {err}")))?;
        self.body = Some(bytes);
        Ok(self)
    }

    /// Serializes `body` wrapped in the one-key object Sage expects (`{"contact": {…}}`), so callers
    /// pass the resource itself.
    pub fn json_enveloped<B: Serialize + ?Sized>(self, key: &str, body: &B) -> Result<Self, Error> {
        self.json(&std::collections::BTreeMap::from([(key, body)]))
    }

    /// The path with every placeholder replaced by its percent-encoded value.
    ///
    /// Empty values and the dot segments `.` and `..` are refused: URL resolution would drop
    /// them, re-targeting the request at another endpoint (`DELETE /contacts/../notes`). So are
    /// values containing `/`, `\`, `%`, a control character or whitespace, which no Sage id
    /// contains: a proxy that decodes `%2F` or `%2e%2e` before normalizing would re-target it too.
    pub fn render_path(&self) -> Result<String, Error> {
        let mut out = String::with_capacity(self.path_template.len() + 16);
        self.push_path(&mut out)?;
        Ok(out)
    }

    /// [`Request::render_path`], appended to `out`.
    pub(crate) fn push_path(&self, out: &mut String) -> Result<(), Error> {
        let mut rest = self.path_template;
        while let Some(start) = rest.find('{') {
            let end = rest[start..]
                .find('}')
                .map(|offset| start + offset)
                .ok_or_else(|| Error::Build(format!("unclosed placeholder in `{}`", self.path_template)))?;
            out.push_str(&rest[..start]);
            let name = &rest[start + 1..end];
            let value =
                self.path_params.iter().find(|(key, _)| *key == name).map(|(_, value)| value).ok_or_else(|| {
                    Error::Build(format!("path parameter `{name}` of `{}` is not set", self.operation))
                })?;
            if value.is_empty() {
                return Err(Error::Build(format!("path parameter `{name}` of `{}` is empty", self.operation)));
            }
            if value == "." || value == ".." {
                return Err(Error::Build(format!(
                    "path parameter `{name}` of `{}` is `{value}`, which would address another endpoint",
                    self.operation
                )));
            }
            if let Some(refused) = value.chars().find(|&c| refused_in_id(c)) {
                return Err(Error::Build(format!(
                    "path parameter `{name}` of `{}` contains {refused:?}, which no Sage id contains; not sent, as \
                     a proxy decoding it could address another endpoint (check the id passed)",
                    self.operation
                )));
            }
            out.extend(url::form_urlencoded::byte_serialize(value.as_bytes()).map(|part| part.replace('+', "%20")));
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        Ok(())
    }
}

/// Characters no Sage id contains (ids are GUIDs, hexadecimal strings, integers or short codes)
/// that could change the path's meaning on the way: `/` and `\` separate segments once a proxy
/// decodes `%2F` or normalizes slashes, `%` smuggles an encoded dot segment (`%2e%2e`) or slash,
/// and control characters and whitespace split or end a request line.
pub(crate) fn refused_in_id(c: char) -> bool {
    matches!(c, '/' | '\\' | '%') || c.is_control() || c.is_whitespace()
}

/// Types that can be query parameter values. `None` adds nothing; a list repeats the name.
pub trait QueryValue {
    /// Appends `name=value` pairs.
    fn push_to(&self, name: &str, query: &mut Vec<(String, String)>);
}

macro_rules! query_via_display {
    ($($ty:ty),*) => {$(
        impl QueryValue for $ty {
            fn push_to(&self, name: &str, query: &mut Vec<(String, String)>) {
                query.push((name.to_owned(), self.to_string()));
            }
        }
    )*};
}

query_via_display!(
    str,
    String,
    bool,
    i32,
    i64,
    u32,
    u64,
    crate::types::Decimal,
    crate::types::Date,
    crate::types::DateTime
);

impl<T: QueryValue + ?Sized> QueryValue for &T {
    fn push_to(&self, name: &str, query: &mut Vec<(String, String)>) {
        (**self).push_to(name, query);
    }
}

impl<T: QueryValue> QueryValue for Option<T> {
    fn push_to(&self, name: &str, query: &mut Vec<(String, String)>) {
        if let Some(value) = self {
            value.push_to(name, query);
        }
    }
}

impl<T: QueryValue> QueryValue for Vec<T> {
    fn push_to(&self, name: &str, query: &mut Vec<(String, String)>) {
        for value in self {
            value.push_to(name, query);
        }
    }
}

/// A generated operation: a value holding its parameters, which knows its request and output type.
pub trait Operation {
    /// What a successful response decodes into (`()` for empty bodies).
    type Output: DeserializeOwned;

    /// Describes the HTTP request.
    fn request(&self) -> Result<Request, Error>;
}

/// An operation returning one page of a list; [`Client::items`](crate::Client::items) walks all pages.
pub trait ListOperation: Operation<Output = crate::Page<Self::Item>> {
    /// The element type of the list.
    type Item: DeserializeOwned + Send + 'static;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_enveloped_body_is_the_resource_under_its_key() {
        let request = Request::new("create_contact", Method::Post, "/contacts")
            .json_enveloped("contact", &serde_json::json!({ "name": "Acme" }))
            .unwrap();
        assert_eq!(request.body.as_deref(), Some(br#"{"contact":{"name":"Acme"}}"#.as_slice()));
    }

    #[test]
    fn path_values_are_encoded_and_must_be_set() {
        let request =
            Request::new("get_contact", Method::Get, "/contacts/{key}/notes/{id}").path("key", "a?b#c").path("id", 7);
        assert_eq!(request.render_path().unwrap(), "/contacts/a%3Fb%23c/notes/7");
        let missing = Request::new("get_contact", Method::Get, "/contacts/{key}");
        assert!(missing.render_path().unwrap_err().to_string().contains("`key`"));
        let empty = Request::new("get_contact", Method::Get, "/contacts/{key}").path("key", "");
        assert!(empty.render_path().is_err());
    }

    #[test]
    fn dot_segments_cannot_steer_the_request_to_another_endpoint() {
        for key in [".", ".."] {
            let request = Request::new("delete_note", Method::Delete, "/contacts/{key}/notes").path("key", key);
            let err = request.render_path().unwrap_err();
            assert!(matches!(err, Error::Build(ref message) if message.contains("another endpoint")), "{err}");
        }
        let dotted = Request::new("get_contact", Method::Get, "/contacts/{key}").path("key", "...");
        assert_eq!(dotted.render_path().unwrap(), "/contacts/...", "only exact dot segments are special");
    }

    #[test]
    fn ids_with_separators_escapes_control_characters_or_whitespace_are_refused_naming_the_parameter() {
        for key in ["%2e%2e", "%2F", "a/b", "/", "a\\b", "50%", "a\nb", "a\tb", "a b", "\r", "a\u{0}b", "a\u{a0}b"] {
            let request = Request::new("delete_note", Method::Delete, "/contacts/{key}/notes").path("key", key);
            let err = request.render_path().unwrap_err();
            let Error::Build(message) = &err else { panic!("{key:?}: {err:?}") };
            assert!(message.starts_with("path parameter `key` of `delete_note` contains "), "{key:?}: {message}");
            assert!(message.contains("no Sage id contains"), "{message}");
        }
        let newline = Request::new("get_contact", Method::Get, "/contacts/{key}").path("key", "a\nb");
        assert!(
            newline.render_path().unwrap_err().to_string().contains("contains '\\n'"),
            "the character is shown escaped"
        );
    }

    #[test]
    fn ordinary_ids_pass() {
        for (key, path) in [
            ("42", "/contacts/42"),
            ("0a1b2c3d4e5f60718293a4b5c6d7e8f9", "/contacts/0a1b2c3d4e5f60718293a4b5c6d7e8f9"),
            ("GB", "/contacts/GB"),
            ("a.b-c_d", "/contacts/a.b-c_d"),
        ] {
            let request = Request::new("get_contact", Method::Get, "/contacts/{key}").path("key", key);
            assert_eq!(request.render_path().unwrap(), path);
        }
        let sage200 = Request::new("get_customer", Method::Get, "/customers/{Id}").path("Id", 27_i64);
        assert_eq!(sage200.render_path().unwrap(), "/customers/27");
    }

    #[test]
    fn query_skips_unset_values_and_repeats_lists() {
        let mut request = Request::new("list", Method::Get, "/x")
            .query("search", &Some("abc"))
            .query("page", &None::<i64>)
            .query("id", &vec![1_i64, 2]);
        request.set_query("page", 3);
        request.set_query("page", 4);
        let pairs: Vec<_> = request.query.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(pairs, ["search=abc", "id=1", "id=2", "page=4"]);
        assert_eq!(request.query_value("page"), Some("4"));
    }

    #[test]
    fn a_request_naming_products_is_for_those_only_and_one_naming_none_for_any() {
        let shared =
            Request::new("list_customers", Method::Get, "/customers").products(&["sage200-pro", "sage200-standard"]);
        assert!(shared.is_for("sage200-pro") && shared.is_for("sage200-standard"));
        assert!(!shared.is_for("accounting-v31"));
        let pro_only = Request::new("list_x", Method::Get, "/x").products(&["sage200-pro"]);
        assert!(pro_only.is_for("sage200-pro") && !pro_only.is_for("sage200-standard"));
        assert!(Request::new("anything", Method::Get, "/").is_for("test"), "hand-built requests are not checked");
    }

    #[test]
    fn idempotency_follows_the_method_unless_overridden() {
        assert!(Request::new("a", Method::Get, "/").idempotent);
        assert!(!Request::new("a", Method::Post, "/").idempotent);
        assert!(Request::new("a", Method::Post, "/").idempotent(true).idempotent);
    }
}
