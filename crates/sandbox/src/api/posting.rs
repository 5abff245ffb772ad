//! Sage 200's ledger postings. A sales or purchase invoice, credit note, receipt or payment is not kept
//! as itself (it has no GET): it is posted as a transaction of the customer's or supplier's ledger
//! (`/sales_posted_transactions`, `/purchase_posted_transactions`) and the create answers its URN.
//! Values are signed as Sage keeps them: what raises the trader's balance (invoices, refunds paid out)
//! is positive, what lowers it (receipts, payments, credit notes) negative; the balance moves by the
//! gross value. Invoices and credit notes take their goods and tax from their analysis items, which
//! must add up to the headline values when both are given.

use rust_decimal::Decimal;
use serde_json::{json, Value};

use super::ledger::{self, Entry};
use super::records::{self, IdStyle};
use super::sage_error::SageError;
use super::seed::Collections;
use super::totals::{self, number, to_penny};
use super::Call;

/// A document's goods and tax, and the analysis items to post (values unsigned).
struct Analysis {
    goods: Decimal,
    tax: Decimal,
    nominal: Vec<Value>,
    taxes: Vec<Value>,
}

impl Call<'_> {
    /// Posts a Sage 200 ledger document (`None` when `collection` is not one); `touched` gets the
    /// collections it changed.
    pub(super) fn post_to_ledger(
        self,
        data: &mut Collections,
        body: &Value,
        prefix: &str,
        collection: &str,
        touched: &mut Vec<String>,
    ) -> Option<Result<Value, SageError>> {
        let entry = ledger::entry(collection).filter(|_| !self.rules.accounting())?;
        Some(self.post_entry(data, body, prefix, entry, touched))
    }

    fn post_entry(
        self,
        data: &mut Collections,
        body: &Value,
        prefix: &str,
        entry: Entry,
        touched: &mut Vec<String>,
    ) -> Result<Value, SageError> {
        let side = entry.side;
        let trader_field = format!("{}_id", side.trader());
        let trader_id = body[trader_field.as_str()].clone();
        let trader_key = records::id_text(&trader_id);
        let traders = side.traders(prefix);
        let trader =
            data.get(&traders).and_then(|records| records::find(records, &trader_key).cloned()).ok_or_else(|| {
                self.rules.invalid(format!("no {} with id {trader_id} exists", side.trader()), &trader_field)
            })?;
        let analysis = if entry.cash { self.cash(body)? } else { self.analysis(data, body, prefix, &trader, side)? };
        let gross = analysis.goods + analysis.tax;
        let signed = |value: Decimal| number(entry.sign * value);
        let today = self.clock.now().date_naive();
        let transaction_date = ledger::date_time_or(&body["transaction_date"], today);
        let due_date = match &body["due_date"] {
            Value::String(due) => Value::from(due.as_str()),
            _ if entry.cash => transaction_date.clone(),
            _ => ledger::days_after(&transaction_date, 30),
        };
        let posted = side.posted(prefix);
        let urn = ledger::next_urn(data.get(&posted).map(Vec::as_slice).unwrap_or_default());
        let text = |name: &str| body.get(name).and_then(Value::as_str).unwrap_or_default().to_owned();
        let sign_items = |items: Vec<Value>, names: &[&str]| -> Vec<Value> {
            items.into_iter().map(|item| ledger::signed_fields(item, names, entry.sign)).collect()
        };
        let bank_items = if entry.cash { self.bank_items(data, body, prefix, urn, entry.sign * gross) } else { vec![] };
        let mut record = json!({
            "urn": urn,
            "trader_transaction_type": entry.kind,
            "reference": text("reference"),
            "second_reference": text("second_reference"),
            "queried": "",
            "transaction_date": transaction_date,
            "posted_date": ledger::date_time(today),
            "due_date": due_date,
            "full_settlement_date": Value::Null,
            "document_goods_value": signed(analysis.goods),
            "document_tax_value": signed(analysis.tax),
            "document_gross_value": signed(gross),
            "document_discount_value": number(Decimal::ZERO),
            "document_tax_discount_value": number(Decimal::ZERO),
            "document_allocated_value": number(Decimal::ZERO),
            "document_outstanding_value": signed(gross),
            "base_goods_value": signed(analysis.goods),
            "base_tax_value": signed(analysis.tax),
            "base_gross_value": signed(gross),
            "base_discount_value": number(Decimal::ZERO),
            "base_tax_discount_value": number(Decimal::ZERO),
            "base_allocated_value": number(Decimal::ZERO),
            "control_value_in_base_currency": signed(gross),
            "discount_percent": number(Decimal::ZERO),
            "discount_days": 0,
            "exchange_rate": number(Decimal::ONE),
            "settled_immediately": body["settled_immediately"].as_bool().unwrap_or(false),
            "nominal_analysis_items": sign_items(analysis.nominal, &["value", "base_value"]),
            "tax_analysis_items": sign_items(analysis.taxes, &["goods_amount", "tax_amount", "tax_discount_amount"]),
            "allocation_history_items": [],
            "allocation_session_items": [],
            "bank_items": bank_items,
            "user_name": "sandbox",
        });
        record[trader_field.as_str()] = trader_id.clone();
        let at = self.clock.write_time();
        self.stamps().created(&mut record, at);
        records::create(data.entry(posted.clone()).or_default(), record, IdStyle::Integer, &posted, self.max_records)?;
        if let Some(record) = data
            .get_mut(&traders)
            .and_then(|records| records.iter_mut().find(|record| records::id_text(&record["id"]) == trader_key))
        {
            let balance = totals::amount(&record["balance"]).unwrap_or_default();
            record["balance"] = number(balance + entry.sign * gross);
            self.stamps().updated(record, at);
        }
        touched.extend([posted, traders]);
        Ok(json!({ "urn": urn.to_string() }))
    }

    /// A receipt's or payment's value: its cheque value, which must be more than zero.
    fn cash(self, body: &Value) -> Result<Analysis, SageError> {
        let value = totals::amount(&body["cheque_value"]).unwrap_or_default();
        if value <= Decimal::ZERO {
            return Err(self.rules.invalid("cheque_value must be greater than zero", "cheque_value"));
        }
        Ok(Analysis { goods: to_penny(value), tax: Decimal::ZERO, nominal: Vec::new(), taxes: Vec::new() })
    }

    /// The bank entry of a receipt or payment.
    fn bank_items(self, data: &Collections, body: &Value, prefix: &str, urn: u64, value: Decimal) -> Vec<Value> {
        let banks = data.get(&format!("{prefix}/banks")).map(Vec::as_slice).unwrap_or_default();
        let Some(bank) = records::find(banks, &records::id_text(&body["bank_id"])) else { return Vec::new() };
        vec![json!({
            "bank_code": bank["code"], "name": bank["description"], "urn": urn,
            "reference": body["reference"].as_str().unwrap_or_default(), "cheque_value": number(-value),
        })]
    }

    /// An invoice's or credit note's goods and tax, from its headline values and analysis items.
    fn analysis(
        self,
        data: &Collections,
        body: &Value,
        prefix: &str,
        trader: &Value,
        side: ledger::Side,
    ) -> Result<Analysis, SageError> {
        let given = |name: &str| totals::amount(&body[name]);
        let nominal_in = ledger::items(body, "nominal_analysis_items");
        let tax_in = ledger::items(body, "tax_analysis_items");
        let goods = given("document_goods_value")
            .or_else(|| ledger::sum(nominal_in, "value"))
            .or_else(|| ledger::sum(tax_in, "goods_amount"))
            .unwrap_or_default();
        if goods < Decimal::ZERO {
            let message = "document_goods_value must not be negative: the transaction type gives the sign";
            return Err(self.rules.invalid(message, "document_goods_value"));
        }
        let nominal = self.nominal_items(data, prefix, nominal_in, goods, side)?;
        let default_tax_code = trader["default_tax_code_id"].as_u64().unwrap_or(1);
        let document_tax = given("document_tax_value");
        let taxes = self.tax_items(data, prefix, tax_in, goods, document_tax, default_tax_code)?;
        let tax_total: Decimal = taxes.iter().filter_map(|item| totals::amount(&item["tax_amount"])).sum();
        let tax = document_tax.unwrap_or(tax_total);
        if tax_total != tax {
            let message = format!("The tax analysis items' tax amounts total {tax_total}, not the tax value {tax}");
            return Err(self.rules.invalid(message, "tax_analysis_items"));
        }
        Ok(Analysis { goods, tax, nominal, taxes })
    }

    /// The nominal analysis to post: the given items, each naming a nominal code that exists and
    /// together making up the goods value; one item on the ledger's default code when none are given.
    fn nominal_items(
        self,
        data: &Collections,
        prefix: &str,
        given: &[Value],
        goods: Decimal,
        side: ledger::Side,
    ) -> Result<Vec<Value>, SageError> {
        let codes = data.get(&format!("{prefix}/nominal_codes")).map(Vec::as_slice).unwrap_or_default();
        let defaulted = [json!({ "code": side.default_nominal(), "value": number(goods) })];
        let items = if given.is_empty() { &defaulted[..] } else { given };
        let mut posted = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let source = |field: &str| format!("nominal_analysis_items[{index}].{field}");
            let code = item["code"].as_str().unwrap_or_default();
            let Some(nominal) = codes.iter().find(|nominal| nominal["reference"] == code) else {
                return Err(self.rules.invalid(format!("no nominal code {code} exists"), source("code")));
            };
            let value = match totals::amount(&item["value"]) {
                Some(value) => value,
                None if items.len() == 1 => goods,
                None => return Err(self.rules.invalid("can't be blank when there are several items", source("value"))),
            };
            let text = |name: &str| item.get(name).and_then(Value::as_str).unwrap_or_default().to_owned();
            posted.push(json!({
                "code": code, "name": nominal["name"], "cost_centre": text("cost_centre"),
                "department": text("department"), "narrative": text("narrative"),
                "transaction_analysis_code": text("transaction_analysis_code"),
                "value": number(value), "base_value": number(value),
            }));
        }
        let total: Decimal = posted.iter().filter_map(|item| totals::amount(&item["value"])).sum();
        if total != goods {
            let message = format!("The nominal analysis values total {total}, not the goods value {goods}");
            return Err(self.rules.invalid(message, "nominal_analysis_items"));
        }
        Ok(posted)
    }

    /// The tax analysis to post: each item's tax code must exist; its tax is stated or computed from the
    /// code's rate; the goods amounts make up the goods value. One item on the trader's default tax code
    /// when none are given.
    fn tax_items(
        self,
        data: &Collections,
        prefix: &str,
        given: &[Value],
        goods: Decimal,
        document_tax: Option<Decimal>,
        default_tax_code: u64,
    ) -> Result<Vec<Value>, SageError> {
        let codes = data.get(&format!("{prefix}/tax_codes")).map(Vec::as_slice).unwrap_or_default();
        let defaulted = [json!({ "id": default_tax_code })];
        let items = if given.is_empty() { &defaulted[..] } else { given };
        let single = items.len() == 1;
        let mut posted = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let source = |field: &str| format!("tax_analysis_items[{index}].{field}");
            let id = records::id_text(&item["id"]);
            let Some(code) = records::find(codes, &id) else {
                return Err(self.rules.invalid(format!("no tax code with id {id} exists"), source("id")));
            };
            let goods_amount = match totals::amount(&item["goods_amount"]) {
                Some(amount) => amount,
                None if single => goods,
                None => {
                    return Err(self
                        .rules
                        .invalid("can't be blank when there are several items", source("goods_amount")))
                }
            };
            let rate = totals::amount(&code["tax_rate"]).unwrap_or_default();
            let tax_amount = totals::amount(&item["tax_amount"])
                .or(document_tax.filter(|_| single))
                .unwrap_or_else(|| to_penny(goods_amount * rate / Decimal::ONE_HUNDRED));
            posted.push(json!({
                "id": code["id"], "code": code["code"], "name": code["name"],
                "goods_amount": number(goods_amount), "tax_amount": number(tax_amount),
                "tax_discount_amount": number(totals::amount(&item["tax_discount_amount"]).unwrap_or_default()),
            }));
        }
        let total: Decimal = posted.iter().filter_map(|item| totals::amount(&item["goods_amount"])).sum();
        if total != goods {
            let message = format!("The tax analysis items' goods amounts total {total}, not the goods value {goods}");
            return Err(self.rules.invalid(message, "tax_analysis_items"));
        }
        Ok(posted)
    }
}
