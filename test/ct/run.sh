#!/bin/bash
# run.sh: dudect-style constant-time test of the core's signature check.
#
#   test/ct/run.sh [max-measurements [max-seconds]]
#
# Builds test/ct/dudect.c with the core at -O2 (as the extension is built)
# in a temporary directory, then runs it on woesid_jws_signed_by (counted)
# and on the negative control, an early-exit comparison behind the same
# HMAC (not counted: it must show a large |t|, proving the test can see a
# leak).  Each run stops after max-measurements (default 10000000) or
# max-seconds (default 30), whichever comes first.  Prints each run's |t|
# and measurement count, then "constant-time: N passed, M failed"; exits
# non-zero if woesid_jws_signed_by shows |t| >= 5.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$here/../../src
measurements=${1:-10000000}
seconds=${2:-30}

work=$(mktemp -d "${TMPDIR:-/tmp}/woesid-ct.XXXXXX")
trap 'rm -rf "$work"' EXIT

# the core's sources, as core.mk lists them for every build that links it
core=()
for name in $(sed -nE 's/^CORE = //p' "$here/../../core.mk"); do
	core+=("$src/$name.c")
done
[ ${#core[@]} -gt 0 ] || { echo "no core sources in core.mk" >&2; exit 1; }
"${CC:-clang}" -std=c11 -O2 -Wall -Wextra -Werror -I"$src" -o "$work/dudect" \
	"$here/dudect.c" "${core[@]}" -lcrypto -lm

passed=0
failed=0
rc=0
"$work/dudect" signed_by "$measurements" "$seconds" || rc=$?
case $rc in
	0) passed=1 ;;
	1) failed=1 ;;
	*) exit "$rc" ;;
esac

rc=0
echo -n "negative control, not counted: "
"$work/dudect" early_exit "$measurements" "$seconds" || rc=$?
case $rc in
	1) ;;
	0) echo "run.sh: the negative control showed no leak: this run had no power" >&2 ;;
	*) exit "$rc" ;;
esac

echo "constant-time: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
