//! Product field paths (`invoice_lines[].ledger_account_id`, `main_address.city`) looked up in a
//! product's models: `.` steps into a nested model, `[]` into the elements of an array.

use crate::emit::scope::Scope;
use crate::ir::{Field, ModelKind, Type};

/// The fields of the struct model `name`, if it is one.
fn fields<'p>(scope: &Scope<'p>, name: &str) -> Option<&'p [Field]> {
    match &scope.model(name)?.kind {
        ModelKind::Struct { fields } => Some(fields),
        ModelKind::Enum { .. } => None,
    }
}

/// The field `path` ends at, starting from the model `root`; `None` when a step is missing.
pub(crate) fn resolve<'p>(scope: &Scope<'p>, root: &str, path: &str) -> Option<&'p Field> {
    let mut model = root.to_owned();
    let mut steps = path.split('.').peekable();
    while let Some(step) = steps.next() {
        let (name, each) = step.strip_suffix("[]").map_or((step, false), |name| (name, true));
        let field = fields(scope, &model)?.iter().find(|field| field.json_name == name)?;
        if steps.peek().is_none() {
            return Some(field);
        }
        let inner = match (&field.ty, each) {
            (Type::Array(element), true) => element.as_ref(),
            (other, false) => other,
            (_, true) => return None,
        };
        let Type::Model(next) = inner else { return None };
        model = next.clone();
    }
    None
}

/// The paths a create body must set: its required fields, and the required fields of a required
/// nested model or list of models (`invoice_lines[].ledger_account_id`), two levels deep.
pub(crate) fn required(scope: &Scope<'_>, root: &str) -> Vec<String> {
    let mut found = Vec::new();
    collect_required(scope, root, "", 0, &mut found);
    found
}

fn collect_required(scope: &Scope<'_>, model: &str, prefix: &str, depth: usize, found: &mut Vec<String>) {
    for field in fields(scope, model).unwrap_or_default().iter().filter(|field| field.required) {
        let path = format!("{prefix}{}", field.json_name);
        found.push(path.clone());
        if depth == 1 {
            continue;
        }
        match &field.ty {
            Type::Array(element) => {
                if let Type::Model(inner) = element.as_ref() {
                    collect_required(scope, inner, &format!("{path}[]."), depth + 1, found);
                }
            }
            Type::Model(inner) => collect_required(scope, inner, &format!("{path}."), depth + 1, found),
            _ => {}
        }
    }
}
