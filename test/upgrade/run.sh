#!/usr/bin/env bash
# test/upgrade/run.sh: pg_upgrade of a cluster using woesid, from the
# default server (PG_CONFIG, Debian's 15) to another major version.
#   test/upgrade/run.sh NEW_PG_CONFIG
# woesid must already be installed in both installations (scripts/test.sh
# runs this after building it for each).  On the old cluster: widgets of
# every mode with tenants, registered, generated and retired secrets, and a
# table of verdicts the trigger stored.  Then pg_upgrade --check and
# pg_upgrade, and on the new cluster: the extension, the registry (key ids,
# tenants, retirement) and every stored verdict are as before, and the same
# payloads verify with the same key ids.  Prints "pg_upgrade: N passed, M
# failed".
source "$(dirname "$0")/../../scripts/lib.sh"

NEW_PG_CONFIG=${1:?usage: $0 NEW_PG_CONFIG}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OLD_BIN=$("$PG_CONFIG" --bindir)
NEW_BIN=$("$NEW_PG_CONFIG" --bindir)

begin_suite pg_upgrade
woesid_tmpdir TMP upgrade
cp "$HERE/fill.sql" "$HERE/read.sql" "$TMP/"
as_postgres mkdir "$TMP/old" "$TMP/new"

# The old cluster: fill it, read what must survive, stop it.
start_cluster --dir "$TMP/old" || fail_setup "the old cluster did not start"
psql -X -q -v ON_ERROR_STOP=1 -f "$TMP/fill.sql" >"$TMP/fill.log" 2>&1 ||
	{ WOESID_SETUP_LOGS=("$TMP/fill.log"); fail_setup "could not fill the old cluster"; }
psql -X -At -v ON_ERROR_STOP=1 -f "$TMP/read.sql" >"$TMP/before.txt" 2>&1 ||
	{ WOESID_SETUP_LOGS=("$TMP/before.txt"); fail_setup "could not read the old cluster"; }
# Debian's 15.20 here stamps an attribute option pg_attver on every column,
# which no other server accepts: pg_upgrade's restore of any table fails on
# it, woesid or not.  The test clears it from user columns, as an operator
# upgrading from such a server would have to.
psql -X -q -v ON_ERROR_STOP=1 -c "SET allow_system_table_mods = on" \
	-c "UPDATE pg_catalog.pg_attribute SET attoptions = NULL WHERE attrelid >= 16384
	    AND pg_catalog.array_to_string(attoptions, ',') ~ '^pg_attver=[0-9]+\$'" \
	>>"$TMP/fill.log" 2>&1 ||
	{ WOESID_SETUP_LOGS=("$TMP/fill.log"); fail_setup "could not clear pg_attver"; }
stop_cluster fast
old_port=$PGPORT

# The new cluster, initialized as the old one was (no data checksums:
# 18 enables them by default, and pg_upgrade needs both to agree).
checksums=()
[[ $("$NEW_BIN/initdb" --help) != *--no-data-checksums* ]] || checksums=(--no-data-checksums)
as_postgres "$NEW_BIN/initdb" -D "$TMP/new/data" -E UTF8 --locale=C.UTF-8 -A trust \
	-U postgres "${checksums[@]}" >"$TMP/initdb-new.log" 2>&1 ||
	{ WOESID_SETUP_LOGS=("$TMP/initdb-new.log"); fail_setup "initdb of the new cluster failed"; }

upgrade() {	# upgrade [--check]
	as_postgres env -C "$TMP" "$NEW_BIN/pg_upgrade" "$@" \
		-b "$OLD_BIN" -B "$NEW_BIN" -d "$TMP/old/data" -D "$TMP/new/data" \
		-p "$(free_port)" -P "$(free_port)" -s "$TMP" -U postgres \
		>>"$TMP/pg_upgrade.log" 2>&1
}
ok() {	# ok COMMAND...: 1 if it succeeds, else 0
	if "$@"; then echo 1; else echo 0; fi
}
check "$(ok upgrade --check)" "pg_upgrade --check"
if [ "$(ok upgrade)" != 1 ]; then
	check 0 "pg_upgrade"
	tail -n 30 "$TMP/pg_upgrade.log"
	finish
fi
check 1 "pg_upgrade"

# The new cluster, started on the old one's directory layout.
PG_CONFIG=$NEW_PG_CONFIG start_cluster --dir "$TMP/new" --existing --port "$old_port" ||
	fail_setup "the upgraded cluster did not start"
check "$(ok psql -X -At -v ON_ERROR_STOP=1 -f "$TMP/read.sql" -o "$TMP/after.txt")" \
	"reading the upgraded cluster"
if diff -u "$TMP/before.txt" "$TMP/after.txt"; then
	check 1 "registry, stored verdicts and verifications as before"
else
	check 0 "registry, stored verdicts and verifications differ after pg_upgrade"
fi
version=$(psql -X -At -c "SELECT extversion FROM pg_extension WHERE extname = 'woesid'")
want_version=$(sed -nE "s/^default_version = '(.*)'/\1/p" "$WOESID_ROOT/woesid.control")
check "$(ok [ "$version" = "$want_version" ])" "extension version after pg_upgrade: $version"
server=$(psql -X -At -c "SHOW server_version_num")
new_major=$("$NEW_PG_CONFIG" --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
check "$(ok [ "${server:0:2}" = "$new_major" ])" "the upgraded cluster runs the new server ($server)"
lines=$(wc -l <"$TMP/after.txt")
check "$(ok [ "$lines" -ge 10 ])" "the comparison read $lines lines"
finish
