//! Bad schemas: every error names the file, the JSON pointer and the reason, and all errors of a
//! run come back together.

use sage_schema::ir::ModelKind;
use sage_schema::{parse_product, parse_products, SchemaError, SourceFile};

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

/// `schemas/demo/product.json` listing two editions, `demo-pro` and `demo-lite`.
const EDITIONS: &str = r#"{
  "name": "demo", "title": "Demo", "crate": "sage-demo",
  "auth_profile": "sage200", "header_policy": "sage200", "pagination": "odata", "decimal_format": "number",
  "editions": {
    "demo-pro": {"title": "Demo Pro", "crate": "sage-demo-pro", "base_url": "https://example.com/pro"},
    "demo-lite": {"title": "Demo Lite", "crate": "sage-demo-lite", "base_url": "https://example.com/lite"}
  }
}"#;

/// An area file with one operation and one field given to `editions` (a JSON list).
fn area_for(editions: &str) -> String {
    format!(
        r#"{{"resources": {{"contacts": {{"operations": {{
            "list_contacts": {{"method": "GET", "path": "/contacts", "summary": "s", "response": {{"list": {{"ref": "Contact"}}}}}},
            "merge_contacts": {{"method": "POST", "path": "/contacts/merge", "summary": "s", "editions": {editions}}}
        }}}}}},
        "models": {{"Contact": {{"fields": {{"name": {{"type": "string"}}, "rating": {{"type": "integer", "editions": {editions}}}}}}}}}}}"#
    )
}

#[test]
fn a_directory_with_editions_reads_as_one_product_per_edition() {
    let files = [file("schemas/demo/product.json", EDITIONS), file(CONTACTS, &area_for(r#"["demo-pro"]"#))];
    let products = parse_products(&files).unwrap_or_else(|errors| panic!("{errors}"));
    let summary: Vec<_> = products
        .iter()
        .map(|product| {
            let ops: Vec<_> = product.areas[0].resources[0].operations.iter().map(|op| op.name.as_str()).collect();
            let ModelKind::Struct { fields } = &product.areas[0].models[0].kind else { panic!("a struct") };
            let fields: Vec<_> = fields.iter().map(|field| field.json_name.as_str()).collect();
            (product.name.as_str(), product.crate_name.as_str(), product.base_url.as_str(), ops, fields)
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "demo-pro",
                "sage-demo-pro",
                "https://example.com/pro",
                vec!["list_contacts", "merge_contacts"],
                vec!["name", "rating"]
            ),
            ("demo-lite", "sage-demo-lite", "https://example.com/lite", vec!["list_contacts"], vec!["name"]),
        ]
    );
    for product in &products {
        assert_eq!((product.schema_dir.as_str(), product.shared_crate.as_deref()), ("demo", Some("sage-demo")));
    }
    let single = parse_product(&files).unwrap_err().0;
    assert_has(&single, "schemas/demo/product.json", "/editions", "read it with `parse_products`");
}

#[test]
fn edition_names_must_be_listed_in_product_json() {
    let pointer = "/resources/contacts/operations/merge_contacts/editions/0";
    let field = "/models/Contact/fields/rating/editions/0";
    let files = [file("schemas/demo/product.json", EDITIONS), file(CONTACTS, &area_for(r#"["demo-max"]"#))];
    let found = parse_products(&files).unwrap_err().0;
    assert_has(&found, CONTACTS, pointer, "unknown edition `demo-max` (product.json lists: demo-pro, demo-lite)");
    assert_has(&found, CONTACTS, field, "unknown edition `demo-max`");

    let found = errors(&[(CONTACTS, &area_for(r#"["demo-pro"]"#))]);
    assert_has(&found, CONTACTS, pointer, "`editions` names `demo-pro`, but product.json lists no editions");

    let found = errors(&[(CONTACTS, &area_for(r#"["demo-pro", "demo-pro"]"#))]);
    assert_has(&found, CONTACTS, "/resources/contacts/operations/merge_contacts/editions/1", "listed twice");
    let found = errors(&[(CONTACTS, &area_for("[]"))]);
    assert_has(&found, CONTACTS, "/models/Contact/fields/rating/editions", "expected a list of edition names");
}

#[test]
fn editions_have_their_own_crates_and_base_urls() {
    let product = |edit: &dyn Fn(&str) -> String| {
        parse_products(&[file("schemas/demo/product.json", &edit(EDITIONS))]).unwrap_err().0
    };
    let found = product(&|text| {
        text.replace(r#""crate": "sage-demo","#, r#""crate": "sage-demo", "base_url": "https://example.com","#)
    });
    assert_has(&found, "schemas/demo/product.json", "/base_url", "each edition has its own `base_url`");
    let found = product(&|text| text.replace("sage-demo-lite", "sage-demo-pro"));
    assert_has(
        &found,
        "schemas/demo/product.json",
        "/editions/demo-lite/crate",
        "already the crate of another product",
    );
    let found = product(&|text| text.replace(r#""base_url": "https://example.com/lite""#, r#""base_url": "ftp://x""#));
    assert_has(&found, "schemas/demo/product.json", "/editions/demo-lite/base_url", "must be an http(s) URL");
    let found = product(&|text| text.replace("\"demo-lite\": {", "\"demo\": {"));
    assert_has(&found, "schemas/demo/product.json", "/editions/demo", "not the directory's name");
    let one = EDITIONS.replace(
        r#",
    "demo-lite": {"title": "Demo Lite", "crate": "sage-demo-lite", "base_url": "https://example.com/lite"}"#,
        "",
    );
    let found = parse_products(&[file("schemas/demo/product.json", &one)]).unwrap_err().0;
    assert_has(&found, "schemas/demo/product.json", "/editions", "list two editions or more");
}

#[test]
fn area_crates_is_a_boolean_and_defaults_to_false() {
    let parse = |product: &str| parse_product(&[file("schemas/demo/product.json", product)]);
    assert!(!parse(PRODUCT).expect("valid").area_crates);
    let with = |value: &str| {
        PRODUCT.replace("\"crate\": \"sage-demo\",", &format!("\"crate\": \"sage-demo\", \"area_crates\": {value},"))
    };
    assert!(parse(&with("true")).expect("valid").area_crates);
    let found = parse(&with("\"yes\"")).unwrap_err().0;
    assert_has(&found, "schemas/demo/product.json", "/area_crates", "expected true or false");
}
