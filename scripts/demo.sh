#!/usr/bin/env bash
# scripts/demo.sh: shows woesid working on a fresh Debian 12 machine.
#   bash scripts/demo.sh
# Installs what is missing, builds and installs woesid, starts a throwaway
# PostgreSQL cluster, and runs README.md's "Getting started", block by block,
# extracted from README.md so the two cannot drift
# (test/readme/getting-started.sh; the test command's readme suite runs the
# same and checks what it prints against the README).
source "$(dirname "$0")/lib.sh"
source "$WOESID_ROOT/test/readme/getting-started.sh"
cd "$WOESID_ROOT"

ensure_deps
build_and_install
start_cluster
woesid_tmpdir blocks getting-started
getting_started "$blocks"
