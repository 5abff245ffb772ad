//! Writes stamped with the sandbox's clock: created/updated times on records, tombstones for
//! deleted Accounting records (what `deleted_since` lists).

use serde_json::Value;

use super::clock::{self, Stamps, ACCOUNTING, SAGE200};
use super::records::{self, id_text};
use super::sage_error::SageError;
use super::seed::Collections;
use super::{route, Answer, Call};
use sage_schema::ir;

impl Call<'_> {
    /// The product's timestamp fields.
    pub(super) fn stamps(self) -> Stamps {
        if self.rules.accounting() {
            ACCOUNTING
        } else {
            SAGE200
        }
    }

    /// [`Call::apply`], then the changed records stamped with the write time; `touched` also gets
    /// the tombstone collection a delete added to.
    pub(super) fn apply_stamped(
        self,
        data: &mut Collections,
        body: Value,
        touched: &mut Vec<String>,
    ) -> Result<Answer, SageError> {
        let stamps = self.stamps();
        let item = route::ends_with_variable(&self.operation.path);
        let key = self.rest.rsplit('/').next().unwrap_or_default().to_owned();
        let collection = if item { route::parent(self.rest) } else { self.rest };
        let doomed = match self.operation.method {
            ir::Method::Delete if item => data.get(collection).and_then(|stored| records::find(stored, &key).cloned()),
            _ => None,
        };
        let answer = self.apply(data, body, touched)?;
        let at = self.clock.write_time();
        Ok(match (self.operation.method, answer) {
            (ir::Method::Post, Answer::Body(created)) => {
                let id = id_text(&created["id"]);
                let stored = data.get_mut(self.rest).and_then(|stored| {
                    let record = stored.iter_mut().rev().find(|record| id_text(&record["id"]) == id)?;
                    stamps.created(record, at);
                    Some(record.clone())
                });
                Answer::Body(stored.unwrap_or(created))
            }
            (ir::Method::Put | ir::Method::Patch, Answer::Body(Value::Array(items))) if !item => {
                let stored = data.entry(self.rest.to_owned()).or_default();
                let items = items
                    .into_iter()
                    .map(|sent| clock::touch(stored, &id_text(&sent["id"]), stamps, at).unwrap_or(sent))
                    .collect();
                Answer::Body(Value::Array(items))
            }
            (ir::Method::Put | ir::Method::Patch, Answer::Body(updated)) if item => {
                let stored = data.get_mut(collection).and_then(|stored| clock::touch(stored, &key, stamps, at));
                Answer::Body(stored.unwrap_or(updated))
            }
            (ir::Method::Delete, answer) => {
                if let (Some(record), true) = (doomed, self.rules.accounting()) {
                    let tombstones = clock::tombstones_of(collection);
                    data.entry(tombstones.clone()).or_default().push(clock::tombstone(&record, at));
                    touched.push(tombstones);
                }
                answer
            }
            (_, answer) => answer,
        })
    }
}
