//! Re-importing Sage's reference specs reproduces the committed schema directories exactly, the
//! result loads with the schema loader, and every operation of every spec is accounted for.
//!
//! To refresh the committed files after an importer change: `cargo xtask import --product <name>`.

use std::fs;
use std::path::{Path, PathBuf};

use sage_codegen::import::{import_to_dir, reference_spec_paths, reference_specs_dir, ImportOutput};
use sage_codegen::ir::{ModelKind, Product};
use sage_codegen::{load_dir, load_product_dir};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("codegen sits in the workspace").to_path_buf()
}

/// The reference specs of `product`, from `schemas/upstream` (or `SAGE_REFERENCE_SPECS`).
fn reference_specs(product: &str) -> Vec<PathBuf> {
    reference_spec_paths(&reference_specs_dir(&workspace()), product).unwrap_or_else(|err| panic!("{err}"))
}

fn json_files(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = fs::read_dir(dir)
        .expect("readable dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), fs::read_to_string(&p).unwrap()))
        .collect();
    files.sort();
    files
}

/// A copy of `schemas/<name>/` in a scratch tree of its own (tests run in parallel), beside a copy
/// of every product directory the importer reads too (the `superseded_by` product).
fn scratch_dir(name: &str) -> PathBuf {
    let root = std::env::temp_dir().join(format!("sage-import-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&root);
    let committed = workspace().join("schemas");
    let mut products = vec![name.to_string()];
    products.extend(superseding_product(&committed.join(name)));
    for product in &products {
        // The loader wants the directory named after the product.
        fs::create_dir_all(root.join(product)).unwrap();
        for (file, text) in json_files(&committed.join(product)) {
            fs::write(root.join(product).join(file), text).unwrap();
        }
    }
    root.join(name)
}

/// `superseded_by.product` of the product's `overrides.json`, if any.
fn superseding_product(product_dir: &Path) -> Option<String> {
    let text = fs::read_to_string(product_dir.join("overrides.json")).ok()?;
    let overrides: serde_json::Value = serde_json::from_str(&text).expect("overrides.json is JSON");
    overrides.pointer("/superseded_by/product")?.as_str().map(str::to_string)
}

/// Imports into a copy of the product directory and checks it equals the committed one.
fn reimport(product: &str) -> ImportOutput {
    let specs = reference_specs(product);
    let committed = workspace().join("schemas").join(product);
    let scratch = scratch_dir(product);
    let output = import_to_dir(&specs, &scratch).unwrap();
    let (expected, actual) = (json_files(&committed), json_files(&scratch));
    let names = |files: &[(String, String)]| files.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(
        names(&actual),
        names(&expected),
        "{product}: area files differ; run `cargo xtask import --product {product}`"
    );
    for ((name, actual), (_, expected)) in actual.iter().zip(&expected) {
        assert!(
            actual == expected,
            "{product}/{name} differs from a fresh import; run `cargo xtask import --product {product}`"
        );
    }
    load_dir(&scratch).unwrap_or_else(|e| panic!("{product} does not load: {e:?}"));
    fs::remove_dir_all(scratch.parent().expect("scratch root")).unwrap();
    output
}

fn assert_accounted(output: &ImportOutput) {
    let stats = output.stats;
    assert_eq!(
        stats.operations_in_spec,
        stats.operations_written + stats.duplicates_merged + stats.operations_left_out
    );
}

#[test]
fn accounting_v3_reimports_exactly() {
    let output = reimport("accounting-v3");
    assert_eq!(output.stats.operations_in_spec, 278);
    assert_eq!(output.stats.operations_written, 278);
    assert_accounted(&output);
}

#[test]
fn sage200_reimports_exactly_into_one_directory_for_both_editions() {
    let output = reimport("sage200");
    assert_eq!(output.stats.operations_in_spec, 712);
    assert_eq!(output.stats.operations_written, 710);
    assert_eq!(output.stats.duplicates_merged, 2);
    assert_accounted(&output);
    let editions = load_dir(&workspace().join("schemas/sage200")).unwrap();
    let [pro, standard] = [0, 1].map(|index| &editions[index]);
    assert_eq!((pro.name.as_str(), standard.name.as_str()), ("sage200-pro", "sage200-standard"));
    let operations = |product: &Product| -> Vec<String> {
        let ops = product.areas.iter().flat_map(|area| &area.resources).flat_map(|resource| &resource.operations);
        ops.map(|op| op.name.clone()).collect()
    };
    let fields = |product: &Product| -> Vec<String> {
        let models = product.areas.iter().flat_map(|area| &area.models);
        let structs = models.filter_map(|model| match &model.kind {
            ModelKind::Struct { fields } => Some((model, fields)),
            ModelKind::Enum { .. } => None,
        });
        structs
            .flat_map(|(model, fields)| fields.iter().map(move |f| format!("{}.{}", model.name, f.json_name)))
            .collect()
    };
    assert_eq!((operations(pro).len(), operations(standard).len()), (710, 701));
    let (pro_fields, standard_fields) = (fields(pro), fields(standard));
    let professional_only: Vec<_> = pro_fields.iter().filter(|field| !standard_fields.contains(field)).collect();
    assert!(professional_only.contains(&&"NominalCode.report_category_id".to_owned()), "{professional_only:?}");
    assert_eq!(professional_only.len() + standard_fields.len(), pro_fields.len(), "Standard has no field of its own");
}

#[test]
fn accounting_v31_reimports_exactly_and_keeps_the_hand_written_lead_business() {
    let output = reimport("accounting-v31");
    assert_eq!(output.stats.operations_in_spec, 287 + 5, "the 2025 copy plus the businesses/user file");
    assert_eq!(output.stats.operations_written, 287 + 5);
    assert_accounted(&output);
    let loaded = load_product_dir(&workspace().join("schemas/accounting-v31")).unwrap();
    let names: Vec<&str> =
        loaded.areas.iter().flat_map(|a| &a.resources).flat_map(|r| &r.operations).map(|o| o.name.as_str()).collect();
    for replacement in ["get_business", "update_business", "list_businesses", "get_user", "update_user"] {
        assert!(names.contains(&replacement), "accounting-v3 core.json points at accounting-v31:{replacement}");
    }
    assert!(names.contains(&"get_lead_business"), "lead.json is hand-written and survives a re-import");
}
