#!/bin/sh
# Runs every Go fuzz target of the workspace for FUZZTIME each (default
# 10s) and prints a table: package, target, executions, result. Exits
# non-zero when a target finds a failure (its input is saved under the
# package's testdata/fuzz/<target>/ and then runs in every `go test`).
# Usage: scripts/fuzz.sh [module dir ...]   (default: every module of go.work)
set -u
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-10s}
[ $# -gt 0 ] || set -- $($GO list -m -f '{{.Dir}}')
log=$(mktemp)
trap 'rm -f "$log"' EXIT
failed=0
printf '%-60s %-22s %12s  %s\n' package target executions result
for mod in "$@"; do
	for pkg in $(cd "$mod" && $GO list ./...); do
		targets=$(cd "$mod" && $GO test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz')
		for t in $targets; do
			if (cd "$mod" && $GO test -run '^$' -fuzz "^$t\$" -fuzztime "$FUZZTIME" "$pkg") >"$log" 2>&1; then
				result=ok
			else
				result=FAILED
				failed=1
			fi
			execs=$(grep -o 'execs: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
			printf '%-60s %-22s %12s  %s\n' "${pkg#github.com/conflux-dev/conflux/}" "$t" "${execs:-?}" "$result"
			[ "$result" = ok ] || sed 's/^/    /' "$log" | tail -20
		done
	done
done
exit $failed
