//! Turning schema names into Rust names, and checking that they can be.
//!
//! The loader uses these to reject names early (with a file and pointer); the generator builds its
//! identifiers from the same rules, so a schema that loads always generates.

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Keywords of Rust 2021 (strict and reserved), plus `gen`, reserved from 2024 on.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate", "do", "dyn", "else",
    "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro", "match", "mod",
    "move", "mut", "override", "priv", "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait",
    "true", "try", "type", "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be written as raw identifiers either.
const NOT_RAW: &[&str] = &["crate", "self", "Self", "super", "_"];

/// Type names generated code uses unqualified; a model with one of these names would shadow it.
const PRELUDE_TYPES: &[&str] = &[
    "Box",
    "Clone",
    "Debug",
    "Default",
    "Eq",
    "Err",
    "From",
    "Into",
    "None",
    "Ok",
    "Option",
    "PartialEq",
    "Result",
    "Self",
    "Some",
    "String",
    "Vec",
];

/// Whether `name` is a Rust keyword (and so needs `r#`).
pub fn is_keyword(name: &str) -> bool {
    KEYWORDS.contains(&name)
}

/// Whether `name` is usable as a Rust identifier, raw if need be.
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    let starts_well = chars.next().is_some_and(|first| first.is_ascii_alphabetic() || first == '_');
    starts_well && chars.all(|c| c.is_ascii_alphanumeric() || c == '_') && !NOT_RAW.contains(&name)
}

/// `snake_case` form of a wire name (`$itemsPerPage` → `items_per_page`), if it is a valid identifier.
pub fn snake_name(wire: &str) -> Option<String> {
    Some(wire.to_snake_case()).filter(|name| is_identifier(name))
}

/// `UpperCamelCase` form of a schema name, if it is a valid type name that shadows nothing.
pub fn type_name(name: &str) -> Option<String> {
    Some(name.to_upper_camel_case()).filter(|name| is_identifier(name) && !PRELUDE_TYPES.contains(&name.as_str()))
}

/// Enum variant for a wire value: `UpperCamelCase`, prefixed with `V` when it would start with a digit
/// (`"1"` → `V1`). `None` when nothing usable remains (e.g. `"-"`) or it is `Other`, which is reserved.
pub fn variant_name(value: &str) -> Option<String> {
    let camel = value.to_upper_camel_case();
    let name = if camel.starts_with(|c: char| c.is_ascii_digit()) { format!("V{camel}") } else { camel };
    Some(name).filter(|name| is_identifier(name) && name != "Other" && name != "Self")
}

/// Variants for an enum's values: [`variant_name`] of each, after dropping the leading words all
/// values share when they are CamelCase and share at least two (`EnumLineTypeStandard`,
/// `EnumLineTypeComment` → `Standard`, `Comment`). Falls back to the full values when a shortened
/// one would be no variant. `None` when a value has no variant at all.
pub fn variant_names(values: &[String]) -> Option<Vec<String>> {
    let full = || values.iter().map(|value| variant_name(value)).collect::<Option<Vec<_>>>();
    let words: Vec<Vec<&str>> = values.iter().map(|value| camel_words(value)).collect();
    let shared = match words.split_first() {
        Some((first, rest))
            if !rest.is_empty() && values.iter().all(|v| v.chars().all(|c| c.is_ascii_alphanumeric())) =>
        {
            (0..first.len()).take_while(|&i| rest.iter().all(|w| w.len() > i + 1 && w[i] == first[i])).count()
        }
        _ => 0,
    };
    if shared < 2 || words.iter().any(|w| w.len() <= shared) {
        return full();
    }
    let short: Option<Vec<String>> = words.iter().map(|w| variant_name(&w[shared..].concat())).collect();
    short.or_else(full)
}

/// `EnumLineType` → `["Enum", "Line", "Type"]`.
fn camel_words(value: &str) -> Vec<&str> {
    let starts: Vec<usize> =
        value.char_indices().filter(|(i, c)| *i == 0 || c.is_ascii_uppercase()).map(|(i, _)| i).collect();
    starts
        .iter()
        .enumerate()
        .map(|(n, &start)| &value[start..starts.get(n + 1).copied().unwrap_or(value.len())])
        .collect()
}

/// Name of the enum generated for an inline `{"enum": …}`: owner type + member (`Contact` + `status`).
pub fn inline_enum_name(owner_type: &str, member: &str) -> String {
    format!("{owner_type}{}", member.to_upper_camel_case())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_become_snake_identifiers() {
        assert_eq!(snake_name("$itemsPerPage").as_deref(), Some("items_per_page"));
        assert_eq!(snake_name("$path").as_deref(), Some("path"));
        assert_eq!(snake_name("type").as_deref(), Some("type"));
        assert_eq!(snake_name("1099_box"), None);
        assert_eq!(snake_name("self"), None);
        assert_eq!(snake_name("--"), None);
    }

    #[test]
    fn enum_values_become_variants() {
        assert_eq!(variant_name("in-progress").as_deref(), Some("InProgress"));
        assert_eq!(variant_name("GBP").as_deref(), Some("Gbp"));
        assert_eq!(variant_name("20").as_deref(), Some("V20"));
        assert_eq!(variant_name("other"), None);
        assert_eq!(variant_name("-"), None);
    }

    #[test]
    fn shared_leading_words_are_dropped_from_variants() {
        let values = |list: &[&str]| list.iter().map(|v| v.to_string()).collect::<Vec<_>>();
        let line = values(&["EnumLineTypeStandard", "EnumLineTypeFreeText"]);
        assert_eq!(variant_names(&line), Some(vec!["Standard".to_owned(), "FreeText".to_owned()]));
        let one_word = values(&["AccountActive", "AccountHidden"]);
        assert_eq!(variant_names(&one_word), Some(vec!["AccountActive".to_owned(), "AccountHidden".to_owned()]));
        let snake = values(&["month_end_invoice", "month_end_payment"]);
        assert_eq!(variant_names(&snake), Some(vec!["MonthEndInvoice".to_owned(), "MonthEndPayment".to_owned()]));
        let to_other = values(&["KindTypeOther", "KindTypeMain"]);
        assert_eq!(variant_names(&to_other), Some(vec!["KindTypeOther".to_owned(), "KindTypeMain".to_owned()]));
        assert_eq!(variant_names(&values(&["Single"])), Some(vec!["Single".to_owned()]));
    }

    #[test]
    fn prelude_names_are_refused() {
        assert_eq!(type_name("option"), None);
        assert_eq!(type_name("sales_invoice").as_deref(), Some("SalesInvoice"));
    }
}
