//! Accounting computes a document's money from its lines: each line's net (quantity × unit price −
//! discount, to the penny), tax (net × the tax rate's percentage, to the penny, unless the line states it) and total;
//! the document's net, tax, total and outstanding amounts are their sums. Exact decimals throughout.

use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{Map, Value};

use super::links;
use super::seed::Collections;

/// A decimal field, written as Sage writes money or as a number.
fn decimal(value: Option<&Value>) -> Option<Decimal> {
    amount(value?)
}

/// A decimal value, written as Sage writes money or as a number.
pub(crate) fn amount(value: &Value) -> Option<Decimal> {
    match value {
        Value::String(text) => Decimal::from_str(text).ok(),
        Value::Number(number) => Decimal::from_str(&number.to_string()).ok(),
        _ => None,
    }
}

/// Rounded to the penny, halves away from zero.
fn to_penny(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// Money as Accounting writes it: a string with two decimals.
pub(crate) fn money(amount: Decimal) -> Value {
    Value::from(format!("{:.2}", to_penny(amount)))
}

/// Fills in the amounts of a document whose body has `…_lines`; returns its total, if it has lines.
pub(crate) fn compute(document: &mut Value, data: &Collections, prefix: &str) -> Option<Decimal> {
    let fields = document.as_object_mut()?;
    let lines_key = fields.keys().find(|key| key.ends_with("_lines"))?.clone();
    let Value::Array(lines) = fields.get_mut(&lines_key)? else { return None };
    let (mut net, mut tax) = (Decimal::ZERO, Decimal::ZERO);
    for line in lines.iter_mut().filter_map(Value::as_object_mut) {
        let (line_net, line_tax) = line_amounts(line, data, prefix);
        net += line_net;
        tax += line_tax;
    }
    let total = net + tax;
    fields.insert("net_amount".into(), money(net));
    fields.insert("tax_amount".into(), money(tax));
    fields.insert("total_amount".into(), money(total));
    fields.insert("outstanding_amount".into(), money(total));
    Some(total)
}

fn line_amounts(line: &mut Map<String, Value>, data: &Collections, prefix: &str) -> (Decimal, Decimal) {
    let quantity = decimal(line.get("quantity")).unwrap_or(Decimal::ONE);
    let unit_price = decimal(line.get("unit_price")).unwrap_or_default();
    let discount = decimal(line.get("discount_amount")).unwrap_or_default();
    let net = to_penny(quantity * unit_price - discount);
    let percentage = line
        .get("tax_rate_id")
        .and_then(Value::as_str)
        .and_then(|id| links::target(data, prefix, "tax_rate")?.iter().find(|rate| rate["id"] == id))
        .and_then(|rate| decimal(rate.get("percentage")))
        .unwrap_or_default();
    let computed = to_penny(net * percentage / Decimal::ONE_HUNDRED);
    let tax = decimal(line.get("tax_amount")).unwrap_or(computed);
    line.insert("net_amount".into(), money(net));
    line.insert("tax_amount".into(), money(tax));
    line.insert("total_amount".into(), money(net + tax));
    (net, tax)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn totals_are_exact_and_taxed_per_line() {
        let data = Collections::from([(
            "/tax_rates".to_owned(),
            vec![json!({"id": "GB_STANDARD", "percentage": "20.00"}), json!({"id": "GB_ZERO", "percentage": "0.00"})],
        )]);
        let mut invoice = json!({"invoice_lines": [
            {"quantity": "3", "unit_price": "0.10", "tax_rate_id": "GB_STANDARD"},
            {"quantity": "1", "unit_price": "10.005", "tax_rate_id": "GB_ZERO"},
            {"quantity": 2, "unit_price": "125.50", "discount_amount": "1.00", "tax_rate_id": "GB_STANDARD"},
        ]});
        let total = compute(&mut invoice, &data, "").unwrap();
        assert_eq!(invoice["invoice_lines"][0]["net_amount"], "0.30", "0.1 × 3 is exactly 0.30");
        assert_eq!(invoice["invoice_lines"][0]["tax_amount"], "0.06");
        assert_eq!(invoice["invoice_lines"][2]["tax_amount"], "50.00");
        assert_eq!(invoice["net_amount"], "260.31");
        assert_eq!(invoice["tax_amount"], "50.06");
        assert_eq!(invoice["total_amount"], "310.37");
        assert_eq!(invoice["invoice_lines"][1]["net_amount"], "10.01", "line nets are rounded before summing");
        assert_eq!(total, Decimal::from_str("310.37").unwrap());
    }
}
