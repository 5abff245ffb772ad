//! Where things were declared, kept while reading so that product-wide checks (unknown models,
//! duplicate operations, replacements) can still point at the exact file and key.

/// A name declared or used at a place in a file.
#[derive(Debug, Clone)]
pub(crate) struct Site {
    pub(crate) file: String,
    pub(crate) pointer: String,
    /// The area (file stem) it appears in.
    pub(crate) area: String,
    /// The model, operation or replacement named there.
    pub(crate) name: String,
}

/// How a model reference is used: parameters accept only enum models.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefUse {
    Param,
    Other,
}

/// Everything the product-wide checks need.
#[derive(Debug, Default)]
pub(crate) struct Sites {
    pub(crate) models: Vec<Site>,
    pub(crate) refs: Vec<(Site, RefUse)>,
    pub(crate) operations: Vec<Site>,
    pub(crate) replacements: Vec<Site>,
    /// Edition names given to operations and fields.
    pub(crate) editions: Vec<Site>,
}
