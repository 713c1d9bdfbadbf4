#!/usr/bin/env bash
# Issue #19's comparison at one scale: a throwaway PostgreSQL 15 with the synthetic inventory,
# `assetql serve` twice (answer cache on, and --answer-cache-bytes 0), PostGraphile v5 +
# connection-filter (bench/peer, installed outside the repository), and pgbench running the
# hand-written SQL (-M prepared and -M extended); then bench/compare.py. Prints a Markdown table.
#
#   bench/compare.sh [TASK_DEFINITIONS] [SECONDS]    # defaults 10000 (scale S) and 10
#   bench/compare.sh 200000 10                        # scale L
#
# Needs wrk, pgbench and npm (for the peer).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/postgres.sh
. scripts/lib/postgres.sh

COUNT=${1:-10000}
SECONDS_PER_RUN=${2:-10}
SCALE=${SCALE:-$([ "$COUNT" -ge 100000 ] && echo L || echo S)}
for tool in wrk pgbench psql npm; do
  command -v "$tool" >/dev/null || { echo "error: $tool is needed" >&2; exit 1; }
done

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  stop_throwaway_postgres
}
trap cleanup EXIT INT TERM

NODE=$(bench/peer/install.sh)
PEER_HOME="${ASSETQL_BENCH_HOME:-$HOME/.cache/assetql-bench}/peer"
cargo build --release --quiet -p assetql-server
start_throwaway_postgres -c max_connections=200
BIN=./target/release/assetql
echo "PostgreSQL ($("$PG_BIN/pg_ctl" --version)); generating $COUNT task definitions..." >&2
$BIN --log-level warn --database-url "$PG_URL" generate --task-definitions "$COUNT" >&2
psql "$PG_URL" -X -q -c "VACUUM ANALYZE" >&2

wait_for() {
  for _ in $(seq 1 300); do
    curl -s -o /dev/null "$1" && return 0
    sleep 0.1
  done
  echo "error: nothing answers at $1" >&2
  return 1
}
CACHED=$(free_port)
$BIN --log-level warn --database-url "$PG_URL" serve --auth false --listen "127.0.0.1:$CACHED" &
CACHED_PID=$!
PIDS+=("$CACHED_PID")
UNCACHED=$(free_port)
$BIN --log-level warn --database-url "$PG_URL" serve --auth false --answer-cache-bytes 0 \
  --listen "127.0.0.1:$UNCACHED" &
PIDS+=("$!")
PEER=$(free_port)
(cd "$PEER_HOME" && DATABASE_URL="$PG_URL" PORT="$PEER" POOL_SIZE=8 exec "$NODE" server.mjs) 2>/dev/null &
PIDS+=("$!")
wait_for "http://127.0.0.1:$CACHED/readyz"
wait_for "http://127.0.0.1:$UNCACHED/readyz"
wait_for "http://127.0.0.1:$PEER/graphql"

OUT=${OUT:-$(mktemp -t assetql-compare.XXXXXX.json)}
python3 bench/compare.py --scale "$SCALE" --pg-url "$PG_URL" --server-pid "$CACHED_PID" \
  --cached-url "http://127.0.0.1:$CACHED/graphql" --uncached-url "http://127.0.0.1:$UNCACHED/graphql" \
  --peer-url "http://127.0.0.1:$PEER/graphql" --seconds "$SECONDS_PER_RUN" --out "$OUT"
echo "figures: $OUT" >&2
