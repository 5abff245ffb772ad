//! What each product does that its schema does not record. The schema IR keeps no status codes, so the
//! success statuses come from the reference specs: Accounting answers a create with 201, a delete with
//! 204 (200 with the record when the operation returns one: a voided invoice), everything else with 200
//! and invalid data with 422; Sage 200 answers every success with 200 and invalid data with 400.

use axum::http::StatusCode;
use rust_decimal::Decimal;
use sage_schema::ir::{self, HeaderPolicy, Pagination};

use super::records::IdStyle;
use super::sage_error::SageError;
use super::totals::{self, Shape};

/// The per-product rule set the generic engine consults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rules {
    policy: HeaderPolicy,
    pagination: Pagination,
}

impl Rules {
    pub(crate) fn of(product: &ir::Product) -> Self {
        Self { policy: product.header_policy, pagination: product.pagination }
    }

    pub(crate) fn accounting(self) -> bool {
        self.policy != HeaderPolicy::Sage200
    }

    /// The status of a successful call of `operation`.
    pub(crate) fn success(self, operation: &ir::Operation) -> StatusCode {
        if !self.accounting() {
            return StatusCode::OK;
        }
        match (operation.method, &operation.response) {
            (ir::Method::Post, _) => StatusCode::CREATED,
            (ir::Method::Delete, ir::Response::None) => StatusCode::NO_CONTENT,
            _ => StatusCode::OK,
        }
    }

    /// Invalid data: 422 `RecordInvalid` on Accounting, 400 on Sage 200; `source` names the field.
    pub(crate) fn invalid(self, message: impl Into<String>, source: impl Into<String>) -> SageError {
        let error = if self.accounting() {
            SageError::invalid(message)
        } else {
            SageError::new(StatusCode::BAD_REQUEST, "ValidationError", message)
        };
        error.with_source(source)
    }

    pub(crate) fn id_style(self) -> IdStyle {
        if self.accounting() {
            IdStyle::Hex
        } else {
            IdStyle::Integer
        }
    }

    /// Accounting wraps a body in one key (`{"contact": {…}}`) and names fields inside it in `$source`.
    pub(crate) fn wraps_bodies(self) -> bool {
        self.accounting()
    }

    /// Accounting records carry the records they point at as `{id, displayed_as, $path}` links; Sage 200
    /// keeps only the `…_id` (its `$expand` adds the record on request).
    pub(crate) fn embeds_links(self) -> bool {
        self.accounting()
    }

    /// Where documents keep the amounts computed from their lines.
    pub(crate) fn document_shape(self) -> Shape {
        if self.accounting() {
            totals::ACCOUNTING
        } else {
            totals::SAGE200
        }
    }

    /// Envelope lists take `search`, `sort` and `attributes`; OData lists the `$` options.
    pub(crate) fn pagination(self) -> Pagination {
        self.pagination
    }

    /// How creating a record in `collection` moves its contact's balance on Accounting: a sales invoice
    /// raises it, a sales credit note lowers it.
    pub(crate) fn balance_effect(self, collection: &str) -> Option<Decimal> {
        match collection {
            "sales_invoices" if self.accounting() => Some(Decimal::ONE),
            "sales_credit_notes" if self.accounting() => Some(Decimal::NEGATIVE_ONE),
            _ => None,
        }
    }
}
