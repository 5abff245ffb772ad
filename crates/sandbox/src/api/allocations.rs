//! Sage 200's `POST /sales_allocations`: posted transactions of one customer allocated against each
//! other. Each line moves money to a transaction (positive, e.g. onto an invoice) or from one
//! (negative, e.g. off a receipt), never more than it has outstanding, and the lines total zero. Each
//! transaction's allocated value grows and its outstanding value shrinks by its line; an allocation
//! history item records the line; a transaction left with nothing outstanding is fully settled on the
//! allocation date. The customer's balance does not move: the lines total zero.

use std::collections::HashSet;

use rust_decimal::Decimal;
use serde_json::{json, Value};

use super::ledger::{self, Side};
use super::records;
use super::sage_error::SageError;
use super::seed::Collections;
use super::totals::{self, number};
use super::Call;

/// One checked allocation line: the posted transaction's index in its collection and the value.
struct Line {
    index: usize,
    value: Decimal,
}

impl Call<'_> {
    /// Runs a Sage 200 allocation (`None` when `collection` is not one); `touched` gets the posted
    /// transactions' path.
    pub(super) fn allocate(
        self,
        data: &mut Collections,
        body: &Value,
        prefix: &str,
        collection: &str,
        touched: &mut Vec<String>,
    ) -> Option<Result<Value, SageError>> {
        if self.rules.accounting() || collection != "sales_allocations" {
            return None;
        }
        Some(self.allocate_on(data, body, prefix, Side::Sales, touched))
    }

    fn allocate_on(
        self,
        data: &mut Collections,
        body: &Value,
        prefix: &str,
        side: Side,
        touched: &mut Vec<String>,
    ) -> Result<Value, SageError> {
        let posted_path = side.posted(prefix);
        let lines = self.checked_lines(data.get(&posted_path).map(Vec::as_slice).unwrap_or_default(), body, side)?;
        let today = self.clock.now().date_naive();
        let date = ledger::date_time_or(&body["allocation_date"], today);
        let at = self.clock.write_time();
        let stamps = self.stamps();
        let posted = data.entry(posted_path.clone()).or_default();
        let mut next_history_id = posted
            .iter()
            .flat_map(|record| ledger::items(record, "allocation_history_items"))
            .filter_map(|item| item["id"].as_u64())
            .max()
            .unwrap_or(0);
        for line in &lines {
            let record = &mut posted[line.index];
            let allocated = totals::amount(&record["document_allocated_value"]).unwrap_or_default() + line.value;
            let outstanding = totals::amount(&record["document_outstanding_value"]).unwrap_or_default() - line.value;
            for (field, value) in [
                ("document_allocated_value", allocated),
                ("base_allocated_value", allocated),
                ("document_outstanding_value", outstanding),
            ] {
                record[field] = number(value);
            }
            if outstanding.is_zero() {
                record["full_settlement_date"] = date.clone();
            }
            next_history_id += 1;
            let mut item = json!({
                "id": next_history_id, "allocation_value": number(line.value), "entry_date": date,
                "exchange_rate": number(Decimal::ONE), "exchange_gain_loss": number(Decimal::ZERO),
                "nominal_updated": true,
            });
            stamps.created(&mut item, at);
            match record.get_mut("allocation_history_items").and_then(Value::as_array_mut) {
                Some(history) => history.push(item),
                None => record["allocation_history_items"] = json!([item]),
            }
            stamps.updated(record, at);
        }
        touched.push(posted_path);
        let mut answer = body.clone();
        answer["allocation_date"] = date;
        Ok(answer)
    }

    /// The lines, each naming a posted transaction of the customer once, moving no more than it has
    /// outstanding in its direction, and together totalling zero.
    fn checked_lines(self, posted: &[Value], body: &Value, side: Side) -> Result<Vec<Line>, SageError> {
        let trader_field = format!("{}_id", side.trader());
        let trader = records::id_text(&body[trader_field.as_str()]);
        let mut seen = HashSet::new();
        let mut lines = Vec::new();
        for (number, line) in ledger::items(body, "allocation_lines").iter().enumerate() {
            let source = |field: &str| format!("allocation_lines[{number}].{field}");
            let id = records::id_text(&line["posted_tran_id"]);
            let Some(index) = posted.iter().position(|record| records::id_text(&record["id"]) == id) else {
                let message = format!("no posted transaction with id {id} exists");
                return Err(self.rules.invalid(message, source("posted_tran_id")));
            };
            let record = &posted[index];
            if records::id_text(&record[trader_field.as_str()]) != trader {
                let message = format!("posted transaction {id} belongs to another {}", side.trader());
                return Err(self.rules.invalid(message, source("posted_tran_id")));
            }
            if !seen.insert(index) {
                return Err(self
                    .rules
                    .invalid(format!("posted transaction {id} is named twice"), source("posted_tran_id")));
            }
            let value = totals::amount(&line["value_to_allocate"]).unwrap_or_default();
            let outstanding = totals::amount(&record["document_outstanding_value"]).unwrap_or_default();
            if value.is_zero() {
                return Err(self.rules.invalid("value_to_allocate must not be zero", source("value_to_allocate")));
            }
            if value.is_sign_negative() != outstanding.is_sign_negative() || value.abs() > outstanding.abs() {
                let message = format!(
                    "value_to_allocate {value} is more than posted transaction {id} has outstanding ({outstanding})"
                );
                return Err(self.rules.invalid(message, source("value_to_allocate")));
            }
            lines.push(Line { index, value });
        }
        let total: Decimal = lines.iter().map(|line| line.value).sum();
        if !total.is_zero() || lines.is_empty() {
            let message = format!("The allocation lines must total zero (money moved from one transaction to another); they total {total}");
            return Err(self.rules.invalid(message, "allocation_lines"));
        }
        Ok(lines)
    }
}
