#!/usr/bin/env bash
# test/citus/run.sh: woesid on a Citus cluster: a coordinator and two
# workers on 127.0.0.1, started and stopped here, Citus built from the
# release sources in ../shared/vendor (scripts/citus-build.sh, cached).
#   test/citus/run.sh
# One registry for the cluster (woesid_citus_setup: reference tables, owner
# only on every node); a schema distributed by workspace under a tenant and
# email policy; visitors of several workspaces authenticate on the
# coordinator and each sees exactly their own rows on every shard; forged,
# other-workspace and expired tokens see nothing; a retired secret stops
# verifying on every node at the next transaction, in running sessions too;
# the forwarded identity replayed in another transaction gives none; the
# trigger on a distributed table; no secret in shard query text.  Prints
# "citus: N passed, M failed".
source "$(dirname "$0")/../../scripts/lib.sh"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
begin_suite citus
bash "$WOESID_ROOT/scripts/citus-build.sh" >/dev/null || fail_setup "Citus could not be built"

woesid_tmpdir TMP citus
declare -A port
for node in coordinator worker1 worker2; do
	as_postgres mkdir "$TMP/$node"
	start_cluster --dir "$TMP/$node" --tcp \
		--conf "shared_preload_libraries = 'citus'" \
		--conf "max_prepared_transactions = 50" \
		--conf "log_statement = 'all'" ||
		fail_setup "the $node did not start"
	port[$node]=$PGPORT
	on_exit "as_postgres $(printf %q "$WOESID_BINDIR/pg_ctl") -D $(printf %q "$TMP/$node/data") -m immediate -w stop >/dev/null 2>&1"
	psql -X -q -h 127.0.0.1 -p "$PGPORT" -c "CREATE EXTENSION citus" >/dev/null ||
		fail_setup "CREATE EXTENSION citus failed on the $node"
done
coordinator=(psql -X -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "${port[coordinator]}")
"${coordinator[@]}" -c "SELECT citus_set_coordinator_host('127.0.0.1', ${port[coordinator]})" \
	-c "SELECT citus_add_node('127.0.0.1', ${port[worker1]})" \
	-c "SELECT citus_add_node('127.0.0.1', ${port[worker2]})" >/dev/null ||
	fail_setup "the workers could not be added"

# Each check prints "name|true" or "name|false"; an error is a failure too.
"${coordinator[@]}" -f "$HERE/checks.sql" >"$TMP/checks.out" 2>&1 || true
while IFS='|' read -r name ok; do
	case $ok in
	true) check 1 "$name" ;;
	false) check 0 "$name" ;;
	esac
done <"$TMP/checks.out"
if grep -E 'ERROR|FATAL' "$TMP/checks.out"; then
	check 0 "checks.sql ran without errors"
fi
[ "$passed" -gt 20 ] || check 0 "too few checks ran ($passed)"

# pgbench through the coordinator: visitors of three workspaces, each
# transaction authenticates and reads; a row of another visitor fails it.
# The same read without woesid, as the owner, is the baseline of the cost
# line (a measurement, not a check).
"${coordinator[@]}" -f "$HERE/load-setup.sql" >"$TMP/load-setup.out" 2>&1 ||
	{ WOESID_SETUP_LOGS=("$TMP/load-setup.out"); fail_setup "the load could not be set up"; }
pgbench_run() {	# pgbench_run USER SCRIPT: prints pgbench's output
	"$WOESID_BINDIR/pgbench" -n -h 127.0.0.1 -p "${port[coordinator]}" -U "$1" -c 4 -j 2 -T 10 \
		-f "$HERE/$2" postgres 2>&1 || true
}
load=$(pgbench_run app visitor.pgbench)
base=$(pgbench_run postgres baseline.pgbench)
tps() { sed -nE 's/^tps = ([0-9.]+).*/\1/p' <<<"$1" | head -n 1; }
done_tx=$(sed -nE 's/^number of transactions actually processed: ([0-9]+).*/\1/p' <<<"$load")
failed_tx=$(sed -nE 's/^number of failed transactions: ([0-9]+).*/\1/p' <<<"$load")
aborted=$(grep -c 'aborted' <<<"$load" || true)
check "$([ "${done_tx:-0}" -gt 100 ] && [ "${failed_tx:-0}" -eq 0 ] && [ "$aborted" -eq 0 ] && echo 1 || echo 0)" \
	"pgbench through the coordinator: ${done_tx:-0} visitor transactions, ${failed_tx:-?} failed, zero cross-visitor rows"
[ "$aborted" -eq 0 ] || grep -E 'aborted|ERROR' <<<"$load" | head -n 5
echo "citus: authenticate + gated read $(tps "$load") tps, the read alone $(tps "$base") tps" \
	"($(awk -v a="$(tps "$load")" -v b="$(tps "$base")" 'BEGIN { if (a > 0) printf "%.2fx", b / a }') the cost)"

# No secret (the widgets' nor the cluster key) may appear in any node's
# statement log, the shard queries included.
"${coordinator[@]}" -c "SELECT secret FROM woesid.woesid_widget_secret
                        UNION ALL SELECT key FROM woesid.woesid_cluster_key" >"$TMP/secrets.txt"
secrets=$(wc -l <"$TMP/secrets.txt")
check "$([ "$secrets" -ge 4 ] && echo 1 || echo 0)" "the log scan knows the $secrets secrets"
# Citus replicates a write to the registry's reference tables as statement
# text with the values in it (README: "Scaling out with Citus"), so those
# writes are left out; verification, authentication and shard queries must
# show none.
leaks=$(cat "$TMP"/*/server.log | grep -F -f "$TMP/secrets.txt" |
	grep -c -v -E 'INSERT INTO woesid\.woesid_widget_secret_[0-9]+ ' || true)
check "$([ "$leaks" -eq 0 ] && echo 1 || echo 0)" \
	"no secret in any node's statement log but the registry writes ($leaks lines)"
[ "$leaks" -eq 0 ] || cat "$TMP"/*/server.log | grep -F -f "$TMP/secrets.txt" | cut -c1-200
finish
