//! A local Sage look-alike: the identity servers and the APIs of Sage 200 (Professional and Standard),
//! Sage Accounting v3 and v3.1 on one `127.0.0.1` port, with in-memory demo data. It lets demos and tests
//! run with no Sage account and no network.
//!
//! ```no_run
//! # async fn demo() -> Result<(), sage_sandbox::StartError> {
//! let sandbox = sage_sandbox::Sandbox::builder().auto_approve(true).time_scale(1.0 / 300.0).start().await?;
//! let endpoints = sandbox.endpoints("accounting-v31").expect("a known product");
//! let client = sandbox.demo_client();
//! # let _ = (endpoints, client); Ok(()) }
//! ```
//!
//! # Identity paths
//!
//! | family | authorize | token | revoke |
//! |---|---|---|---|
//! | Sage ID (`sage200-pro`, `sage200-standard`) | `/authorize` | `/oauth/token` | `/oauth/revoke` |
//! | Accounting v3 (`accounting-v3`) | `/oauth2/auth` | `/oauth2/token` | `/oauth2/revoke` |
//! | Accounting v3.1 (`accounting-v31`) | `/oauth2/auth/central`, `/auth/central` | `/token` | `/revoke` |
//!
//! The consent form posts to `/consent`. `/connected-apps` lists the apps holding the demo user's tokens,
//! each with a button that revokes its access at once, as a user does in their Sage account settings. Lifetimes follow Sage (access: 8 h / 60 min / 5 min; refresh:
//! 90 days / never / 31 days; codes: 60 s), multiplied by [`SandboxBuilder::time_scale`] but never
//! shorter than one second. Sage ID and v3.1 rotate refresh tokens; a used one answers `invalid_grant`.
//!
//! Redirect URIs match a registered one exactly, as on Sage: the demo clients have
//! `http://127.0.0.1:8791/callback` and `http://localhost:8791/callback` (the SDK's default loopback
//! port); [`SandboxBuilder::redirect_uri`] registers more, and [`SandboxBuilder::any_loopback_port`]
//! (`--any-loopback-port`) lets the public client use any port on a loopback callback (RFC 8252).
//! `state` is optional everywhere.
//!
//! # Sage's rules
//!
//! One engine serves every operation from the schemas, with a small rule set per product:
//!
//! - Bodies are checked against the operation's schema type (required fields, JSON types, dates,
//!   decimals, enum values, string lengths in characters from `max_length`, which Accounting's specs
//!   give on the resource the write produces rather than on its body) and references (`contact_id`, `tax_rate_ids`, …) must name a record the
//!   tenant holds. Accounting answers 422 `RecordInvalid`, Sage 200 400, with the field path (inside
//!   Accounting's wrapper key) in `$source`.
//! - Success statuses follow the specs: Accounting creates with 201 and deletes with 204 (200 with the
//!   voided record where the operation returns one); Sage 200 answers every success with 200.
//! - Each tenant starts with coherent reference data (contact types, ledger accounts, tax rates,
//!   currencies, countries, products; Sage 200 tax and nominal codes) and invoices whose net, tax and
//!   total are computed from their lines in exact decimals, as are new ones; a sales invoice raised on
//!   Accounting adds to its contact's balance. Every other read-only collection and every single-object
//!   resource (settings, the current user) holds an example built from the schema; singletons update
//!   with `PUT`.
//! - Lists: Accounting shows the base attributes (`id`, `displayed_as`, `$path`) unless `attributes`
//!   asks for more (`all` or a list) and takes `search`, `sort=field:asc|desc` and the filters its
//!   operation documents (`visible_in`/`not_visible_in` on ledger accounts, `contact_id`, `status_id`,
//!   `contact_type_id`, `from_date`/`to_date`, `active`, `email`, …); Sage 200 takes `$filter` (`eq ne
//!   gt ge lt le`, `and or not`, parentheses, `contains`/`startswith`/`endswith`), `$orderby` (needed by
//!   `$skip`), `$top` (at most 5000), `$select`, `$expand` (one level, through `…_id`) and `$count=true`
//!   (the count in `X-Total-Count`). A parameter the list does not document, a field its records do not
//!   have, `in`, `$top` above 5000 and a documented filter the sandbox cannot apply are refused with
//!   Sage's error items (400, or 422 for a bad value), never ignored.
//! - `displayed_as` is recomputed on every Accounting write, in the seeded form (contacts "Name (REF)",
//!   ledger accounts "Name (1200)"). Ledger accounts carry `visible_in_*` flags (the bank account is
//!   not visible in sales or expenses), and a sales (purchase) document line posted to a ledger account
//!   not visible in sales (expenses) is refused with 422 naming the line's `ledger_account_id`.
//! - Time: records carry `created_at`/`updated_at` (Accounting) or `date_time_created`/`date_time_updated`
//!   (Sage 200), set on every write; deleted Accounting records are kept as tombstones. Accounting lists
//!   take `updated_or_created_since` (inclusive) and `deleted_since` (exclusive, listing the tombstones);
//!   Sage 200's `$filter` also takes `gt`, `ge`, `lt`, `le`, comparing timestamps as instants. For tests,
//!   [`Sandbox::set_clock_skew`] moves the server's clock, [`Sandbox::set_write_lag`] stamps writes before
//!   they become visible, and [`Sandbox::insert_records`] / [`Sandbox::touch_records`] write in bulk or in
//!   the background; [`SandboxBuilder::max_records`] raises the per-collection limit (10 000).
//!
//! # Live shapes
//!
//! By default responses take the shapes the live APIs send where they differ from Sage's specs, so a
//! client tested here meets what production sends: decimals as strings in Ruby's form (`"1.0"`,
//! `"6011.4"`; integers such as `credit_days` and `nominal_code` stay numbers), every unset field of an
//! Accounting record as `null` except the dates Sage blanks to `""` (`last_paid` on an unpaid invoice,
//! `mtd_authenticated_date`), fields in no spec (contacts' `mandate_active`, `preferred_address`,
//! `preferred_contact_person`, `send_statements`, `statement_run`; sales invoices'
//! `pas_payment_submission`), `"$path": ""` on a sales document's own addresses, `created_at` with an
//! explicit `attributes` list, `/user` without `$path`, `GET /businesses` on one page with
//! `$items_per_page` = 2147483647, `&` written `\u0026` in the JSON text (so in `$next`), and
//! `"$source": ""` on `RecordNotFound`, `AuthorizationFailure` and a reference to a missing record. Sage 200
//! gets the same tolerance: decimals as strings, `""` for unset dates, fields in no spec.
//! [`SandboxBuilder::spec_shapes`] (`--spec-shapes`) answers in the specs' shapes instead.
//!
//! # Keeping state across restarts
//!
//! By default everything lives in memory and a restart starts afresh. With
//! [`SandboxBuilder::data_file`] (`--data FILE` on the binary) the API records and the issued access and
//! refresh tokens are kept in that SQLite file, written through on every change, so a client that signed
//! in before a restart can keep calling the API and refresh afterwards. Each tenant's demo data is seeded
//! once, the first time it is used, and never again over the user's changes. Consent pages, codes and
//! the lead business are not kept. A file that is corrupt or belongs to another program stops the start
//! with [`StartError::DataFile`] naming it; it is never reset.
//!
//! # API paths
//!
//! Each product in the schemas directory is served under the path of its `base_url`
//! (`/v3.1`, `/{country}/sageone` + `/accounts/v3/…` or `/core/v3/…`, `/uk/sage200extra/accounts/v1`,
//! `/uk/sage200/accounts/v1`; any `{country}` segment is accepted, `endpoints()` uses `uki`),
//! so a client changes only the host. v3.1 also always serves `/v3.1/businesses`, `/v3.1/businesses/{id}`,
//! `/v3.1/businesses/lead` and `/v3.1/user`; Sage 200 serves `/sites`. The demo user's ids are in
//! [`fixtures`].

#![warn(missing_docs)]

mod api;
mod builder;
mod clients;
mod data_file;
mod family;
pub mod fixtures;
// Written by `cargo xtask codegen` (formatted by prettyplease, which rustfmt would reflow).
#[rustfmt::skip]
mod generated;
mod handle;
mod identity;
mod random;
pub mod replay;
mod schemas;
mod serve;
mod sign_in;
mod state;
mod stats;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::Router;

pub use builder::SandboxBuilder;
pub use clients::{DemoClient, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_PUBLIC_CLIENT_ID};
pub use handle::{Endpoints, ProductName, Sandbox};
/// The schema model that [`SandboxBuilder::products`] takes.
pub use sage_schema as schema;
pub use sign_in::{SignInError, SignedIn};
pub use stats::Stats;

/// Why a sandbox could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The port could not be bound.
    #[error("cannot listen on 127.0.0.1: {0}")]
    Bind(#[from] std::io::Error),
    /// The time scale is not a finite number in `(0, 1000]`.
    #[error("time scale {0} must be a finite number greater than 0 and at most 1000")]
    TimeScale(f64),
    /// A rate limit of zero requests per minute would refuse everything.
    #[error("the rate limit must allow at least one request per minute")]
    RateLimit,
    /// The schemas could not be read.
    #[error("cannot load schemas: {0}")]
    Schemas(String),
    /// The data file could not be opened or read, or is not a sandbox data file.
    #[error("cannot use data file {}: {reason}", path.display())]
    DataFile {
        /// The file given to [`SandboxBuilder::data_file`].
        path: std::path::PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// The cassette given to [`SandboxBuilder::seed`] could not be read or loaded.
    #[error("cannot seed from {}: {reason}", path.display())]
    Seed {
        /// The cassette.
        path: std::path::PathBuf,
        /// What went wrong.
        reason: String,
    },
}

/// The largest request body accepted (a record, a form), so one client cannot fill the memory
/// of a sandbox shared by a team.
const MAX_REQUEST_BODY: usize = 256 * 1024;

/// Identity routes first; everything else is an API path.
fn router(state: Arc<AppState>) -> Router {
    identity::router().fallback(api::handle).with_state(state).layer(DefaultBodyLimit::max(MAX_REQUEST_BODY))
}

use state::AppState;
