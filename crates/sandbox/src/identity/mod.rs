//! The identity servers: Sage ID (Sage 200), Accounting v3 and Accounting v3.1, on one host, with the
//! shared consent form and the demo user's connected-apps page.

mod authorize;
mod connected_apps;
pub(crate) mod grants;
mod oauth_error;
mod params;
mod revoke;
mod token;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::Router;

use crate::family::Family;
use crate::state::AppState;

/// Routes of all three identity families plus the shared consent form.
pub(crate) fn router() -> Router<Arc<AppState>> {
    let mut router = Router::new()
        .route("/consent", post(authorize::consent))
        .route("/connected-apps", get(connected_apps::page))
        .route("/connected-apps/revoke", post(connected_apps::revoke));
    for family in [Family::SageId, Family::AccountingV3, Family::AccountingV31] {
        let authorize =
            get(move |State(state): State<Arc<AppState>>, query: Query<_>| authorize::authorize(state, family, query));
        if family == Family::AccountingV31 {
            router = router.route("/auth/central", authorize.clone());
        }
        router = router
            .route(family.authorize_path(), authorize)
            .route(
                family.token_path(),
                post(move |State(state): State<Arc<AppState>>, headers: HeaderMap, body: Bytes| {
                    token::token(state, family, headers, body)
                }),
            )
            .route(
                family.revoke_path(),
                post(move |State(state): State<Arc<AppState>>, headers: HeaderMap, body: Bytes| {
                    revoke::revoke(state, family, headers, body)
                }),
            );
    }
    router
}
