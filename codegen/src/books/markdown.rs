//! The matrix as the docs' table (`docs/capabilities.md`): products as columns; every resource ×
//! operation; then the fields where a product differs; then what each create requires.

use std::fmt::Write;

use super::matrix::{FieldFact, Matrix, ModelOp, Support};
use crate::emit::header_line;

const LEGEND: &str = "✓ supported, with the product's operation or field that serves it · read-only: the product \
has the field but sets it itself, a create cannot · — not available · n/a: the product has no such operation";

/// The page, with its generated header naming `source`.
pub(crate) fn capabilities_md(matrix: &Matrix, source: &str) -> String {
    let header = header_line("", source);
    let mut out = format!("<!--{} -->\n", header.trim_end());
    out.push_str(
        "# What each product does through the finance model\n\n\
         `sage-books` checks every call against this matrix before sending anything: an operation or a \
         field a product does not have fails with `Error::Unsupported`, a create missing a field the \
         product requires with `Error::Missing`. The generator derives it from the mapping spec in \
         `schemas/books/` (which operation and field of each product serves the model) and the \
         product schemas; the same facts are `sage_books::capability::CAPABILITIES` and `REQUIREMENTS`.\n\n",
    );
    let _ = writeln!(out, "{LEGEND}\n");
    operations(matrix, &mut out);
    fields(matrix, &mut out);
    requirements(matrix, &mut out);
    out
}

fn table_head(out: &mut String, first: &[&str], products: &[String]) {
    let columns: Vec<String> = first.iter().map(|name| (*name).to_owned()).chain(products.iter().cloned()).collect();
    let _ = writeln!(out, "| {} |", columns.join(" | "));
    let _ = writeln!(out, "|{}", "---|".repeat(columns.len()));
}

fn operations(matrix: &Matrix, out: &mut String) {
    out.push_str("## Operations\n\n");
    table_head(out, &["resource", "operation"], &matrix.products);
    for resource in &matrix.resources {
        for operation in ModelOp::ALL {
            let cells: Vec<String> = matrix
                .products
                .iter()
                .map(|product| match matrix.operation(product, resource, operation) {
                    Some(fact) if fact.support == Support::Supported => {
                        format!("✓ `{}`", fact.product_operation.as_deref().unwrap_or_default())
                    }
                    _ => "—".to_owned(),
                })
                .collect();
            let _ = writeln!(out, "| {resource} | {operation} | {} |", cells.join(" | "));
        }
    }
    out.push('\n');
}

/// One field's cell for one product (`None`: the product has no such operation).
fn cell(fact: Option<&FieldFact>) -> String {
    let Some(fact) = fact else { return "n/a".to_owned() };
    let paths = fact.paths.iter().map(|path| format!("`{path}`")).collect::<Vec<_>>().join(", ");
    match fact.support {
        Support::Supported => format!("✓ {paths}"),
        Support::ReadOnly => format!("read-only ({paths})"),
        Support::NotAvailable => "—".to_owned(),
    }
}

fn fields(matrix: &Matrix, out: &mut String) {
    out.push_str(
        "## Fields that differ\n\n\
         Model fields that some product lacks, or only reads, where it has the operation; every other \
         field of the model is supported by every product that has the operation. `list, get` when \
         both read the same.\n\n",
    );
    table_head(out, &["resource", "operation", "field"], &matrix.products);
    for resource in &matrix.resources {
        let fields_of = |operation: ModelOp| -> Vec<&str> {
            let mut names: Vec<&str> = Vec::new();
            for fact in matrix.fields.iter().filter(|fact| &fact.resource == resource && fact.operation == operation) {
                if !names.contains(&fact.field.as_str()) {
                    names.push(&fact.field);
                }
            }
            names
        };
        for operation in [ModelOp::Get, ModelOp::List, ModelOp::Create] {
            for field in fields_of(operation) {
                let facts = |operation: ModelOp| -> Vec<Option<&FieldFact>> {
                    matrix.products.iter().map(|product| matrix.field(product, resource, operation, field)).collect()
                };
                let row = facts(operation);
                if row.iter().flatten().all(|fact| fact.support == Support::Supported) {
                    continue;
                }
                let supports = |facts: &[Option<&FieldFact>]| -> Vec<Option<Support>> {
                    facts.iter().map(|fact| fact.map(|fact| fact.support)).collect()
                };
                let same_as_get = |these: &[Option<&FieldFact>]| supports(these) == supports(&facts(ModelOp::Get));
                let label = match operation {
                    ModelOp::Get if same_as_get(&facts(ModelOp::List)) => "list, get",
                    ModelOp::List if same_as_get(&row) => continue,
                    other => other.name(),
                };
                let cells: Vec<String> = row.into_iter().map(cell).collect();
                let _ = writeln!(out, "| {resource} | {label} | `{field}` | {} |", cells.join(" | "));
            }
        }
    }
    out.push('\n');
}

fn requirements(matrix: &Matrix, out: &mut String) {
    out.push_str(
        "## Required on create\n\n\
         The model fields a create must set, from each product's create body (`item_lines[].x`: on every \
         line). A create missing one fails before sending.\n\n",
    );
    table_head(out, &["resource"], &matrix.products);
    for resource in &matrix.resources {
        let cells: Vec<String> = matrix
            .products
            .iter()
            .map(|product| match matrix.required(product, resource) {
                Some([]) => "(none)".to_owned(),
                Some(fields) => fields.iter().map(|field| format!("`{field}`")).collect::<Vec<_>>().join(", "),
                None => "n/a".to_owned(),
            })
            .collect();
        if cells.iter().all(|cell| cell == "n/a") {
            continue;
        }
        let _ = writeln!(out, "| {resource} | {} |", cells.join(" | "));
    }
}
