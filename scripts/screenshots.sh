#!/usr/bin/env bash
# Takes the README's screenshots of the main screens from the real app under Xvfb, at the
# tablet sizes the UI is designed for (1280x800 landscape, 800x1280 portrait), into
# docs/screenshots/. Run it after changing a screen so the README stays current.
set -euo pipefail
cd "$(dirname "$0")/.."
(cd ui && { [ -d node_modules ] || npm ci --no-audit --no-fund || npm install --no-audit --no-fund; } && npm run build)
cargo build -p liaison-app
export LIAISON_APP="${LIAISON_APP:-$PWD/target/debug/liaison-app}"
export LIAISON_SCREENSHOTS="$PWD/docs/screenshots"
# With compositing off (the app default) WebKitWebDriver hangs taking a screenshot after a resize.
export WEBKIT_DISABLE_COMPOSITING_MODE=0
timeout 600 xvfb-run -a -s "-screen 0 1920x1440x24" \
  cargo test -p liaison-app --test e2e -- --ignored --exact screenshots_of_the_main_screens --nocapture
