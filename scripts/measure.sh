#!/usr/bin/env bash
# Measures issue 3's performance targets on this machine, under Xvfb, with a release build:
# start to interactive operation home, save to visible, timeline paging over 5,000 records,
# binary size, resident memory. Prints the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
(cd ui && { [ -d node_modules ] || npm ci --no-audit --no-fund || npm install --no-audit --no-fund; } && npm run build)
cargo build --release -p liaison-app --features tauri/custom-protocol
export LIAISON_APP="$PWD/target/release/liaison-app"
export LIAISON_MEASURE=1
timeout 900 xvfb-run -a -s "-screen 0 1920x1440x24" \
  cargo test -p liaison-app --test e2e -- --ignored --exact measure_the_performance_targets --nocapture 2>&1 \
  | grep -E '^(==|binary|start|tap|timeline|locked|release|resident)|panicked|FAILED'
