//! `sage books` against the embedded sandbox on the four products: JSON lines that parse, CSV with a
//! header and a row per record, `get`, the change feed's checkpoint file, and exit 7 for what the
//! capability table says a product cannot do.

use std::process::{Command, Output};

use sage_books::capability::support;
use sage_books::{Operation, ProductKind, Resource, Support};

fn sage(args: &[&str]) -> Output {
    let home = tempfile::tempdir().expect("temp dir");
    Command::new(env!("CARGO_BIN_EXE_sage")).args(args).env("SAGE_HOME", home.path()).output().expect("sage runs")
}

fn succeeded(output: &Output) -> String {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout.clone()).expect("UTF-8 out")
}

fn json_lines(output: &Output) -> Vec<serde_json::Value> {
    succeeded(output).lines().map(|line| serde_json::from_str(line).expect("one JSON object a line")).collect()
}

/// The CSV's header and rows.
fn csv(output: &Output) -> (Vec<String>, Vec<Vec<String>>) {
    let text = succeeded(output);
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
    let header = reader.headers().expect("a header").iter().map(str::to_owned).collect();
    let rows = reader.records().map(|row| row.expect("a CSV row").iter().map(str::to_owned).collect()).collect();
    (header, rows)
}

#[test]
fn customers_list_as_json_lines_and_csv_on_every_product() {
    for product in ProductKind::ALL {
        let name = product.name();
        assert_eq!(support(product, Resource::Customer, Operation::List, None), Support::Supported, "{name}");
        let records = json_lines(&sage(&["--sandbox", "books", name, "customers", "list"]));
        assert!(!records.is_empty(), "{name}: the sandbox seeds customers");
        for record in &records {
            assert!(record["id"].as_str().is_some_and(|id| !id.is_empty()), "{name}: {record}");
            assert!(record.get("raw").is_none(), "{name}: the product's raw record is left out");
        }

        let (header, rows) = csv(&sage(&["--sandbox", "books", name, "customers", "list", "--format", "csv"]));
        assert_eq!(header[0], "id", "{name}");
        assert!(header.iter().any(|column| column == "reference"), "{name}: {header:?}");
        assert_eq!(rows.len(), records.len(), "{name}: one row per record");
        let reference = header.iter().position(|column| column == "reference").unwrap();
        let balance = header.iter().position(|column| column == "balance").unwrap();
        for (row, record) in rows.iter().zip(&records) {
            assert_eq!(row.len(), header.len(), "{name}");
            assert_eq!(row[0], record["id"].as_str().unwrap(), "{name}: same records, same order");
            assert_eq!(row[reference], record["reference"].as_str().unwrap_or_default(), "{name}");
            // Money is the exact decimal text in both formats.
            assert_eq!(row[balance], record["balance"].as_str().unwrap_or_default(), "{name}");
        }
    }
}

#[test]
fn bank_accounts_list_as_csv_with_their_own_columns_on_every_product() {
    for product in ProductKind::ALL {
        let name = product.name();
        let records = json_lines(&sage(&["--sandbox", "books", name, "bank-accounts", "list"]));
        assert!(!records.is_empty(), "{name}: the sandbox seeds a bank account");
        let (header, rows) = csv(&sage(&["--sandbox", "books", name, "bank-accounts", "list", "--format", "csv"]));
        let column =
            |wanted: &str| header.iter().position(|column| column == wanted).unwrap_or_else(|| panic!("{wanted}"));
        let (balance, kind, ledger) = (column("balance"), column("account_type.kind"), column("ledger_account.id"));
        assert_eq!(rows.len(), records.len(), "{name}");
        for (row, record) in rows.iter().zip(&records) {
            assert_eq!(row[0], record["id"].as_str().unwrap(), "{name}");
            assert_eq!(row[balance], record["balance"].as_str().unwrap_or_default(), "{name}: exact money text");
            assert_eq!(row[kind], record["account_type"]["kind"].as_str().unwrap_or_default(), "{name}");
            assert!(!row[ledger].is_empty(), "{name}: the seeded account posts to a ledger account");
        }
    }
}

#[test]
fn get_prints_the_listed_record_and_an_unknown_id_is_sages_error() {
    for product in ProductKind::ALL {
        let name = product.name();
        let listed = json_lines(&sage(&["--sandbox", "books", name, "customers", "list"]));
        let first = &listed[0];
        let id = first["id"].as_str().unwrap();
        let got = json_lines(&sage(&["--sandbox", "books", name, "customer", "get", id]));
        assert_eq!(got.len(), 1, "{name}");
        assert_eq!(got[0]["id"], first["id"], "{name}");
        assert_eq!(got[0]["name"], first["name"], "{name}");
    }
    let missing = sage(&["--sandbox", "books", "accounting-v31", "customers", "get", "no-such-customer"]);
    assert_eq!(missing.status.code(), Some(5), "{}", String::from_utf8_lossy(&missing.stderr));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no-such-customer"));
}

#[test]
fn invoice_changes_commit_a_checkpoint_and_csv_says_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("checkpoints.json");
    let checkpoint = file.to_str().unwrap();
    for product in ProductKind::ALL {
        let name = product.name();
        let args = ["--sandbox", "books", name, "sales-invoices", "changes", "--checkpoint", checkpoint];
        let changes = json_lines(&sage(&args));
        for change in &changes {
            assert_eq!(change["change"], "upserted", "{name}");
            assert_eq!(change["record"]["id"], change["id"], "{name}");
            assert!(change["updated_at"].is_string(), "{name}");
        }
        let stored: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        assert!(stored[format!("books/{name}/sales_invoice")].is_object(), "{name}: {stored}");

        let listed = json_lines(&sage(&["--sandbox", "books", name, "sales-invoices", "list"]));
        assert_eq!(changes.len(), listed.len(), "{name}: a first pass reports every invoice");
        let (header, rows) = csv(&sage(&["--sandbox", "books", name, "sales-invoices", "changes", "--format", "csv"]));
        assert_eq!(header[..3], ["change", "changed_at", "id"], "{name}");
        assert!(header.iter().any(|column| column == "totals.outstanding"), "{name}");
        assert_eq!(rows.len(), changes.len(), "{name}");

        let future =
            sage(&["--sandbox", "books", name, "sales-invoices", "changes", "--since", "2999-01-01T00:00:00Z"]);
        assert!(json_lines(&future).is_empty(), "{name}");
    }
}

#[test]
fn what_the_capability_table_refuses_exits_7_naming_the_capability() {
    let commands = [(Operation::List, "list"), (Operation::Changes, "changes")];
    let mut refused = 0;
    for product in ProductKind::ALL {
        // The first resource and operation this product cannot do, as the table says.
        let missing = Resource::ALL.into_iter().find_map(|resource| {
            commands
                .iter()
                .find(|(operation, _)| support(product, resource, *operation, None) != Support::Supported)
                .map(|(operation, command)| (resource, *operation, *command))
        });
        let Some((resource, operation, command)) = missing else { continue };
        let plural = resource.plural();
        let output = sage(&["--sandbox", "books", product.name(), &plural, command]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(7), "{product} {resource} {operation}: {stderr}");
        let capability = format!("{product} × {resource} × {operation}");
        assert!(stderr.contains(&capability), "{stderr}");
        assert!(output.stdout.is_empty(), "nothing printed");
        refused += 1;
    }
    assert!(refused > 0, "the table refuses something on some product");
}

#[test]
fn bad_arguments_exit_2() {
    let unknown = sage(&["--sandbox", "books", "accounting-v31", "invoicez", "list"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("sales-invoices"), "the resources are listed");
    let no_id = sage(&["--sandbox", "books", "accounting-v31", "customers", "get"]);
    assert_eq!(no_id.status.code(), Some(2));
    let follow_a_list = sage(&["--sandbox", "books", "accounting-v31", "customers", "list", "--follow"]);
    assert_eq!(follow_a_list.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&follow_a_list.stderr).contains("--follow is for `changes`"));
    let unmapped = sage(&["--sandbox", "books", "sage300", "customers", "list"]);
    assert_eq!(unmapped.status.code(), Some(2));
}

#[test]
fn follow_prints_the_first_pass_then_stops_cleanly_on_ctrl_c() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("checkpoints.json");
    let listed = json_lines(&sage(&["--sandbox", "books", "accounting-v31", "sales-invoices", "list"]));
    assert!(!listed.is_empty(), "the sandbox seeds invoices");
    let args = ["--sandbox", "books", "accounting-v31", "sales-invoices", "changes", "--follow", "--interval", "1"];
    let mut child = Command::new(env!("CARGO_BIN_EXE_sage"))
        .args(args)
        .args(["--checkpoint", file.to_str().unwrap()])
        .env("SAGE_HOME", dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sage runs");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first_pass: Vec<serde_json::Value> = lines
        .by_ref()
        .take(listed.len())
        .map(|line| serde_json::from_str(&line.expect("a line")).expect("JSON"))
        .collect();
    assert_eq!(first_pass.len(), listed.len(), "every invoice once");
    // The checkpoint is committed after the printed batch, while still following.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !file.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(file.exists(), "the checkpoint is written while following");
    let interrupted = Command::new("kill").args(["-INT", &child.id().to_string()]).status().expect("kill runs");
    assert!(interrupted.success());
    let status = child.wait().expect("sage stops");
    assert!(status.success(), "Ctrl-C stops cleanly: {status:?}");
}
