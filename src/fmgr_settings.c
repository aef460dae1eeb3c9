/*
 * fmgr_settings.c
 *		Module magic, _PG_init and woesid's settings.
 *
 * Every setting loosens or tightens verification, so all are PGC_SUSET: only
 * a superuser (or ALTER DATABASE / ALTER ROLE by one) may change them, and a
 * visitor-facing role can never widen the clock skew or the lifetimes.
 */
#include "woesid_fmgr.h"

#include <limits.h>

#include "utils/guc.h"

#include "citus.h"
#include "identity.h"
#include "registry.h"
#include "stat.h"

PG_MODULE_MAGIC;

int			woesid_clock_skew = 30;
int			woesid_jwt_max_lifetime = 15 * 60;
int			woesid_variables_max_lifetime = 7 * 24 * 60 * 60;
int			woesid_max_token_bytes = 8192;
int			woesid_registry_cache_ttl = 60;

void		_PG_init(void);

void
_PG_init(void)
{
	DefineCustomIntVariable("woesid.clock_skew",
							"Allowed clock difference when checking exp, iat and nbf.",
							NULL,
							&woesid_clock_skew,
							30, 0, 24 * 60 * 60,
							PGC_SUSET, GUC_UNIT_S,
							NULL, NULL, NULL);
	DefineCustomIntVariable("woesid.jwt_max_lifetime",
							"Longest exp - iat accepted for a widget identity JWT.",
							NULL,
							&woesid_jwt_max_lifetime,
							15 * 60, 1, INT_MAX,
							PGC_SUSET, GUC_UNIT_S,
							NULL, NULL, NULL);
	DefineCustomIntVariable("woesid.variables_max_lifetime",
							"Longest exp - iat accepted for a signed-variables JWT.",
							NULL,
							&woesid_variables_max_lifetime,
							7 * 24 * 60 * 60, 1, INT_MAX,
							PGC_SUSET, GUC_UNIT_S,
							NULL, NULL, NULL);
	DefineCustomIntVariable("woesid.max_token_bytes",
							"Largest token or identify payload read; larger ones are malformed.",
							NULL,
							&woesid_max_token_bytes,
							8192, 64, 1024 * 1024,
							PGC_SUSET, GUC_UNIT_BYTE,
							NULL, NULL, NULL);
	DefineCustomIntVariable("woesid.registry_cache_ttl",
							"Longest time a backend uses a cached widget before reading it again.",
							"Registry changes take effect at once through triggers; this bounds "
							"changes no trigger saw (0 reads the registry on every call).",
							&woesid_registry_cache_ttl,
							60, 0, 24 * 60 * 60,
							PGC_SUSET, GUC_UNIT_S,
							NULL, NULL, NULL);
	DefineCustomStringVariable("woesid.forwarded_identity",
							   "The transaction's identity as a Citus coordinator forwards it to its workers.",
							   "Set by woesid_authenticate, signed under the cluster key and bound to one "
							   "distributed transaction; any other value is ignored.",
							   &woesid_forwarded_identity,
							   "",
							   PGC_USERSET,
							   GUC_SUPERUSER_ONLY | GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE |
							   GUC_DISALLOW_IN_FILE | GUC_NO_RESET_ALL,
							   NULL, NULL, NULL);
	woesid_identity_init();
	woesid_registry_init();
	woesid_stat_init();

	MarkGUCPrefixReserved("woesid");
}
