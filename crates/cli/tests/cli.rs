//! The `sage` binary end to end, against the sandbox it embeds: the README's main command, calls by
//! name, exports, and the documented exit codes.

use std::process::{Command, Output};

use sage_core::types::Decimal;

fn sage(args: &[&str]) -> Output {
    let home = tempfile::tempdir().expect("temp dir");
    Command::new(env!("CARGO_BIN_EXE_sage")).args(args).env("SAGE_HOME", home.path()).output().expect("sage runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn the_demo_runs_the_whole_story_for_every_product() {
    let output = sage(&["demo"]);
    let text = stdout(&output);
    assert!(output.status.success(), "{text}\n{}", String::from_utf8_lossy(&output.stderr));
    for title in ["Accounting v3.1", "Accounting v3", "Sage 200 Professional", "Sage 200 Standard Online"] {
        assert!(text.contains(&format!("== Sage {title}")) || text.contains(title), "{title} missing:\n{text}");
    }
    assert_eq!(text.matches("✓ revoked: the refresh token is refused afterwards").count(), 4, "{text}");
    assert!(text.contains("ABS Garages Ltd"), "Sage 200 customers are listed:\n{text}");
    assert_demo_totals(&text);
}

/// What the demo's invoice line sends on every product: 2 × 125.50 at the seeded 20% tax rate.
const QUANTITY: &str = "2";
const UNIT_PRICE: &str = "125.50";
const TAX_PERCENT: &str = "20";

/// Each product's totals line names the demo's line and shows the totals the sandbox computed from
/// it: net = quantity × price, tax = net × rate (to the penny), total = net + tax.
fn assert_demo_totals(text: &str) {
    let decimal = |text: &str| text.parse::<Decimal>().unwrap_or_else(|err| panic!("`{text}`: {err}"));
    let net = decimal(QUANTITY) * decimal(UNIT_PRICE);
    let tax = (net * decimal(TAX_PERCENT) / Decimal::ONE_HUNDRED).round_dp(2);
    let lines: Vec<&str> = text.lines().filter(|line| line.contains(" = total ")).collect();
    assert_eq!(lines.len(), 4, "one totals line per product:\n{text}");
    for line in lines {
        assert!(line.starts_with(&format!("✓ {QUANTITY} × ")), "{line}");
        assert!(line.contains(&format!(" at {UNIT_PRICE}, ")), "{line}");
        let amount = |label: &str| {
            let start = line.find(label).unwrap_or_else(|| panic!("no `{label}` in {line}")) + label.len();
            decimal(line[start..].split_whitespace().next().unwrap())
        };
        let (shown_net, shown_tax, shown_total) = (amount(": net "), amount(" + tax "), amount(" = total "));
        assert_eq!(shown_net + shown_tax, shown_total, "{line}");
        assert_eq!((shown_net, shown_tax, shown_total), (net, tax, net + tax), "{line}");
    }
}

#[test]
fn call_prints_the_json_of_any_operation() {
    let output =
        sage(&["--sandbox", "call", "sage200-pro", "list_customers", "--query", "$filter=reference eq 'ABS001'"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let customers: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON out");
    assert_eq!(customers[0]["name"], "ABS Garages Ltd");
    // Live Sage writes decimals as text; the spec as numbers: either is the same amount.
    let balance = &customers[0]["balance"];
    let balance = balance.as_str().map_or_else(|| balance.to_string(), str::to_owned);
    assert_eq!(balance, "2464.16");
}

#[test]
fn export_follows_every_page_into_csv() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("contacts.csv");
    let output = sage(&[
        "--sandbox",
        "export",
        "accounting-v31",
        "list_contacts",
        "--query",
        "items_per_page=4",
        "--format",
        "csv",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let csv = std::fs::read_to_string(&out).unwrap();
    assert_eq!(csv.lines().count(), 1 + 25, "a header and all 25 sandbox contacts over 7 pages:\n{csv}");
}

#[test]
fn failures_have_documented_exit_codes() {
    let unknown = sage(&["operations", "sage300"]);
    assert_eq!(unknown.status.code(), Some(2), "bad arguments");
    let not_signed_in = sage(&["token", "show", "accounting-v31"]);
    assert_eq!(not_signed_in.status.code(), Some(3), "not signed in");
    assert!(String::from_utf8_lossy(&not_signed_in.stderr).contains("sage login"));
    let missing = sage(&["--sandbox", "call", "accounting-v31", "get_contact", "--path", "key=nope"]);
    assert_eq!(missing.status.code(), Some(5), "Sage answered with an error");
    assert!(String::from_utf8_lossy(&missing.stderr).contains("HTTP 404"));
}
