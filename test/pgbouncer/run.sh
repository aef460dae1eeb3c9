#!/usr/bin/env bash
# test/pgbouncer/run.sh: no identity leaks between the clients of a
# transaction-mode pooler.  Starts a throwaway cluster (as the postgres user,
# Unix socket in a temporary directory) and a real pgbouncer in front of it
# (pool_mode = transaction, default_pool_size = 3, 127.0.0.1 on a free
# port), loads setup.sql, then runs pgbench with pool.sql: many concurrent
# clients (default 40 x 50 transactions), each its own visitor, each
# checking in every transaction that no identity is there at its start, that
# after woesid_authenticate it sees only its own rows of an RLS-protected
# table, and that a forged payload clears the identity.  Also checks that
# the clients really shared at most 3 server connections.  Meanwhile, in a
# pool of its own with one server connection, expiry.sql checks that an
# identity from a 2 s token (woesid.clock_skew = 0 for the database) is gone
# 3 s later in the same transaction, and that the next transactions on that
# server connection have none.  Prints one line "pgbouncer: N passed, M
# failed" (N = checked transactions plus expiry.sql's checks; M = failed
# checks) and exits non-zero on any failure.
#   test/pgbouncer/run.sh        (as root or as the postgres user)
# Environment: PG_CONFIG, PGBOUNCER (default /usr/sbin/pgbouncer),
# WOESID_POOL_CLIENTS, WOESID_POOL_TRANSACTIONS, WOESID_KEEP_TMP=1.
source "$(dirname "$0")/../../scripts/lib.sh"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BINDIR=$("$PG_CONFIG" --bindir)
PGBOUNCER=${PGBOUNCER:-/usr/sbin/pgbouncer}
CLIENTS=${WOESID_POOL_CLIENTS:-40}
TRANSACTIONS=${WOESID_POOL_TRANSACTIONS:-50}
POOL_SIZE=3
TIME_LIMIT=${WOESID_POOL_TIMEOUT:-90}

begin_suite pgbouncer
woesid_tmpdir TMP pgbouncer
WOESID_SETUP_LOGS=("$TMP/pgbouncer.log")

# --- the cluster
start_cluster --dir "$TMP" --conf "max_connections = 30" --conf "log_connections = on" ||
	fail_setup "the cluster did not start"
psql_local() {
	"$BINDIR/psql" -X -q -v ON_ERROR_STOP=1 "$@"
}
psql_local -d postgres -c "CREATE DATABASE woesid_pool" >/dev/null ||
	fail_setup "could not create the database"
psql_local -d woesid_pool -v clients="$CLIENTS" -f "$HERE/setup.sql" >"$TMP/setup.log" 2>&1 ||
	fail_setup "setup.sql failed: $(cat "$TMP/setup.log")"

# --- pgbouncer, as the postgres user, on a free port (retried if taken)
printf '"app" ""\n"app_exp" ""\n"postgres" ""\n' >"$TMP/userlist.txt"
on_exit 'stop_pidfile "$TMP/pgbouncer.pid"'
started=0
for _ in 1 2 3 4 5; do
	BOUNCER_PORT=$(free_port) || fail_setup "no free TCP port"
	cat >"$TMP/pgbouncer.ini" <<INI
[databases]
woesid_pool = host=$PGHOST port=$PGPORT dbname=woesid_pool
woesid_pool_exp = host=$PGHOST port=$PGPORT dbname=woesid_pool pool_size=1

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $BOUNCER_PORT
unix_socket_dir = $TMP
auth_type = trust
auth_file = $TMP/userlist.txt
admin_users = postgres
pool_mode = transaction
default_pool_size = $POOL_SIZE
min_pool_size = 0
reserve_pool_size = 0
max_client_conn = $((CLIENTS + 20))
max_db_connections = $POOL_SIZE
ignore_startup_parameters = extra_float_digits
logfile = $TMP/pgbouncer.log
pidfile = $TMP/pgbouncer.pid
INI
	[ "$(id -u)" -ne 0 ] || chown postgres: "$TMP/pgbouncer.ini" "$TMP/userlist.txt"
	rm -f "$TMP/pgbouncer.pid"
	as_postgres "$PGBOUNCER" -d "$TMP/pgbouncer.ini" >>"$TMP/pgbouncer.out" 2>&1 || continue
	for _ in $(seq 50); do
		if "$BINDIR/psql" -X -q -At -h 127.0.0.1 -p "$BOUNCER_PORT" -U app -d woesid_pool \
			-c "SELECT 1" >/dev/null 2>&1; then
			started=1
			break
		fi
		if [ -s "$TMP/pgbouncer.pid" ] && ! kill -0 "$(cat "$TMP/pgbouncer.pid")" 2>/dev/null; then
			break
		fi
		sleep 0.1
	done
	[ "$started" -eq 0 ] || break
	stop_pidfile "$TMP/pgbouncer.pid"
done
[ "$started" -eq 1 ] || fail_setup "pgbouncer did not start: $(cat "$TMP/pgbouncer.out" 2>/dev/null)"

# --- the expiry check, in the background while pgbench runs
EXPIRY_CHECKS=11
timeout "$TIME_LIMIT" "$BINDIR/psql" -X -q -At -h 127.0.0.1 -p "$BOUNCER_PORT" -U app_exp \
	-d woesid_pool_exp -f "$HERE/expiry.sql" >"$TMP/expiry.out" 2>&1 &
expiry_pid=$!

# --- the clients
status=0
timeout "$TIME_LIMIT" "$BINDIR/pgbench" -n -M simple -c "$CLIENTS" -j 4 -t "$TRANSACTIONS" \
	-h 127.0.0.1 -p "$BOUNCER_PORT" -U app -f "$HERE/pool.sql" woesid_pool \
	>"$TMP/pgbench.out" 2>"$TMP/pgbench.err" || status=$?
expected=$((CLIENTS * TRANSACTIONS))
processed=$(sed -nE 's/^number of transactions actually processed: ([0-9]+).*/\1/p' "$TMP/pgbench.out")
processed=${processed:-0}
check_failures=$(grep -c 'CHECK FAILED' "$TMP/pgbench.err" || true)
failed=$check_failures
grep -E 'CHECK FAILED|error|abort' "$TMP/pgbench.err" | head -n 20 || true
if [ "$status" -ne 0 ] || [ "$processed" -ne "$expected" ]; then
	echo "pgbench exited with status $status after $processed of $expected transactions"
	[ "$status" -ne 124 ] || echo "(stopped after the time limit of $TIME_LIMIT s)"
	grep -v 'CHECK FAILED' "$TMP/pgbench.err" | tail -n 5 || true
	[ "$failed" -gt 0 ] || failed=1
fi

# --- the clients must really have shared the pool's few server connections
server_conns=$(grep -c 'connection authorized: user=app database=woesid_pool' "$TMP/server.log" || true)
echo "$CLIENTS clients, $processed transactions over $server_conns server connections (pool size $POOL_SIZE)"
if [ "$server_conns" -lt 1 ] || [ "$server_conns" -gt "$POOL_SIZE" ]; then
	echo "expected 1 to $POOL_SIZE server connections for user app"
	failed=$((failed + 1))
fi

# --- the expiry check's outcome
expiry_status=0
wait "$expiry_pid" || expiry_status=$?
expiry_passed=$(grep -cx 't' "$TMP/expiry.out" || true)
echo "expiry through the pool: $expiry_passed of $EXPIRY_CHECKS checks passed"
if [ "$expiry_status" -ne 0 ] || [ "$expiry_passed" -ne "$EXPIRY_CHECKS" ]; then
	echo "expiry.sql exited with status $expiry_status:"
	grep -vx 't' "$TMP/expiry.out" | grep -v '^$' | tail -n 5 || true
	missing=$((EXPIRY_CHECKS - expiry_passed))
	[ "$missing" -gt 0 ] || missing=1
	failed=$((failed + missing))
fi

passed=$((processed + expiry_passed))
finish
