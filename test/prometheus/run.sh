#!/usr/bin/env bash
# test/prometheus/run.sh: contrib/prometheus/woesid.yaml works with Debian's
# prometheus-postgres-exporter.
#   test/prometheus/run.sh
# Installs prometheus-postgres-exporter if missing; starts a throwaway
# cluster with shared_preload_libraries = 'woesid', two widgets and a
# monitoring role set up as the query file's header says (pg_monitor, SELECT
# on woesid_widget_keys); makes a known mix of verifications; runs the
# exporter with the query file against the cluster, listening on 127.0.0.1
# only; scrapes /metrics and finds every woesid series with the expected
# labels and values, then again after more verifications (the counter
# grew).  The exporter is stopped by its pid.
# Environment: WOESID_BUILD=1 to build and install first (default: only if
# not installed).  Prints "prometheus: N passed, M failed".
source "$(dirname "$0")/../../scripts/lib.sh"
cd "$WOESID_ROOT"

begin_suite prometheus
install_if_missing
if ! command -v prometheus-postgres-exporter >/dev/null; then
	echo "== installing prometheus-postgres-exporter"
	as_root apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus-postgres-exporter >/dev/null
fi
command -v prometheus-postgres-exporter >/dev/null ||
	fail_setup "prometheus-postgres-exporter could not be installed"
command -v curl >/dev/null || as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl >/dev/null

woesid_tmpdir work prometheus
start_cluster --conf "shared_preload_libraries = 'woesid'" || fail_setup "the cluster did not start"

psql -X -q -v ON_ERROR_STOP=1 >"$work/setup.log" 2>&1 <<-'SQL' ||
	CREATE EXTENSION pgcrypto;
	CREATE EXTENSION woesid;
	SELECT woesid_register_widget('wpk_prom_hmac', 'hmac_email');
	SELECT woesid_add_secret('wpk_prom_hmac', repeat('4c', 32), 'key-used');
	SELECT woesid_add_secret('wpk_prom_hmac', repeat('3d', 32), 'key-unused');
	CREATE FUNCTION prom_payload(secret text, email text DEFAULT 'ann@example.com') RETURNS text
	LANGUAGE sql IMMUTABLE
	AS $$ SELECT json_build_object('email', email, 'email_hash',
	          encode(hmac(convert_to(email, 'UTF8'), decode(secret, 'hex'), 'sha256'), 'hex'))::text $$;
	CREATE ROLE woesid_exporter LOGIN IN ROLE pg_monitor;
	GRANT SELECT ON woesid_widget_keys TO woesid_exporter;
	-- 3 verified, 2 forged, 4 unknown widgets
	SELECT woesid_stat_reset();
	SELECT woesid_identify('wpk_prom_hmac', prom_payload(repeat('4c', 32), 'v' || g || '@example.com'))
	FROM generate_series(1, 3) AS g;
	SELECT woesid_identify('wpk_prom_hmac', prom_payload(repeat('99', 32))) FROM generate_series(1, 2);
	SELECT woesid_identify('wpk_prom_nobody_' || g, '{}'::text) FROM generate_series(1, 4) AS g;
SQL
	{ WOESID_SETUP_LOGS=("$work/setup.log"); fail_setup "could not set up the cluster"; }

port=$(free_port) || fail_setup "no free TCP port"
on_exit 'stop_pidfile "$work/exporter.pid"'
DATA_SOURCE_NAME="host=$PGHOST port=$PGPORT user=woesid_exporter dbname=postgres sslmode=disable" \
	prometheus-postgres-exporter --web.listen-address="127.0.0.1:$port" \
	--extend.query-path="$WOESID_ROOT/contrib/prometheus/woesid.yaml" \
	--disable-settings-metrics >"$work/exporter.log" 2>&1 &
echo $! >"$work/exporter.pid"

scrape() {	# scrape FILE: /metrics, once the exporter answers
	for _ in $(seq 100); do
		curl -fsS "http://127.0.0.1:$port/metrics" -o "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
# value FILE METRIC LABEL=VALUE...: the value of the one series of METRIC
# that has all these labels (any others too), or "none"
value() {
	local file=$1 metric=$2 line
	shift 2
	line=$(grep -E "^$metric\{" "$file" | while read -r l; do
		for lv in "$@"; do [[ $l == *"${lv%%=*}=\"${lv#*=}\""* ]] || continue 2; done
		echo "$l"
	done)
	if [ -z "$line" ] || [ "$(wc -l <<<"$line")" -ne 1 ]; then echo none; else echo "${line##* }"; fi
}
same() {	# same WHAT EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then check 1 "$1"; else check 0 "$1: expected [$2], got [$3]"; fi
}

scrape "$work/metrics1.txt" || { WOESID_SETUP_LOGS=("$work/exporter.log"); fail_setup "the exporter did not answer on 127.0.0.1:$port"; }
m=$work/metrics1.txt
if ss -Hltnp "sport = :$port" | grep -q "127.0.0.1:$port"; then
	check 1 "the exporter listens on 127.0.0.1"
else
	check 0 "the exporter listens on 127.0.0.1: $(ss -Hltn "sport = :$port")"
fi
same "the query file loaded" "0" "$(grep -E '^pg_exporter_user_queries_load_error\{' "$m" | awk '{ print $2 }' | sort -u)"
same "the last scrape had no error" "0" "$(grep -E '^pg_exporter_last_scrape_error ' "$m" | awk '{ print $2 }')"
same "woesid_stat_calls is a counter" "# TYPE woesid_stat_calls counter" "$(grep '^# TYPE woesid_stat_calls ' "$m")"
same "verified, by widget and key" "3" \
	"$(value "$m" woesid_stat_calls public_key=wpk_prom_hmac mode=hmac_email outcome=verified key_id=key-used)"
same "bad_signature, no key" "2" \
	"$(value "$m" woesid_stat_calls public_key=wpk_prom_hmac mode=hmac_email outcome=bad_signature key_id=)"
same "unknown widgets under one series" "4" \
	"$(value "$m" woesid_stat_calls public_key= mode= outcome=unknown_widget key_id=)"
same "no other woesid_stat_calls series" "3" "$(grep -cE '^woesid_stat_calls\{' "$m")"
last=$(value "$m" woesid_stat_last_at_seconds public_key=wpk_prom_hmac outcome=verified)
now=$(date +%s)
same "woesid_stat_last_at_seconds is recent" "1" \
	"$(awk -v l="$last" -v n="$now" 'BEGIN { print (l != "none" && l > n - 600 && l <= n + 5) ? 1 : 0 }')"
same "keys: both active" "1 1" \
	"$(value "$m" woesid_widget_keys_active key_id=key-used) $(value "$m" woesid_widget_keys_active key_id=key-unused)"
used=$(value "$m" woesid_widget_keys_last_used_seconds public_key=wpk_prom_hmac key_id=key-used)
same "keys: last used, and never used (0)" "1 0" \
	"$(awk -v l="$used" -v n="$now" 'BEGIN { print (l != "none" && l > n - 600) ? 1 : 0 }') $(value "$m" woesid_widget_keys_last_used_seconds key_id=key-unused)"
if grep -qE '^woesid_.*(@example|4c4c4c|3d3d3d|9999999)' "$m"; then
	check 0 "no email or secret in the woesid series"
else
	check 1 "no email or secret in the woesid series"
fi

# More verifications: the counter grows.
psql -X -q -c "SELECT woesid_identify('wpk_prom_hmac', prom_payload(repeat('4c', 32))) FROM generate_series(1, 2)" >/dev/null
scrape "$work/metrics2.txt" || check 0 "second scrape"
same "the counter grew" "5" \
	"$(value "$work/metrics2.txt" woesid_stat_calls public_key=wpk_prom_hmac outcome=verified key_id=key-used)"

stop_pidfile "$work/exporter.pid"
finish
