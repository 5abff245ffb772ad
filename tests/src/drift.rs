//! The drift matrix: every field of every generated model is fed every form Sage has been seen to
//! send in its place — missing, `null`, `""`, a number as text, text for a number, an unlisted
//! enum value, `{}` for a nested model — one at a time, in an otherwise minimal body. Tolerable
//! forms must decode (through `sage_core::decode`, as the client decodes) and write back as the
//! value they spell; unfaithful ones (`"12abc"` for an integer) must fail with the field's path and
//! a message a person can act on; and every value read from another spelling must show up in a
//! drift audit at its path.
//!
//! Each generated crate's `tests/drift.rs` (written by `cargo xtask codegen`) lists its models as
//! [`Model`]s and calls [`check`].

use std::collections::BTreeMap;
use std::str::FromStr;

use sage_core::types::drift::{self, Drift, Scope};
use sage_core::types::Decimal;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Map, Value};

/// A generated model: its schema name, its fields, and how to decode and audit it.
pub struct Model {
    name: &'static str,
    fields: &'static [Field],
    decode: fn(&[u8]) -> Result<Value, sage_core::Error>,
    audit: fn(&[u8]) -> Vec<Drift>,
}

/// The model `T`, named `name` in its schema, with its fields.
pub const fn model<T: DeserializeOwned + Serialize>(name: &'static str, fields: &'static [Field]) -> Model {
    Model { name, fields, decode: decode_as::<T>, audit: audit_as::<T> }
}

fn decode_as<T: DeserializeOwned + Serialize>(body: &[u8]) -> Result<Value, sage_core::Error> {
    let model: T = sage_core::decode("drift_matrix", body)?;
    Ok(serde_json::to_value(&model).expect("a decoded model writes back"))
}

fn audit_as<T: DeserializeOwned>(body: &[u8]) -> Vec<Drift> {
    drift::audit::<T>(body, Scope::Values, 20)
}

/// A field: its wire name, what it holds, and whether the schema says it is always there.
pub struct Field {
    wire: &'static str,
    kind: Kind,
    required: bool,
}

impl Field {
    /// A field the schema says is always present and never `null`.
    pub const fn required(wire: &'static str, kind: Kind) -> Self {
        Self { wire, kind, required: true }
    }

    /// A field that may be left out or `null`.
    pub const fn optional(wire: &'static str, kind: Kind) -> Self {
        Self { wire, kind, required: false }
    }
}

/// What a field holds.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// Text (and string ids).
    Text,
    /// A whole number (and integer ids).
    Integer,
    /// `true` or `false`.
    Boolean,
    /// An exact decimal.
    Decimal,
    /// `YYYY-MM-DD`.
    Date,
    /// A timestamp.
    DateTime,
    /// Any JSON.
    Json,
    /// A list.
    List,
    /// A map.
    Map,
    /// An open enum; one value the schema lists.
    Enum(&'static str),
    /// A nested model with a default (every field optional), by schema name.
    Nested(&'static str),
    /// A nested model without a default (it has required fields), by schema name.
    Strict(&'static str),
}

/// What a form must give.
#[derive(Debug, Clone)]
enum Outcome {
    /// Decodes; the field then writes back as this.
    Reads(After),
    /// Fails at this path ("." for the model itself).
    Fails(&'static str),
}

#[derive(Debug, Clone)]
enum After {
    /// Left out (an unset `Option`).
    Absent,
    /// Written, whatever its value (a default, a nested model).
    Present,
    /// Written as exactly this.
    Equals(Value),
    /// A decimal equal to this, as a JSON string or number.
    DecimalEquals(&'static str),
}

/// One form to feed a field.
struct Form {
    label: &'static str,
    /// `None`: the field is left out.
    value: Option<Value>,
    outcome: Outcome,
    /// Whether an audit must report a drift at the field.
    drifts: bool,
}

fn reads(label: &'static str, value: Value, after: After, drifts: bool) -> Form {
    Form { label, value: Some(value), outcome: Outcome::Reads(after), drifts }
}

fn fails(label: &'static str, value: Value, at: &'static str) -> Form {
    Form { label, value: Some(value), outcome: Outcome::Fails(at), drifts: false }
}

/// Every form for `field`: what Sage sends in its place, and a few values nothing should read.
fn forms(field: &Field, index: &Index<'_>) -> Vec<Form> {
    let unset = if field.required { After::Present } else { After::Absent };
    // Left out, or `null`: no value, or the type's default for a required field (noted).
    let mut forms = vec![
        Form { label: "missing", value: None, outcome: Outcome::Reads(unset.clone()), drifts: field.required },
        reads("null", Value::Null, unset.clone(), field.required),
    ];
    let wire = field.wire;
    let equals = |value: Value| After::Equals(value);
    match field.kind {
        Kind::Text => forms.extend([
            reads("text", json!("x"), equals(json!("x")), false),
            reads("\"\"", json!(""), equals(json!("")), false),
            reads("a number", json!(12), equals(json!("12")), true),
            reads("a boolean", json!(true), equals(json!("true")), true),
            fails("an object", json!({}), wire),
            fails("a list", json!([1]), wire),
        ]),
        Kind::Integer => forms.extend([
            reads("\"\"", json!(""), unset, true),
            reads("a number", json!(12), equals(json!(12)), false),
            reads("a number as text", json!("12"), equals(json!(12)), true),
            fails("\"12abc\"", json!("12abc"), wire),
            fails("a fraction", json!(1.5), wire),
            fails("a boolean", json!(true), wire),
        ]),
        Kind::Decimal => forms.extend([
            reads("\"\"", json!(""), unset, true),
            reads("a decimal as text", json!("12.50"), After::DecimalEquals("12.50"), false),
            reads("a number", json!(12.5), After::DecimalEquals("12.5"), false),
            fails("\"12,50\"", json!("12,50"), wire),
            fails("\"abc\"", json!("abc"), wire),
            fails("a boolean", json!(true), wire),
        ]),
        Kind::Boolean => forms.extend([
            reads("\"\"", json!(""), unset, true),
            reads("a boolean", json!(false), equals(json!(false)), false),
            reads("a boolean as text", json!("true"), equals(json!(true)), true),
            reads("1", json!(1), equals(json!(true)), true),
            fails("\"yes\"", json!("yes"), wire),
            fails("2", json!(2), wire),
        ]),
        Kind::Date => forms.extend([
            reads("\"\"", json!(""), unset, true),
            reads("a date", json!("2024-03-01"), equals(json!("2024-03-01")), false),
            reads("a timestamp", json!("2024-03-01T00:00:00Z"), equals(json!("2024-03-01")), true),
            fails("\"2024-13-45\"", json!("2024-13-45"), wire),
            fails("\"yesterday\"", json!("yesterday"), wire),
            fails("a number", json!(20240301), wire),
        ]),
        Kind::DateTime => forms.extend([
            reads("\"\"", json!(""), unset, true),
            reads("RFC 3339", json!("2024-03-01T10:00:00Z"), equals(json!("2024-03-01T10:00:00Z")), false),
            reads("a local time", json!("2024-03-01T10:00:00.66"), equals(json!("2024-03-01T10:00:00.66")), false),
            fails("\"yesterday\"", json!("yesterday"), wire),
            fails("a number", json!(1), wire),
        ]),
        Kind::Enum(listed) => {
            if !listed.is_empty() {
                forms.push(reads("a listed value", json!(listed), equals(json!(listed)), false));
            }
            forms.extend([
                reads(
                    "an unlisted value",
                    json!("value-no-schema-lists"),
                    equals(json!("value-no-schema-lists")),
                    true,
                ),
                reads("\"\"", json!(""), equals(json!("")), true),
                reads("a number", json!(12), equals(json!("12")), true),
                fails("an object", json!({}), wire),
            ]);
        }
        Kind::List => forms.extend([reads("[]", json!([]), equals(json!([])), false), fails("text", json!("x"), wire)]),
        Kind::Map => forms.extend([reads("{}", json!({}), equals(json!({})), false), fails("text", json!("x"), wire)]),
        Kind::Json => forms.push(reads("anything", json!({"a": [1, null]}), equals(json!({"a": [1, null]})), false)),
        Kind::Nested(name) | Kind::Strict(name) => {
            let strict = matches!(field.kind, Kind::Strict(_));
            if strict && field.required {
                // A nested model without a default cannot be made up.
                forms[0] = Form { label: "missing", value: None, outcome: Outcome::Fails("."), drifts: false };
                forms[1] = fails("null", Value::Null, wire);
            }
            let base = index.base(name);
            let empty = if base.as_object().is_some_and(Map::is_empty) {
                Outcome::Reads(After::Present)
            } else {
                Outcome::Fails(wire)
            };
            forms.push(Form { label: "{}", value: Some(json!({})), outcome: empty.clone(), drifts: false });
            let mut link = base.clone();
            link["$path"] = json!("");
            forms.push(reads("a link whose $path is \"\"", link, After::Present, false));
            if !base.as_object().is_some_and(Map::is_empty) {
                forms.push(reads("its required fields", base, After::Present, false));
            }
            forms.push(fails("text", json!("x"), wire));
        }
    }
    forms
}

/// The models of a product by schema name, and the smallest body each decodes from.
struct Index<'a>(BTreeMap<&'static str, &'a Model>);

impl Index<'_> {
    /// `{}` with every required field that has no default filled in, recursively.
    fn base(&self, name: &str) -> Value {
        self.base_within(name, 8)
    }

    fn base_within(&self, name: &str, depth: usize) -> Value {
        let mut body = Map::new();
        let Some(model) = self.0.get(name) else { return Value::Object(body) };
        for field in model.fields {
            if let (true, Kind::Strict(nested), true) = (field.required, field.kind, depth > 0) {
                body.insert(field.wire.to_owned(), self.base_within(nested, depth - 1));
            }
        }
        Value::Object(body)
    }
}

/// Feeds every field of `models` every form; panics listing what did not hold. Prints the counts.
pub fn check(product: &str, models: &[Model]) {
    let index = Index(models.iter().map(|model| (model.name, model)).collect());
    let (mut cases, mut fields, mut read, mut refused) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    for model in models {
        let base = index.base(model.name);
        for field in model.fields {
            fields += 1;
            for form in forms(field, &index) {
                cases += 1;
                let mut body = base.clone();
                match &form.value {
                    Some(value) => body[field.wire] = value.clone(),
                    None => drop(body.as_object_mut().and_then(|body| body.remove(field.wire))),
                }
                let bytes = serde_json::to_vec(&body).expect("JSON writes");
                match check_form(model, field, &form, &bytes) {
                    Ok(true) => read += 1,
                    Ok(false) => refused += 1,
                    Err(problem) => {
                        failures.push(format!("{}.{} given {}: {problem}", model.name, field.wire, form.label))
                    }
                }
            }
        }
    }
    println!(
        "drift matrix of {product}: {} models, {fields} fields, {cases} field × form cases ({read} read, {refused} refused as they should be)",
        models.len()
    );
    assert!(fields > 0 && cases > fields, "the matrix exercised nothing");
    if !failures.is_empty() {
        let shown = failures.iter().take(40).map(String::as_str).collect::<Vec<_>>().join("\n  ");
        panic!("{} of {cases} cases did not hold:\n  {shown}", failures.len());
    }
}

/// Whether the form read (`true`) or was refused (`false`) as it must be; what went wrong if not.
fn check_form(model: &Model, field: &Field, form: &Form, body: &[u8]) -> Result<bool, String> {
    let decoded = (model.decode)(body);
    match (&form.outcome, decoded) {
        (Outcome::Reads(after), Ok(written)) => {
            check_written(written.get(field.wire), after)?;
            let reported = (model.audit)(body).iter().any(|drift| drift.path == field.wire);
            match (form.drifts, reported) {
                (true, false) => Err("read, but no drift was reported at its path".into()),
                (false, true) => Err("read, but a drift was reported for a value spelled as the schema says".into()),
                _ => Ok(true),
            }
        }
        (Outcome::Reads(_), Err(error)) => Err(format!("did not decode: {error}")),
        (Outcome::Fails(_), Ok(written)) => Err(format!("decoded, but must not: {written}")),
        (Outcome::Fails(at), Err(sage_core::Error::Decode(error))) => {
            if error.path != *at {
                return Err(format!("failed at `{}`, not `{at}`: {}", error.path, error.message));
            }
            if error.message.is_empty() || error.message.contains("premature end of input") {
                return Err(format!("failed with a message nobody can act on: {}", error.message));
            }
            Ok(false)
        }
        (Outcome::Fails(_), Err(error)) => Err(format!("failed, but not as a decode error: {error}")),
    }
}

fn check_written(written: Option<&Value>, after: &After) -> Result<(), String> {
    let ok = match (after, written) {
        (After::Absent, None) | (After::Present, Some(_)) => true,
        (After::Equals(expected), Some(value)) => value == expected,
        (After::DecimalEquals(expected), Some(value)) => {
            let text = value.as_str().map(str::to_owned).unwrap_or_else(|| value.to_string());
            Decimal::from_str(&text).ok() == Decimal::from_str(expected).ok()
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!("wrote back {written:?}, expected {after:?}"))
    }
}
