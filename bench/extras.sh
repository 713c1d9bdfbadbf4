#!/usr/bin/env bash
# Issue #19's deep-page and memory measurements (bench/extras.py) on a throwaway PostgreSQL 15
# with the synthetic inventory: one server with the answer cache off, one with the default.
#
#   bench/extras.sh [TASK_DEFINITIONS]     # default 10000 (memory only); >= 200000 adds the deep page
#
# Needs wrk and pgbench's PostgreSQL client tools.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/postgres.sh
. scripts/lib/postgres.sh

COUNT=${1:-10000}
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  stop_throwaway_postgres
}
trap cleanup EXIT INT TERM

cargo build --release --quiet -p assetql-server
start_throwaway_postgres -c max_connections=200
BIN=./target/release/assetql
$BIN --log-level warn --database-url "$PG_URL" generate --task-definitions "$COUNT" >&2
psql "$PG_URL" -X -q -c "VACUUM ANALYZE" >&2
UNCACHED=$(free_port)
$BIN --log-level warn --database-url "$PG_URL" serve --auth false --answer-cache-bytes 0 \
  --listen "127.0.0.1:$UNCACHED" &
UNCACHED_PID=$!
PIDS+=("$UNCACHED_PID")
CACHED=$(free_port)
$BIN --log-level warn --database-url "$PG_URL" serve --auth false --listen "127.0.0.1:$CACHED" &
CACHED_PID=$!
PIDS+=("$CACHED_PID")
for port in "$UNCACHED" "$CACHED"; do
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break
    sleep 0.1
  done
done
python3 bench/extras.py --uncached-url "http://127.0.0.1:$UNCACHED/graphql" --uncached-pid "$UNCACHED_PID" \
  --cached-url "http://127.0.0.1:$CACHED/graphql" --cached-pid "$CACHED_PID" \
  $([ "$COUNT" -ge 200000 ] && echo --deep)
