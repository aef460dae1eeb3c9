#!/usr/bin/env bash
# test/isolation/run.sh: runs the isolation specs in test/isolation/specs
# (expected output in test/isolation/expected) through the Makefile's
# installcheck-isolation target (PGXS's ISOLATION rule, pg_isolation_regress)
# against a throwaway cluster: initdb as the postgres user in a temporary
# directory, a Unix socket there (no TCP), UTF8 with the C.UTF-8 locale,
# max_prepared_transactions for the PREPARE TRANSACTION spec.  The role
# "app" (unprivileged) is created here; each spec creates and drops its own
# tables and widgets.  Prints one line "isolation: N passed, M failed" (one
# count per spec) and exits non-zero on any failure.
#   test/isolation/run.sh [SPEC...]  (as root or as the postgres user;
#                                     PG_CONFIG picks the installation;
#                                     default: every spec)
# Set WOESID_KEEP_TMP=1 to keep the temporary directory (results, diffs,
# server log).
source "$(dirname "$0")/../../scripts/lib.sh"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BINDIR=$("$PG_CONFIG" --bindir)
TIME_LIMIT=${WOESID_ISOLATION_TIMEOUT:-110}

begin_suite isolation
specs=("$@")
if [ ${#specs[@]} -eq 0 ]; then
	for f in "$HERE"/specs/*.spec; do
		specs+=("$(basename "$f" .spec)")
	done
fi

woesid_tmpdir TMP isolation
start_cluster --dir "$TMP" --conf "max_prepared_transactions = 4" ||
	fail_setup "the cluster did not start" "${#specs[@]}"
"$BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -c "CREATE ROLE app NOLOGIN" >/dev/null ||
	fail_setup "could not create role app" "${#specs[@]}"

# The server is found through PGHOST and PGPORT (start_cluster); results
# and diffs go to the temporary directory, not the tree.
mkdir "$TMP/out"
status=0
timeout "$TIME_LIMIT" make -s -C "$HERE/../.." installcheck-isolation \
	PG_CONFIG="$PG_CONFIG" ISOLATION="${specs[*]}" \
	EXTRA_REGRESS_OPTS="--user=postgres --outputdir=$TMP/out" \
	>"$TMP/out/run.log" 2>&1 || status=$?
cat "$TMP/out/run.log"
[ "$status" -ne 124 ] || echo "pg_isolation_regress was stopped after the time limit of $TIME_LIMIT s"
[ ! -s "$TMP/out/regression.diffs" ] || cat "$TMP/out/regression.diffs"

# "NAME ... ok|FAILED" up to PostgreSQL 15, "ok|not ok N - NAME" from 16 on
passed=$(grep -cE '^(test |     )?[a-z0-9_-]+ +\.\.\. ok( |$)|^ok [0-9]+ ' "$TMP/out/run.log" || true)
failed=$(grep -cE '\.\.\. FAILED|^not ok [0-9]+ ' "$TMP/out/run.log" || true)
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
	# Timed out or broke before reporting: whatever did not pass failed.
	failed=$(( ${#specs[@]} - passed ))
	[ "$failed" -gt 0 ] || failed=1
fi
finish
