//! The importer: Sage's published API descriptions (Swagger 2.0, OpenAPI 3.0) → schema area files.
//!
//! [`import`] is pure: specs, `product.json` and `overrides.json` in, file contents and a report out.
//! [`import_to_dir`] is the thin disk wrapper the xtask calls.
//!
//! Hand-written area files (such as `accounting-v3/core.json`, endpoints no spec describes) are
//! listed in `overrides.json` under `hand_written`: the importer never produces, overwrites or
//! deletes them.
//!
//! `overrides.json` keys (all optional): `hand_written`, `area_by` (`tag` or `file`), `tag_areas`,
//! `area_descriptions`, `operation_names` (`"GET /spec/path"` → name), `path_prefix`,
//! `professional_only`, `number_path_params_as_integer`, `idempotent_creates` (operation
//! names whose body entity gains an `idempotency_id` field the specs omit), `superseded_by`
//! (`{"product": "accounting-v31", "note": "… {operation} … {method} {path} …"}`: every imported
//! operation whose method and path the named sibling product also serves is written deprecated,
//! with that product's operation as `replacement`). See [`Overrides`] and [`Supersession`].

mod areas;
mod body_names;
mod config;
mod disk;
mod gaps;
mod idempotency;
mod naming;
mod operation;
mod output;
mod reference;
mod spec;
mod string_enums;
mod twins;
mod types;
mod write_models;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde_json::Value;

pub use config::{AreaSource, Overrides, ProductConfig};
pub use disk::{import_preview, import_to_dir, DiskError};
pub use idempotency::is_hand_written_addition;
pub use naming::singular;
pub use reference::{reference_spec_paths, reference_specs_dir, REFERENCE_SPECS};
pub(crate) use spec::escape;
pub use spec::SpecFile;
pub use string_enums::StringEnum;
pub use twins::{Supersession, Twin, Twins};
pub use write_models::derive_write_models;

use areas::{accounting_area, builtin_description, module_of};
use naming::{operation_name, snake, NameInput};
use operation::{returns_array, translate, OperationRules};
use output::{AreaOperation, ProductOutput};
use spec::{str_of, Spec};
use types::{Cx, Models};

/// What an import produces.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportOutput {
    /// Area file name (relative to the product directory, e.g. `contacts.json`) → contents.
    pub files: BTreeMap<PathBuf, String>,
    /// Everything the importer could not carry over exactly, and every operation it left out.
    pub report: Vec<ImportIssue>,
    /// Operation counts.
    pub stats: ImportStats,
}

/// One thing the importer could not express, or chose to leave out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportIssue {
    /// The spec file.
    pub file: PathBuf,
    /// RFC 6901 pointer into that file.
    pub pointer: String,
    /// What happened.
    pub reason: String,
}

/// How much of the specs reached the schema.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportStats {
    /// Operations (GET/POST/PUT/PATCH/DELETE) in all spec files together.
    pub operations_in_spec: usize,
    /// Operations written to area files.
    pub operations_written: usize,
    /// The same endpoint declared by several spec files, written once.
    pub duplicates_merged: usize,
    /// Operations left out on purpose (each has a report entry).
    pub operations_left_out: usize,
}

/// Imports the specs of one product that no other product supersedes (a `superseded_by` override
/// is reported, as no successor table is given: use [`import_with_twins`]).
pub fn import(specs: &[SpecFile], product: &ProductConfig, overrides: &Overrides) -> ImportOutput {
    import_with_twins(specs, product, overrides, &Twins::default())
}

/// Imports the specs of one product; with a `superseded_by` override, operations found in `twins`
/// (the successor product's operations) are written deprecated in favour of their twin.
pub fn import_with_twins(
    specs: &[SpecFile],
    product: &ProductConfig,
    overrides: &Overrides,
    twins: &Twins,
) -> ImportOutput {
    let mut models = Models::new(overrides.professional_only.clone());
    let mut stats = ImportStats::default();
    let mut out = ProductOutput::default();
    let mut seen_endpoints: BTreeMap<(String, String), PathBuf> = BTreeMap::new();
    let mut names: BTreeSet<String> = BTreeSet::new();
    let rules = OperationRules {
        path_prefix: &overrides.path_prefix,
        envelope: product.pages_with_envelope(),
        number_path_params_as_integer: overrides.number_path_params_as_integer,
    };
    let parsed: Vec<Result<Spec, String>> = specs.iter().map(Spec::new).collect();
    let supersession = overrides.superseded_by.as_ref();
    if let Some(wanted) = supersession.filter(|s| s.product != twins.product) {
        let reason = format!("superseded_by names `{}` but no operation table of it was given", wanted.product);
        models.issues.push(ImportIssue {
            file: PathBuf::from("overrides.json"),
            pointer: "/superseded_by".into(),
            reason,
        });
    }
    for (index, spec) in parsed.iter().enumerate() {
        let spec = match spec {
            Ok(spec) => spec,
            Err(reason) => {
                let issue =
                    ImportIssue { file: specs[index].path.clone(), pointer: String::new(), reason: reason.clone() };
                models.issues.push(issue);
                continue;
            }
        };
        let cx = Cx { spec, index };
        let (operations, skipped) = spec.operations();
        for (pointer, reason) in skipped {
            stats.operations_left_out += 1;
            models.report(&cx, &pointer, reason);
        }
        if overrides.area_by == AreaSource::File {
            let title = str_of(spec.file.json.get("info").unwrap_or(&Value::Null), "title");
            if let Some(module) = module_of(&spec.file.path) {
                out.area_descriptions.entry(module).or_insert_with(|| title.to_string());
            }
        }
        for raw in operations {
            stats.operations_in_spec += 1;
            let endpoint = (raw.method.to_string(), raw.path.to_string());
            if let Some(first) = seen_endpoints.get(&endpoint) {
                stats.duplicates_merged += 1;
                let reason = format!("same endpoint as in {}; written once", first.display());
                models.report(&cx, &raw.pointer, reason);
                continue;
            }
            seen_endpoints.insert(endpoint, spec.file.path.clone());
            let tag = raw.op.get("tags").and_then(|t| t.get(0)).and_then(Value::as_str).unwrap_or("");
            let resource =
                if tag.is_empty() { snake(raw.path.split('/').nth(1).unwrap_or("root")) } else { snake(tag) };
            let Some(area) = area_of(&cx, &raw.pointer, tag, &resource, overrides, &mut models) else { continue };
            if overrides.hand_written.contains(&area) {
                stats.operations_left_out += 1;
                models.report(&cx, &raw.pointer, format!("area `{area}` is hand-written; operation left out"));
                continue;
            }
            let name = unique_name(&cx, &raw, overrides, &mut names, &mut models);
            let mut json = translate(&cx, &raw, &name, &mut models, &rules);
            if let Some(editions) = models.editions_of([raw.op, raw.path_item]) {
                json["editions"] = editions;
            }
            if let Some(supersession) = supersession {
                link_successor(&cx, &raw, &mut json, supersession, twins, &mut models);
            }
            let resource_description = spec.tag_description(tag).map(str::to_string).unwrap_or_else(|| tag.to_string());
            out.operations.push(AreaOperation { area, resource, resource_description, name, json });
            stats.operations_written += 1;
        }
    }
    keep_unused_definitions(&parsed, &mut models);
    idempotency::add_idempotency_ids(
        &overrides.idempotent_creates,
        &out.operations,
        &mut models.models,
        &mut models.issues,
    );
    for (area, description) in &overrides.area_descriptions {
        out.area_descriptions.insert(area.clone(), description.clone());
    }
    let enum_issues = string_enums::apply(&mut models.models, &overrides.string_enums);
    models.issues.extend(enum_issues);
    let (_, kept) = body_names::rename_bodies(&mut models.models, &mut out.operations);
    for (spec_name, wanted) in kept {
        let reason = format!("body model `{spec_name}` keeps its spec name: `{wanted}` is taken");
        models.issues.push(ImportIssue { file: PathBuf::from("overrides.json"), pointer: String::new(), reason });
    }
    let files = out.render(&models.models, |area| builtin_description(area).map(str::to_string));
    ImportOutput { files, report: models.issues, stats }
}

/// Marks the operation deprecated in favour of its twin, or reports that it has none.
fn link_successor(
    cx: &Cx,
    raw: &spec::RawOperation,
    json: &mut Value,
    supersession: &Supersession,
    twins: &Twins,
    models: &mut Models,
) {
    match twins.find(raw.method, raw.path) {
        Some(twin) => json["deprecated"] = twins::deprecation(supersession, twin),
        None => {
            let reason = format!("no operation of `{}` serves this endpoint; left undeprecated", supersession.product);
            models.report(cx, &raw.pointer, reason);
        }
    }
}

/// The area of an operation: from the spec file's module, or its tag through the tables.
fn area_of(
    cx: &Cx,
    pointer: &str,
    tag: &str,
    resource: &str,
    overrides: &Overrides,
    models: &mut Models,
) -> Option<String> {
    if overrides.area_by == AreaSource::File {
        let module = module_of(&cx.spec.file.path);
        if module.is_none() {
            models.report(cx, pointer, "no module name in the spec's file name; operation left out");
        }
        return module;
    }
    let mapped = overrides.tag_areas.get(tag).or_else(|| overrides.tag_areas.get(resource)).cloned();
    Some(mapped.or_else(|| accounting_area(resource).map(str::to_string)).unwrap_or_else(|| {
        models.report(cx, pointer, format!("tag `{tag}` is in no area table; area `{resource}` made for it"));
        resource.to_string()
    }))
}

/// The operation's name: pinned in overrides, else derived; made unique with a report entry.
fn unique_name(
    cx: &Cx,
    raw: &spec::RawOperation,
    overrides: &Overrides,
    names: &mut BTreeSet<String>,
    models: &mut Models,
) -> String {
    let key = format!("{} {}", raw.method.to_uppercase(), raw.path);
    let operation_id = raw.op.get("operationId").and_then(Value::as_str);
    let input =
        NameInput { method: raw.method, path: raw.path, operation_id, returns_array: returns_array(cx.spec, raw) };
    let wanted = overrides.operation_names.get(&key).cloned().unwrap_or_else(|| operation_name(&input));
    let mut name = wanted.clone();
    let mut counter = 2;
    while names.contains(&name) {
        name = format!("{wanted}_{counter}");
        counter += 1;
    }
    if name != wanted {
        let reason = format!("operation name `{wanted}` is taken; named `{name}` (pin one in overrides.json)");
        models.report(cx, &raw.pointer, reason);
    }
    names.insert(name.clone());
    name
}

/// Definitions no operation uses still reach the schema (in `common`), so no spec data is lost.
fn keep_unused_definitions(parsed: &[Result<Spec, String>], models: &mut Models) {
    for (index, spec) in parsed.iter().enumerate() {
        let Ok(spec) = spec else { continue };
        let cx = Cx { spec, index };
        let key = if spec.file.json.get("definitions").is_some() { "/definitions" } else { "/components/schemas" };
        let names: Vec<String> = spec
            .file
            .json
            .pointer(key)
            .and_then(Value::as_object)
            .map(|d| d.keys().cloned().collect())
            .unwrap_or_default();
        for name in names {
            let Some(definition) = spec.definition(&name) else { continue };
            let used_or_inline = models.has_definition(index, &name) || !types::is_model_like(definition.value);
            if !used_or_inline {
                models.report(&cx, &definition.pointer, "definition used by no operation; kept in common");
                models.definition_model(&cx, &name);
            }
        }
    }
}
