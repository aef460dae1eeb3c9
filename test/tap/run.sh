#!/usr/bin/env bash
# test/tap/run.sh: runs the TAP tests in test/tap/t (PostgreSQL::Test::Cluster
# from the PGXS installation) through the Makefile's prove_installcheck
# target (PGXS's prove rule, as pgvector runs its TAP tests): hot standby,
# pg_dump/restore of the registry, RLS under a forced parallel plan, the
# registry kept in step by logical replication.  The clusters are made by
# the tests themselves, as the postgres user (initdb refuses root), in a
# copy of the Makefile and the tests under a temporary directory that is
# removed afterwards, with any server left behind stopped.  Prints one line
# "tap: N passed, M failed" counting individual TAP assertions (a test file
# that dies or breaks its plan counts as one more failure) and exits
# non-zero on any failure.
#   test/tap/run.sh [test/tap/t/NAME.pl...]  (as root or as the postgres
#                                              user; default: every test)
# Environment: PG_CONFIG, WOESID_TAP_TIMEOUT (seconds, default 110),
# WOESID_KEEP_TMP=1 keeps the temporary directory (logs in tmp_check/log).
source "$(dirname "$0")/../../scripts/lib.sh"
unset_pg_env

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BINDIR=$("$PG_CONFIG" --bindir)
TIME_LIMIT=${WOESID_TAP_TIMEOUT:-110}

begin_suite tap
woesid_tmpdir TMP tap

# A test killed by the time limit leaves its servers running.
stop_test_servers() {
	local pidfile
	while IFS= read -r pidfile; do
		as_postgres "$BINDIR/pg_ctl" -D "$(dirname "$pidfile")" -m immediate -w stop >/dev/null 2>&1 || true
	done < <(find "$TMP" -name postmaster.pid 2>/dev/null)
}
on_exit stop_test_servers

# The postgres user must be able to read the tests and write tmp_check
# beside them: run a copy of the Makefile and the tests.  TMPDIR puts the
# tests' short-named socket directories in $TMP too, so that a test that
# dies or is killed leaves nothing behind.
mkdir -p "$TMP/test/tap"
cp "$ROOT/Makefile" "$ROOT/core.mk" "$TMP/"
cp -R "$HERE/t" "$TMP/test/tap/t"
[ "$(id -u)" -ne 0 ] || chown -R postgres: "$TMP"
[ $# -gt 0 ] || set -- "$TMP"/test/tap/t/*.pl
tests=()
for f in "$@"; do tests+=("test/tap/t/$(basename "$f")"); done

status=0
as_postgres env -C "$TMP" PATH="$BINDIR:$PATH" TMPDIR="$TMP" PG_TEST_TIMEOUT_DEFAULT=60 \
	timeout "$TIME_LIMIT" make -s prove_installcheck PG_CONFIG="$PG_CONFIG" \
	PROVE_FLAGS=-v PROVE_TESTS="${tests[*]}" \
	>"$TMP/prove.out" 2>"$TMP/prove.err" || status=$?
# Shows the assertions and prove's verdicts without the tests' notes (they
# stay in tmp_check/log); diagnostics of failures come on stderr.
grep -v '^#' "$TMP/prove.out" || true
cat "$TMP/prove.err"

passed=$(grep -cE '^ok [0-9]+' "$TMP/prove.out" || true)
failed=$(grep -cE '^not ok [0-9]+' "$TMP/prove.out" || true)
# Files prove lists as failed: each one without a "not ok" of its own (it
# died, exited non-zero or broke its plan) counts as one more failure.
failed_files=$(sed -nE 's/^([^ ]+\.pl) +\(Wstat: .*Failed: ([0-9]+)\)$/\1 \2/p' "$TMP/prove.out")
while read -r file nfailed; do
	[ -n "$file" ] || continue
	[ "$nfailed" -gt 0 ] || failed=$((failed + 1))
	log=$TMP/tmp_check/log/regress_log_$(basename "$file" .pl)
	if [ -f "$log" ]; then
		echo "--- last lines of $(basename "$log")"
		tail -n 40 "$log"
	fi
done <<<"$failed_files"
[ "$status" -ne 124 ] || echo "prove was stopped after the time limit of $TIME_LIMIT s"
# Killed by the time limit, or nothing ran at all.
if { [ "$status" -ne 0 ] || [ "$passed" -eq 0 ]; } && [ "$failed" -eq 0 ]; then
	failed=1
fi
finish
