# scripts/lib.sh: shared by demo.sh, test.sh and bench.sh.
# Installs what woesid needs on Debian 12, builds and installs it, and runs a
# throwaway PostgreSQL cluster owned by the postgres user on a Unix socket in
# a temporary directory.  Never touches a cluster it did not start.

set -euo pipefail

WOESID_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PG_CONFIG=${PG_CONFIG:-pg_config}

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Debian packages and the tests' Node packages, each installed only if missing.
ensure_deps() {
	local want=(postgresql-15 postgresql-contrib postgresql-server-dev-15
		libssl-dev make gcc clang pgbouncer libipc-run-perl)
	local missing=()
	for p in "${want[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	# Node may come from Debian (nodejs + npm) or bundle npm (NodeSource).
	command -v node >/dev/null || missing+=(nodejs)
	command -v npm >/dev/null || missing+=(npm)
	if [ ${#missing[@]} -gt 0 ]; then
		echo "== installing ${missing[*]}"
		as_root apt-get update -qq
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
	fi
	if [ ! -d "$WOESID_ROOT/test/node_modules/jsonwebtoken" ]; then
		echo "== installing Node packages from test/package-lock.json"
		(cd "$WOESID_ROOT/test" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
	fi
}

build_and_install() {
	echo "== building woesid"
	make -C "$WOESID_ROOT" -s clean >/dev/null
	make -C "$WOESID_ROOT" -s COPT="-Werror ${WOESID_COPT:-}" "$@"
	as_root make -C "$WOESID_ROOT" -s install "$@" >/dev/null
}

# start_cluster: sets PGHOST, PGPORT, PGUSER, PGDATABASE for a new cluster in
# $WOESID_TMP that stop_cluster (registered on EXIT) removes.
start_cluster() {
	local bindir
	bindir=$("$PG_CONFIG" --bindir)
	WOESID_TMP=$(mktemp -d /tmp/woesid.XXXXXX)
	chmod 755 "$WOESID_TMP"
	chown postgres: "$WOESID_TMP"
	trap stop_cluster EXIT
	runuser -u postgres -- "$bindir/initdb" -D "$WOESID_TMP/data" -E UTF8 \
		--locale=C.UTF-8 -A trust -U postgres >/dev/null
	cat >>"$WOESID_TMP/data/postgresql.conf" <<-CONF
		listen_addresses = '127.0.0.1'
		port = ${WOESID_PORT:-54329}
		unix_socket_directories = '$WOESID_TMP'
		fsync = off
		max_connections = 120
		${WOESID_EXTRA_CONF:-}
	CONF
	runuser -u postgres -- "$bindir/pg_ctl" -D "$WOESID_TMP/data" -w \
		-l "$WOESID_TMP/server.log" start >/dev/null
	export PGHOST=$WOESID_TMP PGPORT=${WOESID_PORT:-54329} PGUSER=postgres PGDATABASE=postgres
}

stop_cluster() {
	if [ -n "${WOESID_TMP:-}" ] && [ -d "$WOESID_TMP/data" ]; then
		runuser -u postgres -- "$("$PG_CONFIG" --bindir)/pg_ctl" -D "$WOESID_TMP/data" \
			-m immediate stop >/dev/null 2>&1 || true
	fi
	[ -n "${WOESID_KEEP_TMP:-}" ] || rm -rf "${WOESID_TMP:-/nonexistent}"
}
