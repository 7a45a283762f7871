#!/usr/bin/env bash
# Takes the README's screenshots of the main screens from the real app under Xvfb, at the
# tablet sizes the UI is designed for (1280x800 landscape, 800x1280 portrait), into
# docs/screenshots/: a new tablet's enrolment screen first, then the screens of the demo
# operation it receives from the force server. Run it after changing a screen so the README
# stays current.
set -euo pipefail
cd "$(dirname "$0")/.."
(cd ui && { [ -d node_modules ] || npm ci --no-audit --no-fund || npm install --no-audit --no-fund; } && npm run build)
cargo build -p liaison-app -p liaison-server
# A force server for the app to sync with, so the status strip shows a real sync.
DATA="$(mktemp -d)"
SERVER=(target/debug/liaison-server --db "$DATA/force.db")
# Over TLS, as in the field: a throwaway demo force CA that the app pins.
"${SERVER[@]}" tls init --dir "$DATA/tls" --host 127.0.0.1 >/dev/null
# The demo operation on the server: the tablet receives it by the ordinary sync.
"${SERVER[@]}" demo >/dev/null
"${SERVER[@]}" serve --listen 127.0.0.1:7979 --tls-cert "$DATA/tls/server.pem" --tls-key "$DATA/tls/server.key" \
  >"$DATA/server.log" 2>&1 &
SERVER_PID=$!
trap 'kill "$SERVER_PID" 2>/dev/null || true; rm -rf "$DATA"' EXIT
until grep -q "listening on" "$DATA/server.log" 2>/dev/null; do sleep 0.1; done
# The same variables scripts/e2e.sh sets for its force server: the test has its CLI print the
# enrolment string it types on the first screen (and photographs).
export LIAISON_E2E_SERVER_URL="https://127.0.0.1:7979"
export LIAISON_E2E_SERVER_CA="$DATA/tls/ca.pem"
export LIAISON_E2E_SERVER_BIN="$PWD/target/debug/liaison-server" LIAISON_E2E_SERVER_DB="$DATA/force.db"
export LIAISON_APP="${LIAISON_APP:-$PWD/target/debug/liaison-app}"
export LIAISON_SCREENSHOTS="$PWD/docs/screenshots"
# With compositing off (the app default) WebKitWebDriver hangs taking a screenshot after a resize.
export WEBKIT_DISABLE_COMPOSITING_MODE=0
timeout 600 xvfb-run -a -s "-screen 0 1920x1440x24" \
  cargo test -p liaison-app --test e2e -- --ignored --exact screenshots_of_the_main_screens --nocapture
# The operation's map (with the force tiles the map's e2e test writes): landscape-map.png.
timeout 600 xvfb-run -a -s "-screen 0 1920x1440x24" \
  cargo test -p liaison-app --test e2e -- --ignored --exact the_operation_map_draws_offline_opens_a_pin_and_saves_a_tapped_position --nocapture
# A colleague's photo opened on the tablet: landscape-colleague-photo.png.
timeout 600 xvfb-run -a -s "-screen 0 1920x1440x24" \
  cargo test -p liaison-app --test e2e -- --ignored --exact a_colleagues_photo_shows_as_a_thumbnail_after_sync_and_opens_from_the_force_server --nocapture
