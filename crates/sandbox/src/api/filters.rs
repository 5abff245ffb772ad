//! List filters as Sage applies them: every query parameter a list operation documents is honoured or
//! refused, never silently ignored. Accounting lists take their documented filters (`visible_in`,
//! `contact_id`, `status_id`, `from_date`, `active`, …); Sage 200 lists take OData's `$filter` with
//! `eq ne gt ge lt le`, `and or not`, parentheses and `contains`/`startswith`/`endswith`.

use std::cmp::Ordering;
use std::str::FromStr;

use rust_decimal::Decimal;
use sage_schema::ir::{self, ModelKind, ParamLocation, Type};
use serde_json::Value;

use super::links;
use super::models::Models;
use super::paging::Query;
use super::sage_error::SageError;

/// Accounting list parameters applied elsewhere (paging, trimming, search, sort, change tracking).
const HANDLED: [&str; 7] =
    ["page", "items_per_page", "attributes", "search", "sort", "updated_or_created_since", "deleted_since"];

/// Accounting list parameters that change what each record shows, not which records are listed.
const DISPLAY: [&str; 8] = [
    "nested_attributes",
    "show_legacy_id",
    "show_balance",
    "show_balance_details",
    "show_payments_allocations",
    "show_unfinished_recurring_invoices_status",
    "sort_order_from_user_setting",
    "context_date",
];

/// Boolean filters whose field has another name than the parameter.
const FLAG_FIELDS: [(&str, &str); 2] =
    [("show_included_in_chart", "included_in_chart"), ("show_control_accounts", "is_control_account")];

/// The JSON names of the fields of a list's item type, when it is a struct model.
pub(crate) fn item_fields<'m>(models: &Models<'m>, ty: &Type) -> Option<&'m [ir::Field]> {
    let Type::Model(name) = ty else { return None };
    match &models.get(name)?.kind {
        ModelKind::Struct { fields } => Some(fields),
        ModelKind::Enum { .. } => None,
    }
}

fn has_field(fields: Option<&[ir::Field]>, name: &str) -> bool {
    fields.is_some_and(|fields| fields.iter().any(|field| field.json_name == name))
}

/// A parameter the list does not know, or knows but the sandbox cannot apply: refused, as Sage refuses
/// what it cannot do, rather than answered unfiltered.
fn refused(name: &str, message: String) -> SageError {
    SageError::bad_request(message).with_source(name)
}

fn invalid_value(name: &str, message: String) -> SageError {
    SageError::invalid(message).with_source(name)
}

/// Applies an Accounting list's documented filters to `records`; refuses parameters the operation does
/// not document and documented filters the sandbox cannot apply.
pub(crate) fn accounting<'a>(
    operation: &ir::Operation,
    fields: Option<&[ir::Field]>,
    mut records: Vec<&'a Value>,
    query: &Query,
) -> Result<Vec<&'a Value>, SageError> {
    for (name, value) in query {
        // Paging, trimming and change tracking belong to every Accounting list, documented or not.
        if HANDLED.contains(&name.as_str()) || DISPLAY.contains(&name.as_str()) {
            continue;
        }
        let documented =
            operation.params.iter().find(|param| param.location == ParamLocation::Query && param.name == *name);
        let Some(param) = documented else {
            return Err(refused(name, format!("{name} is not a parameter of {} ({})", operation.name, operation.path)));
        };
        let filter = Filter::of(param, value, fields)?;
        records.retain(|record| filter.keeps(record));
    }
    if let Some(sort) = super::paging::param(query, "sort") {
        for key in sort.split(',') {
            let field = key.split(':').next().unwrap_or_default().trim();
            if fields.is_some() && !has_field(fields, field) && field != "id" && field != "displayed_as" {
                return Err(refused("sort", format!("sort: {} cannot be sorted by `{field}`", operation.path)));
            }
        }
    }
    Ok(records)
}

/// One Accounting filter, ready to test records.
enum Filter {
    /// `visible_in=sales`: the `visible_in_sales` flag is (or, negated, is not) set.
    Visible { flag: String, wanted: bool },
    /// `contact_id=…`: the record's `contact_id`, `contact.id` or one of `contacts[].id`.
    Reference { field: String, stem: String, value: String },
    /// `from_date`/`to_date` on the record's `date`, inclusive.
    Date { after: bool, date: chrono::NaiveDate },
    /// `active=true`: a boolean field (missing counts as false).
    Flag { field: String, wanted: bool },
    /// `email=…`: a text field, ignoring case.
    Text { field: String, value: String },
    /// `from_date`/`to_date` on a list without dates: the window of the balances shown.
    Window,
}

impl Filter {
    fn of(param: &ir::Param, value: &str, fields: Option<&[ir::Field]>) -> Result<Self, SageError> {
        let name = param.name.as_str();
        let unsupported = || {
            refused(
                name,
                format!("the sandbox cannot apply the {name} filter of this list; it refuses it rather than ignore it"),
            )
        };
        if let Type::Enum(allowed) = &param.ty {
            if !allowed.iter().any(|allowed| allowed == value) {
                return Err(invalid_value(name, format!("{name} must be one of {}", allowed.join(", "))));
            }
        }
        let boolean = || match value {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(invalid_value(name, format!("{name} must be true or false"))),
        };
        match name {
            "visible_in" | "not_visible_in" => {
                return Ok(Self::Visible { flag: format!("visible_in_{value}"), wanted: name == "visible_in" })
            }
            "from_date" | "to_date" if has_field(fields, "date") => {
                let date = value
                    .get(..10)
                    .and_then(|day| chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").ok())
                    .ok_or_else(|| invalid_value(name, format!("{name} must be a date (YYYY-MM-DD)")))?;
                return Ok(Self::Date { after: name == "from_date", date });
            }
            // Without a `date` field they set the window of the balances shown (`show_balance_details`).
            "from_date" | "to_date" => return Ok(Self::Window),
            _ => {}
        }
        if let Some((_, field)) = FLAG_FIELDS.iter().find(|(flag, _)| *flag == name) {
            return Ok(Self::Flag { field: (*field).to_owned(), wanted: boolean()? });
        }
        if let Some(stem) = name.strip_suffix("_id") {
            let known = [name.to_owned(), stem.to_owned(), links::plural(stem)];
            if known.iter().any(|field| has_field(fields, field)) {
                return Ok(Self::Reference { field: name.to_owned(), stem: stem.to_owned(), value: value.to_owned() });
            }
            return Err(unsupported());
        }
        let field = fields.and_then(|fields| fields.iter().find(|field| field.json_name == name));
        match field.map(|field| &field.ty) {
            Some(Type::Boolean) => Ok(Self::Flag { field: name.to_owned(), wanted: boolean()? }),
            Some(Type::String) => Ok(Self::Text { field: name.to_owned(), value: value.to_lowercase() }),
            _ => Err(unsupported()),
        }
    }

    fn keeps(&self, record: &Value) -> bool {
        match self {
            Self::Visible { flag, wanted } => (record[flag.as_str()] == Value::Bool(true)) == *wanted,
            Self::Reference { field, stem, value } => {
                let same = |candidate: &Value| text(candidate).is_some_and(|text| text == *value);
                same(&record[field.as_str()])
                    || same(&record[stem.as_str()]["id"])
                    || record[links::plural(stem).as_str()]
                        .as_array()
                        .is_some_and(|items| items.iter().any(|item| same(&item["id"])))
            }
            Self::Date { after, date } => {
                let day = record["date"]
                    .as_str()
                    .and_then(|text| text.get(..10))
                    .and_then(|day| chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").ok());
                day.is_some_and(|day| if *after { day >= *date } else { day <= *date })
            }
            Self::Flag { field, wanted } => (record[field.as_str()] == Value::Bool(true)) == *wanted,
            Self::Window => true,
            Self::Text { field, value } => record[field.as_str()].as_str().is_some_and(|t| t.to_lowercase() == *value),
        }
    }
}

fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------------
// Sage 200 OData `$filter`

/// A parsed `$filter` expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Compare { field: String, op: Op, value: Literal },
    Function { name: Function, field: String, value: String },
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

/// A string function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Function {
    Contains,
    StartsWith,
    EndsWith,
}

/// A literal on the right of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Literal {
    /// `'text'` (quotes doubled inside).
    Text(String),
    /// Anything unquoted: numbers, dates, `true`, `false`, `null`.
    Bare(String),
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Open,
    Close,
    Comma,
    Text(String),
    Word(String),
}

fn filter_error(message: impl Into<String>) -> SageError {
    SageError::bad_request(message).with_source("$filter")
}

fn tokens(filter: &str) -> Result<Vec<Token>, SageError> {
    let mut out = Vec::new();
    let mut chars = filter.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => drop(chars.next()),
            '(' => (chars.next(), out.push(Token::Open)).1,
            ')' => (chars.next(), out.push(Token::Close)).1,
            ',' => (chars.next(), out.push(Token::Comma)).1,
            '\'' => {
                chars.next();
                let mut text = String::new();
                loop {
                    match chars.next() {
                        Some('\'') if chars.peek() == Some(&'\'') => {
                            chars.next();
                            text.push('\'');
                        }
                        Some('\'') => break,
                        Some(c) => text.push(c),
                        None => return Err(filter_error("$filter: a string is not closed with '")),
                    }
                }
                out.push(Token::Text(text));
            }
            _ => {
                let mut word = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || matches!(c, '(' | ')' | ',' | '\'') {
                        break;
                    }
                    word.push(c);
                    chars.next();
                }
                out.push(Token::Word(word));
            }
        }
    }
    Ok(out)
}

/// Parses a `$filter`; what Sage 200 cannot do (`in`, other functions) is refused.
pub(crate) fn parse(filter: &str) -> Result<Expr, SageError> {
    let tokens = tokens(filter)?;
    let mut parser = Parser { tokens: &tokens, at: 0 };
    let expr = parser.or()?;
    match parser.tokens.get(parser.at) {
        None => Ok(expr),
        Some(token) => Err(filter_error(format!("$filter: unexpected {} after a complete condition", show(token)))),
    }
}

fn show(token: &Token) -> String {
    match token {
        Token::Open => "`(`".into(),
        Token::Close => "`)`".into(),
        Token::Comma => "`,`".into(),
        Token::Text(text) => format!("'{text}'"),
        Token::Word(word) => format!("`{word}`"),
    }
}

struct Parser<'t> {
    tokens: &'t [Token],
    at: usize,
}

impl Parser<'_> {
    fn peek_word(&self, word: &str) -> bool {
        matches!(self.tokens.get(self.at), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    fn next(&mut self) -> Option<&Token> {
        let token = self.tokens.get(self.at);
        self.at += 1;
        token
    }

    fn expect(&mut self, wanted: &Token) -> Result<(), SageError> {
        match self.next() {
            Some(token) if token == wanted => Ok(()),
            Some(token) => Err(filter_error(format!("$filter: expected {} but found {}", show(wanted), show(token)))),
            None => Err(filter_error(format!("$filter: expected {} at the end", show(wanted)))),
        }
    }

    fn or(&mut self) -> Result<Expr, SageError> {
        let mut left = self.and()?;
        while self.peek_word("or") {
            self.at += 1;
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, SageError> {
        let mut left = self.unary()?;
        while self.peek_word("and") {
            self.at += 1;
            left = Expr::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, SageError> {
        if self.peek_word("not") {
            self.at += 1;
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, SageError> {
        let word = match self.next().cloned() {
            Some(Token::Open) => {
                let inner = self.or()?;
                self.expect(&Token::Close)?;
                return Ok(inner);
            }
            Some(Token::Word(word)) => word,
            Some(token) => return Err(filter_error(format!("$filter: expected a field, found {}", show(&token)))),
            None => return Err(filter_error("$filter: a condition is missing")),
        };
        if self.tokens.get(self.at) == Some(&Token::Open) {
            let name = match word.to_ascii_lowercase().as_str() {
                "contains" => Function::Contains,
                "startswith" => Function::StartsWith,
                "endswith" => Function::EndsWith,
                _ => {
                    return Err(filter_error(format!(
                        "$filter: the function `{word}` is not supported (contains, startswith, endswith are)"
                    )))
                }
            };
            self.at += 1;
            let field = match self.next() {
                Some(Token::Word(field)) => field.clone(),
                _ => return Err(filter_error(format!("$filter: {word}( must name a field first"))),
            };
            self.expect(&Token::Comma)?;
            let value = match self.next() {
                Some(Token::Text(value)) => value.clone(),
                _ => return Err(filter_error(format!("$filter: {word}'s second argument must be a quoted string"))),
            };
            self.expect(&Token::Close)?;
            return Ok(Expr::Function { name, field, value });
        }
        let op = match self.next() {
            Some(Token::Word(op)) => match op.to_ascii_lowercase().as_str() {
                "eq" => Op::Eq,
                "ne" => Op::Ne,
                "gt" => Op::Gt,
                "ge" => Op::Ge,
                "lt" => Op::Lt,
                "le" => Op::Le,
                "in" => return Err(filter_error("$filter: Sage 200 does not support the `in` operator; use `or`")),
                other => {
                    return Err(filter_error(format!("$filter: `{other}` is not an operator (eq ne gt ge lt le)")))
                }
            },
            _ => return Err(filter_error(format!("$filter: `{word}` must be followed by an operator"))),
        };
        let value = match self.next() {
            Some(Token::Text(text)) => Literal::Text(text.clone()),
            Some(Token::Word(word)) => Literal::Bare(word.clone()),
            _ => return Err(filter_error(format!("$filter: `{word}` needs a value to compare with"))),
        };
        Ok(Expr::Compare { field: word, op, value })
    }
}

impl Expr {
    /// Every field the expression names.
    pub(crate) fn fields(&self) -> Vec<&str> {
        match self {
            Self::And(a, b) | Self::Or(a, b) => a.fields().into_iter().chain(b.fields()).collect(),
            Self::Not(inner) => inner.fields(),
            Self::Compare { field, .. } | Self::Function { field, .. } => vec![field.as_str()],
        }
    }

    pub(crate) fn holds(&self, record: &Value) -> bool {
        match self {
            Self::And(a, b) => a.holds(record) && b.holds(record),
            Self::Or(a, b) => a.holds(record) || b.holds(record),
            Self::Not(inner) => !inner.holds(record),
            Self::Function { name, field, value } => {
                let Some(field) = text(lookup(record, field)) else { return false };
                let (field, value) = (field.to_lowercase(), value.to_lowercase());
                match name {
                    Function::Contains => field.contains(&value),
                    Function::StartsWith => field.starts_with(&value),
                    Function::EndsWith => field.ends_with(&value),
                }
            }
            Self::Compare { field, op, value } => compare(lookup(record, field), *op, value),
        }
    }
}

/// `customer/name` or `customer.name` look into an expanded record.
fn lookup<'v>(record: &'v Value, field: &str) -> &'v Value {
    field.split(['/', '.']).fold(record, |value, part| &value[part])
}

fn compare(field: &Value, op: Op, literal: &Literal) -> bool {
    let (value, quoted) = match literal {
        Literal::Text(text) => (text.as_str(), true),
        Literal::Bare(word) => (word.as_str(), false),
    };
    if !quoted && value == "null" {
        return match op {
            Op::Eq => field.is_null(),
            Op::Ne => !field.is_null(),
            _ => false,
        };
    }
    if field.is_null() {
        return op == Op::Ne;
    }
    let ordering = ordering(field, value);
    match op {
        Op::Eq => ordering == Some(Ordering::Equal),
        Op::Ne => ordering != Some(Ordering::Equal),
        Op::Gt => ordering == Some(Ordering::Greater),
        Op::Ge => ordering.is_some_and(Ordering::is_ge),
        Op::Lt => ordering == Some(Ordering::Less),
        Op::Le => ordering.is_some_and(Ordering::is_le),
    }
}

/// Timestamps as instants, numbers by value, booleans and text as text.
fn ordering(field: &Value, value: &str) -> Option<Ordering> {
    if let (Some(left), Some(right)) = (super::clock::instant(field), super::clock::instant(&Value::from(value))) {
        return Some(left.cmp(&right));
    }
    let field_text = text(field).or_else(|| field.as_bool().map(|flag| flag.to_string()))?;
    if let (Ok(left), Ok(right)) = (Decimal::from_str(&field_text), Decimal::from_str(value)) {
        return Some(left.cmp(&right));
    }
    Some(field_text.as_str().cmp(value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_precedence_and_refuses_what_sage_cannot_do() {
        let expr = parse("not (a eq 1) and b eq 'x' or c gt 2").unwrap();
        assert!(matches!(expr, Expr::Or(..)));
        assert!(parse("a in ('x','y')").is_err());
        assert!(parse("substringof('x', a)").is_err());
        assert!(parse("a eq").is_err());
        assert!(parse("a eq 'open").is_err());
        assert_eq!(
            parse("name eq 'O''Brien'").unwrap(),
            Expr::Compare { field: "name".into(), op: Op::Eq, value: Literal::Text("O'Brien".into()) }
        );
    }

    #[test]
    fn evaluates_each_operator() {
        let record = json!({"name": "ABS Garages Ltd", "balance": "2464.16", "on_hold": false, "note": null});
        let holds = |filter: &str| parse(filter).unwrap().holds(&record);
        assert!(holds("balance eq 2464.16") && holds("balance ne 1") && holds("balance gt 2000"));
        assert!(holds("balance ge 2464.16") && holds("balance lt 3000") && holds("balance le 2464.16"));
        assert!(holds("contains(name,'garage')") && holds("startswith(name,'ABS')") && holds("endswith(name,'Ltd')"));
        assert!(holds("on_hold eq false") && holds("note eq null") && holds("not (balance lt 1)"));
        assert!(!holds("balance gt 3000 or name eq 'x'"));
    }
}
