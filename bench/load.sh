#!/usr/bin/env bash
# The HTTP load harness: a throwaway PostgreSQL 15, the synthetic inventory at the given scale,
# `assetql serve` (release build) on it, then bench/load.py: each query of the workload at 1, 8
# and 32 concurrent clients with wrk, beside pgbench running its hand-written SQL baseline on the
# same database. Prints a Markdown table (and the JSON figures' path) and the server's RSS.
#
#   bench/load.sh [TASK_DEFINITIONS] [SECONDS_PER_RUN]     # defaults 10000 (scale S) and 5
#   ONLY=mission,dashboard bench/load.sh 200000 10           # scale L, two queries only
#   ANSWER_CACHE_BYTES=67108864 bench/load.sh                # with the answer cache on
#
# Needs wrk and pgbench (Debian: apt-get install wrk postgresql-client).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/postgres.sh
. scripts/lib/postgres.sh

COUNT=${1:-10000}
SECONDS_PER_RUN=${2:-5}
CLIENTS=${CLIENTS:-1,8,32}
for tool in wrk pgbench psql; do
  command -v "$tool" >/dev/null || { echo "error: $tool is needed (apt-get install wrk postgresql-client)" >&2; exit 1; }
done

SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  stop_throwaway_postgres
}
trap cleanup EXIT INT TERM

cargo build --release --quiet -p assetql-server
start_throwaway_postgres -c max_connections=200
BIN=./target/release/assetql
echo "PostgreSQL ($("$PG_BIN/pg_ctl" --version)); generating $COUNT task definitions..." >&2
$BIN --log-level warn --database-url "$PG_URL" generate --task-definitions "$COUNT" >&2
psql "$PG_URL" -X -q -c "VACUUM ANALYZE" >&2

PORT=$(free_port)
# The answer cache would answer every repeat of wrk's one document from memory: off, so that
# these figures are the query path's (bench/compare.sh measures both).
$BIN --log-level warn --database-url "$PG_URL" serve --auth false \
  --answer-cache-bytes "${ANSWER_CACHE_BYTES:-0}" --listen "127.0.0.1:$PORT" &
SERVER_PID=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break
  sleep 0.1
done
OUT=${OUT:-$(mktemp -t assetql-load.XXXXXX.json)}
python3 bench/load.py --url "http://127.0.0.1:$PORT/graphql" --pg-url "$PG_URL" \
  --server-pid "$SERVER_PID" --clients "$CLIENTS" --seconds "$SECONDS_PER_RUN" \
  ${ONLY:+--only "$ONLY"} --out "$OUT"
echo "figures: $OUT" >&2
