#!/usr/bin/env bash
# Sets up what is missing, then runs every test: format, lints, unit, integration (the real
# server over HTTP), and end-to-end (Playwright in headless Chromium, mail through maildev SMTP).
# The unit and integration suites run on SQLite and again on a throwaway PostgreSQL; the
# cluster's fault tests run with storage-node regions, S3 regions (SeaweedFS) and both mixed;
# two app servers on one PostgreSQL get a suite of their own. The engines are started on
# loopback by scripts/engines.sh (which installs them when missing) and stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
log=$(mktemp)
engines=$(mktemp -d /tmp/clouddrive-engines.XXXXXX)
trap 'scripts/engines.sh stop "$engines" >/dev/null 2>&1 || true; rm -rf "$engines" "$log"' EXIT

# Free disk is printed with each step: running out of it is how a build fails on a small machine.
step() {
  printf '\n== %s (%d s, %s free)\n' "$*" "$((SECONDS - started))" "$(df -h --output=avail . | tail -1 | tr -d ' ')"
}

scripts/setup.sh --test
export PATH="$PWD/tools/node_modules/.bin:$PATH"
# cargo-leptos compiles with this set; setting it for every cargo call keeps one warm build.
export LEPTOS_OUTPUT_NAME=clouddrive

step "real engines: PostgreSQL and an S3 engine on loopback"
scripts/engines.sh start "$engines"
pg_admin=$(sed -n 's/^export TEST_PG_ADMIN_URL=//p' "$engines/env")

step "format"
cargo fmt --all --check

step "lints (server side, then browser side)"
cargo clippy -p domain -p model -p app -p server --all-targets --features app/ssr -- -D warnings
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

step "unit tests (SQLite)"
cargo test -p domain 2>&1 | tee -a "$log"
cargo test -p app --features ssr --lib 2>&1 | tee -a "$log"

step "unit tests (PostgreSQL)"
TEST_PG_ADMIN_URL=$pg_admin cargo test -p domain 2>&1 | tee -a "$log"

step "build the site (server + WASM, split by route)"
# `--split` on every build: lazy routes import modules only the splitter writes. The last
# build's files go first: with hashed names, a build would add its files beside them.
rm -rf target/site/pkg
cargo leptos build --split

step "integration tests (SQLite, storage-node regions)"
# Every suite but the one for several app servers, which needs a shared database.
suites=()
for f in server/tests/*.rs; do
  name=$(basename "$f" .rs)
  [ "$name" = two_servers ] || suites+=(--test "$name")
done
cargo test -p server --bins "${suites[@]}" 2>&1 | tee -a "$log"

step "integration tests (PostgreSQL), two app servers included"
TEST_PG_ADMIN_URL=$pg_admin cargo test -p server 2>&1 | tee -a "$log"

step "cluster fault tests with S3 regions, then mixed"
TEST_REGIONS=s3 cargo test -p server --test cluster 2>&1 | tee -a "$log"
TEST_REGIONS=mixed cargo test -p server --test cluster 2>&1 | tee -a "$log"

step "end-to-end tests (Chromium)"
(cd end2end && npx playwright test) 2>&1 | tee -a "$log"

passed=$(grep -oE '(test result: ok\. [0-9]+ passed|^ +[0-9]+ passed)' "$log" | grep -oE '[0-9]+ passed' | awk '{s+=$1} END {print s+0}')
printf '\nAll tests passed in %d s.\n%d passed, 0 failed\n' "$((SECONDS - started))" "$passed"
