//! `sage doctor` against the embedded sandbox, which answers in live Sage's shapes: the drift it
//! reads through is listed and the command succeeds; a field the sandbox breaks on purpose is named
//! by its path and the command fails with the documented exit code.

#![cfg(feature = "doctor")]

use std::process::{Command, Output};

fn sage(home: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sage")).args(args).env("SAGE_HOME", home).output().expect("sage runs")
}

fn text(output: &Output) -> String {
    format!("{}\n{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

#[test]
fn the_live_shaped_sandbox_reads_with_its_drift_listed() {
    let home = tempfile::tempdir().unwrap();
    for product in ["accounting-v31", "sage200-pro"] {
        let output = sage(home.path(), &["--sandbox", "doctor", product]);
        let text = text(&output);
        assert!(output.status.success(), "{product}: {text}");
        assert!(text.contains("0 decode failures"), "{product}: {text}");
        assert!(text.contains("blank text read as no value"), "{product} lists the blanked dates: {text}");
    }
    let output = sage(home.path(), &["--sandbox", "doctor", "accounting-v31"]);
    let listed = String::from_utf8_lossy(&output.stdout);
    let unpaid = listed.lines().find(|line| line.starts_with("list_sales_invoices") && line.contains("last_paid"));
    assert!(unpaid.is_some_and(|line| line.contains("$items[].last_paid")), "{listed}");
    assert!(listed.lines().any(|line| line.starts_with("get_contact") && line.contains("mandate_active")), "{listed}");
}

#[test]
fn a_broken_field_is_named_by_its_path_and_fails_the_command() {
    let home = tempfile::tempdir().unwrap();
    let report = home.path().join("drift.json");
    let report_arg = report.to_str().unwrap();
    let args = ["--sandbox", "--sandbox-break", "Contact.balance=\"12abc\"", "doctor", "accounting-v31"];
    let output = sage(home.path(), &[&args[..], &["--report", report_arg]].concat());
    let text = text(&output);
    assert_eq!(output.status.code(), Some(6), "{text}");
    assert!(text.contains("FAILED list_contacts at `$items[].balance`"), "{text}");
    assert!(text.contains("FAILED get_contact at `balance`"), "{text}");
    let written: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    let failed = written["failed"].as_array().unwrap();
    assert!(failed.iter().any(|one| one["operation"] == "get_contact" && one["path"] == "balance"), "{written}");
    // The report holds no value from the books: not the broken value, not a contact's name.
    let raw = std::fs::read_to_string(&report).unwrap();
    assert!(!raw.contains("12abc") && !raw.contains("Garage"), "{raw}");
}

#[test]
fn json_output_is_the_report() {
    let home = tempfile::tempdir().unwrap();
    let output = sage(home.path(), &["--sandbox", "doctor", "accounting-v3", "--json"]);
    assert!(output.status.success(), "{}", text(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON out");
    assert_eq!(report["product"], "accounting-v3");
    assert!(report["responses_read"].as_u64().unwrap() > 50, "{report}");
    assert!(report["drift"].as_array().unwrap().iter().any(|one| one["path"] == "$items[].last_paid"), "{report}");
}
