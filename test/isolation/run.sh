#!/usr/bin/env bash
# test/isolation/run.sh: runs the isolation specs in test/isolation/specs
# (expected output in test/isolation/expected) with pg_isolation_regress
# against a throwaway cluster: initdb as the postgres user in a temporary
# directory, a Unix socket there (no TCP), UTF8 with the C.UTF-8 locale.
# The role "app" (unprivileged) is created here; each spec creates and drops
# its own tables and widgets.  Prints one line "isolation: N passed, M
# failed" (one count per spec) and exits non-zero on any failure.
#   test/isolation/run.sh            (as root or as the postgres user;
#                                     PG_CONFIG picks the installation)
# Set WOESID_KEEP_TMP=1 to keep the temporary directory (results, diffs,
# server log).
set -euo pipefail

# The caller's connection settings (scripts/test.sh exports its own
# cluster's) must not reach the clients started here.
unset PGHOST PGHOSTADDR PGPORT PGUSER PGDATABASE PGSERVICE PGSERVICEFILE \
	PGOPTIONS PGPASSFILE PGSSLMODE PGAPPNAME PGTZ PGDATESTYLE PGCLIENTENCODING

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PG_CONFIG=${PG_CONFIG:-pg_config}
BINDIR=$("$PG_CONFIG" --bindir)
PGXS_DIR=$(cd "$(dirname "$("$PG_CONFIG" --pgxs)")/../.." && pwd)    # .../lib/pgxs
ISOLATION_REGRESS=$PGXS_DIR/src/test/isolation/pg_isolation_regress
PORT=${WOESID_ISOLATION_PORT:-54331}     # only names the socket file
TIME_LIMIT=${WOESID_ISOLATION_TIMEOUT:-110}

as_postgres() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

TMP=$(mktemp -d /tmp/woesid-isolation.XXXXXX)
chmod 755 "$TMP"
[ "$(id -u)" -ne 0 ] || chown postgres: "$TMP"

cleanup() {
	local status=$?
	if [ -f "$TMP/data/postmaster.pid" ]; then
		as_postgres "$BINDIR/pg_ctl" -D "$TMP/data" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	if [ -n "${WOESID_KEEP_TMP:-}" ]; then
		echo "kept $TMP" >&2
	else
		rm -rf "$TMP"
	fi
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

specs=()
for f in "$HERE"/specs/*.spec; do
	specs+=("$(basename "$f" .spec)")
done

fail_setup() {
	echo "$1" >&2
	[ ! -f "$TMP/server.log" ] || tail -n 30 "$TMP/server.log" >&2
	echo "isolation: 0 passed, ${#specs[@]} failed"
	exit 1
}

as_postgres "$BINDIR/initdb" -D "$TMP/data" -E UTF8 --locale=C.UTF-8 \
	-A trust -U postgres >"$TMP/initdb.log" 2>&1 || fail_setup "initdb failed: $(cat "$TMP/initdb.log")"
cat >>"$TMP/data/postgresql.conf" <<CONF
listen_addresses = ''
port = $PORT
unix_socket_directories = '$TMP'
fsync = off
max_prepared_transactions = 4
CONF
as_postgres "$BINDIR/pg_ctl" -D "$TMP/data" -l "$TMP/server.log" -w -t 60 start >/dev/null ||
	fail_setup "the server did not start"
"$BINDIR/psql" -X -q -h "$TMP" -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 \
	-c "CREATE ROLE app NOLOGIN" >/dev/null || fail_setup "could not create role app"

mkdir "$TMP/out"
status=0
timeout "$TIME_LIMIT" "$ISOLATION_REGRESS" \
	--bindir="$BINDIR" --host="$TMP" --port="$PORT" --user=postgres \
	--dbname=woesid_isolation --load-extension=woesid \
	--inputdir="$HERE" --outputdir="$TMP/out" \
	"${specs[@]}" >"$TMP/out/run.log" 2>&1 || status=$?
cat "$TMP/out/run.log"
[ "$status" -ne 124 ] || echo "pg_isolation_regress was stopped after the time limit of $TIME_LIMIT s"
[ ! -s "$TMP/out/regression.diffs" ] || cat "$TMP/out/regression.diffs"

passed=$(grep -cE '^(test |     )?[a-z0-9_-]+ +\.\.\. ok( |$)' "$TMP/out/run.log" || true)
failed=$(grep -cE '\.\.\. FAILED' "$TMP/out/run.log" || true)
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
	# Timed out or broke before reporting: whatever did not pass failed.
	failed=$(( ${#specs[@]} - passed ))
	[ "$failed" -gt 0 ] || failed=1
fi
echo "isolation: $passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
