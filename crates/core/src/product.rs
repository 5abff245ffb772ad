//! What a generated product crate tells the runtime about its API.

/// Static facts about one Sage API, emitted by the generator from `schemas/<product>/product.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Product {
    /// Schema name, e.g. `accounting-v31`.
    pub name: &'static str,
    /// Human name, e.g. `Sage Business Cloud Accounting v3.1`.
    pub title: &'static str,
    /// Default base URL; may contain `{variables}` such as `{country}`.
    pub base_url: &'static str,
    /// Which Sage identity server signs users in to it ([`AuthProfile::for_api`](crate::auth::AuthProfile::for_api)).
    pub api: crate::auth::SageApi,
    /// Which headers every request carries.
    pub headers: HeaderStyle,
    /// How list operations page.
    pub paging: PagingStyle,
}

/// The header families Sage uses; each has its own [`HeaderPolicy`](crate::HeaderPolicy) variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderStyle {
    /// Sage 200: `X-Company`, `X-Site`, optional `Ocp-Apim-Subscription-Key`.
    Sage200,
    /// Accounting v3: `X-Site` and `Ocp-Apim-Subscription-Key`.
    AccountingV3,
    /// Accounting v3.1: optional `X-Business`, JSON only.
    AccountingV31,
}

/// How a product's list operations page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PagingStyle {
    /// Accounting: `page` / `items_per_page` query parameters and a `$items`/`$next`/`$total` envelope.
    Envelope,
    /// Sage 200: OData `$top` / `$skip` over a bare JSON array.
    OData,
}

/// A product given by its [`Product`] (what clients are built for) or its name (`"accounting-v31"`),
/// so that calls taking a product accept either.
pub trait ProductName {
    /// The product's name, e.g. `accounting-v31`.
    fn product_name(&self) -> &str;
}

impl ProductName for Product {
    fn product_name(&self) -> &str {
        self.name
    }
}

impl ProductName for &Product {
    fn product_name(&self) -> &str {
        self.name
    }
}

impl ProductName for &str {
    fn product_name(&self) -> &str {
        self
    }
}

impl ProductName for String {
    fn product_name(&self) -> &str {
        self
    }
}

impl ProductName for &String {
    fn product_name(&self) -> &str {
        self
    }
}
