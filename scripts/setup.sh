#!/usr/bin/env bash
# Installs what the app and its tests need, skipping whatever is already there.
# Usage: scripts/setup.sh [--test]   (--test adds Chromium, Playwright, maildev, rclone, litmus)
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.11
# Must equal the wasm-bindgen crate version pinned in Cargo.toml.
WASM_BINDGEN_VERSION=0.2.130
TOOLCHAIN=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)

step() { printf '\n== %s\n' "$*"; }

step "Rust $TOOLCHAIN with the wasm32 target"
rustup toolchain install "$TOOLCHAIN" --profile minimal \
  --component rustfmt,clippy --target wasm32-unknown-unknown >/dev/null

if [ "$(cargo leptos --version 2>/dev/null)" != "cargo-leptos $CARGO_LEPTOS_VERSION" ]; then
  step "cargo-leptos $CARGO_LEPTOS_VERSION (about 15 minutes on 2 cores, once)"
  # no_downloads: never fetch helper binaries from the internet; they come from below.
  cargo "+$TOOLCHAIN" install cargo-leptos --locked --version "$CARGO_LEPTOS_VERSION" --features no_downloads
fi

if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  step "wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  cargo "+$TOOLCHAIN" install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# wasm-opt (binaryen) for release builds: Debian's is too old, npm's works.
if [ ! -x tools/node_modules/.bin/wasm-opt ]; then
  step "binaryen (wasm-opt) into tools/"
  (cd tools && npm ci --no-audit --no-fund)
fi

if [ "${1:-}" = "--test" ]; then
  step "PostgreSQL and SeaweedFS (the S3 engine) for the tests"
  scripts/engines.sh install >/dev/null
  if [ ! -x /usr/bin/chromium ]; then
    step "Chromium for the browser tests"
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  fi
  if [ ! -x /usr/bin/rclone ] || [ ! -x /usr/bin/litmus ]; then
    step "rclone and litmus for the WebDAV tests"
    apt-get update -qq && apt-get install -y -qq rclone litmus >/dev/null
  fi
  if [ ! -x end2end/node_modules/.bin/playwright ] || [ ! -x end2end/node_modules/.bin/maildev ] || [ ! -d end2end/node_modules/@axe-core/playwright ]; then
    step "Playwright, axe-core and maildev into end2end/"
    (cd end2end && npm ci --no-audit --no-fund)
  fi
fi
