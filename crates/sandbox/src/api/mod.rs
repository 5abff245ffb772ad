//! The APIs, served generically from the product schemas (see the crate docs for the paths).

mod checks;
mod directory;
mod paging;
mod rate;
mod records;
pub(crate) mod route;
mod sage_error;
mod seed;

use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use sage_schema::ir::{self, HeaderPolicy, Pagination};
use serde_json::Value;

use crate::data_file::{DataError, DataFile, Store};
use crate::family::Family;
use crate::fixtures;
use crate::state::{lock, AppState};
use crate::stats::bump;
use rate::RateWindow;
use records::IdStyle;
use sage_error::SageError;
pub(crate) use seed::Collections;

/// v3.1's real base URL, used when no v3.1 schema is loaded so its user and business routes still work.
const V31_BASE_URL: &str = "https://api.accounting.sage.com/v3.1";

/// A product being served and where.
#[derive(Debug)]
struct Served {
    product: ir::Product,
    /// Base path with variables, e.g. `/{country}/sageone`.
    base: String,
}

/// The served products, their data and the rate limit.
#[derive(Debug)]
pub(crate) struct Api {
    products: Vec<Served>,
    /// Data per (product, tenant), seeded on first use.
    store: Mutex<Store>,
    lead_business: Mutex<String>,
    rate: Option<Mutex<RateWindow>>,
    /// Where records are kept across restarts (`--data`); `None`: memory only.
    data: Option<Arc<DataFile>>,
}

impl Api {
    pub(crate) fn new(mut products: Vec<ir::Product>, rate_limit: Option<u32>) -> Self {
        if !products.iter().any(|product| product.header_policy == HeaderPolicy::AccountingV31) {
            products.push(bare_v31());
        }
        let products =
            products.into_iter().map(|product| Served { base: route::base_path(&product.base_url), product }).collect();
        Self {
            products,
            store: Mutex::default(),
            lead_business: Mutex::new(fixtures::V31_BUSINESSES[0].id.to_owned()),
            rate: rate_limit.map(|limit| Mutex::new(RateWindow::new(limit, Instant::now()))),
            data: None,
        }
    }

    /// Serves the records stored in `data` and writes every change there.
    pub(crate) fn with_data_file(mut self, data: Arc<DataFile>) -> Result<Self, DataError> {
        self.store = Mutex::new(data.load_records()?);
        self.data = Some(data);
        Ok(self)
    }

    /// A tenant's data, seeded (and, with a data file, stored) the first time it is used.
    fn tenant_data<'a>(
        &self,
        store: &'a mut Store,
        product: &ir::Product,
        tenant: &str,
    ) -> Result<&'a mut Collections, SageError> {
        let key = (product.name.clone(), tenant.to_owned());
        if !store.contains_key(&key) {
            let seeded = seed::collections(product, tenant);
            if let Some(data) = &self.data {
                data.save_tenant(&product.name, tenant, &seeded).map_err(not_saved)?;
            }
            store.insert(key.clone(), seeded);
        }
        Ok(store.entry(key).or_default())
    }

    /// The served product called `name`.
    pub(crate) fn served(&self, name: &str) -> Option<&ir::Product> {
        self.products.iter().map(|served| &served.product).find(|product| product.name == name)
    }

    pub(crate) fn product_names(&self) -> Vec<String> {
        self.products.iter().map(|served| served.product.name.clone()).collect()
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

    /// The product whose base path is the longest prefix of `path`, and the rest of the path.
    fn find_product<'a>(&self, path: &'a str) -> Option<(&ir::Product, &'a str)> {
        self.products
            .iter()
            .filter_map(|served| route::strip_base(&served.base, path).map(|rest| (served, rest)))
            .max_by_key(|(served, _)| served.base.len())
            .map(|(served, rest)| (&served.product, rest))
    }

    fn take_rate(&self) -> Result<(), u64> {
        self.rate.as_ref().map_or(Ok(()), |window| lock(window).take(Instant::now()))
    }
}

/// A v3.1 product without resources: headers, auth, the user and businesses only.
fn bare_v31() -> ir::Product {
    ir::Product {
        name: "accounting-v31".into(),
        title: "Sage Business Cloud Accounting v3.1".into(),
        crate_name: "sage-accounting-v31".into(),
        description: String::new(),
        base_url: V31_BASE_URL.into(),
        auth_profile: ir::AuthProfile::AccountingV31,
        header_policy: HeaderPolicy::AccountingV31,
        pagination: Pagination::Envelope,
        decimal_format: ir::DecimalFormat::String,
        areas: Vec::new(),
    }
}

/// Fallback handler: every path that is not an identity route.
pub(crate) async fn handle(
    State(state): State<Arc<AppState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    bump(&state.counters.api_requests);
    if let Err(seconds) = state.api.take_rate() {
        bump(&state.counters.rate_limited);
        let mut error = SageError::new(StatusCode::TOO_MANY_REQUESTS, "TooManyRequests", "Rate limit exceeded");
        error.retry_after = Some(seconds);
        return error.into_response();
    }
    let Some((product, rest)) = state.api.find_product(uri.path()) else {
        return SageError::not_found(format!("No Sage API is served at {}", uri.path())).into_response();
    };
    if let Err(error) = checks::bearer(&state, Family::for_profile(product.auth_profile), &headers) {
        bump(&state.counters.api_unauthorized);
        return error.into_response();
    }
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()).into_owned().collect();
    let policy = product.header_policy;
    if policy == HeaderPolicy::Sage200 && method == Method::GET && rest == "/sites" {
        return directory::sage200_sites();
    }
    let tenant = match checks::tenant(policy, &headers, state.api.lead_business()) {
        Ok(tenant) => tenant,
        Err(error) => return error.into_response(),
    };
    let mut response = serve(
        &state.api,
        product,
        &tenant,
        Request { method: &method, rest, query: &query, headers: &headers, body: &body },
    );
    if policy == HeaderPolicy::AccountingV31 {
        if let Ok(value) = HeaderValue::from_str(&tenant) {
            response.headers_mut().insert("x-business", value);
        }
    }
    response
}

/// What [`serve`] needs of the request.
struct Request<'a> {
    method: &'a Method,
    rest: &'a str,
    query: &'a [(String, String)],
    headers: &'a HeaderMap,
    body: &'a [u8],
}

/// Runs one request for an authorized tenant.
fn serve(api: &Api, product: &ir::Product, tenant: &str, request: Request<'_>) -> Response {
    let accounting = product.header_policy != HeaderPolicy::Sage200;
    if product.header_policy == HeaderPolicy::AccountingV31 {
        if let Err(error) = checks::json_body(request.headers, request.body) {
            return error.into_response();
        }
        if request.method == Method::GET {
            if let Some(response) = directory::v31(request.rest, request.query, &api.lead_business()) {
                return response;
            }
        }
    }
    let operation = match find_operation(product, request.method, request.rest) {
        Ok(operation) => operation,
        Err(error) => return error.into_response(),
    };
    let body = match parse_body(request.body) {
        Ok(body) if accounting => records::unwrap_single_key(body),
        Ok(body) => body,
        Err(error) => return error.into_response(),
    };
    let mut store = lock(&api.store);
    let data = match api.tenant_data(&mut store, product, tenant) {
        Ok(data) => data,
        Err(error) => return error.into_response(),
    };
    let rest = request.rest.trim_end_matches('/');
    let item = route::ends_with_variable(&operation.path);
    let changed = changed_collection(operation.method, rest, item);
    let Some((collection, data_file)) = changed.zip(api.data.as_ref()) else {
        return apply(product, data, operation, rest, request.query, body);
    };
    let before = data.get(collection).cloned();
    let response = apply(product, data, operation, rest, request.query, body);
    if !response.status().is_success() {
        return response;
    }
    let after = data.get(collection).map(Vec::as_slice).unwrap_or_default();
    if let Err(error) = data_file.save_collection(&product.name, tenant, collection, after) {
        // Memory and file stay in step: the change is undone and the client told to retry.
        match before {
            Some(records) => data.insert(collection.to_owned(), records),
            None => data.remove(collection),
        };
        return not_saved(error).into_response();
    }
    response
}

/// The collection a write changes (`None` for reads): the item's parent, or the path itself.
fn changed_collection(method: ir::Method, rest: &str, item: bool) -> Option<&str> {
    match method {
        ir::Method::Get => None,
        ir::Method::Post => Some(rest),
        ir::Method::Put | ir::Method::Patch | ir::Method::Delete if item => Some(route::parent(rest)),
        ir::Method::Put | ir::Method::Patch | ir::Method::Delete => Some(rest),
    }
}

fn not_saved(error: DataError) -> SageError {
    SageError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "InternalServerError",
        format!("The sandbox could not save the change: {error}"),
    )
}

/// Runs the operation on the tenant's data in memory.
fn apply(
    product: &ir::Product,
    data: &mut Collections,
    operation: &ir::Operation,
    rest: &str,
    query: &[(String, String)],
    body: Value,
) -> Response {
    let id_style = if product.header_policy == HeaderPolicy::Sage200 { IdStyle::Integer } else { IdStyle::Hex };
    let key = rest.rsplit('/').next().unwrap_or_default();
    let item = route::ends_with_variable(&operation.path);
    let item_collection = || data.get(route::parent(rest)).map(Vec::as_slice).unwrap_or_default();
    match operation.method {
        ir::Method::Get if matches!(operation.response, ir::Response::List(_)) => {
            let records = data.get(rest).map(Vec::as_slice).unwrap_or_default();
            list(product.pagination, records, query, rest)
        }
        ir::Method::Get if item => records::get(item_collection(), key),
        ir::Method::Get => {
            axum::Json(data.get(rest).and_then(|records| records.first()).cloned().unwrap_or_default()).into_response()
        }
        ir::Method::Post => records::create(data.entry(rest.to_owned()).or_default(), body, id_style, rest),
        ir::Method::Put | ir::Method::Patch if item => {
            records::update(data.entry(route::parent(rest).to_owned()).or_default(), key, body)
        }
        ir::Method::Put | ir::Method::Patch => {
            data.insert(rest.to_owned(), vec![body.clone()]);
            axum::Json(body).into_response()
        }
        ir::Method::Delete if item => records::delete(data.entry(route::parent(rest).to_owned()).or_default(), key),
        ir::Method::Delete => {
            data.remove(rest);
            StatusCode::NO_CONTENT.into_response()
        }
    }
}

fn list(pagination: Pagination, records: &[Value], query: &[(String, String)], path: &str) -> Response {
    let page = match pagination {
        Pagination::Envelope => paging::envelope(&paging::search(records, query), query, path),
        Pagination::OData => paging::odata(records, query),
    };
    match page {
        Ok(page) => axum::Json(page).into_response(),
        Err(error) => error.into_response(),
    }
}

/// The operation for this method and path; templates with fewer variables win (`/businesses/lead`
/// over `/businesses/{key}`). A path known under other methods answers 405.
fn find_operation<'a>(product: &'a ir::Product, method: &Method, rest: &str) -> Result<&'a ir::Operation, SageError> {
    let mut candidates: Vec<(&ir::Operation, usize)> = route::operations(product)
        .filter_map(|operation| route::match_template(&operation.path, rest).map(|params| (operation, params.len())))
        .collect();
    if candidates.is_empty() {
        return Err(SageError::not_found(format!("No resource at {rest}")));
    }
    candidates.sort_by_key(|(_, variables)| *variables);
    let wanted = ir_method(method);
    candidates
        .into_iter()
        .map(|(operation, _)| operation)
        .find(|operation| Some(operation.method) == wanted)
        .ok_or_else(|| {
            SageError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "MethodNotAllowed",
                format!("{method} is not allowed on {rest}"),
            )
        })
}

fn ir_method(method: &Method) -> Option<ir::Method> {
    Some(match *method {
        Method::GET => ir::Method::Get,
        Method::POST => ir::Method::Post,
        Method::PUT => ir::Method::Put,
        Method::PATCH => ir::Method::Patch,
        Method::DELETE => ir::Method::Delete,
        _ => return None,
    })
}

/// An empty body reads as `{}`; anything else must be JSON.
fn parse_body(body: &[u8]) -> Result<Value, SageError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Default::default()));
    }
    serde_json::from_slice(body).map_err(|error| SageError::bad_request(format!("The body is not valid JSON: {error}")))
}
