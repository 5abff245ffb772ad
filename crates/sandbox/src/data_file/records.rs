//! API records: which tenants were seeded, and each collection's records in order.

use std::collections::HashMap;

use rusqlite::{params, Transaction};
use serde_json::Value;

use super::{DataError, DataFile};
use crate::api::Collections;

/// Data per (product, tenant), as the API keeps it in memory.
pub(crate) type Store = HashMap<(String, String), Collections>;

impl DataFile {
    /// Every seeded tenant with its collections (a tenant whose records were all deleted stays, empty).
    pub(crate) fn load_records(&self) -> Result<Store, DataError> {
        let connection = self.connection();
        let mut store = Store::new();
        let mut tenants = connection.prepare("SELECT product, tenant FROM tenants")?;
        for row in tenants.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))? {
            store.insert(row?, Collections::new());
        }
        let mut records = connection.prepare(
            "SELECT product, tenant, collection, body FROM records ORDER BY product, tenant, collection, position",
        )?;
        let rows = records.query_map([], |row| {
            Ok((
                (row.get::<_, String>(0)?, row.get::<_, String>(1)?),
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
            ))
        })?;
        for row in rows {
            let (tenant, collection, body) = row?;
            let record: Value = serde_json::from_str(&body)?;
            store.entry(tenant).or_default().entry(collection).or_default().push(record);
        }
        Ok(store)
    }

    /// Stores a freshly seeded tenant, so it is never seeded again over the user's changes.
    pub(crate) fn save_tenant(&self, product: &str, tenant: &str, collections: &Collections) -> Result<(), DataError> {
        let mut connection = self.connection();
        let transaction = connection.transaction()?;
        transaction
            .execute("INSERT OR IGNORE INTO tenants (product, tenant) VALUES (?1, ?2)", params![product, tenant])?;
        for (collection, records) in collections {
            replace(&transaction, product, tenant, collection, records)?;
        }
        Ok(transaction.commit()?)
    }

    /// Replaces one collection's records (after a create, update or delete in it).
    pub(crate) fn save_collection(
        &self,
        product: &str,
        tenant: &str,
        collection: &str,
        records: &[Value],
    ) -> Result<(), DataError> {
        let mut connection = self.connection();
        let transaction = connection.transaction()?;
        replace(&transaction, product, tenant, collection, records)?;
        Ok(transaction.commit()?)
    }
}

/// Rewrites a collection whole: collections are small, and this keeps the order the API lists them in.
fn replace(
    transaction: &Transaction<'_>,
    product: &str,
    tenant: &str,
    collection: &str,
    records: &[Value],
) -> Result<(), DataError> {
    transaction.execute(
        "DELETE FROM records WHERE product = ?1 AND tenant = ?2 AND collection = ?3",
        params![product, tenant, collection],
    )?;
    let mut insert = transaction.prepare_cached(
        "INSERT INTO records (product, tenant, collection, position, body) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (position, record) in records.iter().enumerate() {
        let position = i64::try_from(position).unwrap_or(i64::MAX);
        insert.execute(params![product, tenant, collection, position, record.to_string()])?;
    }
    Ok(())
}
