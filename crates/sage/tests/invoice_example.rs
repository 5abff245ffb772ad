//! The `invoice` example runs against the sandbox, and the totals it prints are the ones its line
//! implies: net = quantity × unit price, tax = net × the standard rate (to the penny), total = both.

#[allow(dead_code)] // the example's own `main` is not called here
#[path = "../examples/invoice.rs"]
mod example;

use example::{Totals, QUANTITY, STANDARD_RATE, UNIT_PRICE};
use sage::types::Decimal;

#[tokio::test]
async fn the_invoice_example_gets_exact_totals_from_the_seeded_tax_rate() {
    let totals = example::raise_invoice().await.expect("the example runs against the sandbox");
    let net = QUANTITY * UNIT_PRICE;
    let tax = (net * STANDARD_RATE / Decimal::ONE_HUNDRED).round_dp(2);
    assert_eq!(totals, Totals { net, tax, total: net + tax });
    assert_eq!(totals.net + totals.tax, totals.total);
}
