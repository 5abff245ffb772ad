//! The APIs, served generically from the product schemas (see the crate docs for the paths).

mod allocations;
mod checks;
mod clock;
mod control;
mod directory;
mod filters;
mod ledger;
mod links;
mod live_shapes;
mod models;
mod paging;
mod payments;
mod posting;
mod query;
mod rate;
mod records;
pub(crate) mod route;
mod rules;
mod sage_error;
mod seed;
mod stamping;
mod totals;
mod validate;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use rust_decimal::Decimal;
use sage_schema::ir::{self, HeaderPolicy, Pagination, Type};
use serde_json::Value;

use crate::data_file::{DataError, DataFile, Store};
use crate::family::Family;
use crate::fixtures;
use crate::state::{lock, AppState};
use crate::stats::bump;
use live_shapes::RecordKind;
pub(crate) use live_shapes::Shapes;
use models::Models;
use rate::RateWindow;
use records::id_text;
use rules::Rules;
use sage_error::SageError;
pub(crate) use seed::Collections;
use validate::Completeness;

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
    /// What stamps records with their times.
    pub(crate) clock: clock::Clock,
    /// The most records one collection may hold.
    max_records: AtomicUsize,
    /// Live-API shapes (default) or the specs' ones.
    shapes: Shapes,
    /// A field every answered record of a model carries, whatever its data ([`Api::break_field`]).
    broken: std::sync::RwLock<Option<BrokenField>>,
}

/// A test knob: every record of `model` the API answers has `field` set to `value`.
#[derive(Debug, Clone)]
struct BrokenField {
    model: String,
    field: String,
    value: Value,
}

impl BrokenField {
    /// Sets the field on a record of type `ty` (each one, for a list of them).
    fn apply(&self, ty: &Type, record: &mut Value) {
        match (ty, record) {
            (Type::Array(item), Value::Array(items)) => items.iter_mut().for_each(|one| self.apply(item, one)),
            (Type::Model(name), Value::Object(fields)) if *name == self.model => {
                fields.insert(self.field.clone(), self.value.clone());
            }
            _ => {}
        }
    }
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
            clock: clock::Clock::default(),
            max_records: AtomicUsize::new(records::MAX_RECORDS),
            shapes: Shapes::default(),
            broken: std::sync::RwLock::new(None),
        }
    }

    /// From now on every record of `model` (a schema name, e.g. `Contact`) the API answers carries
    /// `value` in `field`, as a Sage whose answers drifted would: for testing drift reports.
    pub(crate) fn break_field(&self, model: &str, field: &str, value: Value) {
        let broken = BrokenField { model: model.to_owned(), field: field.to_owned(), value };
        *self.broken.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(broken);
    }

    /// Answers in these shapes.
    pub(crate) fn set_shapes(&mut self, shapes: Shapes) {
        self.shapes = shapes;
    }

    /// Lets each collection hold up to `limit` records.
    pub(crate) fn set_max_records(&self, limit: usize) {
        self.max_records.store(limit, Ordering::Relaxed);
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
            let mut seeded = seed::collections(product, tenant);
            let stamps = if Rules::of(product).accounting() { clock::ACCOUNTING } else { clock::SAGE200 };
            stamps.seeded(&mut seeded, self.clock.now());
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
        schema_dir: "accounting-v31".into(),
        title: "Sage Business Cloud Accounting v3.1".into(),
        crate_name: "sage-accounting-v31".into(),
        shared_crate: None,
        description: String::new(),
        base_url: V31_BASE_URL.into(),
        auth_profile: ir::AuthProfile::AccountingV31,
        header_policy: HeaderPolicy::AccountingV31,
        pagination: Pagination::Envelope,
        area_crates: false,
        decimal_format: ir::DecimalFormat::String,
        areas: Vec::new(),
    }
}

/// Fallback handler: every path that is not an identity route, answered in the sandbox's shapes.
pub(crate) async fn handle(
    State(state): State<Arc<AppState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let shapes = state.api.shapes;
    shapes.finish(answer(state, method, uri, headers, body).await).await
}

/// One API request's response.
async fn answer(state: Arc<AppState>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
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
    if product.header_policy == HeaderPolicy::AccountingV31 {
        if let Err(error) = checks::json_body(request.headers, request.body) {
            return error.into_response();
        }
        if request.method == Method::GET {
            if let Some(response) = directory::v31(request.rest, request.query, &api.lead_business(), api.shapes) {
                return response;
            }
        }
    }
    let operation = match find_operation(product, request.method, request.rest) {
        Ok(operation) => operation,
        Err(error) => return error.into_response(),
    };
    let rules = Rules::of(product);
    let body = match parse_body(request.body).and_then(|body| checked_body(rules, product, operation, body)) {
        Ok(body) => body,
        Err(error) => return error.into_response(),
    };
    if product.header_policy == HeaderPolicy::AccountingV31 && request.method == Method::PUT {
        if let Some(response) = directory::v31_update(request.rest, &body, &api.lead_business(), api.shapes) {
            return response;
        }
    }
    let mut store = lock(&api.store);
    let data = match api.tenant_data(&mut store, product, tenant) {
        Ok(data) => data,
        Err(error) => return error.into_response(),
    };
    let rest = request.rest.trim_end_matches('/');
    let item = route::ends_with_variable(&operation.path);
    let max_records = api.max_records.load(Ordering::Relaxed);
    let models = Models::of(product);
    let shapes = api.shapes;
    let broken = api.broken.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
    let call = Call {
        rules,
        operation,
        rest,
        query: request.query,
        clock: &api.clock,
        max_records,
        shapes,
        models: &models,
        broken: broken.as_ref(),
    };
    let Some(collection) = changed_collection(operation.method, rest, item) else {
        return respond(call, call.apply_stamped(data, body, &mut Vec::new()));
    };
    let Some(data_file) = api.data.as_ref() else {
        return respond(call, call.apply_stamped(data, body, &mut Vec::new()));
    };
    let before = data.get(collection).cloned();
    let mut touched = Vec::new();
    let outcome = call.apply_stamped(data, body, &mut touched);
    if outcome.is_err() {
        return respond(call, outcome);
    }
    touched.insert(0, collection.to_owned());
    for path in &touched {
        let records = data.get(path.as_str()).map(Vec::as_slice).unwrap_or_default();
        if let Err(error) = data_file.save_collection(&product.name, tenant, path, records) {
            // Memory and file stay in step: the change is undone and the client told to retry.
            match before {
                Some(records) => data.insert(collection.to_owned(), records),
                None => data.remove(collection),
            };
            return not_saved(error).into_response();
        }
    }
    respond(call, outcome)
}

/// The body as the operation takes it, checked against its schema type; Accounting's wrapper key is
/// taken off, and `$source` names fields inside it.
fn checked_body(
    rules: Rules,
    product: &ir::Product,
    operation: &ir::Operation,
    body: Value,
) -> Result<Value, SageError> {
    if let Some(ty) = &operation.body {
        let models = &Models::of(product);
        let completeness = match operation.method {
            ir::Method::Put | ir::Method::Patch => Completeness::Partial,
            _ => Completeness::Whole,
        };
        let resource = match &operation.response {
            ir::Response::One(resource) => Some(resource),
            _ => None,
        };
        if let Err(invalid) = validate::check(models, ty, &body, completeness, resource) {
            return Err(rules.invalid(invalid.message, entity_source(rules, &body, invalid.source)));
        }
    }
    Ok(if rules.wraps_bodies() { records::unwrap_single_key(body) } else { body })
}

/// `contact.main_address.city` → `main_address.city` when `contact` is the body's wrapper key.
fn entity_source(rules: Rules, body: &Value, source: String) -> String {
    let wrapper = body.as_object().filter(|fields| fields.len() == 1).and_then(|fields| fields.keys().next());
    match wrapper {
        Some(wrapper) if rules.wraps_bodies() => {
            source.strip_prefix(&format!("{wrapper}.")).map_or(source.clone(), str::to_owned)
        }
        _ => source,
    }
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

/// What a call answers: a JSON body, or for lists a body and extra headers.
enum Answer {
    Body(Value),
    List(Value, Option<usize>),
}

/// One operation on one path.
#[derive(Clone, Copy)]
struct Call<'a> {
    rules: Rules,
    operation: &'a ir::Operation,
    rest: &'a str,
    query: &'a [(String, String)],
    clock: &'a clock::Clock,
    max_records: usize,
    shapes: Shapes,
    models: &'a Models<'a>,
    broken: Option<&'a BrokenField>,
}

/// The success status the product's rules give the operation, with its body (none for a 204, or when
/// the operation returns nothing); Sage 200's `$count` in `X-Total-Count`.
fn respond(call: Call<'_>, outcome: Result<Answer, SageError>) -> Response {
    let status = call.rules.success(call.operation);
    match outcome {
        Err(error) => error.into_response(),
        Ok(_) if status == StatusCode::NO_CONTENT || matches!(call.operation.response, ir::Response::None) => {
            status.into_response()
        }
        Ok(Answer::Body(mut body)) => {
            if let ir::Response::One(ty) = &call.operation.response {
                call.render(ty, &mut body);
            }
            (status, axum::Json(body)).into_response()
        }
        Ok(Answer::List(page, count)) => {
            let mut response = (status, axum::Json(page)).into_response();
            if let Some(count) = count {
                response.headers_mut().insert("x-total-count", HeaderValue::from(count));
            }
            response
        }
    }
}

impl Call<'_> {
    /// What the records this call answers are, for their shapes.
    fn record_kind(&self) -> RecordKind<'_> {
        RecordKind { models: self.models, accounting: self.rules.accounting() }
    }

    /// A record of type `ty` as it is answered: in the sandbox's shapes, with any broken field.
    fn render(&self, ty: &Type, record: &mut Value) {
        self.shapes.record(self.record_kind(), ty, record);
        if let Some(broken) = self.broken {
            broken.apply(ty, record);
        }
    }

    /// Runs the operation on the tenant's data in memory; `touched` gets other collections it changed.
    fn apply(self, data: &mut Collections, body: Value, touched: &mut Vec<String>) -> Result<Answer, SageError> {
        let Self { rules, operation, rest, .. } = self;
        let key = rest.rsplit('/').next().unwrap_or_default();
        let item = route::ends_with_variable(&operation.path);
        let collection = if item { route::parent(rest) } else { rest };
        let prefix = route::parent(collection);
        let stored =
            |data: &Collections| records::get(data.get(collection).map(Vec::as_slice).unwrap_or_default(), key);
        let answer = match operation.method {
            ir::Method::Get if matches!(operation.response, ir::Response::List(_)) => return self.list(data, prefix),
            ir::Method::Get if item => stored(data)?,
            ir::Method::Get => data
                .get(rest)
                .and_then(|found| found.first())
                .cloned()
                .unwrap_or_else(|| Value::Object(Default::default())),
            ir::Method::Post => {
                let earlier = records::earlier_create(data.get(rest).map(Vec::as_slice).unwrap_or_default(), &body)
                    .map_err(|message| rules.invalid(message, "idempotency_id"))?;
                if let Some(earlier) = earlier {
                    return Ok(Answer::Body(earlier));
                }
                let name = route::last_segment(rest);
                let mut body = self.linked(data, body, prefix)?;
                if let Some(posted) = self.post_to_ledger(data, &body, prefix, name, touched) {
                    return posted.map(Answer::Body);
                }
                if let Some(allocated) = self.allocate(data, &body, prefix, name, touched) {
                    return allocated.map(Answer::Body);
                }
                rules.document_shape().compute(&mut body, data, prefix);
                self.unpaid(name, &mut body);
                self.checked_payment(data, &mut body, prefix, name)?;
                let created = records::create(
                    data.entry(rest.to_owned()).or_default(),
                    body,
                    rules.id_style(),
                    rest,
                    self.max_records,
                )?;
                if let Some(contacts) = self.raise_balance(data, &created, prefix) {
                    touched.push(contacts);
                }
                if rules.accounting() && name == "contact_payments" {
                    self.settle(data, &created, prefix, Decimal::ONE, touched);
                }
                created
            }
            ir::Method::Put | ir::Method::Patch if item => {
                let current = stored(data)?;
                let before = current.clone();
                let (Value::Object(mut merged), Value::Object(_)) = (current, &body) else {
                    return Err(rules.invalid("The request body must be a JSON object", "body"));
                };
                // Only what the update sends is checked: the stored record's references already were.
                let Value::Object(fields) = self.linked(data, body, prefix)? else { return Err(not_object(rules)) };
                records::merge(&mut merged, fields);
                if rules.accounting() {
                    // Sage recomputes what a record shows on every write: a renamed contact shows its new name.
                    if let Some(shown) = records::displayed_as(collection, &merged) {
                        merged.insert("displayed_as".into(), Value::from(shown));
                    }
                }
                let mut merged = Value::Object(merged);
                rules.document_shape().compute(&mut merged, data, prefix);
                let name = route::last_segment(collection);
                self.still_paid(name, &mut merged)?;
                if rules.accounting() && name == "contact_payments" {
                    self.repaid(data, &before, &mut merged, prefix, touched)?;
                }
                records::update(data.entry(collection.to_owned()).or_default(), key, merged)?
            }
            ir::Method::Put | ir::Method::Patch if body.is_array() => {
                // A bulk update of a list (Sage 200 `PUT /couriers`): each item by its id.
                let Value::Array(items) = self.linked(data, body, prefix)? else { return Err(not_object(rules)) };
                let stored = data.entry(rest.to_owned()).or_default();
                for item in &items {
                    let Value::Object(fields) = item else { return Err(not_object(rules)) };
                    let known = item.get("id").and_then(|id| records::find(stored, &id_text(id)).cloned());
                    match known {
                        Some(_) => drop(records::update(stored, &id_text(&item["id"]), Value::Object(fields.clone()))?),
                        None => stored.push(item.clone()),
                    }
                }
                Value::Array(items)
            }
            ir::Method::Put | ir::Method::Patch => {
                let Value::Object(fields) = self.linked(data, body, prefix)? else { return Err(not_object(rules)) };
                let singleton = data.entry(rest.to_owned()).or_default();
                if singleton.is_empty() {
                    singleton.push(Value::Object(Default::default()));
                }
                let Value::Object(current) = &mut singleton[0] else {
                    return Err(SageError::not_found(rest.to_owned()));
                };
                records::merge(current, fields);
                Value::Object(current.clone())
            }
            ir::Method::Delete if item => {
                let removed = records::delete(data.entry(collection.to_owned()).or_default(), key)?;
                if rules.accounting() && route::last_segment(collection) == "contact_payments" {
                    // Sage gives back what a deleted payment paid.
                    self.settle(data, &removed, prefix, Decimal::NEGATIVE_ONE, touched);
                }
                removed
            }
            ir::Method::Delete => Value::Array(data.remove(rest).unwrap_or_default()),
        };
        Ok(Answer::Body(answer))
    }

    /// The body with its references checked (and, on Accounting, linked).
    fn linked(self, data: &Collections, mut body: Value, prefix: &str) -> Result<Value, SageError> {
        links::resolve(&mut body, data, prefix, self.rules.embeds_links())
            .map_err(|invalid| self.rules.invalid(invalid.message, invalid.source).about_missing_record())?;
        if self.rules.accounting() {
            self.lines_in_their_area(data, &body, prefix)?;
        }
        Ok(body)
    }

    /// A sales document's lines post to ledger accounts visible in sales, a purchase document's to ones
    /// visible in expenses, as Sage refuses a sales invoice line posted to the bank account.
    fn lines_in_their_area(self, data: &Collections, body: &Value, prefix: &str) -> Result<(), SageError> {
        let item = route::ends_with_variable(&self.operation.path);
        let collection = route::last_segment(if item { route::parent(self.rest) } else { self.rest });
        let area = if collection.starts_with("sales_") {
            "sales"
        } else if collection.starts_with("purchase_") {
            "expenses"
        } else {
            return Ok(());
        };
        let Value::Object(fields) = body else { return Ok(()) };
        let accounts = data.get(&format!("{prefix}/ledger_accounts")).map(Vec::as_slice).unwrap_or_default();
        for (name, lines) in fields.iter().filter(|(name, _)| name.ends_with("_lines")) {
            let Value::Array(lines) = lines else { continue };
            for (index, line) in lines.iter().enumerate() {
                let Some(id) = line.get("ledger_account_id").and_then(Value::as_str) else { continue };
                let Some(account) = records::find(accounts, id) else { continue };
                if account[format!("visible_in_{area}").as_str()] == Value::Bool(false) {
                    let shown = account["displayed_as"].as_str().unwrap_or(id);
                    let message = format!("Ledger account {shown} is not visible in {area}: it cannot be used here");
                    return Err(self.rules.invalid(message, format!("{name}[{index}].ledger_account_id")));
                }
            }
        }
        Ok(())
    }

    /// A sales document raised on Accounting moves its contact's balance; returns the contacts' path.
    fn raise_balance(self, data: &mut Collections, created: &Value, prefix: &str) -> Option<String> {
        let sign = self.rules.balance_effect(route::last_segment(self.rest))?;
        let total = totals::amount(&created["total_amount"])?;
        let contacts = format!("{prefix}/contacts");
        let contact_id = created["contact_id"].as_str()?;
        let contact = data.get_mut(&contacts)?.iter_mut().find(|contact| contact["id"] == contact_id)?;
        let balance = totals::amount(&contact["balance"]).unwrap_or_default();
        contact["balance"] = totals::money(balance + sign * total);
        Some(contacts)
    }

    fn list(self, data: &Collections, prefix: &str) -> Result<Answer, SageError> {
        let of_trader = if self.rules.accounting() { None } else { ledger::trader_transactions(data, self.rest) };
        let records =
            of_trader.as_deref().unwrap_or_else(|| data.get(self.rest).map(Vec::as_slice).unwrap_or_default());
        let query = self.query;
        let item_type = match &self.operation.response {
            ir::Response::List(ty) => ty,
            _ => &Type::Json,
        };
        let shape = |record: &mut Value| self.render(item_type, record);
        let fields = filters::item_fields(self.models, item_type);
        match self.rules.pagination() {
            Pagination::OData => {
                let (page, matched) = paging::odata(records, query, data, prefix, fields, &shape)?;
                let counted = paging::param(query, "$count").is_some_and(|value| value.eq_ignore_ascii_case("true"));
                Ok(Answer::List(page, counted.then_some(matched)))
            }
            Pagination::Envelope => {
                let source = clock::accounting_source(data, self.rest, query)?;
                let mut found = paging::search(filters::accounting(self.operation, fields, source, query)?, query);
                if let Some(text) = paging::param(query, "sort") {
                    query::order(&mut found, &query::sort(text)?);
                }
                let mut page = paging::envelope(&found, query, self.rest)?;
                let wanted = self.shapes.attributes(paging::param(query, "attributes"));
                if let Some(Value::Array(items)) = page.get_mut("$items") {
                    for item in items.iter_mut() {
                        shape(item);
                        *item = query::attributes(item, wanted.as_deref());
                    }
                }
                Ok(Answer::List(page, None))
            }
        }
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

fn not_object(rules: Rules) -> SageError {
    rules.invalid("The request body must be a JSON object", "body")
}

/// An empty body reads as `{}`; anything else must be JSON.
fn parse_body(body: &[u8]) -> Result<Value, SageError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Default::default()));
    }
    serde_json::from_slice(body).map_err(|error| SageError::bad_request(format!("The body is not valid JSON: {error}")))
}
