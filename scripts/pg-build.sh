#!/usr/bin/env bash
# scripts/pg-build.sh: a private PostgreSQL server built from Debian's source
# package, for testing woesid on versions Debian 12 does not ship.
#   bash scripts/pg-build.sh 18      # prints the pg_config path on its last line
# Builds once into /var/cache/woesid/pg-MAJOR (WOESID_PG_CACHE overrides the
# parent directory) and reuses that build afterwards: the cache lives outside
# any clone.  Adds a deb-src-only entry for Debian sid (no binary package
# source changes), downloads postgresql-MAJOR's source package, configures
# with OpenSSL and TAP tests, builds and installs the server, the contrib
# modules the tests use, pg_isolation_regress and the TAP test modules.
# Fails (exit 1) if the source cannot be had or the build fails: a version
# that cannot be built must fail the test run, never be skipped.
set -euo pipefail

major=${1:?usage: $0 MAJOR}
cache=${WOESID_PG_CACHE:-/var/cache/woesid}/pg-$major
prefix=$cache/install
log=$cache/build.log

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# What the tests use besides the server; the stamp names it, so adding a
# module here builds it into an existing cache.
parts="contrib/pgcrypto contrib/pg_prewarm contrib/pageinspect src/test/isolation src/test/perl"
stamp=$cache/complete-$(echo "$parts" | md5sum | cut -c1-8)

if [ -x "$prefix/bin/pg_config" ] && [ -f "$stamp" ]; then
	echo "$prefix/bin/pg_config"
	exit 0
fi

echo "== building PostgreSQL $major from Debian's source package into $cache" >&2
as_root mkdir -p "$cache"
as_root chown "$(id -u):$(id -g)" "$cache"

src_list=/etc/apt/sources.list.d/woesid-sid-src.sources
if [ ! -f "$src_list" ]; then
	as_root tee "$src_list" >/dev/null <<-EOF
		Types: deb-src
		URIs: http://deb.debian.org/debian
		Suites: sid
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	EOF
fi
as_root apt-get update -qq >&2
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	build-essential bison flex libreadline-dev zlib1g-dev libssl-dev \
	libicu-dev pkg-config libipc-run-perl dpkg-dev >/dev/null

cd "$cache"
if [ ! -d src ]; then
	apt-get source --download-only "postgresql-$major" >&2 ||
		{ echo "could not download the source of postgresql-$major" >&2; exit 1; }
	dpkg-source -x --skip-patches postgresql-"$major"_*.dsc "src" >&2
fi

cd "$cache/src"
{
	./configure --prefix="$prefix" --with-openssl --with-icu --enable-tap-tests \
		--without-llvm
	make -j"$(nproc)"
	make install
	for dir in $parts; do
		make -C "$dir" -j"$(nproc)" install
	done
} >"$log" 2>&1 || { echo "the build failed; see $log" >&2; tail -n 30 "$log" >&2; exit 1; }
touch "$stamp"
echo "$prefix/bin/pg_config"
