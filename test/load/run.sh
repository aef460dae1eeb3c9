#!/usr/bin/env bash
# test/load/run.sh: concurrent load on woesid with pgbench, on a throwaway
# cluster.
#   test/load/run.sh [SECONDS]        (per phase; default 30)
# Scripts (test/load/*.sql), as a role subject to row-level security:
#   rls.sql      authenticate as one of VISITORS visitors (hmac_email or jwt,
#                through the registry), read the RLS-gated conversation table
#                and see exactly that visitor's rows; savepoint rollback,
#                forged payloads, identity gone after COMMIT/ROLLBACK
#   hostile.sql  garbage, alg none, oversized, forged tokens and payloads
#                through woesid_verify_jwt, woesid_hmac_email, woesid_identify
#   plain.sql    valid verifications
# A wrong outcome (a row of another visitor, a wrong reason) raises an error.
# Phases: a negative control (a permissive policy must be caught), CLIENTS
# clients direct for SECONDS (prepared statements), then, if pgbouncer is
# installed, CLIENTS clients through pgbouncer in transaction mode with 4
# server connections for SECONDS (clients share backends).  Zero errors,
# zero failed transactions, zero aborted clients, exit status 0 required.
# Environment: WOESID_LOAD_CLIENTS (16), WOESID_LOAD_VISITORS (200),
# WOESID_BUILD=1 to build and install first (default: only if not
# installed).  The cluster listens on a free port.
# Prints "load: N passed, M failed".
source "$(dirname "$0")/../../scripts/lib.sh"
cd "$WOESID_ROOT"

SECONDS_PER_PHASE=${1:-${WOESID_LOAD_SECONDS:-30}}
CLIENTS=${WOESID_LOAD_CLIENTS:-16}
VISITORS=${WOESID_LOAD_VISITORS:-200}
HERE=$WOESID_ROOT/test/load

begin_suite load
install_if_missing
woesid_tmpdir work load
start_cluster || fail_setup "the cluster did not start"
# pgbouncer: only the one this script started, by its pid file
on_exit 'stop_pidfile "$work/pgbouncer.pid"'
createdb woesid_load
export PGDATABASE=woesid_load

secret=$(openssl rand -hex 32)
wrong=$(openssl rand -hex 32)
if psql -X -q -v ON_ERROR_STOP=1 -v secret="$secret" -v wrong="$wrong" -v visitors="$VISITORS" \
	-f "$HERE/setup.sql" >/dev/null 2>"$work/setup.err"; then
	check 1 "setup"
else
	cat "$work/setup.err"
	check 0 "setup"
	finish
fi
read -r hostile_min hostile_max plain_max nsamples < <(psql -X -At -F ' ' -c \
	"SELECT min(id) FILTER (WHERE hostile), max(id) FILTER (WHERE hostile),
	        max(id) FILTER (WHERE NOT hostile), count(*) = max(id) FROM sample")
check "$([ "$nsamples" = t ] && echo 1 || echo 0)" "sample ids are contiguous"

# bench NAME SECONDS CLIENTS MODE [connection options...]: runs the three
# scripts; leaves pgbench's output in $work/NAME.out and .err, its status
# in $work/NAME.status.
bench() {
	local name=$1 secs=$2 clients=$3 mode=$4 status=0
	shift 4
	timeout $((secs + 120)) pgbench -n -c "$clients" -j 2 -T "$secs" -M "$mode" -U loader "$@" \
		-D visitors="$VISITORS" -D hostile_min="$hostile_min" -D hostile_max="$hostile_max" \
		-D plain_max="$plain_max" \
		-f "$HERE/rls.sql@4" -f "$HERE/hostile.sql@3" -f "$HERE/plain.sql@3" \
		woesid_load >"$work/$name.out" 2>"$work/$name.err" || status=$?
	echo "$status" >"$work/$name.status"
}

# Summarises and checks one phase.
report() {
	local name=$1 status tps txns fails aborted errors foreign
	status=$(cat "$work/$name.status")
	tps=$(sed -nE 's/^tps = ([0-9.]+) .*/\1/p' "$work/$name.out")
	txns=$(sed -nE 's/^number of transactions actually processed: ([0-9]+).*/\1/p' "$work/$name.out")
	fails=$(sed -nE 's/^number of failed transactions: ([0-9]+).*/\1/p' "$work/$name.out")
	aborted=$(grep -c 'aborted in command' "$work/$name.err" || true)
	errors=$(grep -c 'ERROR' "$work/$name.err" || true)
	foreign=$(grep -c 'rows of other visitors\|outlived its transaction\|after a forged payload\|after ROLLBACK TO SAVEPOINT' "$work/$name.err" || true)
	echo "load: $name: tps ${tps:-?}, transactions ${txns:-?}, failed transactions ${fails:-?}, aborted clients $aborted, errors $errors, identity leaks $foreign, pgbench status $status"
	sed -n '/^SQL script/,$p' "$work/$name.out" | grep -E '^SQL script| transactions \(' | paste - - |
		sed -E "s/^SQL script [0-9]+: .*\/([a-z]+)\.sql\s+- ([0-9]+) transactions.*tps = ([0-9.]+)\)/load: $name:   \1.sql: \2 transactions, tps \3/"
	grep -m 5 'ERROR' "$work/$name.err" || true
	check "$([ "$status" -eq 0 ] && echo 1 || echo 0)" "$name: pgbench exited with status $status"
	check "$([ "${fails:-x}" = 0 ] && [ "$aborted" -eq 0 ] && [ "$errors" -eq 0 ] && echo 1 || echo 0)" \
		"$name: ${fails:-?} failed transactions, $aborted aborted clients, $errors errors"
	check "$([ "${txns:-0}" -gt 0 ] && echo 1 || echo 0)" "$name: no transactions"
}

# Negative control: with a policy that lets every row through, rls.sql must
# fail; otherwise the checks below could not see a leak.
psql -X -q -c "ALTER POLICY own_conversations ON conversation USING (true)"
bench control 2 2 prepared
psql -X -q -c "ALTER POLICY own_conversations ON conversation USING (customer_email = (SELECT woesid_current_email()))"
if grep -q 'load check failed: visitor [0-9]* saw [0-9]* rows of other visitors' "$work/control.err"; then
	check 1 "negative control"
	echo "load: negative control: a permissive policy is caught ($(grep -c 'load check failed' "$work/control.err") clients stopped)"
else
	check 0 "negative control: a permissive policy was not caught"
fi

echo "load: direct: $CLIENTS clients for ${SECONDS_PER_PHASE}s, prepared statements"
bench direct "$SECONDS_PER_PHASE" "$CLIENTS" prepared
report direct

if command -v pgbouncer >/dev/null; then
	bouncer_port=$(free_port)
	echo '"loader" ""' >"$work/userlist.txt"
	cat >"$work/pgbouncer.ini" <<-INI
		[databases]
		woesid_load = host=$PGHOST port=$PGPORT dbname=woesid_load
		[pgbouncer]
		listen_addr =
		listen_port = $bouncer_port
		unix_socket_dir = $work
		auth_type = trust
		auth_file = $work/userlist.txt
		pool_mode = transaction
		default_pool_size = 4
		max_client_conn = 200
		logfile = $work/pgbouncer.log
		pidfile = $work/pgbouncer.pid
	INI
	chown postgres: "$work"/pgbouncer.ini "$work"/userlist.txt
	as_postgres pgbouncer -d -q "$work/pgbouncer.ini"
	for _ in $(seq 50); do [ -S "$work/.s.PGSQL.$bouncer_port" ] && break; sleep 0.1; done
	echo "load: pooled: $CLIENTS clients through pgbouncer (transaction mode, 4 server connections) for ${SECONDS_PER_PHASE}s"
	bench pooled "$SECONDS_PER_PHASE" "$CLIENTS" simple -h "$work" -p "$bouncer_port"
	report pooled
	backends=$(psql -X -At -c "SELECT count(*) FROM pg_stat_activity WHERE usename = 'loader'")
	echo "load: pooled: $backends server backends served $CLIENTS clients"
else
	echo "load: pgbouncer is not installed: pooled phase skipped"
fi
finish
