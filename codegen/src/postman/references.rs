//! What an example body puts in a reference field (`contact_id`, `tax_rate_ids`, …): the id of a
//! record that exists. Sage names references as the sandbox checks them: `X_id` (or a list `X_ids`)
//! points into the product's collection of `X`s (`ledger_account_id` → `/ledger_accounts`).
//!
//! - Accounting ids belong to one business, so a reference is a collection variable (`{{contact_id}}`)
//!   that the collection's list request of that resource fills in with the first id it lists (a test
//!   script), with a default where Sage's ids are the same everywhere (`GB_STANDARD`, `GBP`, `GB`,
//!   `CUSTOMER`).
//! - Sage 200 ids are numbers, written as numbers so the body stays JSON: the first record of a
//!   collection the sandbox seeds, 1 for any other (the first record created, or the example the
//!   sandbox keeps in every read-only list).

use std::collections::BTreeMap;

use crate::ir::{HeaderPolicy, Method, Product, Response};

/// Accounting ids that are the same in every business, as Sage (and the sandbox's seed data,
/// `crates/sandbox/src/api/seed.rs`) has them: collection → id.
const ACCOUNTING_FIXED_IDS: [(&str, &str); 4] =
    [("contact_types", "CUSTOMER"), ("currencies", "GBP"), ("countries", "GB"), ("tax_rates", "GB_STANDARD")];

/// The first record of each Sage 200 collection the sandbox seeds with ids other than 1 (company 1 of
/// `crates/sandbox/src/api/seed.rs`); every other collection's first record is 1.
const SAGE200_SEEDED_IDS: [(&str, u64); 4] =
    [("customers", 27_825), ("suppliers", 31_001), ("nominal_codes", 2_001), ("products", 5_001)];

/// A resource other records point at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Target {
    /// The collection, e.g. `ledger_accounts`.
    pub(super) collection: String,
    /// The list operation of that collection, e.g. `list_ledger_accounts`.
    pub(super) list_operation: String,
    /// The operation that creates a record there, e.g. `create_ledger_account`.
    pub(super) create_operation: Option<String>,
}

/// How a reference field is filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Reference {
    /// A collection variable: `{{name}}`, filled in by the target's list request unless it has a default.
    Variable { name: String, default: Option<&'static str>, target: Target },
    /// A Sage 200 record id.
    Number(u64),
}

impl Reference {
    /// Whether an example body can send this reference as it is, without listing anything first.
    pub(super) fn known(&self) -> bool {
        match self {
            Self::Variable { default, .. } => default.is_some(),
            Self::Number(_) => true,
        }
    }
}

/// The list operations of a product by the last segment of their path (`contacts` → `list_contacts`);
/// the shortest path wins when several lists end alike. With them, the creates by path.
pub(super) struct Collections {
    lists: BTreeMap<String, (String, String)>,
    creates: BTreeMap<String, String>,
}

impl Collections {
    pub(super) fn of(product: &Product) -> Self {
        let mut lists: BTreeMap<String, (String, String)> = BTreeMap::new();
        let mut creates = BTreeMap::new();
        let operations =
            product.areas.iter().flat_map(|area| &area.resources).flat_map(|resource| &resource.operations);
        for operation in operations {
            if operation.method == Method::Post && matches!(operation.response, Response::One(_)) {
                creates.entry(operation.path.clone()).or_insert_with(|| operation.name.clone());
            }
            let is_list = operation.method == Method::Get && matches!(operation.response, Response::List(_));
            if !is_list || operation.path.contains('{') {
                continue;
            }
            let Some(last) = operation.path.rsplit('/').next().filter(|last| !last.is_empty()) else { continue };
            let candidate = (operation.path.clone(), operation.name.clone());
            let better = |current: &(String, String)| (candidate.0.len(), &candidate.0) < (current.0.len(), &current.0);
            match lists.get(last) {
                Some(current) if !better(current) => {}
                _ => drop(lists.insert(last.to_owned(), candidate)),
            }
        }
        Self { lists, creates }
    }

    /// The collection a reference stem names: the stem itself, or its longest `_`-separated tail that
    /// is a collection (`from_bank_account` → `bank_accounts`).
    fn find(&self, stem: &str) -> Option<Target> {
        let tails = std::iter::once(stem).chain(stem.match_indices('_').map(|(at, _)| &stem[at + 1..]));
        tails.filter(|tail| !tail.is_empty()).find_map(|tail| {
            let collection = plural(tail);
            let (path, list) = self.lists.get(&collection)?;
            let create_operation = self.creates.get(path).cloned();
            Some(Target { collection, list_operation: list.clone(), create_operation })
        })
    }
}

/// The reference a field named `json_name` holds, if its name makes it one (`X_id`, `X_ids`).
pub(super) fn reference(product: &Product, collections: &Collections, json_name: &str) -> Option<Reference> {
    let stem = json_name.strip_suffix("_ids").or_else(|| json_name.strip_suffix("_id"))?;
    if stem.is_empty() {
        return None;
    }
    let target = collections.find(stem);
    if product.header_policy == HeaderPolicy::Sage200 {
        let collection = target.map_or_else(|| plural(stem), |target| target.collection);
        let seeded = SAGE200_SEEDED_IDS.iter().find(|(name, _)| *name == collection);
        return Some(Reference::Number(seeded.map_or(1, |(_, id)| *id)));
    }
    let target = target?;
    let default = ACCOUNTING_FIXED_IDS.iter().find(|(name, _)| *name == target.collection).map(|(_, id)| *id);
    let name = format!("{}_id", singular_of(&target.collection, stem));
    Some(Reference::Variable { name, default, target })
}

/// The stem whose plural is `collection`: the tail of `stem` that named it.
fn singular_of<'s>(collection: &str, stem: &'s str) -> &'s str {
    let tails = std::iter::once(stem).chain(stem.match_indices('_').map(|(at, _)| &stem[at + 1..]));
    tails.into_iter().find(|tail| plural(tail) == collection).unwrap_or(stem)
}

/// English plural of a snake_case resource name, as Sage's paths (and the sandbox) spell them.
pub(super) fn plural(stem: &str) -> String {
    if let Some(base) = stem.strip_suffix('y').filter(|base| !base.ends_with(['a', 'e', 'o', 'u'])) {
        format!("{base}ies")
    } else if stem.ends_with(['s', 'x']) || stem.ends_with("ch") || stem.ends_with("sh") {
        format!("{stem}es")
    } else {
        format!("{stem}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals_follow_sage_paths() {
        assert_eq!(plural("ledger_account"), "ledger_accounts");
        assert_eq!(plural("currency"), "currencies");
        assert_eq!(plural("address"), "addresses");
        assert_eq!(plural("journey"), "journeys");
    }

    #[test]
    fn a_prefixed_stem_finds_the_collection_of_its_tail() {
        assert_eq!(singular_of("bank_accounts", "from_bank_account"), "bank_account");
        assert_eq!(singular_of("contacts", "contact"), "contact");
    }
}
