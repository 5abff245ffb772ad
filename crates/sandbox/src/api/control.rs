//! What tests and benchmarks do to the data directly: bulk inserts, background updates, the clock.

use serde_json::Value;

use super::clock;
use super::records::IdStyle;
use super::rules::Rules;
use super::Api;
use crate::random;
use crate::state::lock;

impl Api {
    /// Appends `new` records to a tenant's collection (seeding the tenant first). Records without an
    /// `id` get one; records without an updated time are stamped now, others keep theirs (history).
    pub(crate) fn insert_records(
        &self,
        product: &str,
        tenant: &str,
        collection: &str,
        new: Vec<Value>,
    ) -> Result<usize, String> {
        let product = self.served(product).ok_or_else(|| format!("{product} is not served"))?;
        let rules = Rules::of(product);
        let stamps = if rules.accounting() { clock::ACCOUNTING } else { clock::SAGE200 };
        let now = self.clock.write_time();
        let limit = self.max_records.load(std::sync::atomic::Ordering::Relaxed);
        let mut store = lock(&self.store);
        let data = self.tenant_data(&mut store, product, tenant).map_err(|error| error.message)?;
        let records = data.entry(collection.to_owned()).or_default();
        if records.len() + new.len() > limit {
            return Err(format!("{collection} would hold more than {limit} records"));
        }
        let mut next_integer = records.iter().filter_map(|record| record["id"].as_u64()).max().unwrap_or(0);
        let count = new.len();
        for mut record in new {
            let Value::Object(fields) = &mut record else { return Err("records must be JSON objects".into()) };
            if !fields.contains_key("id") {
                let id = match rules.id_style() {
                    IdStyle::Hex => Value::from(random::hex_id()),
                    IdStyle::Integer => {
                        next_integer += 1;
                        Value::from(next_integer)
                    }
                };
                fields.insert("id".into(), id);
            }
            if !fields.contains_key(stamps.updated) {
                stamps.created(&mut record, now);
            }
            records.push(record);
        }
        Ok(count)
    }

    /// Writes `new` records into a tenant's collection (seeding the tenant first): a record whose
    /// `id` the collection holds is merged into it, others are appended (`--seed`). Returns how
    /// many were appended.
    pub(crate) fn upsert_records(
        &self,
        product: &str,
        tenant: &str,
        collection: &str,
        new: Vec<Value>,
    ) -> Result<usize, String> {
        let served = self.served(product).ok_or_else(|| format!("{product} is not served"))?;
        let mut fresh = Vec::new();
        {
            let mut store = lock(&self.store);
            let data = self.tenant_data(&mut store, served, tenant).map_err(|error| error.message)?;
            let records = data.entry(collection.to_owned()).or_default();
            for record in new {
                let Value::Object(fields) = record else { return Err("records must be JSON objects".into()) };
                let existing = fields.get("id").and_then(|id| {
                    records.iter_mut().find(|held| held.get("id").is_some_and(|held_id| same_id(held_id, id)))
                });
                match existing {
                    Some(Value::Object(held)) => held.extend(fields),
                    _ => fresh.push(Value::Object(fields)),
                }
            }
        }
        self.insert_records(product, tenant, collection, fresh)
    }

    /// Marks up to `count` records of a collection, spread over it, as updated now (with `fields`
    /// merged in); returns their ids.
    pub(crate) fn touch_records(
        &self,
        product: &str,
        tenant: &str,
        collection: &str,
        count: usize,
        fields: &serde_json::Map<String, Value>,
    ) -> Vec<String> {
        let Some(product) = self.served(product) else { return Vec::new() };
        let stamps = if Rules::of(product).accounting() { clock::ACCOUNTING } else { clock::SAGE200 };
        let at = self.clock.write_time();
        let mut store = lock(&self.store);
        let Ok(data) = self.tenant_data(&mut store, product, tenant) else { return Vec::new() };
        let Some(records) = data.get_mut(collection) else { return Vec::new() };
        if records.is_empty() || count == 0 {
            return Vec::new();
        }
        let step = (records.len() / count).max(1);
        let mut touched = Vec::new();
        for record in records.iter_mut().step_by(step).take(count) {
            if let Value::Object(stored) = record {
                for (name, value) in fields {
                    stored.insert(name.clone(), value.clone());
                }
            }
            stamps.updated(record, at);
            touched.push(match &record["id"] {
                Value::String(id) => id.clone(),
                other => other.to_string(),
            });
        }
        touched
    }
}

/// Ids compare by their text, so `1` and `"1"` are one record.
fn same_id(a: &Value, b: &Value) -> bool {
    let text = |id: &Value| match id {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    };
    text(a).is_some_and(|a| Some(a) == text(b))
}
