#!/usr/bin/env bash
# Builds the release server and runs the benchmarks; each prints its figures and the ratio to
# a baseline measured in the same run. PostgreSQL and the S3 engine they compare with are
# started on loopback (scripts/engines.sh) and stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$PWD/tools/node_modules/.bin:$PATH"
export LEPTOS_OUTPUT_NAME=clouddrive
engines=$(mktemp -d /tmp/clouddrive-bench-engines.XXXXXX)
trap 'scripts/engines.sh stop "$engines" >/dev/null 2>&1 || true; rm -rf "$engines"' EXIT
scripts/engines.sh start "$engines"
pg_admin=$(sed -n 's/^export TEST_PG_ADMIN_URL=//p' "$engines/env")
cargo bench -p server --bench auth_load
cargo bench -p server --bench cluster_io
cargo bench -p server --bench drive_io
cargo bench -p server --bench thumbnails
cargo bench -p server --bench share_zip
cargo bench -p server --bench webdav_io
TEST_PG_ADMIN_URL=$pg_admin cargo bench -p server --bench db_load
# The front end against the commit issue 15 started from (d440516, built once and kept in
# target/bench-baseline/): bytes and time to hydrated on a throttled phone profile.
OUT_JSON=target/bench-frontend.json scripts/bench-frontend.sh --build
