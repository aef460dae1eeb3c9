#!/usr/bin/env bash
# test/memory/run.sh: memory stability of woesid under a long mixed workload
# in ONE backend.
#   test/memory/run.sh [COUNT]        (default 5000000; CI: 200000)
# Runs COUNT verifications (valid and forged JWTs, garbage, alg none,
# oversized and TOASTed tokens, hmac_email payloads valid and forged,
# woesid_identify through the registry incl. a flood of made-up public keys,
# one-shot queries, errors raised after a MAC key was built, and
# woesid_authenticate in committed transactions with rolled-back
# subtransactions) after a warm-up, in BATCHES batches, on a throwaway
# cluster.  Consecutive calls never repeat their inputs (woesid's last-call
# cache would otherwise answer most of them without verifying).  After the warm-up and after every batch it records the backend's
# VmRSS (/proc/<pg_backend_pid()>/status) and pg_backend_memory_contexts
# (all contexts, and woesid's own).  Passes when every outcome is the
# expected one and memory is flat: RSS growth after warm-up below
# RSS_LIMIT_KB, context bytes not growing from batch to batch.
# Environment: WOESID_MEM_BATCHES (10), WOESID_MEM_RSS_LIMIT_KB (5120),
# WOESID_MEM_CTX_SLACK (bytes a batch may add to the context total, 65536),
# WOESID_MEM_REGISTRY_MAX (bound of the woesid% contexts: the registry
# cache, about 1 MB when full at 4096 widgets; default 1572864),
# WOESID_BUILD=1 to build and install first (default: only if not
# installed).  The cluster listens on a free port.  Bounded: psql is killed
# after 300 s + 1 s per 50,000 verifications.  Prints the figures, the time
# the run took, and "memory: N passed, M failed".
source "$(dirname "$0")/../../scripts/lib.sh"
cd "$WOESID_ROOT"

COUNT=${1:-${WOESID_MEM_COUNT:-5000000}}
BATCHES=${WOESID_MEM_BATCHES:-10}
RSS_LIMIT_KB=${WOESID_MEM_RSS_LIMIT_KB:-5120}
CTX_SLACK=${WOESID_MEM_CTX_SLACK:-65536}
REGISTRY_MAX=${WOESID_MEM_REGISTRY_MAX:-1572864}
HERE=test/memory

begin_suite memory
install_if_missing
woesid_tmpdir work memory
start_cluster || fail_setup "the cluster did not start"
createdb woesid_mem
export PGDATABASE=woesid_mem

secret=$(openssl rand -hex 32)
secret2=$(openssl rand -hex 32)
wrong=$(openssl rand -hex 32)
if psql -X -q -v ON_ERROR_STOP=1 -v secret="$secret" -v secret2="$secret2" \
	-v wrong="$wrong" -f $HERE/setup.sql >/dev/null 2>"$work/setup.err"; then
	check 1 "setup"
else
	cat "$work/setup.err"
	check 0 "setup"
	finish
fi
samples=$(psql -X -At -c "SELECT count(*) FROM sample")

# One batch of about n verifications: 1% one-shot queries and errors, 2%
# authenticate transactions, the rest set-based statements of <= 100
# repetitions of the corpus each (so a batch is many statements, each with
# fresh per-call-site caches and MAC keys).
emit_batch() {	# emit_batch LABEL N
	local label=$1 n=$2 calls auth rest reps step stmt=0
	calls=$(((n + 299) / 300))
	auth=$(((n + 199) / 200))
	rest=$((n - 3 * calls - 4 * auth))
	reps=$(((rest + samples - 1) / samples))
	echo "CALL calls($calls, NULL, NULL) \\gset"
	echo "\\echo RESULT $label calls :done :bad"
	echo "CALL auth_loop($auth, NULL, NULL) \\gset"
	echo "\\echo RESULT $label auth :done :bad"
	while [ "$reps" -gt 0 ]; do
		step=$((reps < 100 ? reps : 100))
		reps=$((reps - step))
		echo "\\set reps $step"
		stmt=$((stmt + 1))
		echo "\\set batch ${label}_$stmt"
		echo "\\i $HERE/verify.sql"
		echo "\\echo RESULT $label set :n :wrong :first_wrong"
	done
}

measure() {	# measure LABEL
	cat <<-SQL
		SELECT (regexp_match(s, 'VmRSS:\\s+(\\d+)'))[1] AS rss_kb,
		       (regexp_match(s, 'VmHWM:\\s+(\\d+)'))[1] AS hwm_kb,
		       (SELECT sum(total_bytes) FROM pg_backend_memory_contexts) AS ctx_bytes,
		       (SELECT coalesce(sum(total_bytes), 0) FROM pg_backend_memory_contexts
		        WHERE name LIKE 'woesid%') AS woesid_bytes,
		       round(extract(epoch FROM clock_timestamp())::numeric, 3) AS t
		FROM pg_read_file('/proc/' || pg_backend_pid() || '/status') AS s \\gset
		\\echo MEASURE $1 :rss_kb :hwm_kb :ctx_bytes :woesid_bytes :t
	SQL
}

warm=$((COUNT / 20 > 20000 ? COUNT / 20 : 20000))
per_batch=$(((COUNT + BATCHES - 1) / BATCHES))
{
	echo "\\set ON_ERROR_STOP 1"
	echo "\\set first_wrong -"
	echo "\\set samples $samples"
	echo "SET woesid.jwt_max_lifetime = '1d';"
	echo "SELECT pg_backend_pid() AS pid \\gset"
	echo "\\echo PID :pid"
	measure start
	emit_batch 0 "$warm"
	measure warm
	for b in $(seq 1 "$BATCHES"); do
		emit_batch "$b" "$per_batch"
		measure "$b"
	done
} >"$work/session.sql"

# Bounded: generous for a slow machine (about 20 us per verification).
limit=$((300 + COUNT / 50000))
echo "memory: $COUNT verifications in $BATCHES batches after a warm-up of $warm, one backend (limit ${limit}s)"
start=$(date +%s%N)
status=0
timeout "$limit" psql -X -q -v ON_ERROR_STOP=1 -f "$work/session.sql" >"$work/out" 2>"$work/err" || status=$?
elapsed=$((($(date +%s%N) - start) / 1000000000))
if [ "$status" -ne 0 ]; then
	tail -20 "$work/err"
	[ "$status" -ne 124 ] || echo "memory: timed out after ${limit}s"
fi
check "$([ "$status" -eq 0 ] && echo 1 || echo 0)" "the session ran to its end (psql status $status)"

pid=$(awk '$1 == "PID" {print $2}' "$work/out")
# Outcomes: every statement's wrong count, and the procedures' bad counts.
read -r total wrong < <(awk '$1 == "RESULT" && $2 != 0 {n += $4; w += $5} END {print n + 0, w + 0}' "$work/out")
read -r warm_done warm_wrong < <(awk '$1 == "RESULT" && $2 == 0 {n += $4; w += $5} END {print n + 0, w + 0}' "$work/out")
grep -E '^RESULT [0-9]+ set [0-9]+ [1-9]' "$work/out" | head -5 || true
check "$([ "$wrong" -eq 0 ] && [ "$warm_wrong" -eq 0 ] && echo 1 || echo 0)" \
	"$((wrong + warm_wrong)) verifications gave an unexpected outcome"
check "$([ "$total" -ge "$COUNT" ] && echo 1 || echo 0)" "ran $total of $COUNT verifications"

echo "memory: backend pid $pid, $total verifications (+ $warm_done warm-up) in ${elapsed} s"
printf 'memory: %-6s %10s %10s %14s %12s %8s\n' point rss_kB hwm_kB context_bytes woesid_bytes secs
awk -v t0="$(awk '$1 == "MEASURE" && $2 == "warm" {print $7}' "$work/out")" \
	'$1 == "MEASURE" {printf "memory: %-6s %10d %10d %14d %12d %8.1f\n", $2, $3, $4, $5, $6, ($2 == "start" ? 0 : $7 - t0)}' "$work/out"

# Flatness, from the warm-up point on.  The widget registry cache (the
# woesid% contexts) fills with the made-up public keys and is flushed at
# 4096 widgets by design, so it is checked against a bound; every other
# context must not grow from one batch to the next.
read -r rss_warm ctx_warm woesid_warm < <(awk '$1 == "MEASURE" && $2 == "warm" {print $3, $5 - $6, $6}' "$work/out")
read -r rss_end ctx_end woesid_end woesid_peak < <(awk '$1 == "MEASURE" && $2 ~ /^[0-9]+$/ {
	r = $3; c = $5 - $6; w = $6; if ($6 > p) p = $6 } END {print r, c, w, p}' "$work/out")
nmeasures=$(grep -c '^MEASURE [0-9]' "$work/out" || true)
if [ -n "${rss_warm:-}" ] && [ -n "${rss_end:-}" ] && [ "$nmeasures" -eq "$BATCHES" ]; then
	growth=$((rss_end - rss_warm))
	echo "memory: RSS after warm-up ${rss_warm} kB, at the end ${rss_end} kB: growth ${growth} kB (limit ${RSS_LIMIT_KB} kB)"
	check "$([ "$growth" -lt "$RSS_LIMIT_KB" ] && echo 1 || echo 0)" "RSS grew by ${growth} kB after the warm-up"
	grows=$(awk -v slack="$CTX_SLACK" '$1 == "MEASURE" && $2 != "start" {
		c = $5 - $6; if (seen && c > prev + slack) n++; prev = c; seen = 1 } END {print n + 0}' "$work/out")
	echo "memory: context bytes but woesid's after warm-up $ctx_warm, at the end $ctx_end ($((ctx_end - ctx_warm)) bytes)"
	echo "memory: woesid registry contexts after warm-up $woesid_warm, at the end $woesid_end, peak $woesid_peak (bound $REGISTRY_MAX)"
	check "$([ "$grows" -eq 0 ] && echo 1 || echo 0)" "context bytes grew by more than $CTX_SLACK in $grows batch(es)"
	check "$([ "$ctx_end" -le $((ctx_warm + CTX_SLACK)) ] && echo 1 || echo 0)" \
		"context bytes grew from $ctx_warm to $ctx_end"
	check "$([ "$woesid_peak" -le "$REGISTRY_MAX" ] && echo 1 || echo 0)" \
		"woesid registry contexts reached $woesid_peak bytes (bound $REGISTRY_MAX)"
else
	check 0 "memory figures missing"
fi
finish
