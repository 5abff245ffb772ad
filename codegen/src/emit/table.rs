//! `operations.rs`: every operation as data, so a CLI or test can call one by name without its type.

use std::collections::BTreeMap;
use std::fmt::Write;

use proc_macro2::Literal;

use super::operation::{method_variant, operation_products};
use super::scope::Scope;
use crate::ir::{Area, Method, ModelKind, Operation, Param, ParamLocation, Product, Response, Type};
use crate::names::type_name;

// The tables are plain data in a few fixed shapes, and nearly a fifth of all generated lines: they are
// written as text rather than built as tokens for `prettyplease` to parse and print.

/// Wider than this, a list is written one element per line.
const WIDTH: usize = 100;

const MODULE_DOCS: &str = "\
//! Every operation of this API as data, for tools that call operations by name (a CLI, tests).
//!
//! Build a call with `OperationSpec::request` from `name=value` pairs and send it with
//! `sage_core::Client::execute`. Compiled with the `catalog` feature, whatever areas are enabled.
";

const IMPORTS: &str = "pub use sage_core::catalog::{OperationSpec, ParamLocation, ParamSpec, ParamType};\n";

const LOOKUP: &str = "\
/// The operation called `name`, if there is one.
pub fn find(name: &str) -> Option<&'static OperationSpec> {
    sage_core::catalog::find(OPERATIONS, name).ok()
}
";

pub(crate) fn operations_table(product: &Product) -> String {
    let scope = Scope::new(product);
    let mut pool = ParamPool::default();
    let entries: Vec<String> =
        sorted_operations(product).iter().map(|(area, op)| spec(area, op, &mut pool, &scope, "    ")).collect();
    let mut text = format!("{MODULE_DOCS}{IMPORTS}{}", operations_const(&entries));
    text.push_str(&pool.consts());
    text.push_str(LOOKUP);
    text.push_str(&read_function(product));
    text
}

/// A shared crate's `operations.rs`: each operation of `product` as a `const` named after it, for
/// the tables of the products built on the crate.
pub(crate) fn shared_specs(scope: &Scope<'_>) -> String {
    let product = scope.product;
    let mut pool = ParamPool::default();
    let mut text =
        String::from("//! Every operation of the API as data; each edition's `OPERATIONS` lists the ones it has.\n");
    text.push_str(IMPORTS);
    for (area, op) in sorted_operations(product) {
        let spec = spec(area, op, &mut pool, scope, "");
        let _ = writeln!(text, "/// `{}`\npub const {}: OperationSpec = {spec};", op.name, spec_const(&op.name));
    }
    text.push_str(&pool.consts());
    text
}

/// `operations.rs` of a product built on `shared_crate`: its operations, named in the shared crate.
pub(crate) fn edition_table(product: &Product, shared_crate: &str) -> String {
    let entries: Vec<String> = sorted_operations(product)
        .into_iter()
        .map(|(_, op)| format!("    {shared_crate}::operations::{}", spec_const(&op.name)))
        .collect();
    format!("{MODULE_DOCS}{IMPORTS}{}{LOOKUP}{}", operations_const(&entries), read_function(product))
}

/// `read`: a response of any read operation (`GET`) decoded and audited through its typed output, for
/// `sage doctor`. An arm per operation, compiled with the operation's area.
fn read_function(product: &Product) -> String {
    let mut text = String::from(
        "\n/// A response body of the read operation `name` decoded through its typed output, with every place it\n\
         /// differs from the schema (`sage doctor`); `None` for other operations and for areas not compiled in.\n\
         #[allow(deprecated)]\n\
         pub fn read(name: &str, body: &[u8]) -> Option<sage_core::catalog::Reading> {\n    \
         match name {\n",
    );
    for (area, op) in sorted_operations(product) {
        if op.method != Method::Get {
            continue;
        }
        let ty = type_name(&op.name).unwrap_or_default();
        let _ = writeln!(
            text,
            "        #[cfg(feature = {area:?})]\n        {name:?} => Some(sage_core::catalog::read_as::<<crate::{area}::{ty} as sage_core::Operation>::Output>({name:?}, body)),",
            area = area.name,
            name = op.name,
        );
    }
    text.push_str("        _ => {\n            let _ = body;\n            None\n        }\n    }\n}\n");
    text
}

/// `OPERATIONS`, from entries written at one level of indentation.
fn operations_const(entries: &[String]) -> String {
    let mut text = String::from("/// Every operation, sorted by name.\npub const OPERATIONS: &[OperationSpec] = &[\n");
    for entry in entries {
        let _ = writeln!(text, "{entry},");
    }
    text.push_str("];\n");
    text
}

/// The const naming an operation's spec in a shared crate: `LIST_CUSTOMERS`.
pub(crate) fn spec_const(operation: &str) -> String {
    operation.to_ascii_uppercase()
}

fn sorted_operations(product: &Product) -> Vec<(&Area, &Operation)> {
    let mut operations: Vec<_> = product
        .areas
        .iter()
        .flat_map(|area| {
            area.resources.iter().flat_map(move |resource| resource.operations.iter().map(move |op| (area, op)))
        })
        .collect();
    operations.sort_by(|(_, a), (_, b)| a.name.cmp(&b.name));
    operations
}

/// An `OperationSpec { … }` literal, its fields indented one level past `indent`.
fn spec(area: &Area, op: &Operation, pool: &mut ParamPool, scope: &Scope<'_>, indent: &str) -> String {
    let params: Vec<String> =
        op.params.iter().map(|param| pool.name(&param.rust_name, param_spec(param, scope))).collect();
    let field = format!("{indent}    ");
    let mut text = format!("{indent}OperationSpec {{\n");
    let _ = writeln!(text, "{field}name: {},", string(&op.name));
    let _ = writeln!(text, "{field}area: {},", string(&area.name));
    let _ = writeln!(text, "{field}method: sage_core::Method::{},", method_variant(op.method));
    let _ = writeln!(text, "{field}path: {},", string(&op.path));
    let _ = writeln!(text, "{field}summary: {},", string(&op.summary));
    let _ = writeln!(text, "{field}params: &{},", list(&params, &field, field.len() + "params: &".len()));
    let _ = writeln!(text, "{field}body: {},", op.body.is_some());
    let _ = writeln!(text, "{field}list: {},", matches!(op.response, Response::List(_)));
    let _ = writeln!(text, "{field}idempotent: {},", op.idempotent);
    let _ = writeln!(text, "{field}deprecated: {},", op.deprecated.is_some());
    let products: Vec<String> = operation_products(op, scope).into_iter().map(string).collect();
    let _ = writeln!(text, "{field}products: &[{}],", products.join(", "));
    text.push_str(indent);
    text.push('}');
    text
}

/// A `ParamSpec { … }` literal for a `const` at the top level.
fn param_spec(param: &Param, scope: &Scope<'_>) -> String {
    let location = match param.location {
        ParamLocation::Path => "Path",
        ParamLocation::Query => "Query",
    };
    let mut text = String::from("ParamSpec {\n");
    let _ = writeln!(text, "    name: {},", string(&param.name));
    let _ = writeln!(text, "    rust_name: {},", string(&param.rust_name));
    let _ = writeln!(text, "    location: ParamLocation::{location},");
    let _ = writeln!(text, "    required: {},", param.required);
    let _ = writeln!(text, "    ty: {},", param_type(&param.ty, scope, "    ".len() + "ty: ".len()));
    let _ = writeln!(text, "    description: {},", string(first_sentence(&param.description)));
    text.push('}');
    text
}

/// Parameters written once each as a `const` and named by operations that share them: list
/// operations repeat the same paging and OData parameters hundreds of times.
#[derive(Default)]
struct ParamPool {
    /// Const name and definition, in first-use order.
    specs: Vec<(String, String)>,
    by_text: BTreeMap<String, usize>,
}

impl ParamPool {
    /// The const holding `spec` (named after the parameter), added on first use.
    fn name(&mut self, rust_name: &str, spec: String) -> String {
        let index = match self.by_text.get(&spec) {
            Some(index) => *index,
            None => {
                let base = format!("P_{}", rust_name.trim_start_matches("r#").to_ascii_uppercase());
                let taken = |name: &str| self.specs.iter().any(|(taken, _)| taken == name);
                let name = (1..)
                    .map(|n| if n == 1 { base.clone() } else { format!("{base}_{n}") })
                    .find(|name| !taken(name))
                    .unwrap_or_default();
                self.by_text.insert(spec.clone(), self.specs.len());
                self.specs.push((name, spec));
                self.specs.len() - 1
            }
        };
        self.specs[index].0.clone()
    }

    fn consts(&self) -> String {
        self.specs.iter().map(|(name, spec)| format!("const {name}: ParamSpec = {spec};\n")).collect()
    }
}

/// The catalog's view of a parameter type: scalars, enums (inline or models) and lists of them.
/// `column` is where the type starts on its line, for wrapping a long list of values.
fn param_type(ty: &Type, scope: &Scope<'_>, column: usize) -> String {
    let enum_type = |values: &[String]| {
        let literals: Vec<String> = values.iter().map(|value| string(value)).collect();
        format!("ParamType::Enum(&{})", list(&literals, "    ", column + "ParamType::Enum(&".len()))
    };
    match ty {
        Type::Integer => "ParamType::Integer".to_owned(),
        Type::Boolean => "ParamType::Boolean".to_owned(),
        Type::Decimal => "ParamType::Decimal".to_owned(),
        Type::Date => "ParamType::Date".to_owned(),
        Type::DateTime => "ParamType::DateTime".to_owned(),
        Type::Enum(values) => enum_type(values),
        Type::Model(name) => match scope.model(name).map(|model| &model.kind) {
            Some(ModelKind::Enum { values }) => enum_type(values),
            _ => "ParamType::String".to_owned(),
        },
        Type::Array(item) => {
            format!("ParamType::List(&{})", param_type(item, scope, column + "ParamType::List(&".len()))
        }
        Type::String | Type::Json | Type::Map(_) => "ParamType::String".to_owned(),
    }
}

/// `[a, b]` on one line when it fits in [`WIDTH`] from `column` on; otherwise one element per line,
/// indented one level past `indent`, the closing bracket at `indent`.
fn list(items: &[String], indent: &str, column: usize) -> String {
    let one_line = format!("[{}]", items.join(", "));
    if column + one_line.len() + ",".len() <= WIDTH {
        return one_line;
    }
    let mut text = String::from("[\n");
    for item in items {
        let _ = writeln!(text, "{indent}    {item},");
    }
    text.push_str(indent);
    text.push(']');
    text
}

/// A Rust string literal, escaped as `quote` would.
fn string(text: &str) -> String {
    Literal::string(text).to_string()
}

/// The first sentence (or line) of a description: enough for help text, and keeps the table small.
/// A sentence does not end at an abbreviation: "OData filter expression, e.g. `balance gt 100` …"
/// is kept whole.
fn first_sentence(description: &str) -> &str {
    let line = description.lines().next().unwrap_or_default().trim();
    let mut from = 0;
    while let Some(offset) = line[from..].find(". ") {
        let end = from + offset;
        if !ends_with_abbreviation(&line[..=end]) {
            return &line[..=end];
        }
        from = end + ". ".len();
    }
    line
}

/// Abbreviations whose dot ends no sentence.
const ABBREVIATIONS: [&str; 10] = ["e.g.", "i.e.", "eg.", "ie.", "etc.", "vs.", "cf.", "approx.", "incl.", "no."];

/// Whether `text` ends with an abbreviation (`… for example, e.g.`, `(i.e.`).
fn ends_with_abbreviation(text: &str) -> bool {
    let word = text.rsplit(char::is_whitespace).next().unwrap_or_default();
    let word = word.trim_start_matches(|c: char| !c.is_alphanumeric());
    ABBREVIATIONS.iter().any(|abbreviation| word.eq_ignore_ascii_case(abbreviation))
}

#[cfg(test)]
mod tests {
    use super::first_sentence;

    #[test]
    fn a_first_sentence_does_not_end_at_an_abbreviation() {
        let filter = "OData filter expression, e.g. `balance gt 100` (dates in UTC with `Z`, enum values quoted).";
        assert_eq!(first_sentence(filter), filter);
        assert_eq!(first_sentence("Sort order (i.e. `name asc`). Defaults to none."), "Sort order (i.e. `name asc`).");
        assert_eq!(first_sentence("Page size. At most 200."), "Page size.");
        assert_eq!(first_sentence("One line\nand another"), "One line");
        assert_eq!(first_sentence(""), "");
    }
}
