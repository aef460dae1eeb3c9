#!/usr/bin/env bash
# test/stat/run.sh: woesid_stat counts exactly, on servers of its own.
#   test/stat/run.sh
# With shared_preload_libraries = 'woesid' (every version), then without
# it (17 and later count through the DSM registry; 15 and 16 cannot: the
# view is empty and a NOTICE says why), each cluster with
# woesid.stat_max = 100:
#   - CLIENTS concurrent pgbench clients run visitor.pgbench RUNS times each
#     (identify verified and forged, a random unknown public key, the
#     direct verifier, an authenticate rolled back, the trigger): every
#     count exact, the flood of random keys one NULL row;
#   - a transaction that fails after its verification, and a backend
#     terminated in the middle of one: counted;
#   - a parallel scan (workers verify too): counted once per row;
#   - eviction at woesid.stat_max: the least recently counted entry goes;
#   - reset; a pg_monitor member reads the view; no email or token in it;
#   - without the preload: a reload that changes woesid.stat_max does not
#     stop new sessions from counting into the same table.
# Environment: WOESID_STAT_CLIENTS (8), WOESID_STAT_RUNS (500),
# WOESID_BUILD=1 to build and install first (default: only if not
# installed).  Prints "stat: N passed, M failed".
source "$(dirname "$0")/../../scripts/lib.sh"
cd "$WOESID_ROOT"

HERE=$WOESID_ROOT/test/stat
CLIENTS=${WOESID_STAT_CLIENTS:-8}
RUNS=${WOESID_STAT_RUNS:-500}
N=$((CLIENTS * RUNS))

begin_suite stat
install_if_missing
major=$("$PG_CONFIG" --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
woesid_tmpdir work stat
cp "$HERE"/setup.sql "$HERE"/visitor.pgbench "$work/"

q() {	# q SQL...: one value per line
	psql -X -At -v ON_ERROR_STOP=1 "$@"
}
# same WHAT EXPECTED ACTUAL
same() {
	if [ "$2" = "$3" ]; then
		check 1 "$1"
	else
		check 0 "$1: expected [$2], got [$3]"
	fi
}

counting() {	# counting LABEL: the checks on a cluster that counts
	local label=$1 out expected pid status

	q -q -f "$work/setup.sql" >"$work/setup-$label.log" 2>&1 ||
		{ WOESID_SETUP_LOGS=("$work/setup-$label.log"); fail_setup "$label: setup failed"; }
	q -c "SELECT woesid_stat_reset()" >/dev/null

	# Concurrent visitors, transactions rolled back among them.
	status=0
	"$WOESID_BINDIR/pgbench" -n -c "$CLIENTS" -j 4 -t "$RUNS" -f "$work/visitor.pgbench" \
		>"$work/pgbench-$label.log" 2>&1 || status=$?
	same "$label: pgbench ran $N visitor mixes" "0 $N/$N" \
		"$status $(sed -nE 's/^number of transactions actually processed: ([0-9]+\/[0-9]+).*/\1/p' "$work/pgbench-$label.log")"
	expected=$(printf '%s\n' "-|-|unknown_widget|-|$N" \
		"wpk_s_hmac|hmac_email|bad_signature|-|$N" \
		"wpk_s_hmac|hmac_email|verified|key-h|$((2 * N))" \
		"wpk_s_jwt|jwt|verified|-|$N" \
		"wpk_s_jwt|jwt|verified|key-j|$N")
	out=$(q -c "SELECT s_counts()")
	same "$label: counts after $CLIENTS concurrent clients (random keys under NULL)" "$expected" "$out"
	same "$label: the trigger verified every row" "$N" "$(q -c "SELECT count(*) FROM s_event WHERE (identity).verified")"

	# A transaction that fails after verifying; a backend terminated
	# inside one.
	q -c "SELECT woesid_stat_reset()" >/dev/null
	psql -X -q -c "BEGIN" -c "SELECT woesid_identify('wpk_s_hmac', s_bad_hmac())" \
		-c "SELECT 1 / 0" >/dev/null 2>&1 || true
	psql -X -q -c "BEGIN" -c "SELECT woesid_identify('wpk_s_hmac', s_good_hmac())" \
		-c "SELECT pg_backend_pid()" -c "SELECT pg_sleep(60)" >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 100); do
		[ "$(q -c "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(60)'")" = 1 ] && break
		sleep 0.1
	done
	q -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(60)'" >/dev/null
	wait "$pid" || true
	for _ in $(seq 50); do
		[ "$(q -c "SELECT count(*) FROM woesid_stat")" = 2 ] && break
		sleep 0.1
	done
	same "$label: a failed transaction and a terminated backend counted" \
		"$(printf '%s\n' "wpk_s_hmac|hmac_email|bad_signature|-|1" "wpk_s_hmac|hmac_email|verified|key-h|1")" \
		"$(q -c "SELECT s_counts()")"

	# A parallel scan: the workers' counts arrive with their transactions.
	q -c "SELECT woesid_stat_reset()" >/dev/null
	out=$(psql -X -At -v ON_ERROR_STOP=1 <<-'SQL'
		SET parallel_setup_cost = 0;
		SET parallel_tuple_cost = 0;
		SET min_parallel_table_scan_size = 0;
		SET max_parallel_workers_per_gather = 4;
		EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
		SELECT count(*) FILTER (WHERE (woesid_identify('wpk_s_hmac', payload)).verified) FROM s_par;
		SELECT count(*) FILTER (WHERE (woesid_identify('wpk_s_hmac', payload)).verified) FROM s_par;
	SQL
	)
	if grep -qE 'Workers Launched: [1-9]' <<<"$out"; then
		check 1 "$label: the scan ran in parallel"
	else
		check 0 "$label: the scan did not run in parallel: $out"
	fi
	same "$label: a parallel scan (twice, 20000 rows) counted once per row" \
		"wpk_s_hmac|hmac_email|verified|key-h|40000" "$(q -c "SELECT s_counts()")"

	# Eviction at woesid.stat_max = 100: 100 audiences fill the table; the
	# first is counted again; a new one evicts the least recently counted,
	# the second.
	q -c "SELECT woesid_stat_reset()" >/dev/null
	q -q <<-'SQL' >/dev/null
		SELECT format('SELECT woesid_verify_jwt(%L, %L, %L)', 'not a token', repeat('6b', 32),
		              'aud_' || lpad(g::text, 3, '0'))
		FROM generate_series(1, 100) AS g \gexec
		SELECT woesid_verify_jwt('not a token', repeat('6b', 32), 'aud_001');
		SELECT woesid_verify_jwt('not a token', repeat('6b', 32), 'aud_101');
	SQL
	same "$label: evicted at woesid.stat_max, least recently counted first" \
		"100 aud_001:2 aud_002:gone aud_003:1 aud_101:1" \
		"$(q -c "SELECT count(*) || ' aud_001:' || coalesce(sum(calls) FILTER (WHERE public_key = 'aud_001'), 0)
		             || ' aud_002:' || coalesce(sum(calls) FILTER (WHERE public_key = 'aud_002')::text, 'gone')
		             || ' aud_003:' || coalesce(sum(calls) FILTER (WHERE public_key = 'aud_003'), 0)
		             || ' aud_101:' || coalesce(sum(calls) FILTER (WHERE public_key = 'aud_101'), 0)
		      FROM woesid_stat")"

	# A flood of made-up public keys in one statement: one row.
	q -c "SELECT woesid_stat_reset()" >/dev/null
	q -c "SELECT count(*) FROM generate_series(1, 5000) AS g,
	          LATERAL woesid_identify(md5(g::text), '{}'::text) AS v" >/dev/null
	same "$label: 5000 made-up public keys are one row" "-|-|unknown_widget|-|5000" "$(q -c "SELECT s_counts()")"

	# Who reads it, and what it never holds.
	q -c "SELECT woesid_identify('wpk_s_hmac', s_good_hmac())" >/dev/null
	q -c "SELECT woesid_verify_jwt(s_token(), repeat('6b', 32), 'wpk_s_jwt')" >/dev/null
	q -c "DROP ROLE IF EXISTS s_watcher" -c "CREATE ROLE s_watcher LOGIN IN ROLE pg_monitor" >/dev/null 2>&1
	same "$label: a pg_monitor member reads the view" "3" \
		"$(psql -X -At -U s_watcher -c "SELECT count(*) FROM woesid_stat" 2>&1)"
	same "$label: no email, token or secret in the view" "0" \
		"$(q -c "SELECT count(*) FROM woesid_stat AS s, s_token AS t
		         WHERE s::text ~* ('@|5a5a5a|6b6b6b|' || split_part(t.token, '.', 3) || '|' || split_part(t.token, '.', 2))")"
	same "$label: last_used_at of the keys that verified" "wpk_s_hmac|key-h|t wpk_s_jwt|key-j|f" \
		"$(q -c "SELECT string_agg(format('%s|%s|%s', public_key, key_id, last_used_at IS NOT NULL), ' '
		                         ORDER BY public_key COLLATE \"C\") FROM woesid_widget_keys")"
	q -c "SELECT woesid_stat_reset()" >/dev/null
	same "$label: reset" "0 0" \
		"$(q -c "SELECT (SELECT count(*) FROM woesid_stat) || ' ' ||
		                (SELECT count(last_used_at) FROM woesid_widget_keys)")"
}

# --- with the preload
start_cluster --conf "shared_preload_libraries = 'woesid'" --conf "woesid.stat_max = 100" ||
	fail_setup "the cluster with shared_preload_libraries did not start"
same "preload: woesid.stat_max" "100" "$(q -c "SHOW woesid.stat_max")"
counting "preload"
stop_cluster

# --- without it
start_cluster --conf "woesid.stat_max = 100" || fail_setup "the cluster without the preload did not start"
if [ "$major" -ge 17 ]; then
	counting "no preload"
	# A reload that changes the setting: the table stays as it was made.
	echo "woesid.stat_max = 200" >>"$WOESID_TMP/data/postgresql.conf"
	q -c "SELECT pg_reload_conf()" >/dev/null
	sleep 1
	q -q <<-'SQL' >/dev/null
		SELECT format('SELECT woesid_verify_jwt(%L, %L, %L)', 'not a token', repeat('6b', 32),
		              'aud_' || lpad(g::text, 3, '0'))
		FROM generate_series(1, 150) AS g \gexec
	SQL
	same "no preload: after a reload to woesid.stat_max = 200, new sessions count into the same table" \
		"100" "$(q -c "SELECT count(*) FROM woesid_stat")"
else
	q -q -f "$work/setup.sql" >"$work/setup-nopreload.log" 2>&1 ||
		{ WOESID_SETUP_LOGS=("$work/setup-nopreload.log"); fail_setup "no preload: setup failed"; }
	q -c "SELECT woesid_identify('wpk_s_hmac', s_good_hmac())" >/dev/null
	out=$(psql -X -At -c "SELECT count(*) FROM woesid_stat" -c "SELECT count(*) FROM woesid_stat" \
		2>"$work/notice.txt")
	same "no preload on $major: the view is empty" "$(printf '0\n0')" "$out"
	same "no preload on $major: a NOTICE says why, once" \
		"$(printf '%s\n' "NOTICE:  woesid is not counting verifications" \
			"DETAIL:  Before PostgreSQL 17, woesid counts only when it is in shared_preload_libraries." \
			"HINT:  Add woesid to shared_preload_libraries and restart the server, or use PostgreSQL 17 or later.")" \
		"$(cat "$work/notice.txt")"
	same "no preload on $major: verification unaffected" "t" \
		"$(q -c "SELECT verified FROM woesid_identify('wpk_s_hmac', s_good_hmac())")"
fi
stop_cluster
finish
