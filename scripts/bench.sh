#!/usr/bin/env bash
# Builds the release server and runs the benchmarks; each prints its figures and the ratio to
# a baseline measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$PWD/tools/node_modules/.bin:$PATH"
export LEPTOS_OUTPUT_NAME=clouddrive
cargo bench -p server --bench auth_load
cargo bench -p server --bench cluster_io
cargo bench -p server --bench drive_io
