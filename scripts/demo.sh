#!/usr/bin/env bash
# Starts the Confluence simulator with the demo tenant, crawls it once with
# `conflux run --once` on the embedded NATS server into the files sink and,
# when a throw-away PostgreSQL can be started (scripts/postgres.sh; on a
# fresh Debian machine it installs the postgresql package), into PostgreSQL
# too, then searches as two users who get different results. Called by
# `make demo` after `make build`. DEMO_PG=off skips PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."

port=${DEMO_PORT:-18089}
dir=demo
rm -rf "$dir/data" "$dir/out"
mkdir -p "$dir"

bin/conflux-sim --addr "127.0.0.1:$port" --tenant demo >"$dir/sim.log" 2>&1 &
sim=$!
pgdir=""
cleanup() {
  kill "$sim" 2>/dev/null || true
  if [ -n "$pgdir" ]; then scripts/postgres.sh stop "$pgdir" 2>>"$dir/postgres.log" || true; fi
}
trap cleanup EXIT

pgsink=""
if [ "${DEMO_PG:-}" != off ]; then
  echo "demo: starting a throw-away PostgreSQL (scripts/postgres.sh; log in $dir/postgres.log)"
  if pgenv=$(scripts/postgres.sh start 2>"$dir/postgres.log"); then
    eval "$pgenv"
    pgdir=$CONFLUX_TEST_PG_DIR
    pgsink="  - name: postgres
    type: postgres
    dsn: $CONFLUX_TEST_PG_DSN"
  else
    echo "demo: PostgreSQL could not be started (see $dir/postgres.log): files sink only, no search" >&2
  fi
fi

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
sinks:
  - name: files
    type: files
    dir: $dir/out
$pgsink
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
if [ -n "$pgsink" ] && [ "$status" = 0 ]; then
  # run --once ends when every document has an outcome, which the faster
  # sink may give alone: bring PostgreSQL up to date from the documents
  # stream before searching it.
  echo
  echo "demo: bin/conflux replay --rebuild-sink --sink postgres --config $dir/conflux.yaml"
  bin/conflux replay --rebuild-sink --sink postgres --config "$dir/conflux.yaml" || status=$?
  for who in alice@example.com carol@example.com; do
    echo
    echo "demo: bin/conflux search --as $who --config $dir/conflux.yaml findings"
    bin/conflux search --as "$who" --config "$dir/conflux.yaml" findings || status=$?
  done
fi
if [ -z "$pgsink" ]; then
  echo
  echo "demo: no PostgreSQL, so no search as two users (DEMO_PG=off, or see $dir/postgres.log)"
fi
exit "$status"
