#!/usr/bin/env bash
# What a user's first `cargo build` costs: clean debug builds of five tiny programs, each in a fresh
# target directory, dependencies fetched beforehand, timed by `farm-bench` against the bare one:
#
#   a  bare: reqwest (rustls, json), serde, serde_json, tokio — the HTTP glue a user would write
#   b  the `sage` facade with its default features (all of Accounting v3.1)
#   c  the facade without defaults plus one v3.1 area (`sage-accounting-v31/contacts`)
#   d  `sage200-pro` with every area (`full`)
#   e  `sage200-standard` with every area (`full`)
#   o  a plus oauth2 as the runtime declares it: what the named OAuth dependency costs before any
#      code of ours
#   r  every dependency of the runtime (`sage-core`) as it declares them, without sage-core: the
#      floor under b and c
#   (o and r are not in the default set: `PROGRAMS="o r"`)
#
#   crates/bench/build-times.sh [runs] [baseline-checkout]
#   PROGRAMS="c" crates/bench/build-times.sh 3      # only some of b–e against a
#
# Each of b–e runs alternately with a (farm-bench pairs the runs: a b a b …) and the report gives
# medians, the ratio to a and the peak memory of the largest process (rustc). With a second argument,
# a checkout of an older commit, each program is also timed against the same program built from
# that commit (`b-old`, …) and locked as that commit locks it.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-3}
old=${2:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A program named $1 with dependencies $2 and main.rs $3, locked as the checkout at $4 (default: this one).
project() {
    local name=$1 deps=$2 main=$3 lock=${4:-$root}
    mkdir -p "$work/$name/src"
    printf '[package]\nname = "tiny-%s"\nversion = "0.0.0"\nedition = "2021"\n\n[dependencies]\n%s\n\n[workspace]\n' \
        "$name" "$deps" >"$work/$name/Cargo.toml"
    printf '%s\n' "$main" >"$work/$name/src/main.rs"
    cp "$lock/Cargo.lock" "$work/$name/Cargo.lock"
    (cd "$work/$name" && cargo fetch --quiet)
}

bare_deps='reqwest = { version = "0.12", default-features = false, features = ["json", "rustls-tls"] }
serde = { version = "1", features = ["derive"] }
serde_json = "1"
tokio = { version = "1", features = ["full"] }'
bare_main='#[derive(serde::Deserialize)] struct Contact { name: String }
#[tokio::main] async fn main() { let _ = reqwest::Client::new(); let c: Contact = serde_json::from_str(r#"{"name":"x"}"#).unwrap(); println!("{}", c.name); }'
# A dependency's line as the workspace spells it; a name it does not spell on one line stops the
# script rather than leave a program short of a dependency.
workspace_dep() {
    grep "^$1 = " "$root/Cargo.toml" || { echo "build-times: no one-line \`$1 = …\` in Cargo.toml" >&2; exit 1; }
}
project a "$bare_deps" "$bare_main"
oauth2_dep=$(workspace_dep oauth2)
project o "$bare_deps
$oauth2_dep" "$bare_main"
# sage-core's `[dependencies]` (each `name.workspace = true`).
runtime_deps=$(sed -n '/^\[dependencies\]/,/^\[/s/^\([a-z0-9_-]*\)\.workspace = true$/\1/p' "$root/crates/core/Cargo.toml" |
    while read -r dep; do workspace_dep "$dep"; done)
project r "$runtime_deps" "$bare_main"
# The SDK programs b–e, against the checkout at $1, named with the suffix $2.
sdk_programs() {
    local src=$1 suffix=$2
    project "b$suffix" "sage = { path = \"$src/crates/sage\" }" \
        'fn main() { println!("{:?}", sage::accounting_v31::contacts::ListContacts::new()); }' "$src"
    project "c$suffix" "sage = { path = \"$src/crates/sage\", default-features = false, features = [\"accounting-v31\"] }
sage-accounting-v31 = { path = \"$src/crates/accounting-v31\", features = [\"contacts\"] }" \
        'fn main() { println!("{:?}", sage::accounting_v31::contacts::ListContacts::new()); }' "$src"
    project "d$suffix" "sage200-pro = { path = \"$src/crates/sage200-pro\", features = [\"full\"] }" \
        'fn main() { println!("{:?}", sage200_pro::sales::ListCustomers::new()); }' "$src"
    project "e$suffix" "sage200-standard = { path = \"$src/crates/sage200-standard\", features = [\"full\"] }" \
        'fn main() { println!("{:?}", sage200_standard::sales::ListCustomers::new()); }' "$src"
}
sdk_programs "$root" ""
if [ -n "$old" ]; then
    sdk_programs "$old" "-old"
fi

# One clean build: a fresh target directory, nothing fetched from the network.
cat >"$work/build" <<'SH'
#!/bin/sh
cd "$1" && rm -rf target && exec cargo build --quiet --offline
SH
chmod +x "$work/build"

compare() {
    echo "== $1 vs $2"
    farm-bench -n "$runs" --warmup 0 --timeout 3600 --vs "$work/build $work/$2" -- "$work/build" "$work/$1"
}
for program in ${PROGRAMS:-b c d e}; do
    compare "$program" a
    if [ -d "$work/$program-old" ]; then
        compare "$program" "$program-old"
    fi
done
