#!/usr/bin/env bash
# test/package/run.sh: the release files and the Debian package.
#   test/package/run.sh
# Validates META.json (tools/check-meta.mjs), builds postgresql-15-woesid
# with dpkg-buildpackage from a copy of the tree, installs it with dpkg -i,
# uses it on a throwaway cluster (CREATE EXTENSION, a verification through
# the registry), then purges it and checks its files are gone.  The purge
# removes what `make install` put in the same places: run it last and
# reinstall afterwards (scripts/test.sh does).  Prints "package: N passed,
# M failed".
source "$(dirname "$0")/../../scripts/lib.sh"
cd "$WOESID_ROOT"

begin_suite package
ok() {	# ok COMMAND...: 1 if it succeeds, else 0 (its output goes to stderr)
	if "$@" >&2; then echo 1; else echo 0; fi
}

check "$(ok node tools/check-meta.mjs)" "META.json is valid"
check "$(ok test -s LICENSE -a -s CHANGELOG.md)" "LICENSE and CHANGELOG.md"
version=$(sed -nE "s/^default_version = '(.*)'/\1/p" woesid.control)
check "$(ok grep -q "^woesid ($version)" debian/changelog)" "debian/changelog is at $version"

missing=()
for p in debhelper postgresql-server-dev-all dpkg-dev fakeroot; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	as_root apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# A copy of the files git knows (a clean clone has no others).
woesid_tmpdir TMP package
mkdir "$TMP/src"
git ls-files -z --cached --others --exclude-standard |
	tar -c --null -T - 2>/dev/null | tar -x -C "$TMP/src"
status=0
(cd "$TMP/src" && dpkg-buildpackage -us -uc -b) >"$TMP/build.log" 2>&1 || status=$?
deb=$(ls "$TMP"/postgresql-15-woesid_"$version"_*.deb 2>/dev/null | head -n 1 || true)
check "$(ok test "$status" -eq 0 -a -n "$deb")" "dpkg-buildpackage builds postgresql-15-woesid"
[ -n "$deb" ] || { tail -n 30 "$TMP/build.log"; finish; }

as_root dpkg -i "$deb" >"$TMP/dpkg.log" 2>&1 || cat "$TMP/dpkg.log"
check "$(ok dpkg-query -W -f='${Status}' postgresql-15-woesid)" "dpkg -i installs it"
files=$(dpkg -L postgresql-15-woesid 2>/dev/null || true)
check "$(ok grep -q '/woesid\.so$' <<<"$files")" "the package holds woesid.so"
check "$(ok grep -q 'woesid--0.1.0--0.2.0\.sql$' <<<"$files")" "... and the upgrade scripts"
check "$(ok grep -q 'woesid--0.2.0--0.3.0\.sql$' <<<"$files")" "... to 0.3.0 too"

start_cluster || fail_setup "the cluster did not start"
result=$(psql -X -q -At -v ON_ERROR_STOP=1 2>&1 <<-'SQL' || true
	CREATE EXTENSION woesid;
	SELECT woesid_register_widget('wpk_pkg', 'hmac_email', repeat('ab', 32), 'ws_pkg') IS NOT NULL;
	SELECT verified, email, widget FROM woesid_identify('wpk_pkg',
	    json_build_object('email', 'Ann@Example.com',
	                      'email_hash', woesid_email_hash('ann@example.com', decode(repeat('ab', 32), 'hex')))::text);
SQL
)
check "$(ok [ "$result" = "$(printf 't\nt|ann@example.com|wpk_pkg')" ])" "the packaged extension verifies: $result"
stop_cluster

as_root dpkg --purge postgresql-15-woesid >>"$TMP/dpkg.log" 2>&1 || cat "$TMP/dpkg.log"
check "$(ok [ ! -e "$("$PG_CONFIG" --pkglibdir)/woesid.so" ])" "dpkg --purge removes it"
finish
