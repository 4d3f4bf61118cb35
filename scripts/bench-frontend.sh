#!/usr/bin/env bash
# Front-end benchmark: the release build of the commit issue 15 started from (the baseline) and
# the current release build, each served by its own server on loopback with a temporary data
# directory, measured in one run by end2end/bench/frontend.mjs (headless Chromium through
# Playwright; CPU 4x slower, 1.6 Mbit/s and 150 ms latency): bytes transferred on a first and a
# repeat visit, and the time until the page is hydrated, for /, /skillshare, a booking page and
# /drive (logged in). Exits 0 whatever the figures: it prints the goals as PASS or FAIL.
#
# Usage:
#   scripts/bench-frontend.sh BASELINE_BIN BASELINE_SITE CURRENT_BIN CURRENT_SITE
#       Runs on builds made already. A binary built with hashed names (the current one) finds
#       its hash.txt beside itself (server/src/assets.rs), so keep the two together.
#   scripts/bench-frontend.sh --build
#       Builds what is missing first: the baseline release once (cached in
#       target/bench-baseline/<commit>/{server,site/}), and the current release (its site in
#       target/bench-current/site), then runs on them.
#
# Environment (all optional): RUNS (default 3), THROTTLE=0 (no throttling: dry runs on debug
# builds), PAGES (comma-separated paths), OUT_JSON (every figure as JSON), HYDRATE_TIMEOUT_MS,
# BENCH_VERBOSE=1 (every request), FRONTEND_BENCH_PORT (first port tried, default 4110; the
# servers take the first two free ones from there), BASELINE_COMMIT (default d440516).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
BASELINE_COMMIT=${BASELINE_COMMIT:-d440516}

# --------------------------------------------------------------------------------------------
# Builds (only with --build). cargo-leptos takes the site root from LEPTOS_SITE_ROOT, so each
# build writes its site where it is kept; both share the one target directory.

build_baseline() {
  local out="$root/target/bench-baseline/$BASELINE_COMMIT"
  if [ -x "$out/server" ] && [ -d "$out/site/pkg" ]; then
    echo "== baseline $BASELINE_COMMIT: cached in ${out#"$root"/}"
    return
  fi
  echo "== baseline $BASELINE_COMMIT: release build (once; cached in ${out#"$root"/})"
  # Outside this checkout: cargo reads .cargo/config.toml from every directory above the one it
  # runs in, and this checkout's (erase_components) must not change the baseline's build. A new
  # private directory each time (mktemp), never a fixed name in a shared /tmp.
  local scratch work
  scratch=$(mktemp -d "${TMPDIR:-/tmp}/clouddrive-bench-baseline.XXXXXX")
  work="$scratch/src"
  local staging="$out.partial"
  rm -rf "$staging"
  mkdir -p "$staging"
  git worktree prune
  git worktree add --detach "$work" "$BASELINE_COMMIT"
  # Not split: that commit has no lazy routes. -P: the brotli and gzip copies it serves too.
  (cd "$work" && CARGO_TARGET_DIR="$root/target" LEPTOS_SITE_ROOT="$staging/site" \
    cargo leptos build --release -P)
  cp "$root/target/release/server" "$staging/server"
  # That commit has no hashed names: no hash.txt may sit beside its binary.
  rm -f "$staging/hash.txt"
  rm -rf "$out"
  mv "$staging" "$out"
  git worktree remove --force "$work"
  rmdir "$scratch"
}

build_current() {
  echo "== current: release build"
  local site="$root/target/bench-current/site"
  # Hashed names: the last build's files go first, or this build's would land beside them.
  rm -rf "$site"
  LEPTOS_SITE_ROOT="$site" cargo leptos build --release --split -P
  # The binary finds its hash.txt beside itself.
  test -f "$root/target/release/hash.txt"
}

if [ "${1:-}" = "--build" ]; then
  export PATH="$root/tools/node_modules/.bin:$PATH" # wasm-opt
  export LEPTOS_OUTPUT_NAME=clouddrive
  # The baseline first: both builds put their server in target/release/.
  build_baseline
  build_current
  set -- "$root/target/bench-baseline/$BASELINE_COMMIT/server" \
    "$root/target/bench-baseline/$BASELINE_COMMIT/site" \
    "$root/target/release/server" \
    "$root/target/bench-current/site"
fi

if [ $# -ne 4 ]; then
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
baseline_bin=$(realpath "$1")
baseline_site=$(realpath "$2")
current_bin=$(realpath "$3")
current_site=$(realpath "$4")
for f in "$baseline_bin" "$current_bin"; do
  [ -x "$f" ] || { echo "not an executable: $f" >&2; exit 2; }
done
for d in "$baseline_site" "$current_site"; do
  [ -d "$d/pkg" ] || { echo "no pkg/ in the site root $d" >&2; exit 2; }
done

# --------------------------------------------------------------------------------------------
# What the browser side needs (as scripts/setup.sh --test installs it).

if [ ! -d end2end/node_modules/playwright ]; then
  echo "== Playwright into end2end/"
  (cd end2end && npm ci --no-audit --no-fund)
fi
chromium=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
  echo "== Chromium"
  apt-get update -qq && apt-get install -y -qq chromium >/dev/null
fi

# --------------------------------------------------------------------------------------------
# Two servers on loopback.

tmp=$(mktemp -d /tmp/clouddrive-bench-frontend.XXXXXX)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
next_port=${FRONTEND_BENCH_PORT:-4110}
free_port() {
  while port_taken "$next_port"; do
    next_port=$((next_port + 1))
  done
  if [ "$next_port" -gt 4199 ]; then
    echo "no free port below 4200" >&2
    exit 1
  fi
  port=$next_port
  next_port=$((next_port + 1))
}

# start_server NAME BINARY SITE_ROOT: sets $port; the server's pid joins $pids.
start_server() {
  local name=$1 bin=$2 site=$3
  free_port
  mkdir -p "$tmp/$name/data"
  # Run from the temp directory: the server loads a .env from its working directory up.
  # No SMTP_URL: mail goes to DATA_DIR/outbox, where the bench reads its login codes. The
  # auth limit is raised: every request of the bench comes from 127.0.0.1.
  (
    cd "$tmp/$name"
    exec env -u SMTP_URL -u DATABASE_URL -u CLUSTER_NODES -u SECRET_KEY -u PUBLIC_URL \
      -u LEPTOS_HASH_FILES -u LEPTOS_HASH_FILE_NAME -u LEPTOS_SITE_PKG_DIR -u LEPTOS_ENV \
      DATA_DIR="$tmp/$name/data" \
      LEPTOS_SITE_ADDR="127.0.0.1:$port" \
      LEPTOS_OUTPUT_NAME=clouddrive \
      LEPTOS_SITE_ROOT="$site" \
      AUTH_RATE_LIMIT_PER_MINUTE=100000 \
      BCRYPT_COST=4 \
      RUST_LOG=warn \
      "$bin"
  ) >"$tmp/$name/server.log" 2>&1 &
  pids+=("$!")
  local pid=$! deadline=$((SECONDS + 60))
  until curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "the $name server exited:" >&2
      cat "$tmp/$name/server.log" >&2
      exit 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "the $name server did not answer /healthz within 60 s:" >&2
      cat "$tmp/$name/server.log" >&2
      exit 1
    fi
    sleep 0.2
  done
  echo "== $name: $bin on 127.0.0.1:$port (site $site)"
}

start_server baseline "$baseline_bin" "$baseline_site"
baseline_port=$port
start_server current "$current_bin" "$current_site"
current_port=$port

# A benchmark, not a test: the goals are printed, the exit code stays 0 unless the harness
# itself broke.
BASELINE_URL="http://127.0.0.1:$baseline_port" \
  CURRENT_URL="http://127.0.0.1:$current_port" \
  BASELINE_OUTBOX="$tmp/baseline/data/outbox" \
  CURRENT_OUTBOX="$tmp/current/data/outbox" \
  CHROMIUM_PATH="$chromium" \
  node end2end/bench/frontend.mjs
