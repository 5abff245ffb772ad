//! Write models for APIs that read and write one model: `NewCustomer` and `CustomerUpdate`.
//!
//! Sage 200's specs give a create or an update the very model its reads return (`POST /customers`
//! and `PUT /customers/{Id}` take a `Customer`), so one type would have to be both what a `$select`
//! returns and what a create must hold. Accounting's bodies are named after the resource and the
//! call ([`super::body_names`]); this pass gives Sage 200 the same shape, from the schemas, when
//! codegen runs: a `POST`, `PUT` or `PATCH` whose body is a struct some `GET` returns (or a list of
//! one) sends a model of its own instead,
//!
//! | call | body | required fields |
//! |---|---|---|
//! | create (`POST`) | `New{Model}` | the schema's (so `new(…)` takes them) |
//! | update (`PUT`, `PATCH`) | `{Model}Update` | none (an unset field is left out) |
//!
//! with the read model's fields but those a write cannot set: the `id`, the `date_time_created` /
//! `date_time_updated` stamps, and expanded links (free-form JSON objects such as `currency`: a
//! write names the record by its `{name}_id`; the two editions agree on this where they may not on
//! which `_id` fields exist). Nested models stay the read model's. A name already taken keeps the read
//! model as the body, so the pass never merges two models; running it twice changes nothing.

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::{Field, Method, Model, ModelKind, Product, Response, Type};

/// Fields Sage sets and a write cannot.
const SERVER_SET: [&str; 3] = ["id", "date_time_created", "date_time_updated"];

/// Gives every create and update of `product` whose body is a read model a write model of its own
/// (see the module docs), added to the read model's area. Returns the models added.
pub fn derive_write_models(product: &mut Product) -> Vec<String> {
    let reads: BTreeSet<String> = product
        .areas
        .iter()
        .flat_map(|area| area.resources.iter().flat_map(|r| &r.operations))
        .filter(|op| op.method == Method::Get)
        .filter_map(|op| match &op.response {
            Response::One(ty) | Response::List(ty) => model_of(ty).map(str::to_owned),
            Response::None => None,
        })
        .collect();
    let mut home: BTreeMap<String, (usize, Model)> = BTreeMap::new();
    let mut taken = BTreeSet::new();
    for (index, area) in product.areas.iter().enumerate() {
        for model in &area.models {
            taken.insert(model.name.clone());
            taken.insert(model.rust_name.clone());
            if matches!(model.kind, ModelKind::Struct { .. }) && reads.contains(&model.name) {
                home.insert(model.name.clone(), (index, model.clone()));
            }
        }
    }
    let mut added: BTreeMap<String, (usize, Model)> = BTreeMap::new();
    for area in &mut product.areas {
        for op in area.resources.iter_mut().flat_map(|r| &mut r.operations) {
            let role = match op.method {
                Method::Post => Role::New,
                Method::Put | Method::Patch => Role::Update,
                _ => continue,
            };
            let Some(body) = op.body.as_mut() else { continue };
            let Some(read) = model_of(body).map(str::to_owned) else { continue };
            let Some((index, model)) = home.get(&read) else { continue };
            let name = role.name(&model.name);
            let rust_name = role.name(&model.rust_name);
            if !added.contains_key(&name) {
                if taken.contains(&name) || taken.contains(&rust_name) {
                    continue;
                }
                taken.insert(name.clone());
                taken.insert(rust_name.clone());
                added.insert(name.clone(), (*index, write_model(model, role, name.clone(), rust_name)));
            }
            set_model(body, name);
        }
    }
    let names = added.keys().cloned().collect();
    for (_, (index, model)) in added {
        product.areas[index].models.push(model);
    }
    for area in &mut product.areas {
        area.models.sort_by(|a, b| a.name.cmp(&b.name));
    }
    names
}

/// Create or update.
#[derive(Clone, Copy)]
enum Role {
    New,
    Update,
}

impl Role {
    fn name(self, read: &str) -> String {
        match self {
            Role::New => format!("New{read}"),
            Role::Update => format!("{read}Update"),
        }
    }
}

fn write_model(read: &Model, role: Role, name: String, rust_name: String) -> Model {
    let ModelKind::Struct { fields } = &read.kind else { unreachable!("read models are structs") };
    let writable = |field: &&Field| {
        let expanded_link = field.ty == Type::Map(Box::new(Type::Json));
        !SERVER_SET.contains(&field.json_name.as_str()) && !expanded_link
    };
    let fields = fields
        .iter()
        .filter(writable)
        // Each field means what the read model's does: its docs are there, once (the generated
        // code stays a third smaller).
        .map(|field| Field {
            required: matches!(role, Role::New) && field.required,
            description: String::new(),
            ..field.clone()
        })
        .collect();
    let description = match role {
        Role::New => format!(
            "A {} to create: what a create sends. The fields are [`{}`]'s (documented there) but those \
             Sage sets; `new` takes the required ones, so leaving one out does not compile.",
            words(&read.rust_name),
            read.rust_name
        ),
        Role::Update => format!(
            "Changes to a {}: what an update sends. The fields are [`{}`]'s (documented there) but \
             those Sage sets, all optional (an unset field is left out); `(&read).into()` starts from a value read.",
            words(&read.rust_name),
            read.rust_name
        ),
    };
    Model { name, rust_name, description, kind: ModelKind::Struct { fields } }
}

/// `SalesInvoice` → `sales invoice`.
fn words(rust_name: &str) -> String {
    heck::ToSnakeCase::to_snake_case(rust_name).replace('_', " ")
}

/// The model a type names, directly or as list items.
fn model_of(ty: &Type) -> Option<&str> {
    match ty {
        Type::Model(name) => Some(name),
        Type::Array(item) => match item.as_ref() {
            Type::Model(name) => Some(name),
            _ => None,
        },
        _ => None,
    }
}

fn set_model(ty: &mut Type, name: String) {
    match ty {
        Type::Model(old) => *old = name,
        Type::Array(item) => set_model(item, name),
        _ => {}
    }
}
