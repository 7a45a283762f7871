#!/usr/bin/env bash
# End-to-end tests of the real app: builds the UI and the app, then drives the app binary
# through WebKitWebDriver (fantoccini) under Xvfb: a new tablet enrolled with the string the
# force server's CLI prints, a shift's journey with a restart, axe-core on every screen in
# both themes, the idle lock, revocation, and the measurement journey on a small data set (so
# that scripts/measure.sh cannot rot). Exits non-zero on any failure. With CI=true a test that
# cannot run fails instead of being skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

for bin in WebKitWebDriver xvfb-run npm; do
  command -v "$bin" >/dev/null || { echo "e2e: $bin is missing (scripts/test.sh installs it)" >&2; exit 1; }
done

echo "== e2e: build the UI"
(cd ui && { [ -d node_modules ] || npm ci --no-audit --no-fund || npm install --no-audit --no-fund; } && npm run build)

echo "== e2e: build the app and the force server"
cargo build -p liaison-app -p liaison-server

# A real force server for the journey to enrol with and sync to, a random passcode, and a
# folder for every log, so that the logs can be searched for secrets afterwards.
WORK="$(mktemp -d)"
SERVER_PID=""
trap '[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$WORK"' EXIT
export LIAISON_E2E_LOGS="$WORK/logs"
mkdir -p "$LIAISON_E2E_LOGS"
# Every enrolment code the tests have the CLI print, one a line, for the log search below.
export LIAISON_E2E_CODES="$WORK/codes"
: >"$LIAISON_E2E_CODES"
export LIAISON_E2E_PASSCODE="e2e-$(head -c 9 /dev/urandom | od -An -tx1 | tr -d ' \n')"
SERVER=(target/debug/liaison-server --db "$WORK/force.db")
export LIAISON_E2E_SERVER_BIN="$PWD/target/debug/liaison-server" LIAISON_E2E_SERVER_DB="$WORK/force.db"
# TLS as in the field: a throwaway force CA the app pins.
"${SERVER[@]}" tls init --dir "$WORK/tls" --host 127.0.0.1 >/dev/null
export LIAISON_E2E_SERVER_CA="$WORK/tls/ca.pem"
# The demonstration operation, on the server and in its own chain: new tablets receive it by
# the ordinary pull (no tablet makes demonstration data).
"${SERVER[@]}" demo >/dev/null
# Everything at debug level: a secret that leaked into any log line would be found.
export RUST_LOG=debug
"${SERVER[@]}" serve --listen 127.0.0.1:0 --tls-cert "$WORK/tls/server.pem" --tls-key "$WORK/tls/server.key" \
  >"$LIAISON_E2E_LOGS/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
  grep -q "listening on" "$LIAISON_E2E_LOGS/server.log" && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$LIAISON_E2E_LOGS/server.log" >&2; exit 1; }
  sleep 0.1
done
ADDR="$(grep -o 'listening on [^ ]*' "$LIAISON_E2E_LOGS/server.log" | head -1 | awk '{print $3}')"
export LIAISON_E2E_SERVER_URL="https://$ADDR"
# Each test has the server's CLI print an enrolment string for its new tablet.

echo "== e2e: drive the app under Xvfb"
export LIAISON_APP="${LIAISON_APP:-$PWD/target/debug/liaison-app}"
if ! xvfb-run -a -s "-screen 0 1920x1440x24" \
  cargo test -p liaison-app --test e2e -- --ignored --test-threads=1 \
    ${E2E_TESTS:-an_officer_enrols_a_new_tablet every_screen_passes_axe the_app_locks_itself_when_left_idle locking_ends_the_web_process a_revoked_device an_escalation_raised_on_the_tablet a_record_edited_on_two_tablets the_operation_map a_photo_attached a_colleagues_photo}; then
  for f in "$LIAISON_E2E_LOGS"/*; do echo "--- last lines of $f" >&2; grep -v "DEBUG" "$f" | tail -25 >&2; done
  exit 1
fi

echo "== e2e: the measurement journey (scripts/measure.sh) on the debug build, with a small data set"
# Figures from a debug build mean nothing; this only keeps the journey working.
if ! LIAISON_MEASURE=1 LIAISON_MEASURE_NOTES="${LIAISON_MEASURE_NOTES:-300}" xvfb-run -a -s "-screen 0 1920x1440x24" \
  cargo test -p liaison-app --test e2e -- --ignored --exact measure_the_performance_targets --nocapture \
    >"$WORK/measure.out" 2>&1; then
  tail -40 "$WORK/measure.out" >&2
  exit 1
fi
grep -q '^== Liaison performance' "$WORK/measure.out" || { tail -40 "$WORK/measure.out" >&2; exit 1; }

echo "== e2e: no secret or record text in the logs"
kill "$SERVER_PID" 2>/dev/null || true
wait "$SERVER_PID" 2>/dev/null || true
SERVER_PID=""
# The passcode, the enrolment code (as given and as typed without dashes), any device token
# (they all start lzt1_), and words typed into records during the journey.
# and the server's private key.
key_line="$(sed -n 2p "$WORK/tls/server.key")"
secrets=("$LIAISON_E2E_PASSCODE" "lzt1_" "zebrakite" "quillmoor" "${key_line:0:40}")
while read -r code; do
  [ -n "$code" ] && secrets+=("$code" "${code//-/}")
done <"$LIAISON_E2E_CODES"
[ "${#secrets[@]}" -gt 5 ] || { echo "e2e: the tests handed out no enrolment code" >&2; exit 1; }
found=0
for s in "${secrets[@]}"; do
  if grep -rIl -F -- "$s" "$LIAISON_E2E_LOGS" >/dev/null 2>&1; then
    echo "e2e: a secret or record text is in the logs: ${s:0:4}… in $(grep -rIl -F -- "$s" "$LIAISON_E2E_LOGS" | tr '\n' ' ')" >&2
    found=1
  fi
done
bytes=$(cat "$LIAISON_E2E_LOGS"/* | wc -c)
[ "$found" -eq 0 ] || exit 1
# The search means something only if the logs were written: the app logged its syncs, the
# server the pushes it stored.
grep -rqs "sync attempt" "$LIAISON_E2E_LOGS"/app-*.log || { echo "e2e: the app's log holds no sync attempt" >&2; exit 1; }
grep -qs "push" "$LIAISON_E2E_LOGS/server.log" || { echo "e2e: the server's log holds no push" >&2; exit 1; }
echo "e2e: searched $bytes bytes of app and server logs for ${#secrets[@]} secrets: none found"
