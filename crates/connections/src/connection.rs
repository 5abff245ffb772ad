//! What the registry keeps about one customer's Sage connection. No token is ever part of it:
//! tokens live in the connection's token store, sealed.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sage_core::auth::SageApi;
use serde::{Deserialize, Serialize};

/// One customer's Sage account as connected through this app, known by the caller's own id.
///
/// Everything a [`Client`](sage_core::Client) needs besides tokens is here, so a client can be
/// built from the registry alone: the product, the v3 region, the v3.1 business, the Sage 200
/// company and site. `Debug` holds no secret: there is none in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Connection {
    /// The caller's key for its customer (a tenant id, an account number, …).
    pub id: String,
    /// The product's name, as in [`Product::name`](sage_core::Product::name), e.g. `accounting-v31`.
    pub product: String,
    /// The Sage identity server the tokens come from.
    pub api: SageApi,
    /// Accounting v3: the `country` of the consent redirect, lower case (`gb`, `us`, …).
    pub country: Option<String>,
    /// Accounting v3: the region whose token server issued (and refreshes) the tokens.
    pub region: Option<Region>,
    /// Accounting v3: the site (`X-Site`), the token response's `resource_owner_id`.
    pub v3_site_id: Option<String>,
    /// Accounting v3.1: the business calls address (`X-Business`); the lead business at connect time.
    pub business: Option<Business>,
    /// Accounting v3.1: every business the user reached at connect time.
    pub businesses: Vec<Business>,
    /// Sage 200: the company and site calls address; the first `/sites` row at connect time.
    pub company: Option<Sage200Company>,
    /// Sage 200: every company and site of the user's `/sites`.
    pub companies: Vec<Sage200Company>,
    /// Whether calls can be made, or the customer must connect again.
    pub status: Status,
    /// When the connection was first completed.
    pub created_at: DateTime<Utc>,
    /// When the last consent was completed; a status change races a reconnect through this.
    pub connected_at: DateTime<Utc>,
    /// When a client of this connection last asked for a token (recorded at most once a minute).
    pub last_used_at: Option<DateTime<Utc>>,
    /// When the tokens were last saved after a refresh.
    pub last_refreshed_at: Option<DateTime<Utc>>,
    /// The scopes Sage granted.
    pub scopes: Vec<String>,
    /// The consenting user, where Sage says (v3.1 `requested_by_id`).
    pub user_id: Option<String>,
    /// The redirect URI of the consent: Sage ID wants it again on every refresh.
    pub redirect_uri: String,
    /// The caller's own labels (plan, owner, …); kept across reconnects.
    pub labels: BTreeMap<String, String>,
}

/// Whether a connection can be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Status {
    /// Calls go through; tokens refresh as needed.
    Active,
    /// Sage refused the refresh token for good (`invalid_grant`: revoked, expired, user removed):
    /// calls fail at once until the customer connects again.
    NeedsRelink {
        /// Sage's explanation, never a token.
        reason: String,
        /// When the refusal was seen.
        since: DateTime<Utc>,
    },
    /// The app disconnected it.
    Disconnected,
}

impl Status {
    /// `active`, `needs_relink` or `disconnected`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::NeedsRelink { .. } => "needs_relink",
            Self::Disconnected => "disconnected",
        }
    }
}

/// Accounting v3's token servers are regional; a connection keeps its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Region {
    /// United States and Canada.
    NorthAmerica,
    /// United Kingdom, Ireland, Germany, Spain, France.
    Europe,
}

impl Region {
    /// The region of a redirect's `country`, as sage-core reads it.
    pub fn from_country(country: &str) -> Option<Self> {
        sage_core::auth::V3Region::from_country(country).map(Self::from)
    }

    /// The same region as sage-core names it.
    pub fn v3_region(self) -> sage_core::auth::V3Region {
        match self {
            Self::NorthAmerica => sage_core::auth::V3Region::NorthAmerica,
            Self::Europe => sage_core::auth::V3Region::Europe,
        }
    }
}

impl From<sage_core::auth::V3Region> for Region {
    fn from(region: sage_core::auth::V3Region) -> Self {
        match region {
            sage_core::auth::V3Region::NorthAmerica => Self::NorthAmerica,
            sage_core::auth::V3Region::Europe => Self::Europe,
        }
    }
}

/// An Accounting v3.1 business of the connected user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Business {
    /// `X-Business`.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Whether it was the lead business at connect time.
    pub lead: bool,
}

/// A Sage 200 company on a site, as one row of `GET /sites`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sage200Company {
    /// `X-Company`: a number, as `/sites` gives it.
    pub company_id: u64,
    /// The company's name.
    pub company_name: String,
    /// `X-Site`.
    pub site_id: String,
    /// The site's name.
    pub site_name: String,
}
