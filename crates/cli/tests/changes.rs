//! `sage changes` against the embedded sandbox: JSON lines, the checkpoint file, `--since`.

use std::process::{Command, Output};

fn sage(args: &[&str]) -> Output {
    let home = tempfile::tempdir().expect("temp dir");
    Command::new(env!("CARGO_BIN_EXE_sage")).args(args).env("SAGE_HOME", home.path()).output().expect("sage runs")
}

fn lines(output: &Output) -> Vec<serde_json::Value> {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).lines().map(|line| serde_json::from_str(line).expect("JSON")).collect()
}

#[test]
fn prints_every_contact_as_a_json_line_and_commits_the_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("checkpoints.json");
    let checkpoint = file.to_str().unwrap();
    let output = sage(&["--sandbox", "changes", "accounting-v31", "contacts", "--checkpoint", checkpoint]);
    let changes = lines(&output);
    let listed = sage(&["--sandbox", "call", "accounting-v31", "list_contacts", "--query", "items_per_page=200"]);
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("a JSON page");
    let total = listed["$total"].as_u64().unwrap() as usize;
    assert_eq!(changes.len(), total, "one line per contact");
    for change in &changes {
        assert_eq!(change["change"], "upserted");
        assert_eq!(change["record"]["id"], change["id"]);
        assert_eq!(change["record"]["updated_at"], change["updated_at"]);
    }
    let stored: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert!(stored["accounting-v31/list_contacts"]["updated"].is_string(), "{stored}");
}

#[test]
fn since_a_future_time_prints_nothing_and_unknown_lists_are_refused() {
    let output = sage(&["--sandbox", "changes", "sage200-pro", "customers", "--since", "2999-01-01T00:00:00Z"]);
    assert!(lines(&output).is_empty());
    let output = sage(&["--sandbox", "changes", "accounting-v31", "contactz"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("list_contacts"));
}
