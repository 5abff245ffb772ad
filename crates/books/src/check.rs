//! The checks a write passes before anything is sent: every field it sets is one the product
//! takes, and every field the product requires is set.

use crate::capability::{self, Support};
use crate::error::{Error, Result};
use crate::model::*;
use crate::resource::{Operation, ProductKind, Resource};

/// What a draft sets, by model field name.
pub trait DraftFields {
    /// The fields given a value (`item_lines[].tax_rate_id` when any line sets one).
    fn used(&self) -> Vec<&'static str>;
    /// Where `field` is required but unset: the field's path (`item_lines[1].account_id`), or
    /// `None` when it is set (on every line, for a line field).
    fn missing(&self, field: &str) -> Option<String>;
}

/// Refuses, before sending, a create `product` cannot make as asked.
pub(crate) fn check_create(product: ProductKind, resource: Resource, draft: &dyn DraftFields) -> Result<()> {
    let unsupported = |field: Option<&str>| Error::Unsupported { product, resource, field: field.map(str::to_owned) };
    if capability::support(product, resource, Operation::Create, None) != Support::Supported {
        return Err(unsupported(None));
    }
    if let Some(field) = draft
        .used()
        .into_iter()
        .find(|field| capability::support(product, resource, Operation::Create, Some(field)) != Support::Supported)
    {
        return Err(unsupported(Some(field)));
    }
    match capability::required(product, resource).iter().find_map(|field| draft.missing(field)) {
        Some(field) => Err(Error::Missing { resource, field }),
        None => Ok(()),
    }
}

/// `field` when `set`.
fn when(set: bool, field: &'static str) -> Option<&'static str> {
    set.then_some(field)
}

fn blank(text: &str) -> bool {
    text.trim().is_empty()
}

impl<R> DraftFields for NewParty<R> {
    fn used(&self) -> Vec<&'static str> {
        [
            Some("name"),
            when(self.reference.is_some(), "reference"),
            when(self.email.is_some(), "email"),
            when(self.tax_number.is_some(), "tax_number"),
            when(self.currency_id.is_some(), "currency_id"),
            when(self.credit_limit.is_some(), "credit_limit"),
            when(self.credit_days.is_some(), "credit_days"),
            when(self.address.is_some(), "address"),
            when(self.contact_person.is_some(), "contact_person"),
            when(self.notes.is_some(), "notes"),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    fn missing(&self, field: &str) -> Option<String> {
        let unset = match field {
            "name" => blank(&self.name),
            "reference" => self.reference.as_deref().is_none_or(blank),
            "email" => self.email.as_deref().is_none_or(blank),
            "address" => self.address.is_none(),
            _ => false,
        };
        unset.then(|| field.to_owned())
    }
}

impl<K> DraftFields for NewDocument<K> {
    fn used(&self) -> Vec<&'static str> {
        let items = &self.item_lines;
        let analysis = &self.analysis_lines;
        [
            Some("party_id"),
            Some("date"),
            when(self.due_date.is_some(), "due_date"),
            when(self.number.is_some(), "number"),
            when(self.reference.is_some(), "reference"),
            when(self.currency_id.is_some(), "currency_id"),
            when(self.exchange_rate.is_some(), "exchange_rate"),
            when(self.notes.is_some(), "notes"),
            when(!items.is_empty(), "item_lines"),
            when(items.iter().any(|line| line.item.is_some()), "item_lines[].item"),
            when(items.iter().any(|line| line.account_id.is_some()), "item_lines[].account_id"),
            when(items.iter().any(|line| line.tax_rate_id.is_some()), "item_lines[].tax_rate_id"),
            when(items.iter().any(|line| line.discount.is_some()), "item_lines[].discount"),
            when(items.iter().any(|line| !line.tracking_ids.is_empty()), "item_lines[].tracking_ids"),
            when(!analysis.is_empty(), "analysis_lines"),
            when(analysis.iter().any(|line| line.tax.is_some()), "analysis_lines[].tax"),
            when(analysis.iter().any(|line| line.tax_rate_id.is_some()), "analysis_lines[].tax_rate_id"),
            when(analysis.iter().any(|line| !line.tracking_ids.is_empty()), "analysis_lines[].tracking_ids"),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    fn missing(&self, field: &str) -> Option<String> {
        let line = |unset: &dyn Fn(&NewItemLine) -> bool, name: &str| {
            let index = self.item_lines.iter().position(unset)?;
            Some(format!("item_lines[{index}].{name}"))
        };
        let analysis = |unset: &dyn Fn(&NewAnalysisLine) -> bool, name: &str| {
            let index = self.analysis_lines.iter().position(unset)?;
            Some(format!("analysis_lines[{index}].{name}"))
        };
        let whole = |unset: bool| unset.then(|| field.to_owned());
        match field {
            "party_id" => whole(blank(&self.party_id)),
            "due_date" => whole(self.due_date.is_none()),
            "number" => whole(self.number.as_deref().is_none_or(blank)),
            "reference" => whole(self.reference.as_deref().is_none_or(blank)),
            "item_lines" => whole(self.item_lines.is_empty()),
            "analysis_lines" => whole(self.analysis_lines.is_empty()),
            "lines" => whole(self.item_lines.is_empty() && self.analysis_lines.is_empty()),
            "item_lines[].description" => line(&|line| blank(&line.description), "description"),
            "item_lines[].account_id" => line(&|line| line.account_id.as_deref().is_none_or(blank), "account_id"),
            "item_lines[].tax_rate_id" => line(&|line| line.tax_rate_id.as_deref().is_none_or(blank), "tax_rate_id"),
            "analysis_lines[].tax_rate_id" => {
                analysis(&|line| line.tax_rate_id.as_deref().is_none_or(blank), "tax_rate_id")
            }
            _ => None,
        }
    }
}

impl DraftFields for NewPayment {
    fn used(&self) -> Vec<&'static str> {
        [
            Some("kind"),
            Some("party_id"),
            Some("date"),
            Some("amount"),
            when(self.bank_account_id.is_some(), "bank_account_id"),
            when(self.reference.is_some(), "reference"),
            when(self.payment_method_id.is_some(), "payment_method_id"),
            when(self.currency_id.is_some(), "currency_id"),
            when(self.exchange_rate.is_some(), "exchange_rate"),
            when(!self.allocations.is_empty(), "allocations"),
            when(self.allocations.iter().any(|allocation| allocation.discount.is_some()), "allocations[].discount"),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    fn missing(&self, field: &str) -> Option<String> {
        let unset = match field {
            "party_id" => blank(&self.party_id),
            "bank_account_id" => self.bank_account_id.as_deref().is_none_or(blank),
            "reference" => self.reference.as_deref().is_none_or(blank),
            "payment_method_id" => self.payment_method_id.as_deref().is_none_or(blank),
            "allocations" => self.allocations.is_empty(),
            _ => false,
        };
        unset.then(|| field.to_owned())
    }
}
