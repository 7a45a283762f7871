#!/usr/bin/env bash
# Runs Liaison on a fresh Debian 12 machine with Rust and Node installed: installs what it
# needs, builds the UI, starts the services the app talks to, then the app itself. On first
# start with an empty database the app loads the demonstration operation.
#
#   LIAISON_DB=/path/to.db        use this database instead of the one in the app data dir
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

# --- services the app talks to ---------------------------------------------------------------
# None yet. The force server (embedded SQLite default) starts here once sync lands; add it as
# a background process and stop it in the trap below.
cleanup() { :; }
trap cleanup EXIT

# --- the app ---------------------------------------------------------------------------------
cargo build -p liaison-app
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "run: no display; starting the app under Xvfb (screenshots: scripts/screenshots.sh)" >&2
  xvfb-run -a -s "-screen 0 1280x800x24" cargo run -p liaison-app
else
  cargo run -p liaison-app
fi
