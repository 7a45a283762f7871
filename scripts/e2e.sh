#!/usr/bin/env bash
# End-to-end tests of the real app: builds the UI and the app, then drives the app binary
# through WebKitWebDriver (fantoccini) under Xvfb: a shift's journey with a restart, and
# axe-core on every screen in both themes. Exits non-zero on any failure. With CI=true a test
# that cannot run fails instead of being skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

for bin in WebKitWebDriver xvfb-run npm; do
  command -v "$bin" >/dev/null || { echo "e2e: $bin is missing (scripts/test.sh installs it)" >&2; exit 1; }
done

echo "== e2e: build the UI"
(cd ui && { [ -d node_modules ] || npm ci --no-audit --no-fund || npm install --no-audit --no-fund; } && npm run build)

echo "== e2e: build the app"
cargo build -p liaison-app

echo "== e2e: drive the app under Xvfb"
export LIAISON_APP="${LIAISON_APP:-$PWD/target/debug/liaison-app}"
xvfb-run -a -s "-screen 0 1920x1440x24" \
  cargo test -p liaison-app --test e2e -- --ignored --test-threads=1 \
    an_officer_works_a_shift every_screen_passes_axe
