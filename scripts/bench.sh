#!/usr/bin/env bash
# scripts/bench.sh: woesid's benchmark (not part of the test suite).
#   bash scripts/bench.sh [--perf]
#   bash scripts/bench.sh --workload DIR    # only make the workload and bench/bin
#   bash scripts/bench.sh --chart bench/results/RUN.txt...   # only draw RUN.svg again
#
# One run: generates one workload with the real signers (jsonwebtoken,
# node:crypto), then measures, median of several rounds, microseconds per
# item of: the physical floor (bench/floor.c), OpenSSL's one-shot HMAC(),
# woesid's C core alone (bench/core_bench.c), and woesid in PostgreSQL on a
# throwaway cluster (net of the bare scan of the same table, same round)
# next to its peers (pgcrypto, a PL/pgSQL verifier), and the cost of
# counting (woesid_stat): the same identify and verify_jwt queries, in
# turns, on two more clusters alike but for shared_preload_libraries =
# 'woesid' (PostgreSQL 15 and 16 count only with it).  Prints one table and
# saves it to bench/results/, with RUN.dat and, drawn from it with gnuplot,
# RUN.svg: microseconds per verification, log scale, woesid beside its
# peers.  Never fails on a target: it is a measurement.
# With --perf it also profiles the backend during the LATERAL verify_jwt
# query (perf record -p) and prints the 15 hottest functions.
#
# Settings (environment): WOESID_BENCH_TOKENS (200000), WOESID_BENCH_PAYLOADS
# (1000000), WOESID_BENCH_PLPGSQL_ROWS (20000), WOESID_BENCH_ROUNDS (5),
# WOESID_PORT (the throwaway cluster's port; default: a free one).
# See bench/README.md.
source "$(dirname "$0")/lib.sh"
cd "$WOESID_ROOT"

NTOK=${WOESID_BENCH_TOKENS:-200000}
NPAY=${WOESID_BENCH_PAYLOADS:-1000000}
NPLPGSQL=${WOESID_BENCH_PLPGSQL_ROWS:-20000}
ROUNDS=${WOESID_BENCH_ROUNDS:-5}
PERF=0
WORKLOAD_ONLY=
CHART_ONLY=()

while [ $# -gt 0 ]; do
	case $1 in
	--perf) PERF=1 ;;
	--workload) WORKLOAD_ONLY=${2:?--workload needs a directory}; shift ;;
	--chart) shift; CHART_ONLY=("$@"); [ $# -gt 0 ] || { echo "--chart needs a results file" >&2; exit 2; }; break ;;
	*) echo "usage: $0 [--perf] | --workload DIR | --chart RESULTS.txt..." >&2; exit 2 ;;
	esac
	shift
done

# gnuplot's quoting: a single-quoted string, its quotes doubled.
gp_quote() {
	printf "'%s'" "${1//\'/\'\'}"
}

# draw_chart RUN.txt: RUN.svg from RUN.dat (report.mjs writes it beside the
# table) with gnuplot: one horizontal bar a row, median µs per verification
# on a log scale, whiskers from the fastest to the slowest round, woesid and
# its peers in two colours; the title and subtitle lines come from RUN.dat.
draw_chart() {
	local dat=${1%.txt}.dat svg=${1%.txt}.svg n=0 line
	[ -s "$dat" ] || { echo "no chart data: $dat" >&2; return 1; }
	if ! command -v gnuplot >/dev/null; then
		echo "== installing gnuplot-nox (for the chart)"
		as_root apt-get update -qq || return 1
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gnuplot-nox >/dev/null || return 1
	fi
	{
		cat <<-GP
			set terminal svg size 960,460 noenhanced font "sans,13" background rgb "white"
			set encoding utf8
			set output $(gp_quote "$svg")
			set datafile separator "\t"
			dat = $(gp_quote "$dat")
			stats dat using 1 name "Y" nooutput
			stats dat using 4 name "LO" nooutput
			stats dat using 5 name "HI" nooutput
			lo = 10**floor(log10(LO_min) - 0.05)
			hi = 10**ceil(log10(HI_max * 3))
			set label 1 $(gp_quote "$(sed -n 's/^# title\t//p' "$dat")") at screen 0.5, screen 0.95 center font "sans,16"
		GP
		while IFS= read -r line; do
			n=$((n + 1))
			echo "set label $((n + 1)) $(gp_quote "$line") at screen 0.5, screen $(awk -v n="$n" 'BEGIN { print 0.94 - 0.045 * n }') center font \"sans,11\" textcolor rgb \"#444444\""
		done < <(sed -n 's/^# subtitle\t//p' "$dat")
		cat <<-'GP'
			set tmargin 5.5
			set logscale x 10
			set xrange [lo:hi]
			set yrange [Y_min - 0.7:Y_max + 0.7]
			set format x "%g"
			set xlabel "µs per verification (log scale; shorter is faster)"
			set xtics nomirror
			set ytics nomirror scale 0
			set mxtics 10
			set grid xtics mxtics lc rgb "#dddddd" lw 1, lc rgb "#f0f0f0" lw 1
			set border 1
			set key top right box opaque
			set style fill solid 0.9 noborder
			set linetype 1 lc rgb "#1f77b4"
			set linetype 2 lc rgb "#e07b39"
			set errorbars small
			plot dat using (lo):1:(lo):3:($1 - 0.38):($1 + 0.38):($6 + 1):ytic(2) with boxxyerror lc variable notitle, \
			     '' using 3:1:4:5 with xerrorbars pt -1 lc rgb "#333333" notitle, \
			     '' using ($5 * 1.12):1:(sprintf("%.3g µs", $3)) with labels left font "sans,11" notitle, \
			     NaN with boxes lt 1 title "woesid", \
			     NaN with boxes lt 2 title "peers, in SQL"
		GP
	} | gnuplot || return 1
	echo "chart: $svg"
}

if [ ${#CHART_ONLY[@]} -gt 0 ]; then
	for f in "${CHART_ONLY[@]}"; do
		node bench/report.mjs --chart "$f" >/dev/null
		draw_chart "$f"
	done
	exit 0
fi
[ "$NPLPGSQL" -le "$NTOK" ] || NPLPGSQL=$NTOK

started=$(date +%s.%N)
load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)
PERF_PID=
PSQL_PID=

# The C programs, and the fixed part of the workload.
ensure_deps
echo "== building bench/bin (floor, core_bench)"
make -s -C bench >/dev/null

if [ -n "$WORKLOAD_ONLY" ]; then
	mkdir -p "$WORKLOAD_ONLY"
	echo "== generating the workload in $WORKLOAD_ONLY"
	node bench/gen.mjs "$WORKLOAD_ONLY" fixed "$NTOK" "$NPAY"
	echo "done: e.g. valgrind --tool=callgrind bench/bin/core_bench $WORKLOAD_ONLY 1 jwt"
	exit 0
fi

woesid_tmpdir BENCH_TMP bench
W=$BENCH_TMP/workload
RAW=$BENCH_TMP/raw.tsv
mkdir "$W"
: >"$RAW"

echo "== generating $NTOK JWTs and $NPAY hmac_email payloads (jsonwebtoken, node:crypto)"
node bench/gen.mjs "$W" fixed "$NTOK" "$NPAY"

# The floor and the core take turns, one round each, so that a slow spell
# of a shared machine weighs on both sides of their ratio alike.
echo "== C: floor, OpenSSL HMAC(), woesid core ($ROUNDS rounds each, interleaved)"
for r in $(seq 1 "$ROUNDS"); do
	for prog in floor core_bench; do
		bench/bin/$prog "$W" 1 | awk -v r="$r" 'BEGIN { FS = OFS = "\t" } { $2 = r; print }' >>"$RAW" ||
			echo "warning: bench/bin/$prog reported unverified items"
	done
done

# PostgreSQL: the extension as the tests build it, on a throwaway cluster.
build_and_install
start_cluster ${WOESID_PORT:+--port "$WOESID_PORT"} \
	--conf "shared_buffers = 2GB" \
	--conf "max_parallel_workers_per_gather = 0" \
	--conf "jit = off" \
	--conf "autovacuum = off"

PSQL=(psql -X -q -v ON_ERROR_STOP=1)

echo "== loading tok ($NTOK), pay ($NPAY), pay_email ($NPAY), tok_sample ($NPLPGSQL)"
"${PSQL[@]}" <<-SQL
	CREATE EXTENSION woesid;
	CREATE EXTENSION pg_prewarm;
	\i bench/plpgsql_jwt.sql
	\set secret \`cat $W/secret.txt\`
	\set aud \`cat $W/aud.txt\`
	CREATE TABLE tok (t text);
	CREATE TABLE tok_now (t text);
	CREATE TABLE pay (p text);
	CREATE TABLE pay_email (email text, hash text);
	\copy tok FROM '$W/tokens.txt'
	\copy pay FROM '$W/payloads.txt'
	\copy pay_email FROM '$W/emails.tsv'
	CREATE TABLE tok_sample AS SELECT t FROM tok LIMIT $NPLPGSQL;
	SELECT woesid_register_widget(:'aud', 'jwt', :'secret') AS key_id \gset
	VACUUM (FREEZE, ANALYZE) tok, pay, pay_email, tok_sample;
SQL

# identify verifies at the statement's time: these tokens (iat = now, exp =
# now + 10 min) are made just before the rounds, which take a few minutes.
echo "== generating and loading tok_now ($NTOK JWTs, iat = now)"
node bench/gen.mjs "$W" now "$NTOK"
"${PSQL[@]}" <<-SQL
	\copy tok_now FROM '$W/tokens_now.txt'
	CREATE TABLE identify_now AS SELECT jsonb_build_object('jwt', t) AS payload FROM tok_now;
	CREATE TABLE identify_now_text AS SELECT json_build_object('jwt', t)::text AS payload FROM tok_now;
	VACUUM (FREEZE, ANALYZE) tok_now, identify_now, identify_now_text;
	SELECT sum(pg_prewarm(c)) AS blocks FROM unnest(ARRAY['tok', 'tok_now', 'identify_now', 'identify_now_text',
	    'pay', 'pay_email', 'tok_sample']::regclass[]) AS c \gset
SQL

# timed ITEM ROWS QUERY: one measurement in the session's script.  QUERY
# returns one column n (how many verified, or the scan's row count).
timed() {
	cat <<-SQL
		SELECT clock_timestamp() AS t0 \gset
		$3 \gset
		INSERT INTO bench_timing VALUES ('$1', :round,
		    extract(epoch FROM clock_timestamp() - :'t0'::timestamptz), $2, :n);
	SQL
}

# The cost of counting (woesid_stat): two more clusters of the same
# installation, alike but for shared_preload_libraries = 'woesid' in one:
# that one counts every verification, the other cannot (PostgreSQL 15 and
# 16 count only with the preload).  At the start of every SQL round,
# stat-round.sh runs the same script in a fresh session on each (which goes
# first alternates), so that the two rows differ in counting alone.  On 17
# and later both would count: the rows are left out.
STAT_ROUND=
declare -A stat_host stat_port
if [ "$("$PG_CONFIG" --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')" -lt 17 ]; then
	main_env=("$PGHOST" "$PGPORT" "$WOESID_TMP")
	for side in off on; do
		preload=()
		[ "$side" = off ] || preload=(--conf "shared_preload_libraries = 'woesid'")
		woesid_tmpdir stat_dir "bench-stat-$side"
		start_cluster --dir "$stat_dir" \
			--conf "shared_buffers = 512MB" \
			--conf "max_parallel_workers_per_gather = 0" \
			--conf "jit = off" \
			--conf "autovacuum = off" \
			"${preload[@]}"
		on_exit "as_postgres '$WOESID_BINDIR/pg_ctl' -D '$stat_dir/data' -m immediate -w stop >/dev/null 2>&1"
		stat_host[$side]=$PGHOST
		stat_port[$side]=$PGPORT
		echo "== loading tok_now and identify_now into the cluster $([ "$side" = on ] && echo that counts || echo that cannot count)"
		"${PSQL[@]}" <<-SQL
			CREATE EXTENSION woesid;
			CREATE EXTENSION pg_prewarm;
			\set secret \`cat $W/secret.txt\`
			\set aud \`cat $W/aud.txt\`
			SELECT woesid_register_widget(:'aud', 'jwt', :'secret') AS key_id \gset
			CREATE TABLE tok_now (t text);
			\copy tok_now FROM '$W/tokens_now.txt'
			CREATE TABLE identify_now AS SELECT jsonb_build_object('jwt', t) AS payload FROM tok_now;
			VACUUM (FREEZE, ANALYZE) tok_now, identify_now;
			SELECT sum(pg_prewarm(c)) AS blocks FROM unnest(ARRAY['tok_now', 'identify_now']::regclass[]) AS c \gset
		SQL
		{
			cat <<-SQL
				\set secret \`cat $W/secret.txt\`
				\set aud \`cat $W/aud.txt\`
				SET max_parallel_workers_per_gather = 0;
				SET jit = off;
				CREATE TEMP TABLE bench_timing (item text, round int, seconds numeric,
				                                items bigint, verified bigint);
				SELECT count(*) FILTER (WHERE (woesid_identify(:'aud', payload)).verified)
				    FROM (SELECT payload FROM identify_now LIMIT 1000) s \gset
				SELECT count(*) FILTER (WHERE (woesid_verify_jwt(t, :'secret'::text, :'aud'::text)).verified)
				    FROM (SELECT t FROM tok_now LIMIT 1000) s \gset
			SQL
			timed stat_${side}_scan_identify "$NTOK" "SELECT count(*) AS n FROM identify_now"
			timed stat_${side}_identify "$NTOK" \
				"SELECT count(*) FILTER (WHERE (woesid_identify(:'aud', payload)).verified) AS n FROM identify_now"
			timed stat_${side}_scan_tok "$NTOK" "SELECT count(*) AS n FROM tok_now"
			timed stat_${side}_jwt "$NTOK" \
				"SELECT count(*) FILTER (WHERE (woesid_verify_jwt(t, :'secret'::text, :'aud'::text)).verified) AS n FROM tok_now"
			echo "\\copy (SELECT item, round, seconds, items, verified FROM bench_timing) TO STDOUT"
		} >"$BENCH_TMP/stat-$side.sql"
	done
	PGHOST=${main_env[0]} PGPORT=${main_env[1]} WOESID_TMP=${main_env[2]}
	export PGHOST PGPORT
	STAT_ROUND=$BENCH_TMP/stat-round.sh
	cat >"$STAT_ROUND" <<-SH
		#!/bin/sh
		# stat-round.sh ROUND: not counting and counting, in turns
		off() { psql -X -q -v ON_ERROR_STOP=1 -v round="\$1" -h '${stat_host[off]}' -p '${stat_port[off]}' \
		        -f '$BENCH_TMP/stat-off.sql' >>'$RAW'; }
		on() { psql -X -q -v ON_ERROR_STOP=1 -v round="\$1" -h '${stat_host[on]}' -p '${stat_port[on]}' \
		       -f '$BENCH_TMP/stat-on.sql' >>'$RAW'; }
		if [ \$((\$1 % 2)) -eq 1 ]; then off "\$1"; on "\$1"; else on "\$1"; off "\$1"; fi
	SH
else
	echo "== PostgreSQL 17 or later counts without the preload: no counting comparison"
fi

# The floor again at the start of every SQL round ("between_floor_jwt",
# "between_floor_email"): the SQL rows' ratios are to the floor of their own
# round, measured seconds before them rather than minutes.
FLOOR_BETWEEN=$BENCH_TMP/floor-between.sh
cat >"$FLOOR_BETWEEN" <<-SH
	#!/bin/sh
	bench/bin/floor '$W' 1 | awk -v r="\$1" 'BEGIN { FS = OFS = "\t" }
	    /^floor_/ { \$1 = "between_" \$1; \$2 = r; print }' >>'$RAW'
SH

AT="to_timestamp(:at)"   # IMMUTABLE: folded to a constant at plan time
JWT_ARGS=":'secret'::text, :'aud'::text, $AT"
SCRIPT=$BENCH_TMP/rounds.sql
{
	cat <<-SQL
		\set secret \`cat $W/secret.txt\`
		\set aud \`cat $W/aud.txt\`
		\set at \`cat $W/at.txt\`
		\set one_token \`cat $W/one_token.txt\`
		SET max_parallel_workers_per_gather = 0;
		SET jit = off;
		CREATE TEMP TABLE bench_timing (item text, round int, seconds numeric,
		                                items bigint, verified bigint);
		-- warm-up, not measured: load the library, compile PL/pgSQL, fill
		-- the catalog and registry caches
		SELECT count(*) FROM (SELECT t FROM tok LIMIT 1000) s,
		    LATERAL woesid_verify_jwt(t, $JWT_ARGS) v WHERE v.verified \gset
		SELECT count(*) FILTER (WHERE (woesid_identify(:'aud', payload)).verified)
		    FROM (SELECT payload FROM identify_now LIMIT 1000) s \gset
		SELECT count(*) FILTER (WHERE (woesid_identify(:'aud', payload)).verified)
		    FROM (SELECT payload FROM identify_now_text LIMIT 1000) s \gset
		SELECT count(*) FILTER (WHERE bench_plpgsql_verify_jwt(t, $JWT_ARGS) IS NOT NULL)
		    FROM (SELECT t FROM tok_sample LIMIT 100) s \gset
		SELECT count(*) FILTER (WHERE (woesid_hmac_email(p, decode(:'secret', 'hex'))).verified)
		    FROM (SELECT p FROM pay LIMIT 1000) s \gset
		SELECT count(*) FILTER (WHERE encode(hmac(convert_to(lower(btrim(email)), 'UTF8'), decode(:'secret', 'hex'), 'sha256'), 'hex') = hash)
		    FROM (SELECT * FROM pay_email LIMIT 1000) s \gset
	SQL
	for r in $(seq 1 "$ROUNDS"); do
		echo "\\set round $r"
		echo "\\echo '   SQL round $r of $ROUNDS'"
		echo "\\! sh $FLOOR_BETWEEN $r"
		[ -z "$STAT_ROUND" ] || echo "\\! sh $STAT_ROUND $r"
		timed scan_tok "$NTOK" "SELECT count(*) AS n FROM tok"
		timed sql_jwt_lateral "$NTOK" \
			"SELECT count(*) AS n FROM tok, LATERAL woesid_verify_jwt(t, $JWT_ARGS) v WHERE v.verified"
		timed sql_jwt_filter "$NTOK" \
			"SELECT count(*) FILTER (WHERE (woesid_verify_jwt(t, $JWT_ARGS)).verified) AS n FROM tok"
		timed sql_jwt_subquery "$NTOK" \
			"SELECT count(*) AS n FROM (SELECT woesid_verify_jwt(t, $JWT_ARGS) AS v FROM tok OFFSET 0) s WHERE (v).verified"
		timed sql_jwt_same_token "$NTOK" \
			"SELECT count(*) FILTER (WHERE (woesid_verify_jwt(:'one_token'::text, $JWT_ARGS)).verified) AS n FROM tok"
		timed scan_tok_now "$NTOK" "SELECT count(*) AS n FROM tok_now"
		timed scan_identify_now "$NTOK" "SELECT count(*) AS n FROM identify_now"
		timed sql_identify "$NTOK" \
			"SELECT count(*) FILTER (WHERE (woesid_identify(:'aud', payload)).verified) AS n FROM identify_now"
		timed scan_identify_now_text "$NTOK" "SELECT count(*) AS n FROM identify_now_text"
		timed sql_identify_text "$NTOK" \
			"SELECT count(*) FILTER (WHERE (woesid_identify(:'aud', payload)).verified) AS n FROM identify_now_text"
		timed sql_jwt_now "$NTOK" \
			"SELECT count(*) FILTER (WHERE (woesid_verify_jwt(t, :'secret'::text, :'aud'::text)).verified) AS n FROM tok_now"
		timed scan_tok_sample "$NPLPGSQL" "SELECT count(*) AS n FROM tok_sample"
		timed sql_plpgsql_jwt "$NPLPGSQL" \
			"SELECT count(*) FILTER (WHERE bench_plpgsql_verify_jwt(t, $JWT_ARGS) IS NOT NULL) AS n FROM tok_sample"
		timed scan_pay "$NPAY" "SELECT count(*) AS n FROM pay"
		timed sql_hmac_email "$NPAY" \
			"SELECT count(*) FILTER (WHERE (woesid_hmac_email(p, decode(:'secret', 'hex'))).verified) AS n FROM pay"
		timed scan_pay_email "$NPAY" "SELECT count(*) AS n FROM pay_email"
		timed sql_pgcrypto_email "$NPAY" \
			"SELECT count(*) FILTER (WHERE encode(hmac(convert_to(lower(btrim(email)), 'UTF8'), decode(:'secret', 'hex'), 'sha256'), 'hex') = hash) AS n FROM pay_email"
	done
	echo "\\copy (SELECT item, round, seconds, items, verified FROM bench_timing ORDER BY round, item) TO '$BENCH_TMP/sql.tsv'"
} >"$SCRIPT"

echo "== SQL: $ROUNDS rounds in one session"
"${PSQL[@]}" -f "$SCRIPT"
cat "$BENCH_TMP/sql.tsv" >>"$RAW"

# The report.
wall=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f s", b - a }')
stamp=$(date -u +%Y-%m-%dT%H%M%SZ)
mkdir -p bench/results
OUT=bench/results/$stamp.txt
{
	printf 'date\t%s\n' "$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	printf 'commit\t%s\n' "$(git describe --always --dirty 2>/dev/null || echo unknown)"
	printf 'cpu\t%s (%s cores; SHA extensions: %s)\n' \
		"$(awk -F ': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" "$(nproc)" \
		"$(grep -q -w sha_ni /proc/cpuinfo && echo yes || echo no)"
	printf 'software\t%s; %s; Node %s\n' "$(openssl version | cut -d' ' -f1-2)" \
		"$("${PSQL[@]}" -At -c 'SELECT version()' | cut -d' ' -f1-2)" "$(node --version)"
	printf 'workload\t%s JWTs (avg %s bytes), %s hmac_email payloads (avg %s bytes), PL/pgSQL sample %s\n' \
		"$NTOK" "$(awk '{ s += length($0) } END { printf "%.0f", s / NR }' "$W/tokens.txt")" \
		"$NPAY" "$(awk '{ s += length($0) } END { printf "%.0f", s / NR }' "$W/payloads.txt")" \
		"$NPLPGSQL"
	printf 'rounds\t%s (C: each round repeats passes to >= 0.3 s)\n' "$ROUNDS"
	printf 'postgres\tshared_buffers %s, max_parallel_workers_per_gather %s, jit %s, tables prewarmed (%s blocks) and VACUUMed\n' \
		"$("${PSQL[@]}" -At -c 'SHOW shared_buffers')" \
		"$("${PSQL[@]}" -At -c 'SHOW max_parallel_workers_per_gather')" \
		"$("${PSQL[@]}" -At -c 'SHOW jit')" "$("${PSQL[@]}" -At -c "SELECT sum(relpages) FROM pg_class WHERE relname IN ('tok','tok_now','identify_now','pay','pay_email','tok_sample')")"
	[ -z "$STAT_ROUND" ] ||
		printf 'counting\t%s verifications counted by the cluster that counts (woesid_stat), %s by the one that cannot (shared_buffers 512MB each)\n' \
			"$(psql -X -At -h "${stat_host[on]}" -p "${stat_port[on]}" -c 'SELECT coalesce(sum(calls), 0) FROM woesid_stat')" \
			"$(psql -X -At -h "${stat_host[off]}" -p "${stat_port[off]}" -c 'SELECT coalesce(sum(calls), 0) FROM woesid_stat' 2>/dev/null)"
	printf 'wall time\t%s (whole run up to this table)\n' "$wall"
	printf 'load average\t%s at the start, %s at the end (%s cores: above that, others competed for the CPU)\n' \
		"$load_at_start" "$(cut -d' ' -f1-3 /proc/loadavg)" "$(nproc)"
} >"$BENCH_TMP/meta.tsv"
echo
node bench/report.mjs "$RAW" "$BENCH_TMP/meta.tsv" "$OUT"
echo "saved to $OUT"
draw_chart "$OUT" || echo "warning: no chart drawn; later: bash scripts/bench.sh --chart $OUT"

# Optional profile of the SQL path of woesid_verify_jwt (LATERAL query).
if [ "$PERF" -eq 1 ]; then
	if ! command -v perf >/dev/null; then
		echo "perf not found (apt-get install linux-perf); see bench/README.md for callgrind"
		exit 0
	fi
	echo
	echo "== perf record -p <backend> during the LATERAL woesid_verify_jwt query (x3)"
	"${PSQL[@]}" -At >/dev/null <<-SQL &
		\set secret \`cat $W/secret.txt\`
		\set aud \`cat $W/aud.txt\`
		\set at \`cat $W/at.txt\`
		SELECT pg_backend_pid() \g $BENCH_TMP/backend.pid
		SELECT count(*) FROM (SELECT t FROM tok LIMIT 1000) s,
		    LATERAL woesid_verify_jwt(t, $JWT_ARGS) v WHERE v.verified;
		SELECT pg_sleep(1);
		SELECT count(*) FROM tok, LATERAL woesid_verify_jwt(t, $JWT_ARGS) v WHERE v.verified;
		SELECT count(*) FROM tok, LATERAL woesid_verify_jwt(t, $JWT_ARGS) v WHERE v.verified;
		SELECT count(*) FROM tok, LATERAL woesid_verify_jwt(t, $JWT_ARGS) v WHERE v.verified;
	SQL
	PSQL_PID=$!
	on_exit '[ -z "$PSQL_PID" ] || kill "$PSQL_PID" 2>/dev/null'   # by its id
	for _ in $(seq 1 100); do
		[ -s "$BENCH_TMP/backend.pid" ] && break
		sleep 0.1
	done
	backend=$(tr -dc 0-9 <"$BENCH_TMP/backend.pid")
	perf record -q -F 1999 -g -p "$backend" -o "$BENCH_TMP/perf.data" >/dev/null 2>&1 &
	PERF_PID=$!
	on_exit '[ -z "$PERF_PID" ] || kill -INT "$PERF_PID" 2>/dev/null'
	wait "$PSQL_PID"
	PSQL_PID=
	kill -INT "$PERF_PID" 2>/dev/null || true
	wait "$PERF_PID" || true
	PERF_PID=
	# Self time per function.  Stripped code (libcrypto's internal SHA-256
	# assembly, postgres' static functions) has no symbol: its addresses are
	# summed into one line per library instead of scattering.
	perf report -i "$BENCH_TMP/perf.data" --no-children --sort dso,symbol --stdio \
		2>/dev/null | awk '
		/^ +[0-9.]+%/ {
			pct = $1; sub(/%/, "", pct); dso = $2; sym = $4
			for (i = 5; i <= NF; i++) sym = sym " " $i
			sub(/( +-)+ *$/, "", sym)   # the empty IPC columns
			if (sym ~ /^0x/) sym = "(unresolved addresses in " dso ")"
			self[sym "\t" dso] += pct; bydso[dso] += pct
		}
		END {
			for (k in self) printf "%.2f\t%s\n", self[k], k
			for (d in bydso) printf "DSO\t%.2f\t%s\n", bydso[d], d > "/dev/stderr"
		}' >"$BENCH_TMP/perf.self" 2>"$BENCH_TMP/perf.dso"
	{
		echo
		echo "perf (cpu-clock samples of the backend, $(perf report -i "$BENCH_TMP/perf.data" --stdio 2>/dev/null | sed -n 's/^# Samples: \([^ ]*\).*/\1/p' | awk 'NR == 1') samples) during"
		echo "SELECT count(*) FROM tok, LATERAL woesid_verify_jwt(t, secret, aud, at) v WHERE v.verified (x3):"
		echo "top 15 functions by self time"
		sort -t "$(printf '\t')" -k1,1 -rn "$BENCH_TMP/perf.self" | awk 'NR <= 15' |
			awk -F '\t' '{ printf "  %6.2f%%  %-48s %s\n", $1, $2, $3 }'
		printf 'self time by library:'
		sort -t "$(printf '\t')" -k2,2 -rn "$BENCH_TMP/perf.dso" |
			awk -F '\t' '{ printf "  %s %.1f%%", $3, $2 } END { print "" }'
		# Inclusive time (frame-pointer call graphs; postgres and woesid are
		# built with -fno-omit-frame-pointer): where the unresolved time goes.
		echo "inclusive time (children) of woesid.so's top functions"
		perf report -i "$BENCH_TMP/perf.data" --children --sort dso,symbol --stdio -g none \
			2>/dev/null | awk '/^ +[0-9.]+%/ && $3 == "woesid.so" {
				sym = $5; for (i = 6; i <= NF; i++) sym = sym " " $i
				sub(/( +-)+ *$/, "", sym); printf "  %7s  %s\n", $1, sym }' | awk 'NR <= 10'
	} | tee -a "$OUT"
fi
