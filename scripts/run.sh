#!/usr/bin/env bash
# Runs Liaison on a fresh Debian 12 machine with Rust and Node installed: installs what it
# needs, builds the UI, starts a demonstration force server with the demonstration operation on
# it, then the app itself. A new tablet's first screen is enrolment: this script has the server
# issue an enrolment string for the demo officer, prints it and fills it in on that screen
# (LIAISON_ENROLMENT_STRING, a demo convenience). Set a passcode and the tablet enrols, then
# receives the demo operation by the ordinary sync; it never makes demonstration data itself.
#
#   LIAISON_DATA=/path/to/dir        where the force server's and the tablet's databases live
#   LIAISON_DB=/path/to.db           use this tablet database instead
#   LIAISON_DEMO_OFFICER="PC 1190"   who the new tablet is enrolled for (default PC 4521, the
#                                    demo's first PLO; any officer id works, and is assigned
#                                    to the demo operation)
set -euo pipefail
cd "$(dirname "$0")/.."

# --- system packages: the webview (WebKitGTK); Xvfb when there is no display ----------------
PACKAGES=(libwebkit2gtk-4.1-dev xvfb xauth)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi

# --- the UI: the app's pages (ui/dist, embedded in the app) and the force console's ------------
# (ui/dist-console, served by the force server under /console)
# (`npm install` when this npm refuses its own lock file: see scripts/test.sh)
(cd ui && { npm ci --no-audit --no-fund || npm install --no-audit --no-fund; } && npm run build)

# --- the force server: embedded SQLite default, on this machine only -------------------------
# Its database and the tablet's live in LIAISON_DATA (default ~/.local/share/liaison-run).
DATA="${LIAISON_DATA:-$HOME/.local/share/liaison-run}"
PORT="${LIAISON_PORT:-7878}"
OFFICER="${LIAISON_DEMO_OFFICER:-PC 4521}"
mkdir -p "$DATA"
cargo build -p liaison-server -p liaison-app
SERVER=(target/debug/liaison-server --db "$DATA/force.db")
# TLS even on this machine: a demo force CA and server certificate, made once and kept (the
# CLI never replaces an existing CA). The enrolment string carries this CA, and the tablet
# trusts it and nothing else.
TLS="$DATA/tls"
if [ ! -f "$TLS/ca.pem" ]; then
  "${SERVER[@]}" tls init --dir "$TLS" --host 127.0.0.1 --host localhost >/dev/null
fi
# The demonstration operation, in the server's own chain, with the demo team assigned (written
# once; later runs only assign), and the tablet's officer assigned too; the demo's officers in
# the console's directory and its demo staff sign-ins (printed).
DEMO="$("${SERVER[@]}" demo)"
echo "$DEMO" >&2
"${SERVER[@]}" demo --officer "$OFFICER" >/dev/null
"${SERVER[@]}" serve --listen "127.0.0.1:$PORT" --tls-cert "$TLS/server.pem" --tls-key "$TLS/server.key" \
  --public-url "https://127.0.0.1:$PORT" --ca "$TLS/ca.pem" --console-dir ui/dist-console \
  >"$DATA/server.log" 2>&1 &
SERVER_PID=$!
cleanup() { kill "$SERVER_PID" 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 1 100); do
  grep -q "listening on" "$DATA/server.log" 2>/dev/null && break
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "run: the force server did not start:" >&2; cat "$DATA/server.log" >&2; exit 1; }
  sleep 0.1
done
echo "run: force server on https://127.0.0.1:$PORT (log: $DATA/server.log)" >&2
echo "run: force console at https://127.0.0.1:$PORT/console/ (the demo force CA signed its certificate:" >&2
echo "     import $TLS/ca.pem into the browser, or accept the warning); demo sign-ins:" >&2
echo "$DEMO" | sed -n '/console sign-ins/,$p' >&2
export LIAISON_DB="${LIAISON_DB:-$DATA/tablet.db}"
if [ ! -f "$LIAISON_DB.keystore" ]; then
  # A new tablet: a one-time enrolment string for the demo officer. (A tablet already set up
  # keeps the server's answer and needs none.)
  ENROLMENT="$("${SERVER[@]}" enroll-code --officer "$OFFICER" --server-url "https://127.0.0.1:$PORT" \
    --ca "$TLS/ca.pem" --string-only)"
  echo "run: enrolment string for $OFFICER, filled in on the tablet's first screen:" >&2
  echo "$ENROLMENT" >&2
  export LIAISON_ENROLMENT_STRING="$ENROLMENT"
fi

# --- the app ---------------------------------------------------------------------------------
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "run: no display; starting the app under Xvfb (screenshots: scripts/screenshots.sh)" >&2
  xvfb-run -a -s "-screen 0 1280x800x24" cargo run -p liaison-app
else
  cargo run -p liaison-app
fi
