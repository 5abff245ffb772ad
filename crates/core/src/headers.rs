//! The one place where product-specific request headers are applied.

use http::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE};

use crate::auth::ClientSecret;
use crate::error::Error;
use crate::product::HeaderStyle;

const X_COMPANY: HeaderName = HeaderName::from_static("x-company");
const X_SITE: HeaderName = HeaderName::from_static("x-site");
const X_BUSINESS: HeaderName = HeaderName::from_static("x-business");
const SUBSCRIPTION_KEY: HeaderName = HeaderName::from_static("ocp-apim-subscription-key");

/// Which company, site or business requests address, plus the subscription key where needed.
///
/// The variant must match the product's [`HeaderStyle`]; [`ClientBuilder::build`](crate::ClientBuilder::build)
/// checks it, so a missing `X-Site` is caught before the first call rather than by a 400 from Sage.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum HeaderPolicy {
    /// Sage 200 Professional and Standard Online.
    Sage200 {
        /// `X-Company`: the company id from `GET /sites`.
        company_id: String,
        /// `X-Site`: the site id from `GET /sites`.
        site_id: String,
        /// `Ocp-Apim-Subscription-Key`, which older deployments still want.
        subscription_key: Option<ClientSecret>,
    },
    /// Sage 200 before a company is chosen: no `X-Company`/`X-Site`, so only `GET /sites` works.
    /// List the sites, let the user choose, then switch with [`Client::with_headers`](crate::Client::with_headers).
    Sage200Directory {
        /// `Ocp-Apim-Subscription-Key`, which older deployments still want.
        subscription_key: Option<ClientSecret>,
    },
    /// Accounting v3.
    AccountingV3 {
        /// `X-Site`: the `resource_owner_id` from the token response.
        site_id: String,
        /// `Ocp-Apim-Subscription-Key` from the developer portal.
        subscription_key: ClientSecret,
    },
    /// Accounting v3.1.
    AccountingV31 {
        /// `X-Business`; `None` addresses the user's lead business.
        business_id: Option<String>,
    },
}

/// An id sent in a header (`X-Company`, `X-Site`): text, or a number as `ListSites` gives a company id.
pub trait HeaderId {
    /// The header's value.
    fn header_id(self) -> String;
}

macro_rules! header_ids {
    (text: $($text:ty),*; numbers: $($number:ty),*) => {
        $(impl HeaderId for $text {
            fn header_id(self) -> String {
                AsRef::<str>::as_ref(&self).to_owned()
            }
        })*
        $(impl HeaderId for $number {
            fn header_id(self) -> String {
                self.to_string()
            }
        })*
    };
}

header_ids!(text: &str, String, &String, std::borrow::Cow<'_, str>; numbers: u32, u64, i32, i64, usize, &u32, &u64, &i32, &i64);

impl HeaderPolicy {
    /// Sage 200 headers for one company and site. Takes the ids as `ListSites` returns them (the
    /// company id is a number there: `HeaderPolicy::sage200(site.company_id, &site.site_id)`) or as
    /// strings.
    pub fn sage200(company_id: impl HeaderId, site_id: impl HeaderId) -> Self {
        Self::Sage200 { company_id: company_id.header_id(), site_id: site_id.header_id(), subscription_key: None }
    }

    /// Sage 200 headers for listing sites, before a company and site are chosen.
    pub fn sage200_directory() -> Self {
        Self::Sage200Directory { subscription_key: None }
    }

    /// Accounting v3 headers.
    pub fn accounting_v3(site_id: impl Into<String>, subscription_key: impl Into<String>) -> Self {
        Self::AccountingV3 { site_id: site_id.into(), subscription_key: ClientSecret::new(subscription_key) }
    }

    /// Accounting v3.1 headers addressing the lead business.
    pub fn accounting_v31() -> Self {
        Self::AccountingV31 { business_id: None }
    }

    /// The header family this policy belongs to.
    pub fn style(&self) -> HeaderStyle {
        match self {
            Self::Sage200 { .. } | Self::Sage200Directory { .. } => HeaderStyle::Sage200,
            Self::AccountingV3 { .. } => HeaderStyle::AccountingV3,
            Self::AccountingV31 { .. } => HeaderStyle::AccountingV31,
        }
    }

    /// The default for a style, where one exists without caller input.
    pub(crate) fn default_for(style: HeaderStyle) -> Option<Self> {
        (style == HeaderStyle::AccountingV31).then(Self::accounting_v31)
    }

    /// Adds this policy's headers to `headers`, including `Content-Type: application/json`: Sage 200
    /// wants it on every request, GETs included; Accounting (like Sage's own samples) on requests
    /// with a body.
    pub(crate) fn apply(&self, headers: &mut HeaderMap, has_body: bool) -> Result<(), Error> {
        if has_body || self.style() == HeaderStyle::Sage200 {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        match self {
            Self::Sage200 { company_id, site_id, subscription_key } => {
                headers.insert(X_COMPANY, value(company_id, "X-Company")?);
                headers.insert(X_SITE, value(site_id, "X-Site")?);
                if let Some(key) = subscription_key {
                    headers.insert(SUBSCRIPTION_KEY, secret_value(key)?);
                }
            }
            Self::Sage200Directory { subscription_key } => {
                if let Some(key) = subscription_key {
                    headers.insert(SUBSCRIPTION_KEY, secret_value(key)?);
                }
            }
            Self::AccountingV3 { site_id, subscription_key } => {
                headers.insert(X_SITE, value(site_id, "X-Site")?);
                headers.insert(SUBSCRIPTION_KEY, secret_value(subscription_key)?);
            }
            Self::AccountingV31 { business_id } => {
                if let Some(id) = business_id {
                    headers.insert(X_BUSINESS, value(id, "X-Business")?);
                }
            }
        }
        Ok(())
    }
}

fn value(text: &str, name: &str) -> Result<HeaderValue, Error> {
    if text.is_empty() {
        return Err(Error::Build(format!("{name} must not be empty")));
    }
    HeaderValue::from_str(text).map_err(|_| Error::Build(format!("{name} contains characters not allowed in a header")))
}

fn secret_value(secret: &ClientSecret) -> Result<HeaderValue, Error> {
    let mut header = HeaderValue::from_str(secret.secret())
        .map_err(|_| Error::Build("the subscription key contains characters not allowed in a header".into()))?;
    header.set_sensitive(true);
    Ok(header)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sage200_sends_company_and_site() {
        let mut headers = HeaderMap::new();
        HeaderPolicy::sage200("1", "abc").apply(&mut headers, false).unwrap();
        assert_eq!(headers["x-company"], "1");
        assert_eq!(headers["x-site"], "abc");
        assert!(!headers.contains_key("ocp-apim-subscription-key"));
        assert_eq!(headers["content-type"], "application/json", "Sage 200 wants JSON declared on every request");
    }

    #[test]
    fn accounting_declares_json_only_with_a_body() {
        let mut headers = HeaderMap::new();
        HeaderPolicy::accounting_v31().apply(&mut headers, false).unwrap();
        assert!(!headers.contains_key("content-type"));
        HeaderPolicy::accounting_v31().apply(&mut headers, true).unwrap();
        assert_eq!(headers["content-type"], "application/json");
    }

    #[test]
    fn the_sage200_directory_sends_no_company_or_site() {
        let mut headers = HeaderMap::new();
        HeaderPolicy::sage200_directory().apply(&mut headers, false).unwrap();
        assert!(!headers.contains_key("x-company") && !headers.contains_key("x-site"));
        assert_eq!(headers["content-type"], "application/json");
        assert_eq!(HeaderPolicy::sage200_directory().style(), HeaderStyle::Sage200);
    }

    #[test]
    fn v3_marks_the_subscription_key_sensitive() {
        let mut headers = HeaderMap::new();
        HeaderPolicy::accounting_v3("site", "key").apply(&mut headers, false).unwrap();
        assert!(headers["ocp-apim-subscription-key"].is_sensitive());
        assert!(!format!("{:?}", HeaderPolicy::accounting_v3("site", "key")).contains("\"key\""));
    }

    #[test]
    fn v31_sends_x_business_only_when_chosen() {
        let mut headers = HeaderMap::new();
        HeaderPolicy::accounting_v31().apply(&mut headers, false).unwrap();
        assert!(headers.is_empty());
        HeaderPolicy::AccountingV31 { business_id: Some("b1".into()) }.apply(&mut headers, false).unwrap();
        assert_eq!(headers["x-business"], "b1");
    }

    #[test]
    fn empty_or_invalid_values_are_refused() {
        let mut headers = HeaderMap::new();
        assert!(HeaderPolicy::sage200("", "s").apply(&mut headers, false).is_err());
        assert!(HeaderPolicy::sage200("1", "bad\nvalue").apply(&mut headers, false).is_err());
    }
}
