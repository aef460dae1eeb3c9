#!/usr/bin/env bash
# scripts/citus-build.sh: Citus, built from the unchanged release sources in
# ../shared/vendor (or WOESID_CITUS_VENDOR), for the PostgreSQL installation
# PG_CONFIG names, for woesid's Citus tests.
#   PG_CONFIG=... bash scripts/citus-build.sh
# Citus 13.2.2 for PostgreSQL 15-17, 14.0.1 for 16-18.  Builds once into
# /var/cache/woesid/citus-VERSION-pgMAJOR (WOESID_PG_CACHE overrides the
# parent directory) and installs into the server's directories; later runs
# only install again.  Citus code is never copied into the project.  Exits
# non-zero if the build fails.
set -euo pipefail

PG_CONFIG=${PG_CONFIG:-pg_config}
major=$("$PG_CONFIG" --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
if [ "$major" -le 17 ]; then version=13.2.2; else version=14.0.1; fi
vendor=${WOESID_CITUS_VENDOR:-$(cd "$(dirname "$0")/../.." && pwd)/shared/vendor}
cache=${WOESID_PG_CACHE:-/var/cache/woesid}/citus-$version-pg$major
log=$cache/build.log

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if [ ! -f "$cache/built" ]; then
	echo "== building Citus $version for PostgreSQL $major into $cache" >&2
	missing=()
	for p in libcurl4-openssl-dev liblz4-dev libzstd-dev libkrb5-dev libssl-dev autoconf flex; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		as_root apt-get update -qq
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
	fi
	as_root mkdir -p "$cache"
	as_root chown "$(id -u):$(id -g)" "$cache"
	rm -rf "$cache/citus-$version"
	tar -xJf "$vendor/citus-$version.tar.xz" -C "$cache"
	# PostgreSQL 15.20 declares have_createdb_privilege in dbcommands.h,
	# which Citus 13's pg_version_compat.h also defines (static).  Sources
	# unchanged: a header forced in before each file gives the server's
	# declaration another name, so Citus's own copy is the only one.
	copt=""
	if [ "$version" = 13.2.2 ] &&
		grep -q have_createdb_privilege "$("$PG_CONFIG" --includedir-server)/commands/dbcommands.h"; then
		cat >"$cache/pg-compat.h" <<-'EOF'
			#include "postgres.h"
			#define have_createdb_privilege server_have_createdb_privilege
			#include "commands/dbcommands.h"
			#undef have_createdb_privilege
		EOF
		copt="-include $cache/pg-compat.h"
	fi
	(
		cd "$cache/citus-$version"
		./configure PG_CONFIG="$PG_CONFIG" --without-libcurl
		make -j"$(nproc)" COPT="$copt" with_llvm=no
	) >"$log" 2>&1 || { echo "the Citus build failed; see $log" >&2; tail -n 30 "$log" >&2; exit 1; }
	touch "$cache/built"
fi
as_root make -C "$cache/citus-$version" install PG_CONFIG="$PG_CONFIG" with_llvm=no >>"$log" 2>&1 ||
	{ echo "installing Citus failed; see $log" >&2; exit 1; }
echo "citus $version"
