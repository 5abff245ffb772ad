//! The runtime every sage-rs product crate shares.
//!
//! Product crates are generated from `schemas/` and only *describe* requests: each operation turns
//! itself into a [`Request`] (method, path template, parameters, body) and names its output type.
//! This crate *executes* them: [`Client`] builds the URL, applies the product's [`HeaderPolicy`],
//! asks an [`auth::Authenticate`] implementation for a bearer token, retries what is safe to retry,
//! decodes the response and turns failures into one [`Error`] type. List operations page lazily
//! through [`Client::items`].

#![warn(missing_docs)]

pub mod auth;
mod body;
mod builder;
pub mod catalog;
pub mod changes;
mod client;
mod decode;
mod error;
mod headers;
mod idempotency;
mod ids;
pub mod limit;
mod odata;
mod operation;
mod paging;
mod product;
#[cfg(feature = "record")]
#[cfg_attr(docsrs, doc(cfg(feature = "record")))]
pub mod record;
mod response;
mod retry;
mod secure_url;
mod send_methods;
mod setters;
pub mod types;

/// serde, for the impls `json_model!` writes in generated crates.
#[doc(hidden)]
pub use serde as __serde;

pub use builder::{ClientBuilder, DEFAULT_BODY_LIMIT, DEFAULT_DEADLINE};
pub use client::{Client, RawResponse};
#[doc(hidden)]
pub use decode::decode;
pub use error::{ApiError, DecodeError, Error, ErrorItem, Result};
pub use headers::{HeaderId, HeaderPolicy};
pub use idempotency::new_idempotency_id;
pub use odata::typed as query;
pub use odata::ODataQuery;
pub use operation::{ListOperation, Method, Operation, QueryValue, Request};
pub use paging::Page;
pub use product::{HeaderStyle, PagingStyle, Product, ProductName};
pub use response::{LeadBusinessChange, Response, ResponseMetadata};
pub use retry::RetryPolicy;

/// Re-exported so generated code needs no dependency of its own beyond `sage-core` and `serde`.
pub use futures_util::stream::{BoxStream, Stream};
