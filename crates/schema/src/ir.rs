//! The intermediate representation: what a schema means, after loading and validation.
//!
//! Everything downstream — the emitter, the sandbox, the importer's round trip, the Postman
//! export — reads these types, never the JSON files. Collections are kept in a deterministic
//! order (sorted by name) so output is reproducible byte for byte.

/// One Sage API, from `schemas/<product>/` (or one edition of a directory that lists `editions`).
#[derive(Debug, Clone, PartialEq)]
pub struct Product {
    /// Product name, e.g. `accounting-v31` or the edition's, e.g. `sage200-standard`.
    pub name: String,
    /// The directory under `schemas/` it is read from: the product's name, or, for an edition, the
    /// directory every edition of it shares (`sage200`).
    pub schema_dir: String,
    /// Human name, e.g. `Sage Business Cloud Accounting v3.1`.
    pub title: String,
    /// Cargo package name of the generated crate, e.g. `sage-accounting-v31`.
    pub crate_name: String,
    /// Cargo package that holds the code this product has in common with the other products
    /// naming the same one (Sage 200's two editions: `sage200`), generated once for all of them.
    pub shared_crate: Option<String>,
    /// What the product is, for crate docs.
    pub description: String,
    /// Default base URL; may contain `{variables}` such as `{country}`.
    pub base_url: String,
    /// Which Sage identity server and token rules apply.
    pub auth_profile: AuthProfile,
    /// Which request headers the product needs.
    pub header_policy: HeaderPolicy,
    /// How list operations page.
    pub pagination: Pagination,
    /// How the API writes decimals on the wire.
    pub decimal_format: DecimalFormat,
    /// Whether each area of the crate holding the models is a crate of its own (`area_crates`).
    pub area_crates: bool,
    /// API areas (cargo features), sorted by name.
    pub areas: Vec<Area>,
}

/// Identity servers (mirror of `sage_core::auth::SageApi`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthProfile {
    /// `sage200`: Sage ID.
    Sage200,
    /// `accounting-v3`: Accounting v3's regional servers.
    AccountingV3,
    /// `accounting-v31`: Accounting v3.1.
    AccountingV31,
}

impl AuthProfile {
    /// The name `product.json` uses.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sage200 => "sage200",
            Self::AccountingV3 => "accounting-v3",
            Self::AccountingV31 => "accounting-v31",
        }
    }
}

/// Header families (mirror of `sage_core::HeaderStyle`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderPolicy {
    /// `sage200`
    Sage200,
    /// `accounting-v3`
    AccountingV3,
    /// `accounting-v31`
    AccountingV31,
}

/// Paging styles (mirror of `sage_core::PagingStyle`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pagination {
    /// `envelope`: `page`/`items_per_page` and a `$items` envelope.
    Envelope,
    /// `odata`: `$top`/`$skip` over a bare array.
    OData,
}

/// How decimals travel in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecimalFormat {
    /// As strings (`"12.50"`): Accounting.
    String,
    /// As numbers (`12.5`): Sage 200.
    Number,
}

/// An API area: one schema file, one module, one cargo feature (except `common`, always built).
#[derive(Debug, Clone, PartialEq)]
pub struct Area {
    /// File stem, module and feature name, e.g. `contacts`.
    pub name: String,
    /// What the area covers.
    pub description: String,
    /// Resources, sorted by name.
    pub resources: Vec<Resource>,
    /// Models, sorted by name.
    pub models: Vec<Model>,
}

/// A group of operations on one kind of thing, e.g. `contacts`.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    /// Resource name, e.g. `contacts`.
    pub name: String,
    /// What it is.
    pub description: String,
    /// Operations, sorted by name.
    pub operations: Vec<Operation>,
}

/// One HTTP endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// Unique (per product) snake_case name, e.g. `list_contacts`.
    pub name: String,
    /// HTTP method.
    pub method: Method,
    /// Path template relative to the base URL, e.g. `/contacts/{key}`.
    pub path: String,
    /// One-line summary.
    pub summary: String,
    /// Longer description (may be empty).
    pub description: String,
    /// Path and query parameters, in schema order (path parameters first).
    pub params: Vec<Param>,
    /// Request body type, if any.
    pub body: Option<Type>,
    /// What a success returns.
    pub response: Response,
    /// Whether repeating the call is harmless (retried by default when true).
    pub idempotent: bool,
    /// Set when the operation is deprecated.
    pub deprecated: Option<Deprecation>,
    /// The editions that have it (empty: every one); see [`Product::schema_dir`].
    pub editions: Vec<String>,
}

/// HTTP methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Method {
    /// GET
    Get,
    /// POST
    Post,
    /// PUT
    Put,
    /// PATCH
    Patch,
    /// DELETE
    Delete,
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamLocation {
    /// A `{placeholder}` of the path.
    Path,
    /// A query-string parameter.
    Query,
}

/// A path or query parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// Name on the wire, e.g. `$filter` or `items_per_page`.
    pub name: String,
    /// Rust identifier (snake_case, keyword-escaped by the emitter), e.g. `filter`.
    pub rust_name: String,
    /// Path or query.
    pub location: ParamLocation,
    /// Value type (scalars, enums or arrays of them).
    pub ty: Type,
    /// Required parameters become constructor arguments; path parameters are always required.
    pub required: bool,
    /// What it does.
    pub description: String,
}

/// What a successful response carries.
#[derive(Debug, Clone, PartialEq)]
pub enum Response {
    /// No body (or one to ignore).
    None,
    /// A single value.
    One(Type),
    /// A page of a list of this element type.
    List(Type),
}

/// Deprecation note and, optionally, the operation to use instead.
#[derive(Debug, Clone, PartialEq)]
pub struct Deprecation {
    /// Why, and what to do.
    pub note: String,
    /// `product:operation`, e.g. `accounting-v31:get_business`.
    pub replacement: Option<String>,
}

/// A named type: a struct with fields or a string enum.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Name as written in the schema (what `{"ref": …}` uses), e.g. `Contact`.
    pub name: String,
    /// Rust type name (UpperCamelCase).
    pub rust_name: String,
    /// What it is.
    pub description: String,
    /// Struct or enum.
    pub kind: ModelKind,
}

/// The two shapes of model.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelKind {
    /// A JSON object with known fields (unknown ones are kept in an `extra` map).
    Struct {
        /// Fields in schema order.
        fields: Vec<Field>,
    },
    /// A string with known values (unknown ones are kept, not rejected).
    Enum {
        /// The values as written on the wire.
        values: Vec<String>,
    },
}

/// A field of a struct model.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Key in JSON, e.g. `$path`.
    pub json_name: String,
    /// Rust identifier, e.g. `path`.
    pub rust_name: String,
    /// Value type.
    pub ty: Type,
    /// Always present in responses; required + not nullable gives a non-`Option` field.
    pub required: bool,
    /// May be JSON `null`.
    pub nullable: bool,
    /// Longest value Sage accepts, in characters (string fields only). The sandbox enforces it;
    /// generated code does not use it, so a limit Sage changes never breaks a build.
    pub max_length: Option<u64>,
    /// What it means.
    pub description: String,
    /// The editions that have it (empty: every one); see [`Product::schema_dir`].
    pub editions: Vec<String>,
}

/// Value types.
#[derive(Debug, Clone, PartialEq)]
pub enum Type {
    /// `string`
    String,
    /// `integer` (64-bit)
    Integer,
    /// `boolean`
    Boolean,
    /// `decimal`: exact, for money and quantities
    Decimal,
    /// `date`: `YYYY-MM-DD`
    Date,
    /// `date-time`
    DateTime,
    /// `json`: any JSON value, for parts the schema cannot describe
    Json,
    /// A named model.
    Model(String),
    /// `array` of a type.
    Array(Box<Type>),
    /// `map` from string keys to a type.
    Map(Box<Type>),
    /// An inline string enum; the emitter names it after its owner (model + field, or operation + parameter).
    Enum(Vec<String>),
}
