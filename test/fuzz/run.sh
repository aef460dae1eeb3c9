#!/bin/bash
# run.sh: runs the libFuzzer harnesses of test/fuzz for a while each.
#
#   test/fuzz/run.sh [seconds-per-harness] [harness...]
#
# Builds the harnesses, then runs each one (default: all, 20 s each) on a
# copy of its seed corpus in a temporary directory, so the repository is
# never modified.  FUZZ_PARALLEL=n runs n harnesses at a time (default 1);
# FUZZ_KEEP=1 keeps the temporary directory (grown corpora, logs) and says
# where it is.  Each harness's figures and any finding (the sanitizer report,
# the crash file's path and a hex dump of it) go to stderr; stdout gets
# exactly one line, "fuzz: N passed, M failed", N counting the harnesses
# without findings.  Exits non-zero on any finding.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
seconds=${1:-20}
if [ $# -gt 0 ]; then
	shift
fi
parallel=${FUZZ_PARALLEL:-1}

if [ $# -gt 0 ]; then
	harnesses=("$@")
else
	harnesses=()
	for src in "$here"/fuzz_*.c; do
		harnesses+=("$(basename "$src" .c)")
	done
fi

make -s -C "$here" >&2

work=$(mktemp -d "${TMPDIR:-/tmp}/woesid-fuzz.XXXXXX")

# Runs one harness in $work/<harness>: corpus/, artifacts/, log, rc.
run_one() {
	local h=$1
	local dir=$work/$h
	local rc=0

	mkdir -p "$dir/corpus" "$dir/artifacts"
	cp -R "$here/corpus/$h/." "$dir/corpus/"
	"$here/bin/$h" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$dir/artifacts/" \
		"$dir/corpus" >"$dir/log" 2>&1 || rc=$?
	echo "$rc" >"$dir/rc"
}

running=0
for h in "${harnesses[@]}"; do
	if [ ! -x "$here/bin/$h" ]; then
		echo "run.sh: no harness $h" >&2
		exit 2
	fi
	if [ "$running" -ge "$parallel" ]; then
		wait -n
		running=$((running - 1))
	fi
	run_one "$h" &
	running=$((running + 1))
done
wait

passed=0
failed=0
for h in "${harnesses[@]}"; do
	dir=$work/$h
	rc=$(cat "$dir/rc")
	artifacts=$(find "$dir/artifacts" -type f | sort)
	done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$dir/log" | tail -n 1 || true)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log")
	cov=$(sed -n 's/.* cov: \([0-9]*\) ft: \([0-9]*\) corp: \([^ ]*\) .*/cov \1, ft \2, corpus \3/p' <<<"$done_line")
	if [ "$rc" = 0 ] && [ -z "$artifacts" ]; then
		passed=$((passed + 1))
		echo "$h: ok: ${execs:-?} runs, ${rate:-?} exec/s, ${cov:-no stats}" >&2
	else
		failed=$((failed + 1))
		echo "$h: FINDING (exit $rc); log: $dir/log" >&2
		tail -n 40 "$dir/log" >&2
		for f in $artifacts; do
			echo "$h: crash file $f" >&2
			od -A x -t x1z -v "$f" | head -n 64 >&2
		done
	fi
done

if [ "$failed" -gt 0 ] || [ -n "${FUZZ_KEEP:-}" ]; then
	echo "run.sh: kept $work" >&2
else
	rm -rf "$work"
fi
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
