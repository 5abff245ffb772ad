//! What the app tells the registry about each product it connects to.

use std::collections::BTreeMap;

use sage_core::auth::{AuthError, AuthProfile, ClientSecret, OAuthClient};
use sage_core::Product;

use crate::connection::Region;

/// One product's app registration and API settings. `Debug` never shows the secret or the
/// subscription key.
#[derive(Debug, Clone)]
pub struct ProductConfig {
    pub(crate) product: Product,
    pub(crate) client_id: String,
    pub(crate) client_secret: Option<ClientSecret>,
    pub(crate) profile: AuthProfile,
    pub(crate) regions: BTreeMap<Region, AuthProfile>,
    pub(crate) api_base_url: Option<String>,
    pub(crate) subscription_key: Option<ClientSecret>,
}

impl ProductConfig {
    /// Sage's own identity server for `product` (for Accounting v3, each region's token server),
    /// with the app's client id.
    pub fn new(product: Product, client_id: impl Into<String>) -> Self {
        let mut regions = BTreeMap::new();
        for region in [Region::NorthAmerica, Region::Europe] {
            regions.insert(region, AuthProfile::accounting_v3(region.v3_region()));
        }
        if product.api != sage_core::auth::SageApi::AccountingV3 {
            regions.clear();
        }
        Self {
            profile: AuthProfile::for_product(&product),
            product,
            client_id: client_id.into(),
            client_secret: None,
            regions,
            api_base_url: None,
            subscription_key: None,
        }
    }

    /// A confidential client (web apps): the secret goes with every token request.
    #[must_use]
    pub fn client_secret(mut self, secret: impl Into<String>) -> Self {
        self.client_secret = Some(ClientSecret::new(secret.into()));
        self
    }

    /// Replaces the identity server's profile (the sandbox's URLs, other scopes). For Accounting
    /// v3 it is used for every region, unless [`region_profile`](Self::region_profile) names one.
    #[must_use]
    pub fn profile(mut self, profile: AuthProfile) -> Self {
        self.profile = profile;
        self.regions.clear();
        self
    }

    /// Accounting v3: the profile of one region's token server.
    #[must_use]
    pub fn region_profile(mut self, region: Region, profile: AuthProfile) -> Self {
        self.regions.insert(region, profile);
        self
    }

    /// Replaces the product's API base URL (the sandbox's, a proxy).
    #[must_use]
    pub fn api_base_url(mut self, url: impl Into<String>) -> Self {
        self.api_base_url = Some(url.into());
        self
    }

    /// `Ocp-Apim-Subscription-Key`: required by Accounting v3 and sent to Sage 200 when set.
    #[must_use]
    pub fn subscription_key(mut self, key: impl Into<String>) -> Self {
        self.subscription_key = Some(ClientSecret::new(key.into()));
        self
    }

    /// The product.
    pub fn product(&self) -> &Product {
        &self.product
    }

    /// The profile for a connection (v3: its region's).
    pub(crate) fn profile_for(&self, region: Option<Region>) -> &AuthProfile {
        region.and_then(|region| self.regions.get(&region)).unwrap_or(&self.profile)
    }

    /// An OAuth client of this registration sending users back to `redirect_uri`.
    pub(crate) fn oauth(&self, region: Option<Region>, redirect_uri: &str) -> Result<OAuthClient, AuthError> {
        let oauth = OAuthClient::new(self.profile_for(region).clone(), &self.client_id, redirect_uri)?;
        Ok(match &self.client_secret {
            Some(secret) => oauth.with_client_secret(secret.clone()),
            None => oauth,
        })
    }
}
