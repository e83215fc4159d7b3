#!/usr/bin/env bash
# `make bench`: runs the system benchmarks once against the simulator
# (started by each benchmark), PostgreSQL through scripts/with-postgres.sh,
# and prints one table of speed, cost and memory next to the limits. It
# writes bench/results.json (every row, the machine, its load and the
# scale) and bench/results.md (the table).
#
#   scripts/bench.sh                  # full size, about 15 minutes
#   BENCH_SCALE=0.1 scripts/bench.sh  # every tenant at a tenth
#   BENCH_ONLY='Memory|Pipeline' scripts/bench.sh  # some of the benchmarks
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
scale=${BENCH_SCALE:-1}
parts=$(mktemp -d)
trap 'rm -rf "$parts"' EXIT
mkdir -p bench
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
run() { # package, benchmarks
	BENCH_OUT=$parts BENCH_SCALE=$scale scripts/with-postgres.sh \
		"$GO" test -run '^$' -bench "$2" -benchtime 1x -benchmem -count=1 -timeout 30m "$1" |
		grep -v '^\(goos\|goarch\|pkg\|cpu\):' || return 1
}
status=0
if [ -n "${BENCH_ONLY:-}" ]; then
	app="^Benchmark($BENCH_ONLY)\$" cli="^Benchmark($BENCH_ONLY)\$"
else
	app='^Benchmark(APICost|LatencyBound|Pipeline)$' cli='^Benchmark(Memory|ScaleOut)$'
fi
run ./services/conflux/internal/app/ "$app" || status=1
run ./services/conflux/internal/cli/ "$cli" || status=1
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
mem=$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)
machine="$(nproc) cores ($cpu), $mem, $(uname -sr), $("$GO" env GOVERSION)"
rows=$(jq -s 'add // []' "$parts"/*.json 2>/dev/null || echo '[]')
jq -n --arg at "$started" --arg machine "$machine" --arg before "$load_before" --arg after "$load_after" \
	--arg scale "$scale" --argjson rows "$rows" \
	'{measured_at: $at, machine: $machine, load_average_before: $before, load_average_after: $after,
	  bench_scale: ($scale | tonumber), rows: $rows}' >bench/results.json
{
	echo "Measured $started on $machine; BENCH_SCALE=$scale; load average $load_before before, $load_after after."
	echo
	echo "| benchmark | measure | value | reference | ratio | target | met | notes |"
	echo "|---|---|---|---|---|---|---|---|"
	jq -r '.rows[] | "| \(.bench) | \(.metric) | \(if .value == 0 and .note and (.note|startswith("skipped")) then "—" else "\(.value * 100 | round / 100) \(.unit)" end) | \(.reference // "") | \(if .ratio then "\(.ratio * 100 | round / 100) ×" else "" end) | \(.target // "") | \(if .met == null then "" elif .met then "yes" else "**no**" end) | \(.note // "") |"' bench/results.json
} >bench/results.md
echo
cat bench/results.md
echo
echo "wrote bench/results.json and bench/results.md"
exit "$status"
