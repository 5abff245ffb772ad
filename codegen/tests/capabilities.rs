//! sage-books' capability matrix follows the schemas: a change to a product schema (in a copy, in
//! memory) changes the derived support and the generated table, and a spec that names what the
//! schemas lack is refused with its file and JSON pointer.

use std::path::Path;

use sage_codegen::books::{
    capability_files, derive_matrix, Matrix, ModelOp, Support, CAPABILITIES_MD, CAPABILITIES_RS,
};
use sage_codegen::import::derive_write_models;
use sage_codegen::ir::Product;
use sage_codegen::load::read_sources;
use sage_codegen::{parse_products, SchemaErrors, SourceFile};
use serde_json::Value;

/// The schema directories `schemas/books/model.json` maps, and the spec itself.
const DIRS: [&str; 3] = ["accounting-v31", "accounting-v3", "sage200"];

struct Tree {
    schemas: Vec<SourceFile>,
    spec: Vec<SourceFile>,
}

fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("codegen/ sits in the workspace")
}

fn tree() -> Tree {
    let read = |dir: &str| {
        read_sources(&workspace().join("schemas").join(dir), &format!("schemas/{dir}"))
            .unwrap_or_else(|err| panic!("{err}"))
    };
    Tree { schemas: DIRS.iter().flat_map(|dir| read(dir)).collect(), spec: read("books") }
}

impl Tree {
    /// The products as codegen reads them (Sage 200's write models derived).
    fn products(&self) -> Vec<Product> {
        DIRS.iter()
            .flat_map(|dir| {
                let prefix = format!("schemas/{dir}/");
                let files: Vec<SourceFile> =
                    self.schemas.iter().filter(|file| file.path.starts_with(&prefix)).cloned().collect();
                parse_products(&files).unwrap_or_else(|err| panic!("{err}"))
            })
            .map(|mut product| {
                derive_write_models(&mut product);
                product
            })
            .collect()
    }

    fn matrix(&self) -> Result<Matrix, SchemaErrors> {
        derive_matrix(&self.spec, &self.products())
    }

    /// Edits the JSON of the file whose path is `path`.
    fn edit(files: &mut [SourceFile], path: &str, change: impl FnOnce(&mut Value)) {
        let file = files.iter_mut().find(|file| file.path == path).unwrap_or_else(|| panic!("no file {path}"));
        let mut json: Value = serde_json::from_str(&file.text).expect("valid JSON");
        change(&mut json);
        file.text = serde_json::to_string_pretty(&json).expect("serializes");
    }

    fn edit_schema(&mut self, path: &str, change: impl FnOnce(&mut Value)) {
        Self::edit(&mut self.schemas, path, change);
    }

    fn edit_spec(&mut self, path: &str, change: impl FnOnce(&mut Value)) {
        Self::edit(&mut self.spec, path, change);
    }
}

fn field_support(matrix: &Matrix, product: &str, resource: &str, operation: ModelOp, field: &str) -> Support {
    matrix
        .field(product, resource, operation, field)
        .map(|fact| fact.support)
        .unwrap_or_else(|| panic!("no fact for {product} {resource} {operation} {field}"))
}

fn errors(result: Result<Matrix, SchemaErrors>) -> Vec<String> {
    match result {
        Ok(_) => panic!("the spec was accepted"),
        Err(SchemaErrors(errors)) => errors.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn removing_a_field_from_a_create_body_makes_it_read_only_and_changes_the_table() {
    let before_tree = tree();
    let before = before_tree.matrix().unwrap_or_else(|err| panic!("{err}"));
    let field = "item_lines[].discount";
    assert_eq!(field_support(&before, "accounting-v31", "sales_invoice", ModelOp::Create, field), Support::Supported);

    let mut after_tree = tree();
    after_tree.edit_schema("schemas/accounting-v31/sales.json", |json| {
        let fields = json["models"]["NewSalesInvoiceLine"]["fields"].as_object_mut().expect("a model with fields");
        assert!(fields.remove("discount_amount").is_some(), "the body had the field");
    });
    let after = after_tree.matrix().unwrap_or_else(|err| panic!("{err}"));
    // The record still has the field: the product sets it, a create cannot.
    assert_eq!(field_support(&after, "accounting-v31", "sales_invoice", ModelOp::Create, field), Support::ReadOnly);
    // Only v3.1 changed.
    assert_eq!(field_support(&after, "accounting-v3", "sales_invoice", ModelOp::Create, field), Support::Supported);

    let products = |tree: &Tree| tree.products();
    let old = capability_files(&before_tree.spec, &products(&before_tree)).unwrap_or_else(|err| panic!("{err}"));
    let new = capability_files(&after_tree.spec, &products(&after_tree)).unwrap_or_else(|err| panic!("{err}"));
    let row = format!("field(AccountingV31, SalesInvoice, Create, {field:?}, ReadOnly),");
    assert!(!old[Path::new(CAPABILITIES_RS)].contains(&row));
    assert!(new[Path::new(CAPABILITIES_RS)].contains(&row), "the Rust table gains the row");
    let cell = "read-only (`invoice_lines[].discount_amount`)";
    assert!(!old[Path::new(CAPABILITIES_MD)].contains(cell));
    assert!(new[Path::new(CAPABILITIES_MD)].contains(cell), "the docs' table shows it");
}

#[test]
fn a_field_the_create_body_requires_becomes_a_requirement() {
    let before = tree().matrix().unwrap_or_else(|err| panic!("{err}"));
    assert!(!before.required("accounting-v31", "customer").unwrap_or_default().contains(&"reference".to_owned()));

    let mut tree = tree();
    tree.edit_schema("schemas/accounting-v31/contacts.json", |json| {
        json["models"]["NewContact"]["fields"]["reference"]["required"] = Value::Bool(true);
    });
    let after = tree.matrix().unwrap_or_else(|err| panic!("{err}"));
    let required = after.required("accounting-v31", "customer").unwrap_or_default();
    assert!(required.contains(&"reference".to_owned()), "{required:?}");
    assert!(required.contains(&"name".to_owned()), "{required:?}");
}

#[test]
fn an_operation_the_schema_lacks_is_an_error_naming_the_spec_entry() {
    let mut tree = tree();
    tree.edit_schema("schemas/accounting-v31/ledger.json", |json| {
        let operations = json["resources"]["analysis_types"]["operations"].as_object_mut().expect("operations");
        assert!(operations.remove("get_analysis_type").is_some());
    });
    let errors = errors(tree.matrix());
    assert_eq!(
        errors,
        ["schemas/books/accounting-v31.json: /resources/tracking_category/get: schemas/accounting-v31/ has no operation `get_analysis_type`"]
    );
}

#[test]
fn a_field_the_schema_lacks_is_an_error_naming_the_spec_entry() {
    let mut tree = tree();
    tree.edit_spec("schemas/books/accounting-v3.json", |json| {
        json["resources"]["customer"]["write"]["notes"] = Value::String("memo".into());
    });
    let errors = errors(tree.matrix());
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with(
            "schemas/books/accounting-v3.json: /resources/customer/write/notes: `memo` is a field of neither"
        ),
        "{errors:?}"
    );
}

#[test]
fn a_required_body_field_no_model_field_serves_is_an_error() {
    let mut tree = tree();
    tree.edit_spec("schemas/books/accounting-v31.json", |json| {
        json["resources"]["supplier"]["set_by_mapping"] = Value::Array(Vec::new());
    });
    let errors = errors(tree.matrix());
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0]
        .starts_with("schemas/books/accounting-v31.json: /resources/supplier/write: `contact_type_ids` is required"));
}

#[test]
fn a_model_field_left_unmapped_or_an_unknown_key_is_an_error() {
    let mut tree = tree();
    tree.edit_spec("schemas/books/sage200.json", |json| {
        let read = json["resources"]["tax_rate"]["read"].as_object_mut().expect("a read map");
        read.remove("percentage");
        json["resources"]["tax_rate"]["lists"] = Value::Null;
    });
    let shape = errors(tree.matrix());
    assert_eq!(shape.len(), 1, "serde stops at the first shape error: {shape:?}");
    assert!(
        shape[0].starts_with("schemas/books/sage200.json: /resources/tax_rate/lists: unknown field `lists`"),
        "{shape:?}"
    );

    let mut tree = self::tree();
    tree.edit_spec("schemas/books/sage200.json", |json| {
        json["resources"]["tax_rate"]["read"].as_object_mut().expect("a read map").remove("percentage");
    });
    assert_eq!(
        errors(tree.matrix()),
        ["schemas/books/sage200.json: /resources/tax_rate/read: the model's `percentage` is not mapped (map it to the product's field, or `null`)"]
    );
}

#[test]
fn an_edition_without_a_field_does_not_have_it_there() {
    let matrix = tree().matrix().unwrap_or_else(|err| panic!("{err}"));
    // `nominal_account_type` is Professional only in the schemas.
    assert_eq!(
        field_support(&matrix, "sage200-pro", "ledger_account", ModelOp::Get, "account_type"),
        Support::Supported
    );
    assert_eq!(
        field_support(&matrix, "sage200-standard", "ledger_account", ModelOp::Get, "account_type"),
        Support::NotAvailable
    );
}

#[test]
fn a_changes_entry_needs_a_list_that_can_be_followed() {
    let mut tree = tree();
    tree.edit_spec("schemas/books/accounting-v31.json", |json| {
        json["resources"]["tax_rate"]["changes"] = Value::String("get_tax_rate".into());
    });
    assert_eq!(
        errors(tree.matrix()),
        ["schemas/books/accounting-v31.json: /resources/tax_rate/changes: `get_tax_rate` is not a list whose changes can be followed (see emit/changes.rs)"]
    );
}
