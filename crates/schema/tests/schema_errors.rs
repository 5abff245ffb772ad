//! Bad schemas: every error names the file, the JSON pointer and the reason, and all errors of a
//! run come back together.

use sage_schema::{parse_product, SchemaError, SourceFile};

const PRODUCT: &str = r#"{
  "name": "demo", "title": "Demo", "crate": "sage-demo", "base_url": "https://example.com",
  "auth_profile": "sage200", "header_policy": "sage200", "pagination": "odata", "decimal_format": "number"
}"#;

fn file(path: &str, text: &str) -> SourceFile {
    SourceFile { path: path.to_owned(), text: text.to_owned() }
}

/// Parses `schemas/demo/product.json` plus the given area files and returns the errors.
fn errors(areas: &[(&str, &str)]) -> Vec<SchemaError> {
    let mut files = vec![file("schemas/demo/product.json", PRODUCT)];
    files.extend(areas.iter().map(|(path, text)| file(path, text)));
    match parse_product(&files) {
        Ok(product) => panic!("expected errors, got {product:?}"),
        Err(errors) => errors.0,
    }
}

/// Asserts one error at `file` + `pointer` whose reason contains `reason`, and shows it in Display.
fn assert_has(errors: &[SchemaError], file: &str, pointer: &str, reason: &str) {
    let found = errors.iter().find(|error| error.file == file && error.pointer == pointer);
    let error = found.unwrap_or_else(|| panic!("no error at {file} {pointer}; got {errors:#?}"));
    assert!(error.reason.contains(reason), "{error}");
    let shown = if pointer.is_empty() { "(root)" } else { pointer };
    assert_eq!(error.to_string(), format!("{file}: {shown}: {}", error.reason));
}

const CONTACTS: &str = "schemas/demo/contacts.json";

#[test]
fn unknown_keys_are_errors() {
    let found = errors(&[(
        CONTACTS,
        r#"{"models": {"Contact": {"fields": {"name": {"type": "string", "requried": true}}}}, "extra": 1}"#,
    )]);
    assert_has(&found, CONTACTS, "/models/Contact/fields/name/requried", "unknown key `requried`");
    assert_has(&found, CONTACTS, "/extra", "unknown key `extra`");
    assert_eq!(found.len(), 2, "{found:#?}");
}

#[test]
fn unknown_model_references_are_errors() {
    let found = errors(&[(
        CONTACTS,
        r#"{"models": {"Contact": {"fields": {"owner": {"type": {"array": {"ref": "Person"}}}}}}}"#,
    )]);
    assert_has(&found, CONTACTS, "/models/Contact/fields/owner/type/array/ref", "unknown model `Person`");
}

#[test]
fn duplicate_operation_names_across_files_are_errors() {
    let op = r#"{"method": "GET", "path": "/contacts", "summary": "s"}"#;
    let contacts = format!(r#"{{"resources": {{"contacts": {{"operations": {{"list_contacts": {op}}}}}}}}}"#);
    let sales = format!(r#"{{"resources": {{"customers": {{"operations": {{"list_contacts": {op}}}}}}}}}"#);
    let found = errors(&[(CONTACTS, &contacts), ("schemas/demo/sales.json", &sales)]);
    assert_has(
        &found,
        "schemas/demo/sales.json",
        "/resources/customers/operations/list_contacts",
        "duplicate operation `list_contacts` (first declared in schemas/demo/contacts.json",
    );
}

#[test]
fn path_placeholders_and_path_parameters_must_match() {
    let found = errors(&[(
        CONTACTS,
        r#"{"resources": {"contacts": {"operations": {"get_contact": {
            "method": "GET", "path": "/contacts/{key}", "summary": "s",
            "parameters": {"id": {"in": "path", "type": "string"}}
        }}}}}"#,
    )]);
    let op = "/resources/contacts/operations/get_contact";
    assert_has(&found, CONTACTS, &format!("{op}/path"), "placeholder `{key}` has no path parameter");
    assert_has(&found, CONTACTS, &format!("{op}/parameters/id"), "path parameter `id` does not appear");
}

#[test]
fn bad_methods_types_and_empty_enums_are_all_reported_together() {
    let found = errors(&[(
        CONTACTS,
        r#"{"resources": {"contacts": {"operations": {"list_contacts": {
            "method": "FETCH", "path": "/contacts", "summary": "s",
            "parameters": {"key": {"in": "query", "type": "float"}}
        }}}},
        "models": {"Kind": {"enum": []}}}"#,
    )]);
    let op = "/resources/contacts/operations/list_contacts";
    assert_has(&found, CONTACTS, &format!("{op}/method"), "bad method `FETCH`");
    assert_has(&found, CONTACTS, &format!("{op}/parameters/key/type"), "unknown type `float` (use `decimal`");
    assert_has(&found, CONTACTS, "/models/Kind/enum", "an enum needs at least one value");
    assert_eq!(found.len(), 3, "{found:#?}");
}

#[test]
fn replacements_must_be_product_colon_operation() {
    let found = errors(&[(
        CONTACTS,
        r#"{"resources": {"contacts": {"operations": {
            "old": {"method": "GET", "path": "/a", "summary": "s", "deprecated": {"note": "n", "replacement": "get_new"}},
            "older": {"method": "GET", "path": "/b", "summary": "s", "deprecated": {"note": "n", "replacement": "demo:missing"}}
        }}}}"#,
    )]);
    let ops = "/resources/contacts/operations";
    assert_has(&found, CONTACTS, &format!("{ops}/old/deprecated/replacement"), "must have the form product:operation");
    assert_has(&found, CONTACTS, &format!("{ops}/older/deprecated/replacement"), "names no operation of this product");
}

#[test]
fn names_that_cannot_become_rust_identifiers_are_errors() {
    let found = errors(&[(
        CONTACTS,
        r#"{"models": {
            "Option": {"fields": {}},
            "Contact": {"fields": {"1099_box": {"type": "string"}, "self": {"type": "string", "rust_name": "Self"}, "extra": {"type": "string"}}},
            "Mode": {"enum": ["on", "ON", "-"]}
        }}"#,
    )]);
    assert_has(&found, CONTACTS, "/models/Option", "cannot become a Rust type name");
    assert_has(
        &found,
        CONTACTS,
        "/models/Contact/fields/1099_box",
        "`1099_box` cannot become a Rust identifier; set `rust_name`",
    );
    assert_has(&found, CONTACTS, "/models/Contact/fields/self/rust_name", "`Self` is not a snake_case Rust identifier");
    assert_has(&found, CONTACTS, "/models/Contact/fields/extra", "`extra` is reserved");
    assert_has(&found, CONTACTS, "/models/Mode/enum/1", "gives variant `On`, as an earlier value does");
    assert_has(&found, CONTACTS, "/models/Mode/enum/2", "cannot become a Rust variant name");
}

#[test]
fn cross_file_rules_feature_cycles_and_common_refs() {
    let found = errors(&[
        ("schemas/demo/common.json", r#"{"models": {"Money": {"fields": {"c": {"type": {"ref": "Contact"}}}}}}"#),
        (CONTACTS, r#"{"models": {"Contact": {"fields": {"i": {"type": {"ref": "Invoice"}}}}}}"#),
        ("schemas/demo/sales.json", r#"{"models": {"Invoice": {"fields": {"c": {"type": {"ref": "Contact"}}}}}}"#),
    ]);
    assert_has(
        &found,
        "schemas/demo/common.json",
        "/models/Money/fields/c/type/ref",
        "cannot use `Contact` of the optional area",
    );
    assert_has(&found, CONTACTS, "/models/Contact/fields/i/type/ref", "cargo features cannot be cyclic");
}

#[test]
fn product_file_problems_and_invalid_json_are_reported() {
    let files = [
        file(
            "schemas/other/product.json",
            &PRODUCT
                .replace("\"odata\"", "\"cursor\"")
                .replace("\"auth_profile\": \"sage200\"", "\"auth_profile\": \"sage300\""),
        ),
        file("schemas/other/broken.json", "{\"models\": "),
    ];
    let found = parse_product(&files).unwrap_err().0;
    assert_has(&found, "schemas/other/product.json", "/name", "must match the directory name `other`");
    assert_has(&found, "schemas/other/product.json", "/pagination", "`cursor` is not one of: envelope, odata");
    let profiles = "`sage300` is not one of: sage200, accounting-v3, accounting-v31";
    assert_has(&found, "schemas/other/product.json", "/auth_profile", profiles);
    let broken = found.iter().find(|error| error.file == "schemas/other/broken.json").expect("JSON error");
    assert!(broken.reason.starts_with("invalid JSON") && broken.pointer.is_empty(), "{broken}");
    assert!(broken.to_string().starts_with("schemas/other/broken.json: (root): invalid JSON"));
}

#[test]
fn missing_product_file_is_reported() {
    let found = parse_product(&[file("schemas/demo/contacts.json", "{}")]).unwrap_err().0;
    assert_has(&found, "schemas/demo/product.json", "", "missing product.json");
}

#[test]
fn struct_models_are_refused_as_parameter_types() {
    let found = errors(&[(
        CONTACTS,
        r#"{"resources": {"contacts": {"operations": {"list_contacts": {
            "method": "GET", "path": "/contacts", "summary": "s",
            "parameters": {"who": {"in": "query", "type": {"ref": "Contact"}}}
        }}}},
        "models": {"Contact": {"fields": {}}}}"#,
    )]);
    let pointer = "/resources/contacts/operations/list_contacts/parameters/who/type/ref";
    assert_has(&found, CONTACTS, pointer, "parameters can only use enum models");
}

#[test]
fn a_shared_crate_must_be_another_package_name() {
    for bad in ["sage-demo", "Sage_200"] {
        let product = PRODUCT
            .replace("\"crate\": \"sage-demo\",", &format!("\"crate\": \"sage-demo\", \"shared_crate\": \"{bad}\","));
        let found = parse_product(&[file("schemas/demo/product.json", &product)]).unwrap_err().0;
        assert_has(
            &found,
            "schemas/demo/product.json",
            "/shared_crate",
            "is not a cargo package name other than `crate`",
        );
    }
    let product =
        PRODUCT.replace("\"crate\": \"sage-demo\",", "\"crate\": \"sage-demo\", \"shared_crate\": \"demo-base\",");
    let parsed = parse_product(&[file("schemas/demo/product.json", &product)]).expect("valid");
    assert_eq!(parsed.shared_crate.as_deref(), Some("demo-base"));
}
