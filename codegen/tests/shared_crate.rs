//! Products naming the same `shared_crate` are generated once: the shared crate holds the models and
//! the operations every product has, each product's crate re-exports it and adds only its own
//! operations, so a product without an operation cannot name it.

use std::collections::BTreeMap;
use std::path::Path;

use expect_test::expect_file;
use sage_codegen::emit::{emit_edition, emit_shared_crate, SharedGroup};
use sage_codegen::ir::{ModelKind, Product};
use sage_codegen::{load_dir, load_product_dir};

/// The demo fixture (`full`) and a `lite` edition of it without `post_order`.
fn editions() -> (Product, Product) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/demo");
    let mut full = load_product_dir(&dir).unwrap_or_else(|errors| panic!("{errors}"));
    full.shared_crate = Some("demo-shared".into());
    let mut lite = full.clone();
    lite.name = "demo-lite".into();
    lite.crate_name = "sage-demo-lite".into();
    for resource in lite.areas.iter_mut().flat_map(|area| &mut area.resources) {
        resource.operations.retain(|op| op.name != "post_order");
    }
    (full, lite)
}

fn emitted(full: &Product, lite: &Product) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let group = SharedGroup::new("demo-shared", vec![full, lite]).expect("lite is a subset of full");
    assert_eq!(group.source.name, "demo", "the product with the most operations is the source");
    let shared = emit_shared_crate(&group, &BTreeMap::new()).unwrap();
    let lite = emit_edition(lite, &group, &BTreeMap::new()).unwrap();
    (shared, lite)
}

#[test]
fn the_shared_crate_holds_what_every_edition_has() {
    let (full, lite) = editions();
    let (shared, lite_files) = emitted(&full, &lite);
    let orders = &shared["src/generated/orders.rs"];
    assert!(orders.contains("pub struct Order {"), "models are shared");
    assert!(orders.contains("pub struct ListOrders {"), "common operations are shared");
    assert!(!orders.contains("pub struct PostOrder"), "an operation one edition lacks is not shared");
    assert!(shared["src/generated/operations.rs"].contains("pub const POST_ORDER: OperationSpec"));

    let lite_orders = &lite_files["src/generated/orders.rs"];
    assert!(lite_orders.contains("pub use demo_shared::orders::*;"));
    assert!(!lite_orders.contains("pub struct"), "the lite edition adds nothing of its own");
    assert!(!lite_files["src/generated/operations.rs"].contains("POST_ORDER"));
    assert!(lite_files["Cargo.toml"].contains("demo-shared.workspace = true"));
    assert!(lite_files["Cargo.toml"].contains("orders = [\"demo-shared/orders\"]"));
    expect_file!["snapshots/shared/lite-orders.rs"].assert_eq(lite_orders);
    expect_file!["snapshots/shared/lite-operations.rs"].assert_eq(&lite_files["src/generated/operations.rs"]);
    expect_file!["snapshots/shared/Cargo.toml"].assert_eq(&shared["Cargo.toml"]);
}

/// With `area_crates`, each area is a crate of its own, which rustc can build beside the others; the
/// shared crate re-exports them as its modules, and each area's crate names the shared models under
/// `common`. The area's code is the same.
#[test]
fn with_area_crates_each_area_of_the_shared_crate_is_a_crate() {
    let (mut full, mut lite) = editions();
    let (one_crate, _) = emitted(&full, &lite);
    full.area_crates = true;
    lite.area_crates = true;
    let (shared, _) = emitted(&full, &lite);
    assert_eq!(shared["areas/orders/src/orders.rs"], one_crate["src/generated/orders.rs"]);
    assert_eq!(shared["areas/common/src/ids.rs"], one_crate["src/generated/ids.rs"]);
    assert!(!shared.contains_key("src/generated/orders.rs"));
    let crates: Vec<_> = shared.keys().filter(|path| path.ends_with("/Cargo.toml")).collect();
    assert_eq!(crates, ["areas/common/Cargo.toml", "areas/orders/Cargo.toml"]);
    assert!(shared["Cargo.toml"].contains("orders = [\"dep:demo-shared-orders\"]"), "{}", shared["Cargo.toml"]);
    assert!(shared["src/generated/mod.rs"].contains("pub use demo_shared_common::{common, ids};"));
    assert!(
        shared["src/generated/mod.rs"].contains("#[cfg(feature = \"orders\")]\npub use demo_shared_orders::orders;")
    );
    let orders_manifest = &shared["areas/orders/Cargo.toml"];
    assert!(orders_manifest.contains("demo-shared-common = { workspace = true, features = [\"orders\"] }"));
    assert!(shared["areas/orders/src/lib.rs"].contains("use demo_shared_common::{common, ids};"));
    assert!(shared["areas/common/src/common.rs"].contains("pub struct"), "{}", shared["areas/common/src/common.rs"]);
    assert!(shared["areas/common/src/lib.rs"].contains("pub mod common;"));
    expect_file!["snapshots/shared/orders-lib.rs"].assert_eq(&shared["areas/orders/src/lib.rs"]);
    expect_file!["snapshots/shared/orders-Cargo.toml"].assert_eq(orders_manifest);
}

#[test]
fn the_full_edition_adds_its_own_operations() {
    let (full, lite) = editions();
    let group = SharedGroup::new("demo-shared", vec![&full, &lite]).unwrap();
    let files = emit_edition(&full, &group, &BTreeMap::new()).unwrap();
    let orders = &files["src/generated/orders.rs"];
    assert!(orders.contains("pub struct PostOrder {"));
    assert!(!orders.contains("pub struct ListOrders"), "shared operations come from the shared crate");
    assert!(!orders.contains("pub struct Order {"), "models come from the shared crate");
    assert!(files["src/generated/operations.rs"].contains("demo_shared::operations::POST_ORDER"));
}

#[test]
fn an_edition_with_a_field_the_source_lacks_is_refused() {
    let (full, mut lite) = editions();
    let model = lite.areas.iter_mut().flat_map(|area| &mut area.models).find(|model| model.name == "Order").unwrap();
    let ModelKind::Struct { fields } = &mut model.kind else { panic!("Order is a struct") };
    let mut extra = fields[0].clone();
    extra.json_name = "only_in_lite".into();
    extra.rust_name = "only_in_lite".into();
    fields.push(extra);
    let error = SharedGroup::new("demo-shared", vec![&full, &lite]).err().expect("refused");
    assert!(error.to_string().contains("demo-lite model Order"), "{error}");
}

/// On the real schemas: what only Sage 200 Professional has is nowhere a Standard build can reach.
#[test]
fn professional_only_operations_exist_only_in_sage200_pro() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let read = |path: &str| std::fs::read_to_string(root.join(path)).unwrap();
    let editions = load_dir(&root.join("schemas/sage200")).unwrap();
    let edition = |name: &str| editions.iter().find(|product| product.name == name).unwrap();
    let (pro, standard) = (edition("sage200-pro"), edition("sage200-standard"));
    let names = |product: &Product| -> Vec<String> {
        product.areas.iter().flat_map(|a| &a.resources).flat_map(|r| &r.operations).map(|op| op.name.clone()).collect()
    };
    let standard_names = names(standard);
    let pro_only: Vec<_> = names(pro).into_iter().filter(|name| !standard_names.contains(name)).collect();
    assert!(!pro_only.is_empty());
    let sources = |dir: &str| -> String {
        let mut all = String::new();
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            all.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
        }
        all
    };
    let (shared, standard_src, pro_src) = (
        sources("crates/sage200/src/generated"),
        sources("crates/sage200-standard/src/generated"),
        sources("crates/sage200-pro/src/generated"),
    );
    for name in &pro_only {
        let type_name = sage_codegen::names::type_name(name).unwrap();
        let declaration = format!("pub struct {type_name} ");
        assert!(pro_src.contains(&declaration), "{type_name} is in sage200-pro");
        assert!(!shared.contains(&declaration) && !standard_src.contains(&declaration), "{type_name} leaked");
    }
    assert!(!read("crates/sage200-standard/Cargo.toml").contains("sage200-pro"));
}
