#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 30; the documented long run is 600).
# Needs cargo-fuzz (installed here if missing); uses the stable toolchain with RUSTC_BOOTSTRAP.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH="${1:-30}"
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1
for target in $(cd fuzz && cargo fuzz list); do
  mkdir -p "fuzz/corpus/$target"
  echo "== fuzzing $target for ${SECONDS_EACH}s"
  (cd fuzz && cargo fuzz run "$target" "corpus/$target" -- -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048)
done
