#!/usr/bin/env bash
# scripts/demo.sh: shows woesid working on a fresh Debian 12 machine.
#   bash scripts/demo.sh
# Installs what is missing, builds and installs woesid, starts a throwaway
# PostgreSQL cluster, and runs examples/worked-example.sql on tokens and
# hashes made by the real signers (examples/sign.mjs).
source "$(dirname "$0")/lib.sh"
cd "$WOESID_ROOT"

ensure_deps
build_and_install
start_cluster
echo "== worked example"
psql -X -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION woesid" -c "SET timezone = 'UTC'" \
	-f <(node examples/sign.mjs; cat examples/worked-example.sql)
