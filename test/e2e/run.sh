#!/usr/bin/env bash
# test/e2e/run.sh: the widget example (examples/widget/) end to end in a
# real browser.
#   test/e2e/run.sh
# Starts a throwaway cluster on 127.0.0.1, loads examples/widget/schema.sql
# (two customers' widgets, jwt and hmac_email, in workspaces ws_acme and
# ws_bolt, with secrets generated in the server and read back here), starts
# each customer's backend with its own secret and the vendor's ingest
# service (node-postgres pool, role widget_app under row-level security),
# all on free ports, then runs widget.test.mjs: playwright-core drives
# Debian's /usr/bin/chromium headless through logins, a visitor switch, an
# expired token the widget refreshes, payloads tampered with in the page, a
# visitor of the other workspace with the same email, and checks the
# screenshots it took (in the run's temporary directory: WOESID_KEEP_TMP=1
# keeps them).
# Environment: WOESID_BUILD=1 to build and install first (default: only if
# not installed).  Prints "end to end: N passed, M failed" (scripts/test.sh
# counts summary lines whose name has no digit, so not "e2e").
source "$(dirname "$0")/../../scripts/lib.sh"
cd "$WOESID_ROOT"

begin_suite "end to end"
started=$SECONDS
install_if_missing
{ [ -x /usr/bin/chromium ] && [ -d test/node_modules/playwright-core ] &&
	[ -d test/node_modules/pg ] && [ -d test/node_modules/jsonwebtoken ]; } || ensure_deps

woesid_tmpdir work e2e
start_cluster --tcp || fail_setup "the cluster did not start"
WOESID_SETUP_LOGS=("$work/schema.err")
createdb widget_demo || fail_setup "createdb failed"
psql -X -q -v ON_ERROR_STOP=1 -At -d widget_demo -f examples/widget/schema.sql \
	>"$work/schema.out" 2>"$work/schema.err" || fail_setup "examples/widget/schema.sql failed"
# The generated secrets: "public_key|key_id|secret" lines.  Not shown.
secret_of() { awk -F'|' -v k="$1" '$1 == k { print $3 }' "$work/schema.out"; }
key_id_of() { awk -F'|' -v k="$1" '$1 == k { print $2 }' "$work/schema.out"; }
acme_secret=$(secret_of wpk_acme)
bolt_secret=$(secret_of wpk_bolt)
[[ $acme_secret =~ ^[0-9a-f]{64}$ && $bolt_secret =~ ^[0-9a-f]{64}$ ]] ||
	fail_setup "schema.sql did not print a generated secret for each widget"

# start_service NAME PORT COMMAND...: runs COMMAND in the background, its
# output in $work/NAME.log, stopped on exit; waits until PORT listens.
start_service() {
	local name=$1 port=$2
	shift 2
	WOESID_SETUP_LOGS+=("$work/$name.log")
	"$@" >"$work/$name.log" 2>&1 &
	echo $! >"$work/$name.pid"
	on_exit "stop_pidfile $(printf %q "$work/$name.pid")"
	for _ in $(seq 100); do
		ss -Hltn "sport = :$port" 2>/dev/null | grep -q . && return 0
		kill -0 "$(cat "$work/$name.pid")" 2>/dev/null || break
		sleep 0.1
	done
	fail_setup "$name did not start on port $port"
}

ingest_port=$(free_port)
acme_port=$(free_port)
bolt_port=$(free_port)
[ "$ingest_port" != "$acme_port" ] && [ "$acme_port" != "$bolt_port" ] && [ "$ingest_port" != "$bolt_port" ] ||
	fail_setup "free_port gave one port twice"
ingest_url=http://127.0.0.1:$ingest_port
acme_url=http://127.0.0.1:$acme_port
bolt_url=http://127.0.0.1:$bolt_port
app_db=postgres://widget_app@127.0.0.1:$PGPORT/widget_demo
admin_db=postgres://postgres@127.0.0.1:$PGPORT/widget_demo

start_service ingest "$ingest_port" env PORT="$ingest_port" DATABASE_URL="$app_db" \
	node examples/widget/ingest.mjs
start_service acme "$acme_port" env PORT="$acme_port" SITE_ID=acme SITE_NAME="Acme Cloud" \
	WIDGET_KEY=wpk_acme WIDGET_MODE=jwt WIDGET_SECRET="$acme_secret" \
	WIDGET_KEY_ID="$(key_id_of wpk_acme)" INGEST_URL="$ingest_url" \
	node examples/widget/backend.mjs
start_service bolt "$bolt_port" env PORT="$bolt_port" SITE_ID=bolt SITE_NAME="Bolt Shop" \
	WIDGET_KEY=wpk_bolt WIDGET_MODE=hmac_email WIDGET_SECRET="$bolt_secret" INGEST_URL="$ingest_url" \
	USERS='[{"login": "ann", "id": "b_17", "email": " Ann.Lee@Example.COM ", "name": "Ann Lee"},
	        {"login": "dave", "id": "b_18", "email": "dave@example.com", "name": "Dave Okoro"}]' \
	node examples/widget/backend.mjs

mkdir -p "$work/screenshots"
status=0
timeout 100 env ACME_URL="$acme_url" BOLT_URL="$bolt_url" INGEST_URL="$ingest_url" \
	APP_DB="$app_db" ADMIN_DB="$admin_db" ACME_SECRET="$acme_secret" \
	SHOTS="$work/screenshots" PROFILE="$work/chromium-profile" \
	node test/e2e/widget.test.mjs >"$work/results" 2>"$work/test.err" || status=$?
while read -r verdict what; do
	case $verdict in
	PASS) check 1 "$what" ;;
	FAIL) check 0 "$what" ;;
	esac
done <"$work/results"
grep -vE '^(PASS|FAIL) ' "$work/results" || true
check "$([ "$status" -eq 0 ] && echo 1 || echo 0)" \
	"widget.test.mjs exited with status $status: $(tail -n 20 "$work/test.err")"
if [ "$failed" -gt 0 ]; then
	for log in ingest acme bolt; do
		echo "--- $log.log"
		tail -n 20 "$work/$log.log"
	done
fi
echo "end to end: $(find "$work/screenshots" -name '*.png' | wc -l) screenshots in $work/screenshots," \
	"$((SECONDS - started)) s"
finish
