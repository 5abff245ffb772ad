//! Repository chores: `cargo xtask codegen [--check]`, `import`, `coverage` and `postman`.

// Codegen builds and drops millions of small token and syntax-tree nodes; mimalloc makes that
// allocation churn a third cheaper than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod codegen;
mod coverage;
mod import;
mod postman;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(about = "sage-rs repository tasks")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Regenerates the product crates from schemas/ (crates/<product>/Cargo.toml and src/generated/).
    Codegen {
        /// Write nothing; fail listing every stale, missing or extra generated file.
        #[arg(long)]
        check: bool,
        /// Only these products (product or schema directory names, e.g. `sage200` for both editions);
        /// all of them when none is given.
        products: Vec<String>,
    },
    /// Imports Sage's API descriptions into schemas/<dir>/ (hand-written files are kept).
    Import {
        /// The schema directory to write, e.g. accounting-v3 or sage200.
        #[arg(long)]
        product: String,
        /// Swagger 2.0 / OpenAPI 3.0 files; default: the product's reference specs in schemas/upstream.
        specs: Vec<PathBuf>,
    },
    /// Per product: operations in the reference specs vs operations generated, and what was left out.
    Coverage,
    /// Writes a Postman v2.1 collection per product (default: target/postman/<product>.postman_collection.json).
    Postman {
        /// Directory to write the collections to.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Only these products (e.g. `sage200-pro`); all of them when none is given.
        products: Vec<String>,
    },
}

fn main() -> ExitCode {
    let root = workspace_root();
    let result = match Cli::parse().task {
        Task::Codegen { check, products } => codegen::codegen(&root, check, &products),
        Task::Import { product, specs } => import::import(&root, &product, specs),
        Task::Coverage => coverage::coverage(&root),
        Task::Postman { out, products } => postman::postman(&root, out, &products),
    };
    result.unwrap_or_else(|message| {
        eprintln!("{message}");
        ExitCode::FAILURE
    })
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}
