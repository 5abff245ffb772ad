#!/usr/bin/env bash
# Clean build time of a tiny program that uses one API area of a product vs all of its areas.
#
#   crates/bench/build-times.sh [product-crate] [area]     default: sage200-pro sales
#
# Each build starts from an empty target directory, so dependencies are included: that is what a
# user's first `cargo build` costs. The difference between the two is the cost of the other areas.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
crate=${1:-sage200-pro}
area=${2:-sales}
lib=${crate//-/_}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

build() {
    local features=$1 label=$2 dir="$work/$3"
    mkdir -p "$dir/src"
    cat >"$dir/Cargo.toml" <<TOML
[package]
name = "tiny"
version = "0.0.0"
edition = "2021"

[dependencies]
$crate = { path = "$root/crates/$crate", features = [$features] }

[workspace]
TOML
    echo "fn main() { println!(\"{}\", $lib::operations::OPERATIONS.len()); }" >"$dir/src/main.rs"
    cp "$root/Cargo.lock" "$dir/Cargo.lock"
    local started ended
    started=$(date +%s.%N)
    (cd "$dir" && CARGO_TARGET_DIR="$dir/target" cargo build --quiet)
    ended=$(date +%s.%N)
    printf '  %-24s %7.1f s\n' "$label" "$(python3 -c "print($ended - $started)")"
}

echo "clean builds of a tiny program using $crate (debug profile):"
build "\"$area\"" "one area ($area)" one
build '"full"' "all areas (full)" all
