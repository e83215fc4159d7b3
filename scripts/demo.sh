#!/usr/bin/env bash
# Starts the Confluence simulator with the demo tenant, crawls it once with
# `conflux run --once` on the embedded NATS server, and says where the
# output is. Called by `make demo` after `make build`.
set -euo pipefail
cd "$(dirname "$0")/.."

port=${DEMO_PORT:-18089}
dir=demo
rm -rf "$dir/data" "$dir/out"
mkdir -p "$dir"

bin/conflux-sim --addr "127.0.0.1:$port" --tenant demo >"$dir/sim.log" 2>&1 &
sim=$!
trap 'kill "$sim" 2>/dev/null || true' EXIT

url=""
for _ in $(seq 1 100); do
  url=$(grep -o 'http://[0-9.:]*' "$dir/sim.log" | head -n1 || true)
  [ -n "$url" ] && break
  kill -0 "$sim" 2>/dev/null || { cat "$dir/sim.log"; echo "demo: the simulator did not start" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "demo: the simulator did not say where it listens" >&2; exit 1; }

cat >"$dir/conflux.yaml" <<YAML
# Written by scripts/demo.sh: the demo tenant of the simulator at $url.
site: $url
auth:
  mode: api_token
  email: demo@example.com
  api_token: demo-token
nats:
  url: ""            # the embedded server
  data_dir: $dir/data
sink:
  type: files
  dir: $dir/out
log:
  level: warn        # progress and the summary only; info shows every stage at work
YAML

echo "demo: simulator at $url; crawling with bin/conflux run --once --config $dir/conflux.yaml"
status=0
bin/conflux run --once --config "$dir/conflux.yaml" || status=$?
echo
echo "demo: documents in $dir/out/documents ($(ls "$dir/out/documents" 2>/dev/null | wc -l) files),"
echo "      attachments in $dir/out/attachments, groups in $dir/out/identities/groups."
echo "      e.g. cat \"$dir/out/documents/\$(ls $dir/out/documents | head -n1)\""
exit "$status"
