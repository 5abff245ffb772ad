//! A document's money, computed from its lines as Sage computes it: each line's net (quantity × unit
//! price − discount, to the penny), tax (net × the rate of its tax rate or code, to the penny, unless the
//! line states it) and total; the document's net, tax and total are their sums. Exact decimals
//! throughout. Accounting and Sage 200 name the fields differently ([`Shape`]).

use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{Map, Value};

use super::links;
use super::seed::Collections;

/// Where a product keeps a document's amounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shape {
    /// The lines: a field with this name, or ending in it.
    lines: &'static str,
    quantity: &'static str,
    unit_price: &'static str,
    discount: Option<&'static str>,
    /// The line's reference to its tax (`tax_rate` → `tax_rate_id`, `/tax_rates`) and the rate field there.
    tax: &'static str,
    rate: &'static str,
    line_net: &'static str,
    line_tax: &'static str,
    line_total: Option<&'static str>,
    net: &'static str,
    tax_total: &'static str,
    total: &'static str,
    outstanding: Option<&'static str>,
    /// Money as `"12.50"` (Accounting) or `12.5` (Sage 200).
    as_text: bool,
}

/// Accounting invoices, credit notes, quotes and estimates (`invoice_lines`, `credit_note_lines`, …).
pub(crate) const ACCOUNTING: Shape = Shape {
    lines: "_lines",
    quantity: "quantity",
    unit_price: "unit_price",
    discount: Some("discount_amount"),
    tax: "tax_rate",
    rate: "percentage",
    line_net: "net_amount",
    line_tax: "tax_amount",
    line_total: Some("total_amount"),
    net: "net_amount",
    tax_total: "tax_amount",
    total: "total_amount",
    outstanding: Some("outstanding_amount"),
    as_text: true,
};

/// Sage 200 sales and purchase orders and quotes (`lines`).
pub(crate) const SAGE200: Shape = Shape {
    lines: "lines",
    quantity: "line_quantity",
    unit_price: "selling_unit_price",
    discount: None,
    tax: "tax_code",
    rate: "tax_rate",
    line_net: "line_total_value",
    line_tax: "line_tax_value",
    line_total: None,
    net: "total_net_value",
    tax_total: "total_tax_value",
    total: "total_gross_value",
    outstanding: None,
    as_text: false,
};

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
pub(crate) fn to_penny(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// Money as Accounting writes it: a string with two decimals.
pub(crate) fn money(amount: Decimal) -> Value {
    Value::from(format!("{:.2}", to_penny(amount)))
}

/// Money as Sage 200 writes it: a JSON number with the penny amount's digits.
pub(crate) fn number(amount: Decimal) -> Value {
    serde_json::from_str(&format!("{:.2}", to_penny(amount))).unwrap_or(Value::Null)
}

impl Shape {
    fn write(self, amount: Decimal) -> Value {
        if self.as_text {
            money(amount)
        } else {
            number(amount)
        }
    }

    /// Fills in the amounts of a document that has lines; returns its total, if it has lines.
    pub(crate) fn compute(self, document: &mut Value, data: &Collections, prefix: &str) -> Option<Decimal> {
        let fields = document.as_object_mut()?;
        let lines_key = fields.keys().find(|key| key.ends_with(self.lines))?.clone();
        let Value::Array(lines) = fields.get_mut(&lines_key)? else { return None };
        let (mut net, mut tax) = (Decimal::ZERO, Decimal::ZERO);
        for line in lines.iter_mut().filter_map(Value::as_object_mut) {
            let (line_net, line_tax) = self.line(line, data, prefix);
            net += line_net;
            tax += line_tax;
        }
        let total = net + tax;
        fields.insert(self.net.into(), self.write(net));
        fields.insert(self.tax_total.into(), self.write(tax));
        fields.insert(self.total.into(), self.write(total));
        if let Some(outstanding) = self.outstanding {
            fields.insert(outstanding.into(), self.write(total));
        }
        Some(total)
    }

    fn line(self, line: &mut Map<String, Value>, data: &Collections, prefix: &str) -> (Decimal, Decimal) {
        let quantity = decimal(line.get(self.quantity)).unwrap_or(Decimal::ONE);
        let unit_price = decimal(line.get(self.unit_price)).unwrap_or_default();
        let discount = self.discount.and_then(|field| decimal(line.get(field))).unwrap_or_default();
        let net = to_penny(quantity * unit_price - discount);
        let percentage = line
            .get(&format!("{}_id", self.tax))
            .and_then(|id| links::target(data, prefix, self.tax)?.iter().find(|rate| rate["id"] == *id))
            .and_then(|rate| decimal(rate.get(self.rate)))
            .unwrap_or_default();
        let computed = to_penny(net * percentage / Decimal::ONE_HUNDRED);
        let tax = decimal(line.get(self.line_tax)).unwrap_or(computed);
        line.insert(self.line_net.into(), self.write(net));
        line.insert(self.line_tax.into(), self.write(tax));
        if let Some(total) = self.line_total {
            line.insert(total.into(), self.write(net + tax));
        }
        (net, tax)
    }
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
        let total = ACCOUNTING.compute(&mut invoice, &data, "").unwrap();
        assert_eq!(invoice["invoice_lines"][0]["net_amount"], "0.30", "0.1 × 3 is exactly 0.30");
        assert_eq!(invoice["invoice_lines"][0]["tax_amount"], "0.06");
        assert_eq!(invoice["invoice_lines"][2]["tax_amount"], "50.00");
        assert_eq!(invoice["net_amount"], "260.31");
        assert_eq!(invoice["tax_amount"], "50.06");
        assert_eq!(invoice["total_amount"], "310.37");
        assert_eq!(invoice["invoice_lines"][1]["net_amount"], "10.01", "line nets are rounded before summing");
        assert_eq!(total, Decimal::from_str("310.37").unwrap());
    }

    #[test]
    fn sage200_orders_get_their_values_as_numbers() {
        let data = Collections::from([("/tax_codes".to_owned(), vec![json!({"id": 1, "tax_rate": 20.0})])]);
        let mut order = json!({"lines": [{"line_quantity": 2, "selling_unit_price": 125.5, "tax_code_id": 1}]});
        SAGE200.compute(&mut order, &data, "").unwrap();
        assert_eq!(order["lines"][0]["line_total_value"], json!(251.0));
        assert_eq!(order["lines"][0]["line_tax_value"], json!(50.2));
        assert_eq!(
            (order["total_net_value"].clone(), order["total_gross_value"].clone()),
            (json!(251.0), json!(301.2))
        );
    }
}
