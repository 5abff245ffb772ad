//! `cargo run --release -p sage-bench -- [overhead|refresh|paging|generator|kill-window|soak|changes|all]`
//!
//! Prints each figure as a ratio measured in this run, so results compare across machines.
//! See BENCHMARKS.md for what each scenario means and the numbers of one run.

mod alloc;
mod changes;
mod generator;
mod kill_window;
mod overhead;
mod paging;
mod refresh;
mod server;
mod soak;

#[global_allocator]
static ALLOCATOR: alloc::Counting = alloc::Counting;

#[tokio::main]
async fn main() {
    let which = std::env::args().nth(1).unwrap_or_else(|| "all".to_owned());
    if which == "soak-worker" {
        return soak::worker().await;
    }
    let run = |name: &str| which == "all" || which == name;
    if run("overhead") {
        overhead::run().await;
    }
    if run("refresh") {
        refresh::run().await;
    }
    if run("paging") {
        paging::run().await;
    }
    if run("generator") {
        generator::run();
    }
    if run("kill-window") {
        kill_window::run().await;
    }
    if run("changes") {
        changes::run().await;
    }
    if run("soak") {
        soak::run().await;
    }
}
