#!/usr/bin/env bash
# scripts/test-sanitized.sh: pg_regress and the interop suite against woesid
# built with AddressSanitizer and UndefinedBehaviorSanitizer.
#   bash scripts/test-sanitized.sh
# Builds a copy of the working tree with
#   COPT='-fsanitize=address,undefined -fno-omit-frame-pointer -g'
# (PGXS adds COPT to the link flags too) and installs it into a private copy
# of the PostgreSQL installation under /tmp.  The system's installed woesid
# is never replaced and the repository's objects are never rebuilt: nothing
# outside /tmp changes, so there is nothing to reinstall afterwards, and
# other clusters on the machine keep loading the normal build meanwhile.
# A throwaway server from that copy runs with the ASan runtime preloaded;
# ASan reports go to log files, UBSan's to the server log.  Positive
# controls (a probe library with a heap overflow and a signed overflow) prove
# both are caught; then pg_regress and interop run, and the script fails on
# any sanitizer report, any crashed backend, or sanitizers not loaded.
# Environment: WOESID_SANITIZED_NORMALIZE=1 also runs the normalization
# differential (slow: every code point).  The cluster listens on a free port.
# Prints "sanitized: N passed, M failed".
source "$(dirname "$0")/lib.sh"
cd "$WOESID_ROOT"

begin_suite sanitized
# add_counts FILE LABEL: adds a suite's "NAME: N passed, M failed" line to
# the totals, shown reworded so scripts/test.sh does not count it twice.
add_counts() {
	local line p f
	line=$(grep -E '^[A-Za-z_ -]+: [0-9]+ passed, [0-9]+ failed$' "$1" | tail -1 || true)
	if [ -z "$line" ]; then
		check 0 "$2 printed no summary"
		return
	fi
	p=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed$/\1/' <<<"$line")
	f=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed$/\2/' <<<"$line")
	passed=$((passed + p))
	failed=$((failed + f))
	echo "sanitized: $2 under ASan/UBSan -> $p ok, $f not ok"
}

ensure_deps
asan_rt=$(gcc -print-file-name=libasan.so)
[ -e "$asan_rt" ] || { echo "sanitized: no ASan runtime ($asan_rt)"; check 0 "ASan runtime"; finish; }
asan_rt=$(readlink -f "$asan_rt")

woesid_tmpdir priv sanitized

# A private PostgreSQL installation: PostgreSQL finds its lib and share
# directories relative to its binaries, so a copy under a prefix works once
# the relative layout is kept.  Headers are shared read-only.
sys_pg_config=$(command -v "$PG_CONFIG")
pg_bindir=$("$sys_pg_config" --bindir)
pg_home=$(dirname "$pg_bindir")
pg_share=$("$sys_pg_config" --sharedir)
for d in "$pg_home" "$pg_share"; do
	mkdir -p "$priv$(dirname "$d")"
	cp -a "$d" "$priv$d"
done
mkdir -p "$priv/usr"
ln -s /usr/include "$priv/usr/include"
export PG_CONFIG=$priv$pg_bindir/pg_config
[ "$("$PG_CONFIG" --pkglibdir)" = "$priv$("$sys_pg_config" --pkglibdir)" ] ||
	{ check 0 "private PostgreSQL installation does not relocate"; finish; }

# Build a copy of the working tree (other work in it is left alone).
mkdir "$priv/build"
tar -C "$WOESID_ROOT" --exclude=.git --exclude=node_modules --exclude='*.o' \
	--exclude='*.bc' --exclude='*.so' --exclude=results --exclude='regression.*' \
	-cf - . | tar -C "$priv/build" -xf -
echo "== building woesid with -fsanitize=address,undefined"
if make -C "$priv/build" -s PG_CONFIG="$PG_CONFIG" \
	COPT='-fsanitize=address,undefined -fno-omit-frame-pointer -g' >"$priv/build.log" 2>&1 &&
	make -C "$priv/build" -s PG_CONFIG="$PG_CONFIG" install >>"$priv/build.log" 2>&1; then
	check 1 "sanitized build"
else
	cat "$priv/build.log"
	check 0 "sanitized build"
	finish
fi
so=$("$PG_CONFIG" --pkglibdir)/woesid.so
if readelf -d "$so" | grep -q 'libasan' && readelf -d "$so" | grep -q 'libubsan'; then
	check 1 "woesid.so links the ASan and UBSan runtimes"
else
	check 0 "woesid.so does not link the sanitizer runtimes"
fi

# Preloading libasan into Debian's postgres (and psql) hangs before main():
# libp11-kit's constructor (postgres -> libldap -> libgnutls -> libp11-kit)
# calls newlocale(), whose malloc() initialises ASan lazily while glibc
# holds the locale lock; ASan's init looks up swift_demangle with dlsym(),
# the failed lookup's dlerror() calls dcgettext(), which unbalances glibc's
# _nl_state_lock, and the next bindtextdomain() waits forever.  A preloaded
# swift_demangle (that demangles nothing) makes the lookup succeed.
cat >"$priv/swift_demangle.c" <<-'C'
	#include <stddef.h>
	#include <stdint.h>
	char *swift_demangle(const char *name, size_t len, char *out, size_t *out_len,
	                     uint32_t flags) { return NULL; }
C
gcc -shared -fPIC -o "$priv/libswift_demangle_stub.so" "$priv/swift_demangle.c"

logs=$priv/sanitizer-logs
mkdir "$logs"
chown postgres: "$logs"
start_cluster \
	--env LD_PRELOAD="$asan_rt $priv/libswift_demangle_stub.so" \
	--env ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:log_path=$logs/asan" \
	--env UBSAN_OPTIONS="print_stacktrace=1:log_path=$logs/ubsan" ||
	fail_setup "the cluster did not start"

# The backend really runs the sanitized library.
maps=$(psql -X -At -c "LOAD 'woesid'; SELECT pg_read_file('/proc/' || pg_backend_pid() || '/maps')")
if grep -q libasan <<<"$maps" && grep -q libubsan <<<"$maps" && grep -qF "$so" <<<"$maps"; then
	check 1 "sanitizers loaded in the backend"
else
	check 0 "the backend has not loaded the sanitized woesid.so with libasan and libubsan"
fi

# Positive controls: a probe library built the same way must produce an ASan
# report (heap overflow: the backend aborts, the server restarts) in the log
# directory and a UBSan report (signed overflow; this UBSan runtime writes to
# the server's stderr, i.e. the server log, whatever UBSAN_OPTIONS says), or
# the scans at the end would prove nothing.  Their output is then set aside.
cat >"$priv/probe.c" <<-'C'
	#include "postgres.h"
	#include "fmgr.h"
	PG_MODULE_MAGIC;
	PG_FUNCTION_INFO_V1(asan_probe);
	PG_FUNCTION_INFO_V1(ubsan_probe);
	Datum asan_probe(PG_FUNCTION_ARGS)
	{
		volatile char *p = malloc(8);
		char c = p[8 + PG_GETARG_INT32(0)];
		free((void *) p);
		PG_RETURN_INT32(c);
	}
	Datum ubsan_probe(PG_FUNCTION_ARGS)
	{
		PG_RETURN_INT32(PG_GETARG_INT32(0) + 1);
	}
C
gcc -shared -fPIC -fsanitize=address,undefined -fno-omit-frame-pointer -g \
	-I"$("$PG_CONFIG" --includedir-server)" -o "$("$PG_CONFIG" --pkglibdir)/woesid_sanitizer_probe.so" "$priv/probe.c"
psql -X -q -c "CREATE FUNCTION asan_probe(int) RETURNS int AS 'woesid_sanitizer_probe' LANGUAGE C" \
	-c "CREATE FUNCTION ubsan_probe(int) RETURNS int AS 'woesid_sanitizer_probe' LANGUAGE C"
psql -X -q -At -c "SELECT ubsan_probe(2147483647)" >/dev/null 2>&1 || true
psql -X -q -At -c "SELECT asan_probe(0)" >/dev/null 2>&1 || true
for _ in $(seq 100); do psql -X -At -c "SELECT 1" >/dev/null 2>&1 && break; sleep 0.2; done
psql -X -q -c "DROP FUNCTION asan_probe(int), ubsan_probe(int)"
mkdir "$priv/probe-logs"
find "$logs" -type f -exec mv {} "$priv/probe-logs/" \;
cp "$WOESID_SERVER_LOG" "$priv/probe-logs/server.log"
if cat "$priv"/probe-logs/asan.* 2>/dev/null | grep -q 'ERROR: AddressSanitizer: heap-buffer-overflow' &&
	grep -q 'runtime error: signed integer overflow' "$priv/probe-logs/server.log"; then
	check 1 "sanitizer reports are caught (positive controls)"
else
	ls -l "$priv/probe-logs"
	tail -n 30 "$priv/probe-logs/server.log"
	check 0 "the probes left no ASan and UBSan reports: the scans would prove nothing"
fi
# The crash above is expected; only what follows counts in the server log.
log_offset=$(wc -c <"$WOESID_SERVER_LOG")

echo "== pg_regress"
status=0
make -C "$priv/build" -s PG_CONFIG="$PG_CONFIG" installcheck >"$priv/regress.out" 2>&1 || status=$?
cat "$priv/regress.out"
[ ! -f "$priv/build/regression.diffs" ] || head -200 "$priv/build/regression.diffs"
echo "pg_regress: $(grep -cE ' \.\.\. ok ' "$priv/regress.out" || true) passed, $(grep -cE ' \.\.\. FAILED ' "$priv/regress.out" || true) failed" >"$priv/regress.sum"
add_counts "$priv/regress.sum" pg_regress
[ "$status" -eq 0 ] || check 0 "make installcheck exited with status $status"

createdb woesid_test
psql -X -q -d woesid_test -c "CREATE EXTENSION woesid"
echo "== interop"
status=0
PGDATABASE=woesid_test node test/interop/interop.mjs >"$priv/interop.out" 2>&1 || status=$?
grep -v -E '^[A-Za-z_ -]+: [0-9]+ passed, [0-9]+ failed$' "$priv/interop.out" || true
add_counts "$priv/interop.out" interop
[ "$status" -eq 0 ] || check 0 "interop exited with status $status"

if [ -n "${WOESID_SANITIZED_NORMALIZE:-}" ]; then
	echo "== normalization differential"
	status=0
	PGDATABASE=woesid_test node test/interop/normalize.mjs >"$priv/normalize.out" 2>&1 || status=$?
	grep -v -E '^[A-Za-z_ -]+: [0-9]+ passed, [0-9]+ failed$' "$priv/normalize.out" || true
	add_counts "$priv/normalize.out" normalize
	[ "$status" -eq 0 ] || check 0 "normalize exited with status $status"
fi

# Stop the server so every report is flushed, then look for any.
stop_cluster fast >/dev/null 2>&1 || true
tail -c +"$((log_offset + 1))" "$WOESID_SERVER_LOG" >"$priv/server.log"
reports=$(find "$logs" -type f | sort)
if [ -z "$reports" ]; then
	check 1 "no sanitizer reports"
	echo "sanitized: no ASan or UBSan report"
else
	for r in $reports; do
		echo "== $r"
		head -60 "$r"
	done
	check 0 "$(wc -l <<<"$reports") sanitizer report file(s)"
fi
if grep -nE 'AddressSanitizer|UndefinedBehaviorSanitizer|runtime error:|was terminated by signal|server process .* exited with exit code [^0]' "$priv/server.log"; then
	check 0 "sanitizer output or a crashed backend in the server log"
else
	check 1 "no crash or sanitizer output in the server log"
fi
finish
