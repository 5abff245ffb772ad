//! `cargo run --release -p sage-bench -- [overhead|refresh|paging|generator|kill-window|soak|changes|rate-limit|connections-memory|connections-expiry|books-list|all]`
//!
//! Prints each figure as a ratio measured in this run, so results compare across machines.
//! See BENCHMARKS.md for what each scenario means and the numbers of one run.

mod alloc;
mod books_list;
mod changes;
mod connections_expiry;
mod connections_memory;
mod fleet;
mod generator;
mod kill_window;
mod overhead;
mod paging;
mod rate_limit;
mod refresh;
mod replay;
mod server;
mod soak;

#[global_allocator]
static ALLOCATOR: alloc::Counting = alloc::Counting;

/// The scenarios, in the order `all` runs them.
const SCENARIOS: [&str; 11] = [
    "overhead",
    "refresh",
    "paging",
    "generator",
    "kill-window",
    "changes",
    "soak",
    "rate-limit",
    "connections-memory",
    "connections-expiry",
    "books-list",
];

fn main() {
    let which = std::env::args().nth(1).unwrap_or_else(|| "all".to_owned());
    if which == "all" {
        // One process per scenario: none inherits another's threads, connections or heap.
        for scenario in SCENARIOS {
            let status = std::process::Command::new(std::env::current_exe().expect("own path"))
                .arg(scenario)
                .status()
                .expect("start a scenario");
            assert!(status.success(), "scenario {scenario} failed: {status}");
        }
        return;
    }
    if matches!(which.as_str(), "paging" | "changes" | "connections-memory" | "books-list-memory") {
        alloc::enable();
    }
    if which == "overhead" {
        return overhead::run();
    }
    if which == "books-list" {
        return books_list::run();
    }
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    runtime.block_on(async {
        match which.as_str() {
            "soak-worker" => soak::worker().await,
            "connections-expiry-worker" => connections_expiry::worker().await,
            "refresh" => refresh::run().await,
            "paging" => paging::run().await,
            "generator" => generator::run(),
            "kill-window" => kill_window::run().await,
            "changes" => changes::run().await,
            "soak" => soak::run().await,
            "rate-limit" => rate_limit::run().await,
            "connections-memory" => connections_memory::run().await,
            "connections-expiry" => connections_expiry::run().await,
            "books-list-time" => books_list::worker(books_list::Measure::Time).await,
            "books-list-memory" => books_list::worker(books_list::Measure::Memory).await,
            other => {
                eprintln!("unknown scenario `{other}`; one of: all, {}", SCENARIOS.join(", "));
                std::process::exit(2);
            }
        }
    });
}
