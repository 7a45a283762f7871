#!/usr/bin/env bash
# The force console's end-to-end journey in Debian's Chromium (playwright-core, from npm; no
# browser is downloaded): a real force server on 127.0.0.1 with the built console, an admin
# who creates staff and officers, draws an operation's three sectors on the map and issues an
# enrolment; a tablet (the core's store and sync client) that enrols with that string and
# pushes a tension reading and an escalation carrying a photo; a commander's open live page that
# shows both without a reload, the photo's thumbnail, and the photo opened full size. axe-core checks every screen (no serious or critical issue).
#
#   SCREENSHOT_DIR=docs/screenshots/console   keep the screens (for the README)
#
# Needs: chromium (apt), node, ui/node_modules and the console's build (`npm run build` in ui/).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null; then
  echo "console-e2e: Debian's chromium is not installed (apt-get install -y chromium)" >&2
  exit 1
fi
if [ ! -f ui/dist-console/index.html ]; then
  (cd ui && npm run build)
fi
export SCREENSHOT_DIR="${SCREENSHOT_DIR:-$(mktemp -d)}"
cargo run -q -p liaison-server --example console_e2e
