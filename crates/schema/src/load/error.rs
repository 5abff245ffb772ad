//! Schema errors: every one names the file, the JSON pointer and the reason.

use std::fmt;

/// One problem in a schema file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    /// The file, as given to the loader (e.g. `schemas/accounting-v31/contacts.json`).
    pub file: String,
    /// RFC 6901 pointer to the offending value (`""` is the whole file).
    pub pointer: String,
    /// What is wrong, and when useful, what to do.
    pub reason: String,
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pointer = if self.pointer.is_empty() { "(root)" } else { &self.pointer };
        write!(f, "{}: {}: {}", self.file, pointer, self.reason)
    }
}

/// All problems found in one run, so a schema author fixes them in one pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaErrors(pub Vec<SchemaError>);

impl fmt::Display for SchemaErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.0.len();
        writeln!(f, "{count} schema error{}:", if count == 1 { "" } else { "s" })?;
        for error in &self.0 {
            writeln!(f, "  {error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SchemaErrors {}

/// Appends one reference token to a JSON pointer, escaping `~` and `/` as RFC 6901 requires.
pub(crate) fn child(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", token.replace('~', "~0").replace('/', "~1"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_tokens_are_escaped() {
        assert_eq!(child("/paths", "/contacts/{key}"), "/paths/~1contacts~1{key}");
        assert_eq!(child("", "a~b"), "/a~0b");
    }
}
