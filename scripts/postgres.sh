#!/usr/bin/env bash
# A throw-away PostgreSQL server for tests, on 127.0.0.1 only.
#
#   scripts/postgres.sh start   installs Debian's postgresql package if it is
#                               missing, runs initdb into a new temporary
#                               directory, starts the server on a free port and
#                               creates the database conflux_test; prints two
#                               lines for eval:
#                                 export CONFLUX_TEST_PG_DSN=postgres://...
#                                 export CONFLUX_TEST_PG_DIR=/tmp/...
#   scripts/postgres.sh stop DIR  stops that server and removes DIR.
#
# scripts/with-postgres.sh wraps a command between the two. Everything but
# the two export lines goes to standard error.
set -euo pipefail

log() { echo "postgres.sh: $*" >&2; }

# bindir finds the server binaries of the newest installed major version.
bindir() {
	local d
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
			echo "$d"
			return 0
		fi
	done
	if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
		dirname "$(command -v initdb)"
		return 0
	fi
	return 1
}

install_postgres() {
	if [ "$(id -u)" != 0 ]; then
		log "PostgreSQL is not installed and this is not root: install Debian's postgresql package, or set CONFLUX_TEST_PG_DSN"
		exit 1
	fi
	log "installing Debian's postgresql package"
	# Only the binaries are needed: no default cluster on port 5432.
	mkdir -p /etc/postgresql-common
	if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
		echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.conf
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	apt-get install -y -qq -o Dpkg::Options::=--force-confold postgresql >&2
}

# freeport prints a TCP port of 127.0.0.1 that nothing listens on.
freeport() {
	local p i
	for i in $(seq 1 200); do
		p=$((20000 + RANDOM % 30000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	log "no free port found"
	return 1
}

# as_owner runs a command as the owner of the data directory: initdb and
# postgres refuse to run as root, so root uses the postgres account.
as_owner() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

start() {
	local bin dir port dsn
	bin=$(bindir) || { install_postgres; bin=$(bindir) || { log "no initdb after installing postgresql"; exit 1; }; }
	if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
		useradd --system --home-dir /var/lib/postgresql --shell /bin/sh postgres
	fi
	dir=$(mktemp -d "${TMPDIR:-/tmp}/conflux-pg.XXXXXX")
	chmod 755 "$dir"
	mkdir "$dir/data" "$dir/run"
	if [ "$(id -u)" = 0 ]; then chown -R postgres "$dir"; fi
	as_owner "$bin/initdb" -D "$dir/data" -U conflux --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
		as_owner "$bin/initdb" -D "$dir/data" -U conflux --auth=trust -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; rm -rf "$dir"; exit 1; }
	local tries
	for tries in 1 2 3 4 5; do
		port=$(freeport)
		if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
			-o "-c listen_addresses=127.0.0.1 -p $port -k $dir/run -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
			start >&2; then
			break
		fi
		port=""
	done
	if [ -z "$port" ]; then
		cat "$dir/server.log" >&2 || true
		rm -rf "$dir"
		exit 1
	fi
	"$bin/psql" -h 127.0.0.1 -p "$port" -U conflux -d postgres -v ON_ERROR_STOP=1 -q \
		-c "CREATE DATABASE conflux_test" >&2
	dsn="postgres://conflux@127.0.0.1:$port/conflux_test?sslmode=disable"
	echo "$dsn" >"$dir/dsn"
	log "PostgreSQL ($("$bin/postgres" --version)) on 127.0.0.1:$port, data in $dir"
	echo "export CONFLUX_TEST_PG_DSN='$dsn'"
	echo "export CONFLUX_TEST_PG_DIR='$dir'"
}

stop() {
	local dir=${1:?usage: postgres.sh stop DIR} bin
	case "$dir" in */conflux-pg.*) ;; *) log "refusing to remove $dir"; exit 1 ;; esac
	bin=$(bindir) || true
	if [ -n "$bin" ] && [ -f "$dir/data/postmaster.pid" ]; then
		as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
	fi
	rm -rf "$dir"
}

case "${1:-}" in
start) start ;;
stop) shift; stop "$@" ;;
*) echo "usage: $0 start | stop DIR" >&2; exit 2 ;;
esac
