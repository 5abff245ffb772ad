//! Product-wide checks, run after every file has been read.

use std::collections::{BTreeMap, BTreeSet};

use super::error::SchemaError;
use super::sites::{RefUse, Site, Sites};
use crate::ir::{Area, ModelKind};

/// Checks names and references across files; appends every problem to `errors`.
pub(crate) fn validate(product: &str, areas: &[Area], sites: &Sites, errors: &mut Vec<SchemaError>) {
    duplicates(&sites.models, "model", errors);
    duplicates(&sites.operations, "operation", errors);
    references(areas, sites, errors);
    replacements(product, sites, errors);
}

fn error(site: &Site, reason: String) -> SchemaError {
    SchemaError { file: site.file.clone(), pointer: site.pointer.clone(), reason }
}

/// Names that must be unique per product: later declarations are reported, naming the first.
fn duplicates(declared: &[Site], what: &str, errors: &mut Vec<SchemaError>) {
    let mut first: BTreeMap<&str, &Site> = BTreeMap::new();
    for site in declared {
        match first.get(site.name.as_str()) {
            Some(earlier) => errors.push(error(
                site,
                format!("duplicate {what} `{}` (first declared in {} at {})", site.name, earlier.file, earlier.pointer),
            )),
            None => {
                first.insert(&site.name, site);
            }
        }
    }
}

fn references(areas: &[Area], sites: &Sites, errors: &mut Vec<SchemaError>) {
    let models: BTreeMap<&str, (&str, bool)> = areas
        .iter()
        .flat_map(|area| {
            area.models
                .iter()
                .map(|model| (model.name.as_str(), (area.name.as_str(), matches!(model.kind, ModelKind::Enum { .. }))))
        })
        .collect();
    let mut features: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (site, usage) in &sites.refs {
        let Some(&(target, is_enum)) = models.get(site.name.as_str()) else {
            errors.push(error(site, format!("unknown model `{}`", site.name)));
            continue;
        };
        if *usage == RefUse::Param && !is_enum {
            errors.push(error(site, format!("parameters can only use enum models, and `{}` is a struct", site.name)));
        }
        if site.area == "common" && target != "common" {
            errors.push(error(
                site,
                format!("`common` is always built and cannot use `{}` of the optional area `{target}`", site.name),
            ));
        } else if target != "common" && target != site.area {
            features.entry(&site.area).or_default().insert(target);
        }
    }
    for (site, _) in &sites.refs {
        let Some(&(target, _)) = models.get(site.name.as_str()) else { continue };
        if target != site.area && site.area != "common" && reaches(&features, target, &site.area) {
            errors.push(error(
                site,
                format!(
                    "areas `{}` and `{target}` use each other's models, and cargo features cannot be cyclic; \
                     move the shared models to common.json",
                    site.area
                ),
            ));
        }
    }
}

/// Whether feature `from` depends on feature `to`, directly or not.
fn reaches(features: &BTreeMap<&str, BTreeSet<&str>>, from: &str, to: &str) -> bool {
    let mut seen = BTreeSet::new();
    let mut pending = vec![from];
    while let Some(area) = pending.pop() {
        if area == to {
            return true;
        }
        if seen.insert(area) {
            pending.extend(features.get(area).into_iter().flatten().copied());
        }
    }
    false
}

fn replacements(product: &str, sites: &Sites, errors: &mut Vec<SchemaError>) {
    for site in &sites.replacements {
        let Some((target_product, operation)) = site.name.split_once(':') else {
            errors.push(error(site, format!("replacement `{}` must have the form product:operation", site.name)));
            continue;
        };
        let well_formed = !target_product.is_empty()
            && target_product.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && crate::names::snake_name(operation).as_deref() == Some(operation);
        if !well_formed {
            errors.push(error(site, format!("replacement `{}` must have the form product:operation", site.name)));
        } else if target_product == product && !sites.operations.iter().any(|op| op.name == operation) {
            errors.push(error(site, format!("replacement `{}` names no operation of this product", site.name)));
        }
    }
}
