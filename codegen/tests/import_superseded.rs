//! `superseded_by`: operations a newer product also serves are imported deprecated, naming their
//! successor; and across the committed schemas every `replacement` leads somewhere real.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use sage_codegen::import::{import, import_preview, import_with_twins, Overrides, ProductConfig, SpecFile, Twins};
use sage_codegen::ir::{Method, Product};
use sage_codegen::{emit_product, emit_product_among, facade_paths, load_schemas};
use serde_json::{json, Value};

fn schemas_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("schemas")
}

fn method_name(method: Method) -> String {
    format!("{method:?}").to_uppercase()
}

fn all_products() -> BTreeMap<String, Product> {
    let products = load_schemas(&schemas_dir()).unwrap_or_else(|e| panic!("schemas do not load: {e:?}"));
    products.into_iter().map(|product| (product.name.clone(), product)).collect()
}

fn operations(product: &Product) -> impl Iterator<Item = &sage_codegen::ir::Operation> {
    product.areas.iter().flat_map(|a| &a.resources).flat_map(|r| &r.operations)
}

#[test]
fn every_replacement_names_an_existing_operation_of_its_product() {
    let products = all_products();
    let mut broken = Vec::new();
    for product in products.values() {
        for op in operations(product) {
            let Some(replacement) = op.deprecated.as_ref().and_then(|d| d.replacement.as_ref()) else { continue };
            let (target, name) = replacement.split_once(':').expect("product:operation");
            let exists = products.get(target).is_some_and(|p| operations(p).any(|o| o.name == name));
            if !exists {
                broken.push(format!("{}:{} → {replacement}", product.name, op.name));
            }
        }
    }
    assert!(broken.is_empty(), "replacements naming no operation: {broken:#?}");
}

#[test]
fn deprecation_notes_name_the_replacement_by_its_facade_path() {
    let products = all_products();
    let paths = facade_paths(products.values());
    assert_eq!(paths["accounting-v31:list_contacts"], "sage::accounting_v31::contacts::ListContacts");
    assert_eq!(paths["sage200-pro:list_customers"], "sage::sage200_pro::sales::ListCustomers");
    let v3 = &products["accounting-v3"];
    let linked = emit_product_among(v3, &paths).unwrap();
    let contacts = &linked["src/generated/contacts.rs"];
    assert!(contacts.contains("Use `sage::accounting_v31::contacts::ListContacts` instead."), "no facade path");
    assert!(!contacts.contains("Use `accounting-v31:"), "an operation id is left in a note");
    // Alone, a product can only name the replacement's operation id.
    let alone = emit_product(v3).unwrap();
    assert!(alone["src/generated/contacts.rs"].contains("Use `accounting-v31:list_contacts` instead."));
}

#[test]
fn every_v3_operation_served_by_v31_is_linked_to_it() {
    let products = all_products();
    let v31: BTreeMap<(String, String), &str> = operations(&products["accounting-v31"])
        .map(|op| ((method_name(op.method), op.path.clone()), op.name.as_str()))
        .collect();
    let mut linked = 0;
    for op in operations(&products["accounting-v3"]) {
        let Some(path) = op.path.strip_prefix("/accounts/v3") else { continue };
        let Some(twin) = v31.get(&(method_name(op.method), path.to_string())) else {
            assert!(op.deprecated.is_none(), "{} has no v3.1 twin but is deprecated", op.name);
            continue;
        };
        let deprecated = op.deprecated.as_ref().unwrap_or_else(|| panic!("{} is not linked to {twin}", op.name));
        assert_eq!(deprecated.replacement.as_deref(), Some(format!("accounting-v31:{twin}").as_str()));
        let endpoint = format!("`{} {path}`", method_name(op.method));
        assert!(deprecated.note.contains(endpoint.as_str()), "{}: {}", op.name, deprecated.note);
        linked += 1;
    }
    assert!(linked > 250, "only {linked} v3 operations are linked");
}

fn spec() -> SpecFile {
    let op =
        |summary: &str| json!({"summary": summary, "tags": ["Contacts"], "responses": {"204": {"description": "ok"}}});
    let json = json!({
        "swagger": "2.0",
        "paths": {
            "/contacts/{key}": {
                "delete": op("Deletes a contact"),
                "parameters": [{"name": "key", "in": "path", "required": true, "type": "string"}]
            },
            "/legacy_things": { "delete": op("Deletes legacy things") }
        }
    });
    SpecFile { path: PathBuf::from("old.json"), json }
}

fn overrides() -> Overrides {
    serde_json::from_value(json!({
        "path_prefix": "/v1",
        "superseded_by": {"product": "new", "note": "Use {operation} ({method} {path})."}
    }))
    .unwrap()
}

fn product() -> ProductConfig {
    ProductConfig { name: "old".into(), pagination: "envelope".into() }
}

fn operation<'a>(files: &'a BTreeMap<String, Value>, name: &str) -> &'a Value {
    &files["contacts.json"]["resources"]["contacts"]["operations"][name]
}

fn parsed(output: &sage_codegen::import::ImportOutput) -> BTreeMap<String, Value> {
    output.files.iter().map(|(path, text)| (path.display().to_string(), serde_json::from_str(text).unwrap())).collect()
}

#[test]
fn twin_found_by_endpoint_without_the_prefix_is_the_replacement() {
    let mut twins = Twins::new("new");
    twins.insert("remove_contact", "DELETE", "/contacts/{id}");
    let output = import_with_twins(&[spec()], &product(), &overrides(), &twins);
    let files = parsed(&output);
    assert_eq!(
        operation(&files, "delete_contact")["deprecated"],
        json!({"note": "Use remove_contact (DELETE /contacts/{id}).", "replacement": "new:remove_contact"})
    );
    let legacy = operation(&files, "delete_legacy_things");
    assert!(legacy.get("deprecated").is_none(), "no twin, no deprecation: {legacy}");
    assert!(output.report.iter().any(|i| i.pointer == "/paths/~1legacy_things/delete" && i.reason.contains("`new`")));
}

#[test]
fn a_missing_twin_table_is_reported_not_ignored() {
    let output = import(&[spec()], &product(), &overrides());
    assert!(output.report.iter().any(|i| i.pointer == "/superseded_by" && i.reason.contains("`new`")));
    assert!(operation(&parsed(&output), "delete_contact").get("deprecated").is_none());
}

#[test]
fn import_from_disk_reads_the_sibling_products_area_files() {
    let root = std::env::temp_dir().join(format!("sage-import-superseded-{}", std::process::id()));
    let _ = fs::remove_dir_all(&root);
    let (old, new) = (root.join("old"), root.join("new"));
    fs::create_dir_all(&old).unwrap();
    fs::create_dir_all(&new).unwrap();
    fs::write(old.join("product.json"), r#"{"name": "old", "pagination": "envelope"}"#).unwrap();
    fs::write(
        old.join("overrides.json"),
        serde_json::to_string(
            &json!({"superseded_by": overrides().superseded_by.map(|s| json!({"product": s.product, "note": s.note}))}),
        )
        .unwrap(),
    )
    .unwrap();
    let area = json!({"resources": {"contacts": {"operations": {
        "remove_contact": {"method": "DELETE", "path": "/contacts/{key}", "summary": "x"}
    }}}});
    fs::write(new.join("contacts.json"), area.to_string()).unwrap();
    fs::write(
        new.join("product.json"),
        r#"{"resources": {"ignored": {"operations": {"no": {"method": "DELETE", "path": "/legacy_things"}}}}}"#,
    )
    .unwrap();
    let spec_path = root.join("old.swagger.json");
    fs::write(&spec_path, spec().json.to_string()).unwrap();
    let output = import_preview(&[spec_path], &old).unwrap();
    let files = parsed(&output);
    assert_eq!(operation(&files, "delete_contact")["deprecated"]["replacement"], "new:remove_contact");
    assert!(operation(&files, "delete_legacy_things").get("deprecated").is_none(), "product.json is no area file");
    fs::remove_dir_all(&root).unwrap();
}
