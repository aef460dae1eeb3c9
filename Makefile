# woesid: PGXS build.  The verification core (core.mk) has no PostgreSQL
# headers; the same sources are linked into the unit tests, fuzzers and the
# C benchmark by test/unit, test/fuzz and bench.  How to run the tests:
# CONTRIBUTING.md.
EXTENSION = woesid
MODULE_big = woesid
PGFILEDESC = "woesid - verify chat-widget visitor identity"
DATA = $(wildcard sql/*--*.sql)

include core.mk
CORE_OBJS = $(CORE:%=src/%.o)
FMGR_OBJS = src/fmgr_settings.o src/fmgr_cache.o src/fmgr_claims.o \
	src/fmgr_verify.o src/fmgr_identify.o src/fmgr_jsonb.o src/fmgr_input.o \
	src/fmgr_secret.o src/registry.o src/identity.o
OBJS = $(CORE_OBJS) $(FMGR_OBJS)

PG_CPPFLAGS += -I$(srcdir)/src
PG_CFLAGS += -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers
SHLIB_LINK += -lcrypto

# pg_regress: test/sql/NAME.sql against test/expected/NAME.out.  Each test
# stands alone: make installcheck REGRESS=NAME.
REGRESS = signer verify_jwt claims_jsonb hostile variables hmac_email trusted settings \
	encoding registry identity application tenant manage payload upgrade
REGRESS_OPTS = --inputdir=test --load-extension=pgcrypto --load-extension=$(EXTENSION)

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)
