//! The complete example in `schemas/README.md` must stay valid and generate what the README says.

use sage_codegen::{emit_product, parse_product, SourceFile};

#[test]
fn readme_example_loads_and_generates_the_types_it_names() {
    let readme = include_str!("../../schemas/README.md");
    let example = readme.split("## A complete example").nth(1).expect("example section");
    let blocks: Vec<&str> = example.split("```json").skip(1).filter_map(|block| block.split("```").next()).collect();
    assert_eq!(blocks.len(), 2, "product.json and contacts.json");
    let files = [
        SourceFile { path: "schemas/demo/product.json".into(), text: blocks[0].into() },
        SourceFile { path: "schemas/demo/contacts.json".into(), text: blocks[1].into() },
    ];
    let product = parse_product(&files).unwrap_or_else(|errors| panic!("{errors}"));
    let contacts = &emit_product(&product).unwrap()["src/generated/contacts.rs"];
    for item in [
        "pub struct Contact ",
        "pub enum ContactType ",
        "pub contact: Contact,",
        ".json_enveloped(\"contact\", &self.contact)",
        "pub struct ListContacts ",
        "pub enum ListContactsKind ",
        "pub struct UpdateContact ",
        "pub struct DeleteContact ",
        "sage_core::setters! {\n    ListContacts {\n",
        "        search: impl Into<String>,\n",
        "        kind: ListContactsKind,\n",
        "sage_core::send_methods!(ListContacts -> Page<Contact>);",
    ] {
        assert!(contacts.contains(item), "README promises `{item}`");
    }
    assert!(!contacts.contains("pub struct ContactRequest "), "the envelope is not generated");
}
