//! `sage operations`: a product's operations, or one operation in full — its parameters, and where
//! the same call lives in Rust.

use std::fmt::Write as _;

use sage_core::catalog::{OperationSpec, ParamLocation};

use crate::error::CliError;
use crate::products::{self, Entry};
use crate::suggest;

pub fn run(product: &str, operation: Option<&str>) -> Result<(), CliError> {
    let entry = products::find(product).map_err(CliError::Usage)?;
    match operation {
        Some(name) => print!("{}", describe(&entry, suggest::operation(&entry, name)?)),
        None => {
            for spec in entry.operations {
                let deprecated = if spec.deprecated { " (deprecated)" } else { "" };
                println!("{:<48} {:<6} {}{deprecated}", spec.name, spec.method.as_str(), spec.path);
            }
        }
    }
    Ok(())
}

/// Method and path, every parameter with its type and description, the Rust type and its feature.
fn describe(entry: &Entry, spec: &OperationSpec) -> String {
    let type_name = sage_schema::names::type_name(spec.name).unwrap_or_default();
    let module = entry.product.name.replace('-', "_");
    let mut out = format!("{} {} {}\n", spec.name, spec.method.as_str(), spec.path);
    if !spec.summary.is_empty() {
        writeln!(out, "  {}", spec.summary).ok();
    }
    if spec.deprecated {
        writeln!(out, "  deprecated: see the Rust type's documentation for its replacement").ok();
    }
    writeln!(out, "\nRust:     sage::{module}::{}::{type_name}", spec.area).ok();
    writeln!(
        out,
        "feature:  {crate_name}/{area} (every area: feature `{product}-full` of `sage`)",
        crate_name = entry.crate_name,
        area = spec.area,
        product = entry.product.name,
    )
    .ok();
    if spec.body {
        writeln!(out, "body:     JSON (--body FILE, or - for standard input)").ok();
    }
    if spec.list {
        writeln!(out, "returns:  a list, page by page (`sage export` follows every page)").ok();
    }
    if spec.params.is_empty() {
        writeln!(out, "\nno parameters").ok();
        return out;
    }
    writeln!(out, "\nparameters (on the command line by wire name: --path key=… / --query name=…):").ok();
    for param in spec.params {
        let (flag, rust) = match (param.location, param.required) {
            (ParamLocation::Path, _) => ("--path", format!("new({}, …)", param.rust_name)),
            (ParamLocation::Query, true) => ("--query", format!("new({}, …)", param.rust_name)),
            (ParamLocation::Query, false) => ("--query", format!(".{}(…)", param.rust_name)),
        };
        let required = if param.required { "required" } else { "optional" };
        writeln!(out, "  {:<28} {flag:<7} {required:<8} {}", param.name, param.ty.describe()).ok();
        writeln!(out, "  {:<28} Rust: {rust}", "").ok();
        if !param.description.is_empty() {
            writeln!(out, "  {:<28} {}", "", param.description).ok();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_operation_is_described_with_its_rust_path_feature_and_parameters() {
        let entry = products::find("accounting-v31").unwrap();
        let text = describe(&entry, suggest::operation(&entry, "list_contacts").unwrap());
        assert!(text.starts_with("list_contacts GET /contacts\n"), "{text}");
        assert!(text.contains("Rust:     sage::accounting_v31::contacts::ListContacts"), "{text}");
        assert!(text.contains("feature:  sage-accounting-v31/contacts"), "{text}");
        assert!(text.contains("items_per_page") && text.contains("integer"), "{text}");
        assert!(text.contains("Rust: .items_per_page(…)"), "{text}");
    }

    #[test]
    fn the_printed_rust_path_names_the_real_type() {
        // The type the generator wrote, as the compiler names it.
        let real = std::any::type_name::<sage_accounting_v31::sales::CreateSalesInvoice>();
        assert_eq!(real, "sage_accounting_v31::generated::sales::CreateSalesInvoice");
        let entry = products::find("accounting-v31").unwrap();
        let text = describe(&entry, suggest::operation(&entry, "create_sales_invoice").unwrap());
        assert!(text.contains("sage::accounting_v31::sales::CreateSalesInvoice"), "{text}");
        assert!(text.contains("body:"), "{text}");
    }
}
