#!/usr/bin/env python3
"""Issue #19's ad hoc measurements, scripted (driven by bench/extras.sh):

- deep: the dashboard page after row 99,999 (needs >= 100,050 ACTIVE revisions, i.e. scale L)
  with a Relay offset cursor and with the keyset cursor of the same row; same rows checked.
- memory: RSS and threads of a server through: 1,200 distinct 300-row documents (4 at a time),
  32 clients on mission control and on the dashboard page (wrk, 8 s each), the 1,200 again.
"""

import argparse
import base64
import concurrent.futures
import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MISSION = ROOT / "tests/fixtures/cyscale-ecs/aws-ecs-1-privileged-network-mode.current.graphql"
DASHBOARD = ROOT / "bench/queries/dashboard-families.graphql"


def post(url, query):
    body = json.dumps({"query": query}).encode()
    with urllib.request.urlopen(urllib.request.Request(url, body, {"Content-Type": "application/json"}), timeout=120) as r:
        return json.load(r)


def deep(url):
    def page(after):
        return ('{ ecsTaskDefinitionsConnection(first: 50, after: "%s", sort: [{family: ASC}, {revision: DESC}], '
                'where: {status: {eq: "ACTIVE"}}) { edges { cursor node { arn family revision containerSpecs { name image } } } } }'
                % after)
    offset = base64.b64encode(b"arrayconnection:99999").decode()
    before = post(url, page(base64.b64encode(b"arrayconnection:99998").decode()))
    keyset = before["data"]["ecsTaskDefinitionsConnection"]["edges"][0]["cursor"]
    a = post(url, page(offset))["data"]["ecsTaskDefinitionsConnection"]["edges"]
    b = post(url, page(keyset))["data"]["ecsTaskDefinitionsConnection"]["edges"]
    if [e["node"] for e in a] != [e["node"] for e in b] or len(a) != 50:
        sys.exit("deep: the offset and keyset cursors give different pages")
    for name, cursor in [("offset cursor", offset), ("keyset cursor", keyset)]:
        times = []
        for _ in range(15):
            started = time.perf_counter()
            post(url, page(cursor))
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        print(f"deep page after row 99,999, {name}: median {times[7]:.2f} ms (min {times[0]:.2f}, max {times[-1]:.2f})")


def status(pid):
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM", "Threads"):
            fields[key] = value.strip()
    return ", ".join(f"{k} {v}" for k, v in fields.items())


def fill(url):
    docs = [f"{{ ecsTaskDefinitions(options: {{limit: 300, offset: {n * 7}}}) {{ arn family revision status "
            f"networkMode containerSpecs {{ name image privileged user }} }} }}" for n in range(1200)]
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda q: post(url, q), docs))


def wrk(url, query, workdir):
    script = Path(workdir) / "request.lua"
    script.write_text('wrk.method = "POST"\n'
                      f"wrk.body = [==[{json.dumps({'query': query})}]==]\n"
                      'wrk.headers["Content-Type"] = "application/json"\n')
    out = subprocess.run(["wrk", "-t2", "-c32", "-d8s", "-s", str(script), url],
                         check=True, capture_output=True, text=True).stdout
    return next(l for l in out.splitlines() if "Requests/sec" in l).split()[-1]


def memory(url, pid, label):
    print(f"{label} idle: {status(pid)}")
    fill(url)
    print(f"{label} after 1,200 distinct documents: {status(pid)}")
    with tempfile.TemporaryDirectory() as workdir:
        rates = [wrk(url, q.read_text(), workdir) for q in (MISSION, DASHBOARD)]
    print(f"{label} after 32 clients (mission control {rates[0]} req/s, dashboard {rates[1]} req/s): {status(pid)}")
    fill(url)
    print(f"{label} after the 1,200 again: {status(pid)}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--uncached-url", required=True)
    parser.add_argument("--uncached-pid", type=int, required=True)
    parser.add_argument("--cached-url", required=True)
    parser.add_argument("--cached-pid", type=int, required=True)
    parser.add_argument("--deep", action="store_true", help="also the deep page (scale L)")
    args = parser.parse_args()
    if args.deep:
        deep(args.uncached_url)
    memory(args.uncached_url, args.uncached_pid, "cache off")
    memory(args.cached_url, args.cached_pid, "cache on (default 64 MiB)")


if __name__ == "__main__":
    main()
