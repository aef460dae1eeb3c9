# woesid: PGXS build.  The verification core (core.mk) has no PostgreSQL
# headers; the same sources are linked into the unit tests, fuzzers and the
# C benchmark by test/unit, test/fuzz and bench.  How to run the tests:
# CONTRIBUTING.md.
EXTENSION = woesid
MODULE_big = woesid
PGFILEDESC = "woesid - verify chat-widget visitor identity"
# relative to srcdir, also when built from another directory (pg_buildext)
DATA = $(patsubst $(srcdir)/%,%,$(wildcard $(srcdir)/sql/*--*.sql))

# (found beside this Makefile, also in a VPATH build)
include $(dir $(lastword $(MAKEFILE_LIST)))core.mk
CORE_OBJS = $(CORE:%=src/%.o)
FMGR_OBJS = src/fmgr_settings.o src/fmgr_cache.o src/fmgr_claims.o \
	src/fmgr_verify.o src/fmgr_identify.o src/fmgr_jsonb.o src/fmgr_input.o \
	src/fmgr_secret.o src/registry.o src/identity.o src/stat.o src/citus.o
OBJS = $(CORE_OBJS) $(FMGR_OBJS)

PG_CPPFLAGS += -I$(srcdir)/src
PG_CFLAGS += -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers
SHLIB_LINK += -lcrypto

# pg_regress: test/sql/NAME.sql against test/expected/NAME.out.  Each test
# stands alone: make installcheck REGRESS=NAME.
REGRESS = signer verify_jwt claims_jsonb hostile variables hmac_email trusted settings \
	encoding registry identity application tenant manage payload stat upgrade comments
REGRESS_OPTS = --inputdir=$(srcdir)/test --load-extension=pgcrypto --load-extension=$(EXTENSION)

# Isolation specs (test/isolation/specs, expected in test/isolation/expected)
# run by PGXS's ISOLATION rule:  make installcheck-isolation [ISOLATION=NAME]
# They need a role "app" and max_prepared_transactions > 0, which
# test/isolation/run.sh sets up on a throwaway server; plain installcheck
# leaves them out, so it runs on any server.
ISOLATION_SPECS = $(basename $(notdir $(wildcard $(srcdir)/test/isolation/specs/*.spec)))
ISOLATION_OPTS = --inputdir=$(srcdir)/test/isolation --load-extension=$(EXTENSION)

# TAP tests (test/tap/t), as pgvector runs them:
#   make prove_installcheck [PROVE_TESTS=test/tap/t/NAME.pl]
# Each test makes its own clusters, so it runs as a user initdb accepts (not
# root); test/tap/run.sh runs it as the postgres user.
PROVE_TESTS ?= test/tap/t/*.pl

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# A VPATH build (pg_buildext builds the Debian package in build-MAJOR) puts
# the objects in src/ of the build directory, which must exist.
ifdef VPATH
$(shell mkdir -p src)
endif

.PHONY: installcheck-isolation prove_installcheck
installcheck-isolation:
	$(MAKE) installcheck REGRESS= ISOLATION="$(or $(ISOLATION),$(ISOLATION_SPECS))"

prove_installcheck:
	$(prove_installcheck)
