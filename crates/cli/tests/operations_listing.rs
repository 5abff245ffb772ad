//! `sage operations` (#31.5): whole parameter descriptions (a sentence does not end at "e.g."), and
//! Sage 200 Professional-only operations marked in both editions' listings.

use std::process::Command;

/// The command's standard output; it must succeed.
fn sage(args: &[&str]) -> String {
    let home = tempfile::tempdir().expect("a temporary SAGE_HOME");
    let output =
        Command::new(env!("CARGO_BIN_EXE_sage")).args(args).env("SAGE_HOME", home.path()).output().expect("sage runs");
    assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

/// The listing's line for `operation`.
fn line<'a>(listing: &'a str, operation: &str) -> &'a str {
    listing.lines().find(|line| line.split_whitespace().next() == Some(operation)).unwrap_or_else(|| {
        panic!("no line for {operation}:\n{listing}");
    })
}

#[test]
fn professional_only_operations_are_marked_in_the_professional_listing() {
    let listing = sage(&["operations", "sage200-pro"]);
    let finance = line(&listing, "list_finance_charges");
    assert!(finance.ends_with("(Sage 200 Professional only)"), "{finance}");
    let customers = line(&listing, "list_customers");
    assert!(!customers.contains("only"), "both editions have it: {customers}");
    let marked = listing.lines().filter(|line| line.ends_with("(Sage 200 Professional only)")).count();
    assert_eq!(marked, 9, "Sage's nine Professional-only operations:\n{listing}");
    assert!(!listing.contains("more operations are"), "Professional lacks nothing Standard has:\n{listing}");
}

#[test]
fn the_standard_listing_names_the_professional_only_operations_it_lacks() {
    let listing = sage(&["operations", "sage200-standard"]);
    let (own, missing) = listing
        .split_once("\n9 more operations are Sage 200 Professional only, not on Sage 200 Standard Online")
        .unwrap_or_else(|| panic!("no note of the Professional-only operations:\n{listing}"));
    assert!(!own.contains("list_finance_charges") && !own.contains(" only)"), "{own}");
    let finance = line(missing, "list_finance_charges");
    assert!(finance.ends_with("(Sage 200 Professional only)"), "{finance}");
    assert_eq!(missing.lines().filter(|line| line.ends_with("Professional only)")).count(), 9, "{missing}");
}

#[test]
fn accounting_listings_mark_nothing() {
    for product in ["accounting-v31", "accounting-v3"] {
        let listing = sage(&["operations", product]);
        assert!(!listing.contains(" only)") && !listing.contains("more operations"), "{product}:\n{listing}");
    }
}

#[test]
fn descriptions_do_not_stop_at_e_g_and_a_professional_only_operation_says_so() {
    let customers = sage(&["operations", "sage200-standard", "list_customers"]);
    assert!(
        customers
            .contains("OData filter expression, e.g. `balance gt 100` (dates in UTC with `Z`, enum values quoted)."),
        "{customers}"
    );
    assert!(!customers.contains("only:"), "{customers}");
    let finance = sage(&["operations", "sage200-pro", "list_finance_charges"]);
    assert!(
        finance.contains("\n  Sage 200 Professional only: a client of another edition refuses it before sending\n"),
        "{finance}"
    );
}
