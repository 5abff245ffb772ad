//! From the spec and the product schemas to the [`Matrix`]: an operation is supported when the
//! product has the operation the spec names, a field when the product's record or create body
//! has the field the spec maps it to (read-only when only the record has it), not available when
//! the spec maps it to nothing. Requirements are the create body's required fields, mapped back.
//!
//! A spec that names an operation or field no product of its schema directory has is an error
//! naming the spec file and JSON pointer; one edition lacking it only makes it unavailable there.

use std::collections::{BTreeMap, BTreeSet};

use super::matrix::{FieldFact, Matrix, ModelOp, OperationFact, RequirementFact, Support};
use super::paths;
use super::spec::{child, ModelResource, ModelSpec, Paths, ProductSpec, ResourceMapping};
use crate::emit::changes::is_followable;
use crate::emit::scope::Scope;
use crate::ir::{Method, Operation, Product, Response, Type};
use crate::load::SchemaError;

/// One schema directory's spec file, read.
pub(crate) struct ProductFile {
    /// As errors show it (`schemas/books/accounting-v31.json`).
    pub path: String,
    /// The schema directory it maps (its file stem).
    pub dir: String,
    pub spec: ProductSpec,
}

/// What a spec entry refers to, checked once per product of its directory: an error only when
/// no product has it.
#[derive(Default)]
struct Sightings(BTreeMap<(String, String), (bool, String)>);

impl Sightings {
    fn saw(&mut self, file: &str, pointer: &str, found: bool, reason: impl FnOnce() -> String) {
        let entry = self.0.entry((file.to_owned(), pointer.to_owned())).or_insert_with(|| (false, reason()));
        entry.0 |= found;
    }

    fn errors(self) -> impl Iterator<Item = SchemaError> {
        self.0.into_iter().filter(|(_, (found, _))| !found).map(|((file, pointer), (_, reason))| SchemaError {
            file,
            pointer,
            reason,
        })
    }
}

/// Errors, deduplicated (the editions of one directory find the same ones).
type Errors = BTreeSet<(String, String, String)>;

fn error(errors: &mut Errors, file: &str, pointer: &str, reason: String) {
    errors.insert((file.to_owned(), pointer.to_owned(), reason));
}

/// Derives the matrix, or every error in the spec.
pub(crate) fn derive(
    model: &ModelSpec,
    model_path: &str,
    files: &[ProductFile],
    products: &[Product],
) -> Result<Matrix, Vec<SchemaError>> {
    let mut errors = Errors::new();
    let mut sightings = Sightings::default();
    let mut matrix = Matrix {
        products: model.products.clone(),
        resources: model.resources.keys().map(str::to_owned).collect(),
        ..Matrix::default()
    };
    for file in files {
        check_coverage(model, file, &mut errors);
    }
    for (index, name) in model.products.iter().enumerate() {
        let Some(product) = products.iter().find(|product| &product.name == name) else {
            let known: Vec<&str> = products.iter().map(|product| product.name.as_str()).collect();
            let reason = format!("no product `{name}` under schemas/; known: {}", known.join(", "));
            error(&mut errors, model_path, &child("/products", &index.to_string()), reason);
            continue;
        };
        let Some(file) = files.iter().find(|file| file.dir == product.schema_dir) else {
            let reason = format!("no mapping for `{name}`: add schemas/books/{}.json", product.schema_dir);
            error(&mut errors, model_path, &child("/products", &index.to_string()), reason);
            continue;
        };
        let scope = Scope::new(product);
        let mut cx = Cx { product, scope: &scope, file, errors: &mut errors, sightings: &mut sightings };
        for (resource, fields) in &model.resources.0 {
            if let Some(mapping) = file.spec.resources.get(resource) {
                cx.resource(resource, fields, mapping, &mut matrix);
            }
        }
    }
    for file in files {
        if !products.iter().any(|product| product.schema_dir == file.dir && model.products.contains(&product.name)) {
            let reason = format!("`{}` is not the schema directory of any product `model.json` lists", file.dir);
            error(&mut errors, &file.path, "", reason);
        }
    }
    let mut all: Vec<SchemaError> =
        errors.into_iter().map(|(file, pointer, reason)| SchemaError { file, pointer, reason }).collect();
    all.extend(sightings.errors());
    if all.is_empty() {
        Ok(matrix)
    } else {
        all.sort_by(|a, b| (&a.file, &a.pointer).cmp(&(&b.file, &b.pointer)));
        Err(all)
    }
}

/// Every model resource and field is mapped in `file`, and nothing else is.
fn check_coverage(model: &ModelSpec, file: &ProductFile, errors: &mut Errors) {
    for resource in model.resources.keys() {
        if file.spec.resources.get(resource).is_none() {
            error(
                errors,
                &file.path,
                "/resources",
                format!("no mapping for the model's `{resource}` (map it; `null` for what the product lacks)"),
            );
        }
    }
    for (resource, mapping) in &file.spec.resources.0 {
        let pointer = child("/resources", resource);
        let Some(fields) = model.resources.get(resource) else {
            error(errors, &file.path, &pointer, format!("`{resource}` is no resource of the model (model.json)"));
            continue;
        };
        for (section, declared, mapped) in
            [("read", &fields.read, &mapping.read), ("write", &fields.create, &mapping.write)]
        {
            let at = child(&pointer, section);
            for field in declared.iter().filter(|field| mapped.get(field).is_none()) {
                let reason = format!("the model's `{field}` is not mapped (map it to the product's field, or `null`)");
                error(errors, &file.path, &at, reason);
            }
            for field in mapped.keys().filter(|field| !declared.iter().any(|declared| declared == field)) {
                let reason = format!("`{field}` is not a {section} field of the model's `{resource}` (model.json)");
                error(errors, &file.path, &child(&at, field), reason);
            }
        }
        for (index, field) in mapping.required_by_mapping.iter().enumerate() {
            if !fields.create.contains(field) {
                let at = child(&child(&pointer, "required_by_mapping"), &index.to_string());
                let reason = format!("`{field}` is not a create field of the model's `{resource}` (model.json)");
                error(errors, &file.path, &at, reason);
            }
        }
        if fields.create.is_empty() && mapping.create.is_some() {
            let reason = format!("the model creates no `{resource}`: this must be `null`");
            error(errors, &file.path, &child(&pointer, "create"), reason);
        }
    }
}

/// The record a read operation returns.
fn record(op: &Operation) -> Option<&str> {
    match &op.response {
        Response::One(Type::Model(name)) | Response::List(Type::Model(name)) => Some(name.as_str()),
        _ => None,
    }
}

/// Deriving one product's facts.
struct Cx<'a, 'p> {
    product: &'p Product,
    scope: &'a Scope<'p>,
    file: &'a ProductFile,
    errors: &'a mut Errors,
    sightings: &'a mut Sightings,
}

impl<'p> Cx<'_, 'p> {
    fn resource(&mut self, resource: &str, fields: &ModelResource, mapping: &ResourceMapping, matrix: &mut Matrix) {
        let pointer = child("/resources", resource);
        let mut served: BTreeMap<ModelOp, &'p Operation> = BTreeMap::new();
        for operation in ModelOp::ALL {
            let named = match operation {
                ModelOp::List => &mapping.list,
                ModelOp::Get => &mapping.get,
                ModelOp::Create => &mapping.create,
                ModelOp::Changes => &mapping.changes,
            };
            let at = child(&pointer, operation.name());
            let names = named.as_ref().map(Paths::as_slice).unwrap_or_default();
            let found: Vec<&'p Operation> =
                names.iter().filter_map(|name| self.operation(&at, operation, name)).collect();
            let supported = !names.is_empty() && found.len() == names.len();
            if supported {
                served.insert(operation, found[0]);
            }
            matrix.operations.push(OperationFact {
                product: self.product.name.clone(),
                resource: resource.to_owned(),
                operation,
                support: if supported { Support::Supported } else { Support::NotAvailable },
                product_operation: supported.then(|| names.join(", ")),
            });
        }
        for operation in [ModelOp::List, ModelOp::Get] {
            let Some(root) = served.get(&operation).and_then(|op| record(op)) else { continue };
            let at = child(&pointer, "read");
            for field in &fields.read {
                let paths = mapping.read.get(field).and_then(Option::as_ref);
                let support = self.read_field(&child(&at, field), root, paths);
                matrix.fields.push(self.fact(resource, operation, field, support, paths));
            }
        }
        let Some(create) = served.get(&ModelOp::Create) else { return };
        let Some(body) = self.body(create) else { return };
        let read_root = served.get(&ModelOp::Get).or(served.get(&ModelOp::List)).and_then(|op| record(op));
        let at = child(&pointer, "write");
        for field in &fields.create {
            let paths = mapping.write.get(field).and_then(Option::as_ref);
            let support = self.write_field(&child(&at, field), &body, read_root, paths);
            matrix.fields.push(self.fact(resource, ModelOp::Create, field, support, paths));
        }
        let required = self.requirements(&pointer, create, &body, fields, mapping);
        matrix.requirements.push(RequirementFact {
            product: self.product.name.clone(),
            resource: resource.to_owned(),
            fields: required,
        });
    }

    fn fact(
        &self,
        resource: &str,
        operation: ModelOp,
        field: &str,
        support: Support,
        paths: Option<&Paths>,
    ) -> FieldFact {
        FieldFact {
            product: self.product.name.clone(),
            resource: resource.to_owned(),
            operation,
            field: field.to_owned(),
            support,
            paths: paths.map(|paths| paths.as_slice().to_vec()).unwrap_or_default(),
        }
    }

    /// The product's operation `name`, when it has it and it can serve `operation`.
    fn operation(&mut self, pointer: &str, operation: ModelOp, name: &str) -> Option<&'p Operation> {
        let found = self
            .product
            .areas
            .iter()
            .flat_map(|area| &area.resources)
            .flat_map(|resource| &resource.operations)
            .find(|op| op.name == name);
        let dir = &self.product.schema_dir;
        self.sightings
            .saw(&self.file.path, pointer, found.is_some(), || format!("schemas/{dir}/ has no operation `{name}`"));
        let op = found?;
        let fits = match operation {
            ModelOp::List => op.method == Method::Get && matches!(op.response, Response::List(Type::Model(_))),
            ModelOp::Get => op.method == Method::Get && matches!(op.response, Response::One(Type::Model(_))),
            ModelOp::Create => op.method == Method::Post && matches!(op.body, Some(Type::Model(_))),
            ModelOp::Changes => {
                op.method == Method::Get
                    && matches!(op.response, Response::List(Type::Model(_)))
                    && is_followable(op, self.scope)
            }
        };
        if !fits {
            let what = match operation {
                ModelOp::List => "a GET returning a list of records",
                ModelOp::Get => "a GET returning one record",
                ModelOp::Create => "a POST with a body",
                ModelOp::Changes => "a list whose changes can be followed (see emit/changes.rs)",
            };
            error(self.errors, &self.file.path, pointer, format!("`{name}` is not {what}"));
        }
        fits.then_some(op)
    }

    /// The model a create sends: its body, or the resource its envelope wraps.
    fn body(&self, create: &Operation) -> Option<String> {
        let body = create.body.as_ref()?;
        let ty = self.scope.envelope_field(body).map_or(body, |field| &field.ty);
        match ty {
            Type::Model(name) => Some(name.clone()),
            _ => None,
        }
    }

    fn read_field(&mut self, pointer: &str, root: &str, paths: Option<&Paths>) -> Support {
        let Some(paths) = paths else { return Support::NotAvailable };
        let mut support = Support::Supported;
        for path in paths.as_slice() {
            let found = paths::resolve(self.scope, root, path).is_some();
            self.sightings.saw(&self.file.path, pointer, found, || format!("`{path}` is not a field of `{root}`"));
            if !found {
                support = Support::NotAvailable;
            }
        }
        support
    }

    fn write_field(&mut self, pointer: &str, body: &str, read: Option<&str>, paths: Option<&Paths>) -> Support {
        let Some(paths) = paths else { return Support::NotAvailable };
        let (mut all_written, mut all_known) = (true, true);
        for path in paths.as_slice() {
            let written = paths::resolve(self.scope, body, path).is_some();
            let readable = read.is_some_and(|read| paths::resolve(self.scope, read, path).is_some());
            self.sightings.saw(&self.file.path, pointer, written || readable, || {
                format!(
                    "`{path}` is a field of neither the create body `{body}` nor the record `{}`",
                    read.unwrap_or("-")
                )
            });
            all_written &= written;
            all_known &= written || readable;
        }
        match (all_written, all_known) {
            (true, _) => Support::Supported,
            (false, true) => Support::ReadOnly,
            (false, false) => Support::NotAvailable,
        }
    }

    /// The model fields mapped to the body's required fields; a required field neither mapped nor
    /// set by the mapping is an error.
    fn requirements(
        &mut self,
        pointer: &str,
        create: &Operation,
        body: &str,
        fields: &ModelResource,
        mapping: &ResourceMapping,
    ) -> Vec<String> {
        for (index, path) in mapping.set_by_mapping.iter().enumerate() {
            let found = paths::resolve(self.scope, body, path).is_some();
            let at = child(&child(pointer, "set_by_mapping"), &index.to_string());
            self.sightings.saw(&self.file.path, &at, found, || format!("`{path}` is not a field of `{body}`"));
        }
        let mut required: BTreeSet<&str> = mapping.required_by_mapping.iter().map(String::as_str).collect();
        for path in paths::required(self.scope, body) {
            let mapped = fields.create.iter().find(|field| {
                mapping.write.get(field).and_then(Option::as_ref).is_some_and(|paths| paths.as_slice().contains(&path))
            });
            match mapped {
                Some(field) => {
                    required.insert(field.as_str());
                }
                None if mapping.set_by_mapping.contains(&path) => {}
                None => {
                    let reason = format!(
                        "`{path}` is required by `{}`'s body `{body}`: map a model field to it in `write`, or list it in `set_by_mapping`",
                        create.name
                    );
                    error(self.errors, &self.file.path, &child(pointer, "write"), reason);
                }
            }
        }
        fields.create.iter().filter(|field| required.contains(field.as_str())).cloned().collect()
    }
}
