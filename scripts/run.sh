#!/usr/bin/env bash
# Sets up what is missing, then builds and runs the app on its embedded defaults
# (SQLite and everything else under DATA_DIR, default ./data; http://127.0.0.1:3000).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$PWD/tools/node_modules/.bin:$PATH"
# `--split`: lazy routes' WASM modules (see app/src/lazy.rs); `-P`: brotli and gzip copies.
# Hashed names: the last build's files go first, or this build's would land beside them.
rm -rf target/site/pkg
exec cargo leptos serve --release --split -P
