#!/usr/bin/env bash
# scripts/test.sh: runs every woesid test on its own throwaway PostgreSQL
# cluster and ends with one line "N passed, M failed".
#   bash scripts/test.sh [SUITE...] [pg15|pg18]
# With suite names, runs only those (bash scripts/test.sh regress isolation);
# pg15 or pg18 keeps the server-bound suites to that server.  The names (a
# suite's "== NAME" heading without the server, first word: suite_key):
#   generated, unit                           no server
#   regress, interop, signers, isolation, tap, stat
#                                             on 15 and on 18
#   normalize, pgbouncer, memory, load, hygiene, prometheus, e2e, readme,
#   citus, sanitized, fuzz, ct
#                                             on 15
#   upgrade                                   pg_upgrade from 15 to 18
#   package                                   the Debian package, last
# Installs what is missing (Debian packages, Node packages from the lockfile),
# builds with -Werror, installs, then runs: the generated-table checks, the
# core's unit tests under ASan/UBSan; on PostgreSQL 15 (Debian's) pg_regress,
# the interop suite against jsonwebtoken and node:crypto, the signers of
# examples/signers/ (Node, Python, Ruby, Go, PHP, Perl), the isolation
# specs and the TAP tests (hot standby, pg_dump, parallel plans, logical
# replication), woesid_stat's counts with and without
# shared_preload_libraries, then the normalization differential, the pgbouncer leak and
# expiry test, flat memory over mixed verifications, a pgbench load, secret
# hygiene of every message and log line, the postgres_exporter query
# file against Debian's prometheus-postgres-exporter, the widget example in
# Chromium, every SQL and JavaScript block of the documentation, pg_regress plus interop against an
# AddressSanitizer/UBSan build, 20 s of libFuzzer per core entry, and a
# dudect constant-time test of the signature check; then on PostgreSQL 18 (built from Debian's source
# package, cached under /var/cache/woesid) the build, pg_regress, interop,
# isolation and TAP, and pg_upgrade of a filled 15 cluster to 18; last,
# META.json and the Debian package, built, installed, used and purged.
source "$(dirname "$0")/lib.sh"
cd "$WOESID_ROOT"

total_passed=0
total_failed=0

# The suites asked for (none: all of them) and the servers.
selected=()
servers=()
for arg in "$@"; do
	case $arg in
	pg15 | pg18) servers+=("${arg#pg}") ;;
	-h | --help) sed -n '2,/^source/p' "$0" | sed '$d'; exit 0 ;;
	[a-z]*) selected+=("$arg") ;;
	*) echo "unknown argument: $arg (see bash scripts/test.sh --help)" >&2; exit 2 ;;
	esac
done
[ ${#servers[@]} -gt 0 ] || servers=(15 18)
ran=()

# suite_key "HEADING": the name a suite is selected by.
suite_key() {
	local name=${1#pg1[0-9] }
	case $name in
	pg_regress) echo regress ;;
	"normalization differential") echo normalize ;;
	"constant time") echo ct ;;
	pg_upgrade*) echo upgrade ;;
	*) echo "${name%% *}" ;;
	esac
}

# wanted KEY...: whether any of the suites is to run.
wanted() {
	local k s
	[ ${#selected[@]} -gt 0 ] || return 0
	for k in "$@"; do
		for s in "${selected[@]}"; do [ "$s" != "$k" ] || return 0; done
	done
	return 1
}

# on_server N: whether server N's suites are to run.
on_server() {
	[[ " ${servers[*]} " == *" $1 "* ]]
}

# whether anything but these suites was asked for
wanted_besides() {
	local s k
	[ ${#selected[@]} -gt 0 ] || return 0
	for s in "${selected[@]}"; do
		for k in "$@"; do [ "$s" != "$k" ] || continue 2; done
		return 0
	done
	return 1
}

# Adds up the "name: N passed, M failed" lines of a suite's output; a suite
# that exits non-zero without such a line counts as one failure.
record() {
	local name=$1 log=$2 status=$3 p f counted=0
	while read -r p f; do
		total_passed=$((total_passed + p))
		total_failed=$((total_failed + f))
		counted=1
	done < <(sed -nE 's/^[A-Za-z_ -]+: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/p' "$log")
	if [ "$counted" -eq 0 ] || { [ "$status" -ne 0 ] && ! grep -qE ': [0-9]+ passed, [1-9][0-9]* failed$' "$log"; }; then
		echo "$name: exited with status $status"
		total_failed=$((total_failed + 1))
	fi
}

# run NAME COMMAND...: runs a suite, shows its output, records its counts;
# nothing when the suite was not asked for.
run() {
	local name=$1 log status=0
	shift
	wanted "$(suite_key "$name")" || return 0
	ran+=("$(suite_key "$name")")
	log=$(mktemp)
	echo "== $name"
	"$@" 2>&1 | tee "$log" || status=$?
	record "$name" "$log" "$status"
	rm -f "$log"
}

# pg_regress prints one line per test, "test NAME ... ok|FAILED" up to
# PostgreSQL 15 and "ok|not ok N - NAME" from 16 on (and deletes
# regression.out when all pass, so count from its output).
regress() {
	local status=0 out
	out=$(mktemp)
	make -s installcheck >"$out" 2>&1 || status=$?
	cat "$out"
	[ ! -f regression.diffs ] || cat regression.diffs
	echo "pg_regress: $(grep -cE ' \.\.\. ok |^ok [0-9]+ ' "$out") passed," \
		"$(grep -cE ' \.\.\. FAILED |^not ok [0-9]+ ' "$out") failed"
	rm -f "$out"
	return $status
}

generated() {
	local ok=0 bad=0
	for g in tools/gen-reasons.mjs tools/gen-unicode-tables.mjs; do
		if node "$g" --check; then ok=$((ok + 1)); else bad=$((bad + 1)); fi
	done
	echo "generated tables: $ok passed, $bad failed"
}

# versions_suites LABEL: what runs on every supported server, against a
# build and a throwaway cluster of the installation PG_CONFIG names.  Leaves
# the cluster running (stop_cluster) and woesid_test created for the caller.
# VERSION_SUITES names the suites it runs (keep the two in step).
VERSION_SUITES=(regress interop signers isolation tap stat)
versions_suites() {
	build_and_install
	start_cluster
	# The Node suites use their own database.
	createdb woesid_test
	psql -X -q -d woesid_test -c "CREATE EXTENSION woesid"
	run "$1 pg_regress" regress
	PGDATABASE=woesid_test run "$1 interop" node test/interop/interop.mjs
	PGDATABASE=woesid_test run "$1 signers" node test/interop/signers.mjs
	run "$1 isolation" test/isolation/run.sh
	run "$1 tap" test/tap/run.sh
	run "$1 stat" test/stat/run.sh
}

ensure_deps
run "generated tables" generated
run "unit tests (ASan/UBSan)" make -s -C test/unit check

# Everything but the suites that run elsewhere runs on 15.
rebuilt=
built15=
if on_server 15 && wanted_besides generated unit upgrade package; then
	built15=1
	echo "== PostgreSQL $("$PG_CONFIG" --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')"
	versions_suites "pg15"
	PGDATABASE=woesid_test run "normalization differential" node test/interop/normalize.mjs
	run "pgbouncer" test/pgbouncer/run.sh
	run "memory" test/memory/run.sh 200000
	run "load" test/load/run.sh 10
	run "hygiene" test/hygiene/run.sh
	run "prometheus" test/prometheus/run.sh
	run "e2e" test/e2e/run.sh
	run "readme" test/readme/run.sh
	run "citus" test/citus/run.sh
	run "sanitized" scripts/test-sanitized.sh
	run "fuzz" test/fuzz/run.sh 20
	run "constant time" test/ct/run.sh
	stop_cluster
fi

# PostgreSQL 18 from Debian's source package, built once and cached outside
# the clone (scripts/pg-build.sh).  A server that cannot be built fails the
# run.  Runs last: the tree's objects are then built for 18.
if on_server 18 && wanted "${VERSION_SUITES[@]}" upgrade; then
	echo "== PostgreSQL 18"
	rebuilt=1
	if pg18_config=$(bash scripts/pg-build.sh 18 | tail -n 1); then
		if wanted "${VERSION_SUITES[@]}"; then
			PG_CONFIG=$pg18_config versions_suites "pg18"
			stop_cluster
		fi
		# pg_upgrade needs this tree built and installed for both servers
		if wanted upgrade; then
			[ -n "$built15" ] || build_and_install >/dev/null
			wanted "${VERSION_SUITES[@]}" || PG_CONFIG=$pg18_config build_and_install >/dev/null
		fi
		run "pg_upgrade 15 to 18" test/upgrade/run.sh "$pg18_config"
	else
		echo "pg18: the server could not be built"
		total_failed=$((total_failed + 1))
	fi
fi
# The Debian package: its purge removes what make install put in the same
# places, so it runs last, and the tree is built and installed again for
# the default server, as a plain make would leave it.
if wanted package; then
	run "package" test/package/run.sh
	rebuilt=1
fi
[ -z "$rebuilt" ] || build_and_install >/dev/null

# A name that matched nothing is a failure, not a quiet success.
for s in "${selected[@]}"; do
	if [[ " ${ran[*]} " != *" $s "* ]]; then
		echo "$s: no such suite, or none on the servers asked for"
		total_failed=$((total_failed + 1))
	fi
done

echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
