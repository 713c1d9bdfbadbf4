#!/usr/bin/env python3
"""Issue #19's table: assetql with its answer cache on and off, beside the best hand-written SQL
(pgbench, plan reused `-M prepared` and planned per call `-M extended`) and PostGraphile v5 +
connection-filter, on the same PostgreSQL, the same queries each in its own dialect.

Driven by bench/compare.sh (which starts everything). Before any load, each system's answer is
checked equal to assetql's: as a set first, then in order. Prints a Markdown table and writes
every figure as JSON.
"""

import argparse
import json
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import post, psql_json, rss_kib, run_pgbench, run_wrk  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
MISSION = ROOT / "tests" / "fixtures" / "cyscale-ecs" / "aws-ecs-1-privileged-network-mode.current.graphql"


def mission_rows(assetql):
    return [(a["identifier"], a["cloudAccountID"], a["cloudAccountName"], a["internalName"],
             a["internalRegion"], a["contentHash"]) for a in assetql]


def mission_peer_rows(data):
    return [(n["arn"], n["cloudAccountId"], (n["cloudAccountByTenantIdAndCloudAccountId"] or {}).get("name"),
             f"{n['family']}:{n['revision']}", n["region"], n["contentHash"])
            for n in data["allEcsTaskDefinitions"]["nodes"]]


def dashboard_rows(value):
    return [value["totalCount"]] + [
        (e["node"]["arn"], e["node"]["family"], int(e["node"]["revision"]), e["node"]["status"],
         tuple((c["name"], c["image"], c["privileged"], c["user"]) for c in e["node"]["containerSpecs"]))
        for e in value["edges"]]


def dashboard_peer_rows(data):
    page = data["allEcsTaskDefinitions"]
    return [page["totalCount"]] + [
        (n["arn"], n["family"], int(n["revision"]), n["status"],
         tuple((c["name"], c["image"], c["privileged"], c["userName"])
               for c in n["ecsContainerSpecsByTenantIdAndTaskDefinitionArn"]["nodes"]))
        for n in page["nodes"]]


WORKLOAD = [
    # name, assetql document, baseline SQL, peer document, assetql normaliser, peer normaliser
    ("mission-control", MISSION, ROOT / "bench/sql/mission-control.sql",
     ROOT / "bench/peer/queries/mission-control.graphql", mission_rows, mission_peer_rows),
    ("dashboard-families", ROOT / "bench/queries/dashboard-families.graphql",
     ROOT / "bench/sql/dashboard-families.sql", ROOT / "bench/peer/queries/dashboard-families.graphql",
     dashboard_rows, dashboard_peer_rows),
]


def same(name, what, ours, theirs):
    """Equal as sets first (what differs), then in order."""
    a, b = set(map(repr, ours)), set(map(repr, theirs))
    if a != b:
        sys.exit(f"{name}: {what} answers another set: {len(a - b)} rows only in assetql's "
                 f"(e.g. {sorted(a - b)[:2]}), {len(b - a)} only in theirs (e.g. {sorted(b - a)[:2]})")
    if list(ours) != list(theirs):
        sys.exit(f"{name}: {what} answers the same set in another order")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cached-url", required=True, help="assetql /graphql, answer cache on")
    parser.add_argument("--uncached-url", required=True, help="assetql /graphql, --answer-cache-bytes 0")
    parser.add_argument("--peer-url", required=True, help="PostGraphile /graphql")
    parser.add_argument("--pg-url", required=True)
    parser.add_argument("--server-pid", type=int, required=True, help="the cache-on server's pid")
    parser.add_argument("--scale", required=True)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    for name, gql, sql, peer_gql, ours_of, theirs_of in WORKLOAD:
        for url in (args.cached_url, args.uncached_url):
            answer = post(url, gql.read_text())
            if "errors" in answer:
                sys.exit(f"{name}: assetql answered errors: {answer['errors']}")
        (value,) = answer["data"].values()
        ours = ours_of(value)
        same(name, "the best SQL", ours, ours_of(psql_json(args.pg_url, sql)))
        peer = post(args.peer_url, peer_gql.read_text())
        if "errors" in peer:
            sys.exit(f"{name}: PostGraphile answered errors: {peer['errors']}")
        same(name, "PostGraphile", ours, theirs_of(peer["data"]))
        print(f"{name}: {len(ours)} rows, the same from the best SQL and PostGraphile", file=sys.stderr)

    idle_rss = rss_kib(args.server_pid, "VmRSS")
    rows = []
    with tempfile.TemporaryDirectory() as workdir:
        for name, gql, sql, peer_gql, _, _ in WORKLOAD:
            c, t = args.clients, args.seconds
            row = {
                "scale": args.scale, "query": name, "clients": c,
                "sql_prepared": run_pgbench(args.pg_url, sql, c, t, workdir, "prepared"),
                "sql_extended": run_pgbench(args.pg_url, sql, c, t, workdir, "extended"),
                "cache_on": run_wrk(args.cached_url, gql.read_text(), c, t, workdir),
                "cache_off": run_wrk(args.uncached_url, gql.read_text(), c, t, workdir),
                "postgraphile": run_wrk(args.peer_url, peer_gql.read_text(), c, t, workdir),
            }
            rows.append(row)
            print(f"{name}: {json.dumps(row)}", file=sys.stderr)
        # Memory under 32 clients with the default cache size.
        for name, gql, _, _, _, _ in WORKLOAD:
            run_wrk(args.cached_url, gql.read_text(), 32, args.seconds, workdir)
            run_wrk(args.uncached_url, gql.read_text(), 32, args.seconds, workdir)
    peak_rss = rss_kib(args.server_pid, "VmHWM")
    Path(args.out).write_text(json.dumps({"idle_rss_kib": idle_rss, "peak_rss_kib": peak_rss, "rows": rows}, indent=2))

    print("| scale | query | best SQL prepared tx/s (p50) | best SQL extended tx/s (p50) | assetql cache on req/s (p50) "
          "| assetql cache off req/s (p50) | PostGraphile req/s (p50) | on ÷ SQL prepared, throughput "
          "| off ÷ SQL extended, p50 | off ÷ PostGraphile, throughput |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        def cell(x, rate):
            return f"{x[rate]:,.0f} ({x['p50_ms']:.2f} ms)"
        on, off, peer = r["cache_on"], r["cache_off"], r["postgraphile"]
        prepared, extended = r["sql_prepared"], r["sql_extended"]
        print(f"| {r['scale']} | {r['query']} | {cell(prepared, 'tps')} | {cell(extended, 'tps')} | "
              f"{cell(on, 'rps')} | {cell(off, 'rps')} | {cell(peer, 'rps')} | "
              f"{on['rps'] / prepared['tps']:.1f}x | {off['p50_ms'] / extended['p50_ms']:.2f} | "
              f"{off['rps'] / peer['rps']:.2f}x |")
    print(f"\nassetql (cache on) RSS: {idle_rss / 1024:.1f} MiB idle (after one request of each query), "
          f"{peak_rss / 1024:.1f} MiB peak (incl. 32 clients on each query).")


if __name__ == "__main__":
    main()
