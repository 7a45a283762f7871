#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 30; the documented long run is 600).
# Needs cargo-fuzz (installed here if missing); uses the stable toolchain with RUSTC_BOOTSTRAP.
#
#   scripts/fuzz.sh 600                      the long run: release build, AddressSanitizer
#   FUZZ_QUICK=1 scripts/fuzz.sh 10          CI's short run: debug build (assertions and
#                                            overflow checks on), no sanitizer: it builds in
#                                            about half the time, and the code is safe Rust
# Exits non-zero on any crash; the input that caused it is kept in fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH="${1:-30}"
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1
FLAGS=()
[ "${FUZZ_QUICK:-0}" = "1" ] && FLAGS=(--dev -s none)
for target in $(cd fuzz && cargo fuzz list); do
  mkdir -p "fuzz/corpus/$target"
  echo "== fuzzing $target for ${SECONDS_EACH}s"
  (cd fuzz && cargo fuzz run "${FLAGS[@]}" "$target" "corpus/$target" -- \
    -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -print_final_stats=1 2>&1 | grep -v "^#[0-9]")
done
