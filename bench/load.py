#!/usr/bin/env python3
"""HTTP load against a running `assetql serve`, beside pgbench running the hand-written SQL
baseline of each query on the same PostgreSQL, so that every figure is a ratio.

Driven by bench/load.sh, which starts PostgreSQL, writes the synthetic inventory and starts the
server. For each query: one request checks that the answer has no errors and that the baseline
SQL produces the same JSON (a baseline that answers something else is no baseline); then, for
each client count, pgbench (prepared statements) and wrk run for the same duration.
Prints a Markdown table and writes every figure as JSON.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "cyscale-ecs"
QUERIES = ROOT / "bench" / "queries"
SQL = ROOT / "bench" / "sql"

CONTROLS = [
    "aws-ecs-10-latest-platform-version",
    "aws-ecs-12-clusters-should-use-insights",
    "aws-ecs-2-service-assign-public-ip-disabled",
    "aws-ecs-3-process-name-space",
    "aws-ecs-4-containers-not-privileged",
    "aws-ecs-5-readonly-root-file-systems",
    "aws-ecs-8-secrets-in-vars",
]


def workload():
    """(name, GraphQL text, baseline SQL file) of every measured query."""
    mission = "aws-ecs-1-privileged-network-mode"
    items = [
        ("mission-control.legacy", FIXTURES / f"{mission}.legacy.graphql", SQL / "mission-control.sql"),
        ("mission-control.current", FIXTURES / f"{mission}.current.graphql", SQL / "mission-control.sql"),
    ]
    items += [(c, FIXTURES / f"{c}.current.graphql", SQL / f"{c}.sql") for c in CONTROLS]
    items += [
        (q, QUERIES / f"{q}.graphql", SQL / f"{q}.sql")
        for q in ("dashboard-page", "aggregate-count", "assets-interface")
    ]
    return [(name, gql.read_text(), sql) for name, gql, sql in items]


def post(url, query):
    body = json.dumps({"query": query}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def psql_json(pg_url, sql_file):
    out = subprocess.run(
        ["psql", pg_url, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-f", str(sql_file)],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    return json.loads(out)


def rss_kib(pid, field):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/{pid}/status")


def parse_duration_ms(text):
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(url, query, clients, seconds, workdir):
    script = Path(workdir) / "request.lua"
    body = json.dumps({"query": query})
    script.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = [==[{body}]==]\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
    )
    out = subprocess.run(
        ["wrk", f"-t{min(clients, 2)}", f"-c{clients}", f"-d{seconds}s", "--latency", "--timeout", "60s",
         "-s", str(script), url],
        check=True, capture_output=True, text=True,
    ).stdout
    if "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"wrk saw failed requests:\n{out}")
    percentiles = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+(\S+)\s*$", out, re.M))
    if "50" not in percentiles or "99" not in percentiles:
        raise RuntimeError(f"no latency distribution in wrk's output:\n{out}")
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": parse_duration_ms(percentiles["50"]),
        "p99_ms": parse_duration_ms(percentiles["99"]),
    }


def run_pgbench(pg_url, sql_file, clients, seconds, workdir, mode="prepared"):
    prefix = Path(workdir) / "pgbench"
    for old in Path(workdir).glob("pgbench*"):
        old.unlink()
    out = subprocess.run(
        ["pgbench", "-n", "-M", mode, "-f", str(sql_file), f"-c{clients}",
         f"-j{min(clients, 2)}", f"-T{seconds}", "-l", f"--log-prefix={prefix}", pg_url],
        check=True, capture_output=True, text=True,
    ).stdout
    latencies = []
    for log in Path(workdir).glob("pgbench*"):
        for line in log.read_text().splitlines():
            latencies.append(int(line.split()[2]) / 1000.0)
    latencies.sort()
    tps = float(re.search(r"tps = ([\d.]+) \(without initial connection time\)", out).group(1))
    return {
        "tps": tps,
        "p50_ms": latencies[len(latencies) // 2],
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True, help="the server's /graphql address")
    parser.add_argument("--pg-url", required=True)
    parser.add_argument("--server-pid", type=int, required=True)
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--only", help="run only queries whose name contains one of these (comma-separated)")
    parser.add_argument("--out", required=True, help="JSON file for every figure")
    args = parser.parse_args()
    clients = [int(c) for c in args.clients.split(",")]

    wanted = args.only.split(",") if args.only else None
    items = [w for w in workload() if not wanted or any(o in w[0] for o in wanted)]
    mismatched = []
    for name, query, sql in items:
        answer = post(args.url, query)
        if "errors" in answer:
            sys.exit(f"{name}: the server answered errors: {answer['errors']}")
        (field, value), = answer["data"].items()
        expected = psql_json(args.pg_url, sql)
        size = len(value) if isinstance(value, list) else None
        if value != expected:
            mismatched.append(name)
            print(f"{name}: baseline {sql.name} answers differently from the server", file=sys.stderr)
            print(f"  server:   {json.dumps(value)[:600]}", file=sys.stderr)
            print(f"  baseline: {json.dumps(expected)[:600]}", file=sys.stderr)
        else:
            print(f"{name}: {field} answers {size if size is not None else 'an object'}"
                  f"{' rows' if size is not None else ''}, same as {sql.name}", file=sys.stderr)
    if mismatched:
        sys.exit(f"baselines disagree with the server: {', '.join(mismatched)}")

    idle_rss = rss_kib(args.server_pid, "VmRSS")
    results = []
    with tempfile.TemporaryDirectory() as workdir:
        for name, query, sql in items:
            for c in clients:
                base = run_pgbench(args.pg_url, sql, c, args.seconds, workdir)
                http = run_wrk(args.url, query, c, args.seconds, workdir)
                row = {
                    "query": name, "clients": c, "http": http, "sql": base,
                    "p50_ratio": http["p50_ms"] / base["p50_ms"],
                    "throughput_ratio": http["rps"] / base["tps"],
                }
                results.append(row)
                print(f"{name} c={c}: http {http['rps']:.0f}/s p50 {http['p50_ms']:.2f} ms "
                      f"p99 {http['p99_ms']:.2f} ms | sql {base['tps']:.0f}/s p50 "
                      f"{base['p50_ms']:.2f} ms | p50 x{row['p50_ratio']:.2f} "
                      f"throughput x{row['throughput_ratio']:.2f}", file=sys.stderr)
    peak_rss = rss_kib(args.server_pid, "VmHWM")
    report = {"idle_rss_kib": idle_rss, "peak_rss_kib": peak_rss, "results": results}
    Path(args.out).write_text(json.dumps(report, indent=2))

    print("| query | clients | HTTP req/s | HTTP p50 | HTTP p99 | SQL tx/s | SQL p50 | SQL p99 "
          "| p50 ratio | throughput ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        h, s = r["http"], r["sql"]
        print(f"| {r['query']} | {r['clients']} | {h['rps']:,.0f} | {h['p50_ms']:.2f} ms | "
              f"{h['p99_ms']:.2f} ms | {s['tps']:,.0f} | {s['p50_ms']:.2f} ms | {s['p99_ms']:.2f} ms | "
              f"{r['p50_ratio']:.2f} | {r['throughput_ratio']:.2f} |")
    print(f"\nServer RSS: {idle_rss / 1024:.1f} MiB idle (after one request of each query), "
          f"{peak_rss / 1024:.1f} MiB peak over the whole run.")


if __name__ == "__main__":
    main()
