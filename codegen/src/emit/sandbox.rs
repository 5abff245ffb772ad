//! The schemas the sandbox serves, embedded in `sage-sandbox` so it runs from any directory (and after
//! `cargo install`) without reading `schemas/` or linking the generator.
//!
//! Each schema file is copied compacted (whitespace dropped, key order kept: the loader reads fields in
//! schema order) and listed with `include_str!` in `src/generated/mod.rs` of the sandbox crate.

use std::collections::BTreeMap;
use std::path::Path;

use quote::quote;

use super::{render, EmitError, GENERATED_DIR};
use crate::load::SourceFile;

/// The sandbox crate, relative to the workspace.
pub const SANDBOX_CRATE: &str = "crates/sandbox";

/// Files the importer keeps beside a product's schemas but the loader never reads.
const NOT_LOADED: &[&str] = &["overrides.json"];

/// The sandbox's generated files, keyed by path relative to its crate directory, from each schema
/// directory's name and files.
pub fn sandbox_files(dirs: &[(String, Vec<SourceFile>)]) -> Result<BTreeMap<String, String>, EmitError> {
    let mut files = BTreeMap::new();
    let mut entries = Vec::new();
    for (dir, sources) in dirs {
        let mut dir_files = Vec::new();
        for source in sources {
            let file_name = Path::new(&source.path).file_name().and_then(|name| name.to_str()).unwrap_or_default();
            if NOT_LOADED.contains(&file_name) {
                continue;
            }
            let relative = format!("schemas/{dir}/{file_name}");
            files.insert(format!("{GENERATED_DIR}/{relative}"), compact(source)?);
            dir_files.push(quote!((#file_name, include_str!(#relative))));
        }
        entries.push(quote!((#dir, &[#(#dir_files),*])));
    }
    let path = format!("{GENERATED_DIR}/mod.rs");
    let module = quote! {
        //! The product schemas the sandbox serves, embedded at build time.

        /// Every schema directory: its name and its files (file name, JSON text).
        pub(crate) const SCHEMAS: &[(&str, &[(&str, &str)])] = &[#(#entries),*];
    };
    files.insert(path.clone(), render(&path, "schemas/", module)?);
    Ok(files)
}

/// The JSON text without insignificant whitespace, keys in their original order.
fn compact(source: &SourceFile) -> Result<String, EmitError> {
    let mut out = Vec::with_capacity(source.text.len());
    let mut reader = serde_json::Deserializer::from_str(&source.text);
    serde_transcode::transcode(&mut reader, &mut serde_json::Serializer::new(&mut out))
        .map_err(|err| EmitError { file: source.path.clone(), reason: err.to_string() })?;
    let mut text = String::from_utf8(out).expect("serde_json writes UTF-8");
    text.push('\n');
    Ok(text)
}
