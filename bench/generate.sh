#!/usr/bin/env bash
# Write throughput of the synthetic inventory generator (the store's batched upserts) into a
# throwaway PostgreSQL (default durability settings) and into an SQLite file.
#
#   bench/generate.sh [TASK_DEFINITIONS]      # default 10000 (scale S); 200000 is scale L
#
# Builds the release binary, prints one JSON report per database (rows written, elapsed_ms,
# container_specs_per_second).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/postgres.sh
. scripts/lib/postgres.sh

COUNT=${1:-10000}
WORK=$(mktemp -d -t assetql-bench.XXXXXX)
trap 'stop_throwaway_postgres; rm -rf "$WORK"' EXIT INT TERM

cargo build --release --quiet -p assetql-server
start_throwaway_postgres
echo "PostgreSQL ($("$PG_BIN/pg_ctl" --version)), $COUNT task definitions:"
./target/release/assetql --log-level warn --database-url "$PG_URL" generate --task-definitions "$COUNT"
echo "SQLite, $COUNT task definitions:"
./target/release/assetql --log-level warn --database-url "sqlite://$WORK/bench.db" generate --task-definitions "$COUNT"
