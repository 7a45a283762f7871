#!/usr/bin/env bash
# Runs every test of Liaison on a fresh Debian 12 machine with Rust and Node installed.
# Installs what it needs itself. Used by CI (.ci/run) and by developers alike.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages: the webview (WebKitGTK) for the app and its WebDriver, Xvfb for a
# display, Chromium for UI-only tests, PostgreSQL 15 for the server's second backend, the TPM
# 2.0 software stack (libtss2-dev, found by pkg-config, for the core's `tpm` feature) with
# Debian's software TPM and its tools (swtpm, tpm2-tools) for the TPM tests, poppler-utils
# (pdftotext, pdftoppm) to read back the reports' PDFs. Installed once; skipped when already
# present.
PACKAGES=(libwebkit2gtk-4.1-dev webkit2gtk-driver xvfb xauth chromium postgresql-15 pkg-config libtss2-dev swtpm swtpm-tools tpm2-tools poppler-utils)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi

echo "== format and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p liaison_core --all-targets --features tpm -- -D warnings

echo "== the force server builds on the core without the device half"
# No device store, no SQLCipher (and its vendored OpenSSL), no HTTP client, no TPM stack in the
# server's own dependency tree: only the evidence, records, audit and the wire protocol.
if cargo tree -p liaison-server -e normal -f '{p} {f}' | grep -E 'sqlcipher|openssl|reqwest|tss-esapi'; then
  echo "test: the server links the device half of liaison_core (see above)" >&2
  exit 1
fi

echo "== Rust tests (core, server, shell; the server's storage, sync, fault and trust suites on SQLite and PostgreSQL)"
# A throwaway PostgreSQL 15 cluster for the run: pg_virtualenv creates it, exports PGHOST,
# PGPORT, PGUSER, PGPASSWORD and PGDATABASE to the command, and removes it after (-t: in a
# temporary directory, also as root). Each test makes its own database in it.
pg_virtualenv -t -v 15 cargo test --workspace

echo "== the database key sealed by a TPM 2.0 (each test starts its own swtpm; under CI a missing one fails)"
cargo test -p liaison_core --features tpm --test tpm

if [ -f ui/package.json ]; then
  echo "== UI: install, type check, unit tests, build"
  # npm 11.19 as installed here writes package-lock.json without the other platforms' optional
  # packages (rollup's native binaries) and then `npm ci` refuses that lock file as out of sync;
  # `npm install` from the same lock file installs the same versions.
  (cd ui && { npm ci --no-audit --no-fund || npm install --no-audit --no-fund; } && npm run check && npm test && npm run build)
fi

echo "== end-to-end journey of the force console in Chromium (with axe-core on every screen)"
scripts/console-e2e.sh

if [ -x scripts/e2e.sh ]; then
  echo "== end-to-end tests of the real app"
  scripts/e2e.sh
fi
echo "== fuzzing: a short run of every cargo-fuzz target (the long run: scripts/fuzz.sh 600)"
FUZZ_QUICK=1 scripts/fuzz.sh "${FUZZ_SECONDS:-10}"
echo "== all tests passed"
