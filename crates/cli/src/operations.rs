//! `sage operations`: a product's operations, or one operation in full — its parameters, and where
//! the same call lives in Rust. An operation that another edition of the same API lacks (Sage 200's
//! Professional-only ones) is marked; a Standard listing names the Professional-only ones it lacks.

use std::fmt::Write as _;

use sage_core::catalog::{OperationSpec, ParamLocation};

use crate::error::CliError;
use crate::products::{self, Entry};
use crate::suggest;

pub fn run(product: &str, operation: Option<&str>) -> Result<(), CliError> {
    let entry = products::find(product).map_err(CliError::Usage)?;
    let all = products::all();
    match operation {
        Some(name) => print!("{}", describe(&entry, suggest::operation(&entry, name)?, &all)),
        None => print!("{}", listing(&entry, &all)),
    }
    Ok(())
}

/// One line per operation: name, method, path, and notes (deprecated, edition only); then the
/// operations other editions of the API have and this one lacks.
fn listing(entry: &Entry, all: &[Entry]) -> String {
    let mut out = String::new();
    for spec in entry.operations {
        let deprecated = if spec.deprecated { " (deprecated)" } else { "" };
        let only = edition_only(spec, entry, all).map(|only| format!(" ({only})")).unwrap_or_default();
        writeln!(out, "{:<48} {:<6} {}{deprecated}{only}", spec.name, spec.method.as_str(), spec.path).ok();
    }
    for sibling in editions(entry, all) {
        let missing: Vec<&OperationSpec> =
            sibling.operations.iter().filter(|spec| !spec.products.contains(&entry.product.name)).collect();
        if missing.is_empty() {
            continue;
        }
        let title = sibling.product.title;
        writeln!(
            out,
            "\n{} more operations are {title} only, not on {} (`sage operations {}` lists them):",
            missing.len(),
            entry.product.title,
            sibling.product.name,
        )
        .ok();
        for spec in missing {
            writeln!(out, "{:<48} {:<6} {} ({title} only)", spec.name, spec.method.as_str(), spec.path).ok();
        }
    }
    out
}

/// The other editions of `entry`'s API (Sage 200 Professional for Standard Online and back).
fn editions<'a>(entry: &'a Entry, all: &'a [Entry]) -> impl Iterator<Item = &'a Entry> {
    all.iter().filter(move |other| other.product.api == entry.product.api && other.product.name != entry.product.name)
}

/// `Sage 200 Professional only` for an operation of `entry` that another edition of its API lacks.
fn edition_only(spec: &OperationSpec, entry: &Entry, all: &[Entry]) -> Option<String> {
    if spec.products.is_empty() || editions(entry, all).all(|other| spec.products.contains(&other.product.name)) {
        return None;
    }
    let titles: Vec<&str> = spec
        .products
        .iter()
        .map(|name| all.iter().find(|other| other.product.name == *name).map_or(*name, |other| other.product.title))
        .collect();
    Some(format!("{} only", titles.join(" and ")))
}

/// Method and path, every parameter with its type and description, the Rust type and its feature.
fn describe(entry: &Entry, spec: &OperationSpec, all: &[Entry]) -> String {
    let type_name = sage_schema::names::type_name(spec.name).unwrap_or_default();
    let module = entry.product.name.replace('-', "_");
    let mut out = format!("{} {} {}\n", spec.name, spec.method.as_str(), spec.path);
    if !spec.summary.is_empty() {
        writeln!(out, "  {}", spec.summary).ok();
    }
    if let Some(only) = edition_only(spec, entry, all) {
        writeln!(out, "  {only}: a client of another edition refuses it before sending").ok();
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
        let text = describe(&entry, suggest::operation(&entry, "list_contacts").unwrap(), &products::all());
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
        let text = describe(&entry, suggest::operation(&entry, "create_sales_invoice").unwrap(), &products::all());
        assert!(text.contains("sage::accounting_v31::sales::CreateSalesInvoice"), "{text}");
        assert!(text.contains("body:"), "{text}");
    }
}
