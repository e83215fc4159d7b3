#!/usr/bin/env bash
# Runs a command with CONFLUX_TEST_PG_DSN pointing at a throw-away
# PostgreSQL server (scripts/postgres.sh), which it stops afterwards:
#
#   scripts/with-postgres.sh go test ./...
#
# When CONFLUX_TEST_PG_DSN is already set, the command runs against that
# server. CONFLUX_TEST_PG=off runs the command without a server (the
# PostgreSQL tests then skip and say so).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ -n "${CONFLUX_TEST_PG_DSN:-}" ] || [ "${CONFLUX_TEST_PG:-}" = off ]; then
	exec "$@"
fi
eval "$("$here/postgres.sh" start)"
trap '"$here/postgres.sh" stop "$CONFLUX_TEST_PG_DIR"' EXIT
trap 'exit 130' INT TERM
status=0
"$@" || status=$?
exit "$status"
