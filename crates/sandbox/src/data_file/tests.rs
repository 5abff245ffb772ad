//! The data file's own rules, without a server.

use std::collections::HashMap;

use serde_json::json;

use super::*;

#[test]
fn records_round_trip_in_order_and_an_emptied_tenant_stays() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("data.db");
    let data = DataFile::open(&file).unwrap();
    let seeded = HashMap::from([("/contacts".to_owned(), vec![json!({"id": "b"}), json!({"id": "a"})])]);
    data.save_tenant("p", "t1", &seeded).unwrap();
    data.save_tenant("p", "t2", &seeded).unwrap();
    data.save_collection("p", "t2", "/contacts", &[]).unwrap();
    drop(data);

    let store = DataFile::open(&file).unwrap().load_records().unwrap();
    assert_eq!(store[&("p".to_owned(), "t1".to_owned())]["/contacts"], vec![json!({"id": "b"}), json!({"id": "a"})]);
    assert!(store[&("p".to_owned(), "t2".to_owned())].values().all(Vec::is_empty));
}

#[test]
fn a_newer_layout_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("data.db");
    drop(DataFile::open(&file).unwrap());
    let connection = Connection::open(&file).unwrap();
    connection.pragma_update(None, "user_version", SCHEMA_VERSION + 1).unwrap();
    drop(connection);
    let error = DataFile::open(&file).unwrap_err().to_string();
    assert!(error.contains("layout version 2"), "{error}");
}
