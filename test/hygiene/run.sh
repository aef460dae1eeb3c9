#!/usr/bin/env bash
# test/hygiene/run.sh: no secret and no token in any message a client
# receives or in the server log.
#   test/hygiene/run.sh
# Starts a throwaway cluster that logs everything but statements
# (log_min_messages = debug1, log_error_verbosity = verbose,
# log_connections/disconnections on, log_statement = none) and logs the
# statement of every message (log_min_error_statement = debug5, bind
# parameters never: log_parameter_max_length_on_error = 0); runs
# workload.mjs's SQL (every woesid function, every failure path: bad
# signatures, malformed and oversized tokens, alg none, missing secrets,
# every registry management function on success and on every failure path
# with literal secrets, the text forms of identify/authenticate fed raw JWTs
# and bodies that are not JSON, woesid_require raising, trigger misuse,
# privileges, the UTF8 requirement) through psql with VERBOSITY verbose and
# client_min_messages = debug1, then bind.mjs (node-postgres: the management
# functions and the text forms again, secrets as bind parameters, and the
# secrets woesid_generate_secret returns); then scans both clients' whole
# output, the whole server log and the whole woesid_stat view (the server
# runs with shared_preload_libraries = 'woesid', so it counts on every
# version; it must also hold no email) for every secret (hex, decoded bytes,
# base64/base64url of either, 16-digit prefix and suffix; the generated ones
# too), every full token, every token signature and every email_hash.  Also
# checks the scanner finds them where they are (the workload itself), that
# bind.mjs's calls had the outcomes they should, that an erroring statement
# is logged (so the setting is in force) but no management call's is unless
# refused before the function ran (and then as $n only), and that the
# expected woesid errors reached both the clients and the log.
# Environment: WOESID_BUILD=1 to build and install first (default: only if
# not installed); WOESID_KEEP_TMP=1 keeps the cluster directory.
# Prints "hygiene: N passed, M failed".
source "$(dirname "$0")/../../scripts/lib.sh"
cd "$WOESID_ROOT"

HERE=test/hygiene
begin_suite hygiene
install_if_missing
[ -d test/node_modules/jsonwebtoken ] && [ -d test/node_modules/pg ] || ensure_deps

woesid_tmpdir work hygiene
start_cluster \
	--conf "log_min_messages = debug1" \
	--conf "log_error_verbosity = verbose" \
	--conf "log_min_error_statement = debug5" \
	--conf "log_parameter_max_length_on_error = 0" \
	--conf "log_statement = none" \
	--conf "log_connections = on" \
	--conf "log_disconnections = on" \
	--conf "log_line_prefix = '%m [%p] %q%u@%d '" \
	--conf "shared_preload_libraries = 'woesid'" ||
	fail_setup "the cluster did not start"

node $HERE/workload.mjs "$work/needles.json" >"$work/workload.sql"
# Errors are the point here: no ON_ERROR_STOP.  Bounded in time.
status=0
timeout 300 psql -X -f "$work/workload.sql" >"$work/client.out" 2>&1 || status=$?
check "$([ "$status" -eq 0 ] && echo 1 || echo 0)" "psql exited with status $status"
# The bind-parameter half; it adds its secrets and tokens, and the secrets
# the psql workload had generated, to needles-all.json.
status=0
touch "$work/client-bind.out" "$work/bind.results"
timeout 120 node $HERE/bind.mjs "$work/needles.json" "$work/needles-all.json" "$work/client-bind.out" \
	"$work/bind.results" "$work"/generated-psql-*.txt >"$work/bind.err" 2>&1 || status=$?
check "$([ "$status" -eq 0 ] && echo 1 || echo 0)" "bind.mjs exited with status $status: $(tail -n 5 "$work/bind.err")"
[ -f "$work/needles-all.json" ] || cp "$work/needles.json" "$work/needles-all.json"
bind_passed=$(grep -c '^PASS ' "$work/bind.results" || true)
bind_failed=$(grep -c '^FAIL ' "$work/bind.results" || true)
grep '^FAIL ' "$work/bind.results" | sed 's/^/hygiene: FAILED: bind.mjs: /' || true
passed=$((passed + bind_passed))
failed=$((failed + bind_failed))
echo "hygiene: bind.mjs: $bind_passed of $((bind_passed + bind_failed)) calls had the expected outcome"
# woesid_stat counted the whole workload (shared_preload_libraries: every
# version counts) under what the server knows, never what a visitor sent:
# its whole output is scanned below like the rest, and holds no email.
psql -X -q -c "CREATE EXTENSION IF NOT EXISTS woesid" -c "SELECT * FROM woesid_stat" \
	>"$work/stat.out" 2>&1 || true
nstat=$(psql -X -At -c "SELECT count(*) FROM woesid_stat" 2>/dev/null || echo 0)
ncalls=$(psql -X -At -c "SELECT coalesce(sum(calls), 0) FROM woesid_stat" 2>/dev/null || echo 0)
if [ "$nstat" -ge 10 ] && [ "$ncalls" -ge 100 ]; then
	check 1 "woesid_stat counted the workload"
else
	check 0 "woesid_stat counted the workload: $nstat rows, $ncalls verifications"
fi
if grep -q '@' "$work/stat.out"; then
	check 0 "woesid_stat holds an email: $(grep -c '@' "$work/stat.out") lines with @"
else
	check 1 "woesid_stat holds no email"
fi
echo "hygiene: woesid_stat: $nstat rows, $ncalls verifications"
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

# ... and the secrets woesid_generate_secret returned to psql are in the
# files they went to, so a leak of one would be found.
ngenerated=0
for f in "$work"/generated-psql-*.txt; do
	[ -f "$f" ] || continue
	ngenerated=$((ngenerated + 1))
	node $HERE/scan.mjs "$work/needles-all.json" "generated=$f" >"$work/control-generated.out" || true
	grep -q '^generated: contains generated secret (psql, [^)]*) (hex string)' "$work/control-generated.out" ||
		ngenerated=$((ngenerated - 1000))
done
if [ "$ngenerated" -eq 3 ]; then
	check 1 "positive control: generated secrets"
else
	check 0 "positive control: the scanner did not find the 3 generated secrets in their files"
fi

# The scan itself: one check per needle per place.
nneedles=$(node -e 'const n = require(process.argv[1]); console.log(n.text.length + n.bytes.length)' "$work/needles-all.json")
for place in client client-bind server stat; do
	file=$work/$place.out
	[ "$place" != server ] || file=$work/server.log
	node $HERE/scan.mjs "$work/needles-all.json" "$place=$file" >"$work/$place.found" || true
	hits=$(wc -l <"$work/$place.found")
	cat "$work/$place.found"
	passed=$((passed + nneedles - hits))
	failed=$((failed + hits))
	echo "hygiene: $place: $((nneedles - hits)) of $nneedles secrets and tokens absent"
done

# The woesid errors reached both places, so the scan had something to see.
expect() {	# expect REGEX WHAT (client: either client)
	local place files
	for place in client server; do
		files=("$work/client.out" "$work/client-bind.out")
		[ "$place" = client ] || files=("$work/server.log")
		if grep -qE "$1" "${files[@]}"; then
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
expect '"?woesid_identify_trigger"? must be fired BEFORE INSERT OR UPDATE FOR EACH ROW' "AFTER trigger"
expect '"?woesid_identify_trigger"? takes three arguments' "trigger arguments"
expect 'column "missing" of relation "hyg_bad" does not exist' "trigger column"
expect 'result column "other" must be of type woesid_claims' "trigger result type"
expect 'key column "note" must be of type text' "trigger key type"
expect '"?woesid_registry_changed"? must be (called as|fired by) a trigger' "registry trigger misuse"
expect 'permission denied for table woesid_widget_secret' "secret table privileges"
expect 'permission denied for function woesid_add_secret' "registry function privileges"
expect 'permission denied for function woesid_generate_secret' "generate privileges"
expect 'permission denied for view woesid_widget_keys' "keys view privileges"
expect 'ERROR: +23505: widget already has this secret' "duplicate secret"
expect 'ERROR: +22023: invalid tenant' "empty tenant"
expect 'ERROR: +22023: invalid key id' "empty key id"
expect 'ERROR: +55000: widget has (active )?secrets this mode cannot use' "mode the secrets cannot serve"
expect 'permission denied to set parameter "woesid.clock_skew"' "settings privileges"
expect 'woesid requires a database with UTF8 encoding' "UTF8 requirement"
# log_min_error_statement = debug5 was in force: an erroring statement is
# logged, literals and all; a bind-parameter one as its $n text.  No
# management call raised with its statement logged, except those refused
# before the function ran, which all had their secrets as $n.
if grep -qE 'STATEMENT: +SELECT 1 / 0 AS hyg_statement_is_logged' "$work/server.log"; then
	check 1 "an erroring statement is logged"
else
	check 0 "an erroring statement was not logged: log_min_error_statement not in force"
fi
if grep -qE 'STATEMENT: +SELECT woesid_add_secret\(\$1, \$2\) AS key_id' "$work/server.log"; then
	check 1 "a refused bind-parameter call is logged as \$n"
else
	check 0 "the refused bind-parameter call to woesid_add_secret was not logged"
fi
mgmt='woesid_(register_widget|add_secret|generate_secret|set_widget|retire_secret|unregister_widget|purge_secrets)\('
logged=$(grep -E "STATEMENT: .*$mgmt" "$work/server.log" | grep -vE "$mgmt"'\$1' || true)
if [ -z "$logged" ]; then
	check 1 "no management call's statement was logged with literals"
else
	check 0 "$(echo "$logged" | wc -l) management calls logged with their statement (not shown: they may hold secrets), of" \
		"$(echo "$logged" | grep -oE "$mgmt" | sort -u | tr -d '(' | tr '\n' ' ')"
fi
if grep -q 'connection authorized' "$work/server.log" && grep -q 'DEBUG: ' "$work/server.log"; then
	check 1 "verbose logging was on"
else
	check 0 "verbose logging was not on (no connection or DEBUG lines)"
fi
finish
