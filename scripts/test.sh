#!/usr/bin/env bash
# Sets up what is missing, then runs every test: format, lints, unit, integration (the real
# server over HTTP), and end-to-end (Playwright in headless Chromium, mail through maildev SMTP).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Free disk is printed with each step: running out of it is how a build fails on a small machine.
step() {
  printf '\n== %s (%d s, %s free)\n' "$*" "$((SECONDS - started))" "$(df -h --output=avail . | tail -1 | tr -d ' ')"
}

scripts/setup.sh --test
export PATH="$PWD/tools/node_modules/.bin:$PATH"
# cargo-leptos compiles with this set; setting it for every cargo call keeps one warm build.
export LEPTOS_OUTPUT_NAME=clouddrive

step "format"
cargo fmt --all --check

step "lints (server side, then browser side)"
cargo clippy -p domain -p model -p app -p server --all-targets --features app/ssr -- -D warnings
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

step "unit tests"
cargo test -p domain 2>&1 | tee -a "$log"
cargo test -p app --features ssr --lib 2>&1 | tee -a "$log"

step "build the site (server + WASM)"
cargo leptos build

step "integration tests"
cargo test -p server 2>&1 | tee -a "$log"

step "end-to-end tests (Chromium)"
(cd end2end && npx playwright test) 2>&1 | tee -a "$log"

passed=$(grep -oE '(test result: ok\. [0-9]+ passed|^ +[0-9]+ passed)' "$log" | grep -oE '[0-9]+ passed' | awk '{s+=$1} END {print s+0}')
printf '\nAll tests passed in %d s.\n%d passed, 0 failed\n' "$((SECONDS - started))" "$passed"
