//! "Did you mean …?" for names typed on the command line: operations, parameters, products.

use sage_core::catalog::{self, CatalogError, OperationSpec};

use crate::error::CliError;
use crate::products::Entry;

/// ` (did you mean `x`?)` for the candidate closest to `typed`, or nothing when none is close.
pub fn did_you_mean<'a>(typed: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(typed, candidates).map(|name| format!(" (did you mean `{name}`?)")).unwrap_or_default()
}

/// The candidate with the smallest edit distance to `typed`, if it is within a third of its length
/// (at least one edit), ignoring case.
pub fn closest<'a>(typed: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let typed = typed.to_ascii_lowercase();
    let limit = (typed.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|candidate| (strsim::damerau_levenshtein(&typed, &candidate.to_ascii_lowercase()), candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// The operation called `name` in `entry`, or a usage error with the closest names.
pub fn operation(entry: &Entry, name: &str) -> Result<&'static OperationSpec, CliError> {
    catalog::find(entry.operations, name).map_err(|err| explain(entry, err))
}

/// A catalog error as the user should read it: unknown names come with a suggestion.
pub fn explain(entry: &Entry, err: CatalogError) -> CliError {
    let product = entry.product.name;
    match &err {
        CatalogError::UnknownOperation(name) => CliError::Usage(format!(
            "{err}{}; `sage operations {product}` lists them",
            did_you_mean(name, entry.operations.iter().map(|spec| spec.name))
        )),
        CatalogError::UnknownParameter { operation, name } => {
            let params = catalog::find(entry.operations, operation).map(|spec| spec.params).unwrap_or_default();
            // The Rust setter name (`filter`) finds its wire name (`$filter`) too.
            let by_setter = params.iter().find(|param| param.rust_name == name.as_str()).map(|param| param.name);
            let hint = match by_setter {
                Some(wire) => format!(" (did you mean `{wire}`?)"),
                None => did_you_mean(name, params.iter().map(|param| param.name)),
            };
            CliError::Usage(format!("{err}{hint}; `sage operations {product} {operation}` lists its parameters"))
        }
        _ => CliError::Usage(err.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_names_are_suggested_and_far_ones_are_not() {
        let names = ["list_contacts", "get_contact", "list_sales_invoices"];
        assert_eq!(closest("list_contact", names), Some("list_contacts"));
        assert_eq!(closest("List_Contacs", names), Some("list_contacts"));
        assert_eq!(closest("delete_everything", names), None);
        assert_eq!(did_you_mean("ab", ["xy"]), "");
    }

    #[test]
    fn parameters_are_suggested_by_wire_name_and_by_setter() {
        let entry = crate::products::find("sage200-pro").unwrap();
        let err = CatalogError::UnknownParameter { operation: "list_customers", name: "filter".into() };
        assert!(explain(&entry, err).to_string().contains("did you mean `$filter`?"));
        let err = CatalogError::UnknownParameter { operation: "list_customers", name: "$fitler".into() };
        assert!(explain(&entry, err).to_string().contains("did you mean `$filter`?"));
    }
}
