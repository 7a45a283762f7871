#!/usr/bin/env bash
# Runs Liaison on a fresh Debian 12 machine with Rust and Node installed: installs what it
# needs, builds the UI, starts the services the app talks to, then the app itself. On first
# start with an empty database the app loads the demonstration operation.
#
#   LIAISON_DATA=/path/to/dir     where the force server's and the tablet's databases live
#   LIAISON_DB=/path/to.db        use this tablet database instead
#   LIAISON_OFFICER="PCSO 7781"   the officer using the device (default PC 4521)
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

# --- the UI: bundled into ui/dist, embedded in the app ---------------------------------------
# (`npm install` when this npm refuses its own lock file: see scripts/test.sh)
(cd ui && { npm ci --no-audit --no-fund || npm install --no-audit --no-fund; } && npm run build)

# --- the force server: embedded SQLite default, on this machine only -------------------------
# Its database and the app's enrollment live in LIAISON_DATA (default ~/.local/share/liaison-run).
# The app enrols itself with a one-time code on its first start, then syncs in the background.
DATA="${LIAISON_DATA:-$HOME/.local/share/liaison-run}"
PORT="${LIAISON_PORT:-7878}"
OFFICER="${LIAISON_OFFICER:-PC 4521}"
mkdir -p "$DATA"
cargo build -p liaison-server -p liaison-app
SERVER=(target/debug/liaison-server --db "$DATA/force.db")
# TLS even on this machine: a demo force CA and server certificate, made once and kept (the
# CLI never replaces an existing CA). The app pins this CA (LIAISON_SERVER_CA). A tablet
# database enrolled by an older run.sh over plain http:// must be removed ($DATA/tablet.db).
TLS="$DATA/tls"
if [ ! -f "$TLS/ca.pem" ]; then
  "${SERVER[@]}" tls init --dir "$TLS" --host 127.0.0.1 --host localhost >/dev/null
fi
"${SERVER[@]}" serve --listen "127.0.0.1:$PORT" --tls-cert "$TLS/server.pem" --tls-key "$TLS/server.key" \
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
export LIAISON_SERVER_URL="https://127.0.0.1:$PORT"
export LIAISON_SERVER_CA="$TLS/ca.pem"
export LIAISON_ENROLL_CODE="$("${SERVER[@]}" enroll-code --officer "$OFFICER")"
export LIAISON_DB="${LIAISON_DB:-$DATA/tablet.db}"
export LIAISON_OFFICER="$OFFICER"

# --- the app ---------------------------------------------------------------------------------
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "run: no display; starting the app under Xvfb (screenshots: scripts/screenshots.sh)" >&2
  xvfb-run -a -s "-screen 0 1280x800x24" cargo run -p liaison-app
else
  cargo run -p liaison-app
fi
