//! Operations called by name: a request built from the catalog, decoded as plain JSON.

use sage_core::{ListOperation, Operation, Page, Request};

/// A list operation known only at run time.
pub struct DynamicList(pub Request);

impl Operation for DynamicList {
    type Output = Page<serde_json::Value>;

    fn request(&self) -> sage_core::Result<Request> {
        Ok(self.0.clone())
    }
}

impl ListOperation for DynamicList {
    type Item = serde_json::Value;
}
