#!/usr/bin/env bash
# test/hygiene/run.sh: no secret and no token in any message a client
# receives or in the server log.
#   test/hygiene/run.sh
# Starts a throwaway cluster that logs everything but statements
# (log_min_messages = debug1, log_error_verbosity = verbose,
# log_min_error_statement = panic, log_connections/disconnections on),
# runs workload.mjs's SQL (every woesid function, every failure path:
# bad signatures, malformed and oversized tokens, alg none, missing
# secrets, invalid/duplicate/unknown registry entries, woesid_require
# raising, trigger misuse, privileges, the UTF8 requirement) through psql
# with VERBOSITY verbose and client_min_messages = debug1, then scans the
# client's whole output and the whole server log for every secret (hex,
# decoded bytes, base64/base64url of either, 16-digit prefix and suffix),
# every full token, every token signature and every email_hash.  Also
# checks the scanner finds them where they are (the workload itself) and
# that the expected woesid errors reached both the client and the log.
# Environment: WOESID_BUILD=1 to build and install first (default: only if
# not installed); WOESID_KEEP_TMP=1 keeps the cluster directory.
# Prints "hygiene: N passed, M failed".
source "$(dirname "$0")/../../scripts/lib.sh"
cd "$WOESID_ROOT"

HERE=test/hygiene
begin_suite hygiene
install_if_missing
[ -d test/node_modules/jsonwebtoken ] || ensure_deps

woesid_tmpdir work hygiene
start_cluster \
	--conf "log_min_messages = debug1" \
	--conf "log_error_verbosity = verbose" \
	--conf "log_min_error_statement = panic" \
	--conf "log_statement = none" \
	--conf "log_connections = on" \
	--conf "log_disconnections = on" \
	--conf "log_line_prefix = '%m [%p] %q%u@%d '" ||
	fail_setup "the cluster did not start"

node $HERE/workload.mjs "$work/needles.json" >"$work/workload.sql"
# Errors are the point here: no ON_ERROR_STOP.  Bounded in time.
status=0
timeout 300 psql -X -f "$work/workload.sql" >"$work/client.out" 2>&1 || status=$?
check "$([ "$status" -eq 0 ] && echo 1 || echo 0)" "psql exited with status $status"
stop_cluster fast
cp "$WOESID_SERVER_LOG" "$work/server.log"
echo "hygiene: client output $(wc -l <"$work/client.out") lines, server log $(wc -l <"$work/server.log") lines" \
	"($(grep -c 'ERROR: ' "$work/server.log" || true) errors, $(grep -c 'DEBUG: ' "$work/server.log" || true) debug lines)"

# The scanner finds what is there: every token and the secret are in the
# workload it sent.
nneedles=$(node -e 'const n = require(process.argv[1]); console.log(n.text.length + n.bytes.length)' "$work/needles.json")
ntokens=$(node -e 'const n = require(process.argv[1]); console.log(n.text.filter(([w]) => /^token [a-zA-Z]+$/.test(w)).length)' "$work/needles.json")
node $HERE/scan.mjs "$work/needles.json" "workload=$work/workload.sql" >"$work/control.out" || true
found_tokens=$(grep -cE '^workload: contains token [a-zA-Z]+:' "$work/control.out" || true)
if [ "$found_tokens" -eq "$ntokens" ] && grep -q '^workload: contains secret (hex string)' "$work/control.out"; then
	check 1 "positive control"
else
	check 0 "positive control: the scanner found $found_tokens of $ntokens tokens in the workload"
fi

# The scan itself: one check per needle per place.
for place in client server; do
	file=$work/client.out
	[ "$place" = client ] || file=$work/server.log
	node $HERE/scan.mjs "$work/needles.json" "$place=$file" >"$work/$place.found" || true
	hits=$(wc -l <"$work/$place.found")
	cat "$work/$place.found"
	passed=$((passed + nneedles - hits))
	failed=$((failed + hits))
	echo "hygiene: $place: $((nneedles - hits)) of $nneedles secrets and tokens absent"
done

# The woesid errors reached both places, so the scan had something to see.
expect() {	# expect REGEX WHAT
	local place file
	for place in client server; do
		file=$work/client.out
		[ "$place" = client ] || file=$work/server.log
		if grep -qE "$1" "$file"; then
			check 1 "$place: $2"
		else
			check 0 "$place: no \"$2\" message"
		fi
	done
}
expect 'ERROR: +28000: visitor identity is not verified' "woesid_require raising (28000)"
expect 'DETAIL: +Reason code: bad_signature\.' "reason code detail"
expect 'ERROR: +22023: invalid widget secret' "invalid secret"
expect 'ERROR: +23505: widget already has a secret with this key id' "duplicate key id"
expect 'ERROR: +23505: widget is already registered' "duplicate widget"
expect 'ERROR: +P0002: widget does not exist' "unknown widget"
expect 'ERROR: +P0002: widget has no secret with this key id' "unknown key id"
expect 'invalid widget mode' "invalid mode"
expect 'invalid widget public key' "invalid public key"
expect 'secret must not be empty' "empty woesid_email_hash key"
expect 'woesid_identify_trigger must be fired BEFORE INSERT OR UPDATE FOR EACH ROW' "AFTER trigger"
expect 'woesid_identify_trigger takes three arguments' "trigger arguments"
expect 'column "missing" of relation "hyg_bad" does not exist' "trigger column"
expect 'result column "other" must be of type woesid_claims' "trigger result type"
expect 'key column "note" must be of type text' "trigger key type"
expect 'woesid_registry_changed must be called as a trigger' "registry trigger misuse"
expect 'permission denied for table woesid_widget_secret' "secret table privileges"
expect 'permission denied for function woesid_add_secret' "registry function privileges"
expect 'permission denied to set parameter "woesid.clock_skew"' "settings privileges"
expect 'woesid requires a database with UTF8 encoding' "UTF8 requirement"
if grep -q 'connection authorized' "$work/server.log" && grep -q 'DEBUG: ' "$work/server.log"; then
	check 1 "verbose logging was on"
else
	check 0 "verbose logging was not on (no connection or DEBUG lines)"
fi
finish
