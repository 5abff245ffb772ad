//! The APIs, served generically from the product schemas.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use sage_codegen::ir;

use crate::fixtures;
use crate::state::{lock, AppState};

/// The served products and their data.
#[derive(Debug)]
pub(crate) struct Api {
    products: Vec<ir::Product>,
    lead_business: Mutex<String>,
    rate_limit: Option<u32>,
}

impl Api {
    pub(crate) fn new(products: Vec<ir::Product>, rate_limit: Option<u32>) -> Self {
        Self { products, lead_business: Mutex::new(fixtures::V31_BUSINESSES[0].id.to_owned()), rate_limit }
    }

    /// Path of a product's API on the sandbox.
    pub(crate) fn base_path(&self, product: &str) -> String {
        match product {
            "sage200-pro" => "/uk/sage200extra/accounts/v1".into(),
            "sage200-standard" => "/uk/sage200/accounts/v1".into(),
            "accounting-v3" => "/gb/sageone/accounts/v3".into(),
            _ => "/v3.1".into(),
        }
    }

    pub(crate) fn product_names(&self) -> Vec<String> {
        self.products.iter().map(|product| product.name.clone()).collect()
    }

    pub(crate) fn set_lead_business(&self, id: &str) -> bool {
        let known = fixtures::V31_BUSINESSES.iter().any(|business| business.id == id);
        if known {
            *lock(&self.lead_business) = id.to_owned();
        }
        known
    }

    pub(crate) fn lead_business(&self) -> String {
        lock(&self.lead_business).clone()
    }
}

pub(crate) async fn handle(
    State(_state): State<Arc<AppState>>,
    _method: Method,
    _uri: Uri,
    _headers: HeaderMap,
    _body: Bytes,
) -> Response {
    StatusCode::NOT_FOUND.into_response()
}
