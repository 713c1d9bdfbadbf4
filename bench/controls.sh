#!/usr/bin/env bash
# Time of one `assetql controls run` (every built-in control of the tenant: evaluation,
# applicable counts, deltas, recording) over the synthetic inventory in a throwaway PostgreSQL.
#
#   bench/controls.sh [TASK_DEFINITIONS] [RUNS]      # defaults 200000 (scale L) and 3
#
# Builds the release binary; prints the wall time of each run, then the summary and the eight
# slowest controls of the last run (their durationMs: evaluation and applicable query).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/postgres.sh
. scripts/lib/postgres.sh

COUNT=${1:-200000}
RUNS=${2:-3}
WORK=$(mktemp -d -t assetql-controls.XXXXXX)
trap 'stop_throwaway_postgres; rm -rf "$WORK"' EXIT INT TERM

cargo build --release --quiet -p assetql-server
start_throwaway_postgres
BIN=./target/release/assetql
$BIN --log-level warn --database-url "$PG_URL" generate --task-definitions "$COUNT" >/dev/null
psql "$PG_URL" -X -q -c "VACUUM ANALYZE"
for _ in $(seq 1 "$RUNS"); do
  /usr/bin/time -f "controls run: %e s wall" \
    $BIN --log-level error --database-url "$PG_URL" controls run --format json >"$WORK/run.json"
done
python3 - "$WORK/run.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
print(report["summary"])
print("sum of durationMs:", sum(c["durationMs"] for c in report["controls"]))
for c in sorted(report["controls"], key=lambda c: -c["durationMs"])[:8]:
    print(c["id"], c["durationMs"], "ms", c["status"], len(c["failing"]), "of", c["applicable"])
PY
