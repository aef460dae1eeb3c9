# scripts/lib.sh: shared by scripts/{test,demo,bench,test-sanitized}.sh and
# test/{isolation,pgbouncer,tap,memory,load,hygiene,e2e}/run.sh.  Installs what
# woesid needs on Debian 12, builds and installs it, runs throwaway
# PostgreSQL clusters owned by the postgres user in temporary directories,
# cleans up on exit, and keeps a suite's "NAME: N passed, M failed" counts.
# Never touches a cluster or a process it did not start.
#
#   as_root CMD...            as_postgres CMD...
#   on_exit 'SHELL CODE'      run when the script exits, last registered first
#   woesid_tmpdir VAR [NAME]  VAR=/tmp/woesid-NAME.XXXXXX, removed on exit
#                             unless WOESID_KEEP_TMP is set
#   free_port                 a TCP port nothing listens on
#   stop_pidfile FILE         stops the process whose pid is in FILE
#   unset_pg_env              forgets the caller's PG* connection settings
#   start_cluster [OPTIONS]   see below; stop_cluster [MODE]
#   ensure_deps, build_and_install, install_if_missing
#   begin_suite NAME, check OK WHAT, finish, fail_setup MESSAGE [FAILED]

set -euo pipefail

WOESID_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PG_CONFIG=${PG_CONFIG:-pg_config}

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Runs as the postgres user (initdb refuses root); as the caller when the
# caller is not root (e.g. already the postgres user).
as_postgres() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# --- cleanup: one EXIT trap runs the hooks, last registered first (so a
# pooler stops before its cluster, and a cluster before its directory goes),
# and keeps the script's exit status.
WOESID_EXIT_HOOKS=()

on_exit() {	# on_exit 'SHELL CODE'
	WOESID_EXIT_HOOKS=("$1" "${WOESID_EXIT_HOOKS[@]}")
}

run_exit_hooks() {
	local status=$? hook
	for hook in "${WOESID_EXIT_HOOKS[@]}"; do
		eval "$hook" || true
	done
	exit "$status"
}
trap run_exit_hooks EXIT
trap 'exit 130' INT TERM

# woesid_tmpdir VAR [NAME]: makes /tmp/woesid-NAME.XXXXXX (/tmp/woesid.XXXXXX
# without NAME), owned by the postgres user when run as root, mode 700, and
# stores its path in VAR.  Removed on exit unless WOESID_KEEP_TMP is set.
woesid_tmpdir() {
	local _tmpdir
	_tmpdir=$(mktemp -d "/tmp/woesid${2:+-$2}.XXXXXX") || return 1
	[ "$(id -u)" -ne 0 ] || chown postgres: "$_tmpdir"
	on_exit "remove_tmpdir $(printf %q "$_tmpdir")"
	printf -v "$1" %s "$_tmpdir"
}

remove_tmpdir() {
	if [ -n "${WOESID_KEEP_TMP:-}" ]; then
		echo "kept $1" >&2
	else
		rm -rf "$1"
	fi
}

# A TCP port nothing listens on (other clusters may be running).
free_port() {
	local port
	for _ in $(seq 200); do
		port=$((20000 + RANDOM % 30000))
		if ! ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; then
			echo "$port"
			return 0
		fi
	done
	return 1
}

# stop_pidfile FILE: the process whose pid FILE holds (one this script
# started, e.g. pgbouncer): SIGTERM, then SIGKILL after 5 s.
stop_pidfile() {
	local pid
	[ -s "$1" ] || return 0
	pid=$(cat "$1")
	kill -TERM "$pid" 2>/dev/null || return 0
	for _ in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
}

# The caller's connection settings (scripts/test.sh exports its own
# cluster's) must not reach the clients a script starts.
unset_pg_env() {
	unset PGHOST PGHOSTADDR PGPORT PGUSER PGDATABASE PGSERVICE PGSERVICEFILE \
		PGOPTIONS PGPASSFILE PGSSLMODE PGAPPNAME PGTZ PGDATESTYLE PGCLIENTENCODING
}

# --- building

# Debian packages and the tests' Node packages, each installed only if missing.
ensure_deps() {
	local want=(postgresql-15 postgresql-contrib postgresql-server-dev-15
		libssl-dev make gcc clang pgbouncer libipc-run-perl
		# the signers of examples/signers/ (test/interop/signers.mjs)
		python3-jwt ruby ruby-jwt golang-go golang-github-golang-jwt-jwt-dev
		golang-golang-x-text-dev php-cli php-mbstring libcrypt-jwt-perl
		# the browser of the widget example's end-to-end test (test/e2e)
		chromium chromium-driver)
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
	if [ ! -d "$WOESID_ROOT/test/node_modules/jsonwebtoken" ] ||
		[ ! -d "$WOESID_ROOT/test/node_modules/pg" ] ||
		[ ! -d "$WOESID_ROOT/test/node_modules/playwright-core" ]; then
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

# Builds and installs woesid when WOESID_BUILD is set or it is not installed.
install_if_missing() {
	if [ -n "${WOESID_BUILD:-}" ] ||
		[ ! -f "$("$PG_CONFIG" --sharedir)/extension/woesid.control" ]; then
		build_and_install
	fi
}

# --- the cluster

# start_cluster [--dir DIR] [--existing] [--port N] [--tcp] [--conf LINE]... [--env VAR=VALUE]...
# A throwaway cluster of the installation PG_CONFIG names (a private copy's
# pg_config gives its bin directory): initdb as the postgres user (UTF8,
# C.UTF-8, trust) in DIR/data, DIR being a new woesid_tmpdir by default
# (with --existing, DIR/data is already a cluster, e.g. one pg_upgrade made);
# port N (default: a free one) on a Unix socket in DIR, and on 127.0.0.1
# too with --tcp; fsync off, max_connections 120, then each --conf line;
# the server started with each --env setting (e.g. LD_PRELOAD).  Forgets
# the caller's PG* settings and exports PGHOST, PGPORT, PGUSER (postgres)
# and PGDATABASE (postgres) for it; sets WOESID_TMP (DIR), WOESID_BINDIR and
# WOESID_SERVER_LOG.  Stopped on exit.  On failure says why and returns 1.
start_cluster() {
	local dir='' existing='' port='' listen='' conf=() env=()
	while [ $# -gt 0 ]; do
		case $1 in
		--dir) dir=$2; shift ;;
		--existing) existing=1 ;;
		--port) port=$2; shift ;;
		--tcp) listen=127.0.0.1 ;;
		--conf) conf+=("$2"); shift ;;
		--env) env+=("$2"); shift ;;
		*) echo "start_cluster: unknown option $1" >&2; return 1 ;;
		esac
		shift
	done
	unset_pg_env
	[ -n "$dir" ] || woesid_tmpdir dir || return 1
	[ -n "$port" ] || port=$(free_port) || { echo "no free TCP port" >&2; return 1; }
	WOESID_TMP=$dir
	WOESID_BINDIR=$("$PG_CONFIG" --bindir) || return 1
	WOESID_SERVER_LOG=$dir/server.log

	[ -n "$existing" ] ||
		as_postgres "$WOESID_BINDIR/initdb" -D "$dir/data" -E UTF8 --locale=C.UTF-8 \
			-A trust -U postgres >"$dir/initdb.log" 2>&1 ||
		{ echo "initdb failed: $(cat "$dir/initdb.log")" >&2; return 1; }
	{
		echo "listen_addresses = '$listen'"
		echo "port = $port"
		echo "unix_socket_directories = '$dir'"
		echo "fsync = off"
		echo "max_connections = 120"
		printf '%s\n' "${conf[@]}"
	} >>"$dir/data/postgresql.conf" || return 1
	on_exit stop_cluster
	as_postgres env "${env[@]}" "$WOESID_BINDIR/pg_ctl" -D "$dir/data" -l "$WOESID_SERVER_LOG" \
		-w -t 60 start >/dev/null || { echo "the server did not start" >&2; return 1; }

	export PGHOST=$dir PGPORT=$port PGUSER=postgres PGDATABASE=postgres
}

# stop_cluster [MODE]: stops start_cluster's server if it runs (pg_ctl -m
# MODE, default immediate).
stop_cluster() {
	[ -f "${WOESID_TMP:-}/data/postmaster.pid" ] || return 0
	as_postgres "$WOESID_BINDIR/pg_ctl" -D "$WOESID_TMP/data" -m "${1:-immediate}" -w stop >/dev/null
}

# --- a suite's counts and its one summary line "NAME: N passed, M failed"

begin_suite() {	# begin_suite NAME
	WOESID_SUITE=$1
	passed=0
	failed=0
}

check() {	# check OK WHAT: counts one check (OK is 1 when it passed)
	if [ "$1" = 1 ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "$WOESID_SUITE: FAILED: $2"
	fi
}

finish() {	# prints the summary line; exits 0 only if nothing failed
	echo "$WOESID_SUITE: $passed passed, $failed failed"
	[ "$failed" -eq 0 ] && exit 0
	exit 1
}

# fail_setup MESSAGE [FAILED]: setup went wrong: shows MESSAGE and the end
# of the server log and of each file in WOESID_SETUP_LOGS, counts FAILED
# (default 1) failures and finishes.
WOESID_SETUP_LOGS=()
fail_setup() {
	local log
	echo "$1" >&2
	for log in "${WOESID_SERVER_LOG:-}" "${WOESID_SETUP_LOGS[@]}"; do
		[ ! -f "$log" ] || { echo "--- $(basename "$log")" >&2; tail -n 30 "$log" >&2; }
	done
	failed=$((failed + ${2:-1}))
	finish
}
