/*
 * woesid_fmgr.h
 *		Shared declarations of the fmgr layer: settings, the per-call-site
 *		cache, and the woesid_claims builder.
 *
 * Everything below src/ that includes PostgreSQL headers includes this.  The
 * fmgr layer turns SQL arguments into core inputs and core results into SQL
 * values; it makes no verification decision of its own.
 */
#ifndef WOESID_FMGR_H
#define WOESID_FMGR_H

#include "postgres.h"

#include "access/tupdesc.h"
#include "fmgr.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "core.h"

/* Settings (fmgr_settings.c), in seconds and bytes. */
extern int	woesid_clock_skew;
extern int	woesid_jwt_max_lifetime;
extern int	woesid_variables_max_lifetime;
extern int	woesid_max_token_bytes;
extern int	woesid_registry_cache_ttl;

/*
 * What one call site keeps between calls (fmgr_cache.c), in fn_mcxt: the
 * blessed result descriptor, MAC keys for the last few secrets, and a
 * reusable arena.  Freed, keys wiped, when fn_mcxt goes (end of query or
 * abort), so no OpenSSL object outlives the query.
 */
typedef struct woesid_call_cache woesid_call_cache;

woesid_call_cache *woesid_cache_get(FunctionCallInfo fcinfo);

/*
 * OpenSSL failures are faults, never a verdict: internal errors with
 * OpenSSL's reason in the detail (fmgr_cache.c).
 */
woesid_mac_key *woesid_mac_key_or_raise(const uint8_t *secret, size_t len);
#if PG_VERSION_NUM >= 180000
pg_noreturn void woesid_raise_mac_key_fault(void);
pg_noreturn void woesid_raise_mac_fault(void);
#else
void		woesid_raise_mac_key_fault(void) pg_attribute_noreturn();
void		woesid_raise_mac_fault(void) pg_attribute_noreturn();
#endif
TupleDesc	woesid_cache_tupdesc(woesid_call_cache *cache,
								 FunctionCallInfo fcinfo);
woesid_mac_key *woesid_cache_key(woesid_call_cache *cache,
								 const char *secret, size_t len);
TupleDesc	woesid_cache_rowtype(woesid_call_cache *cache, Oid typid,
								 Oid woesid_fn);
/*
 * Every input of one verifier call, for the last-result cache: byte
 * strings (NULL part: SQL NULL) and numbers (time, settings).
 */
#define WOESID_INPUT_PARTS 3
typedef struct woesid_inputs
{
	const char *part[WOESID_INPUT_PARTS];
	size_t		len[WOESID_INPUT_PARTS];
	double		numbers[5];
} woesid_inputs;

bool		woesid_cache_recall(woesid_call_cache *cache, const woesid_inputs *in,
								Datum *result);
void		woesid_cache_remember(woesid_call_cache *cache, const woesid_inputs *in,
								  Datum result);
void		woesid_cache_arena(woesid_call_cache *cache, size_t need,
							   woesid_arena *arena);

/* woesid_claims attributes, from 0 (attribute numbers are one more). */
enum
{
	WOESID_ATT_VERIFIED,
	WOESID_ATT_MODE,
	WOESID_ATT_EMAIL,
	WOESID_ATT_CONTACT_ID,
	WOESID_ATT_ACCOUNT_ID,
	WOESID_ATT_CLAIMS,
	WOESID_ATT_METADATA,
	WOESID_ATT_ISSUED_AT,
	WOESID_ATT_EXPIRES_AT,
	WOESID_ATT_KEY_ID,
	WOESID_ATT_FAILURE,
	WOESID_ATT_WIDGET,			/* 0.2.0; absent from a 0.1.0 installation */
	WOESID_NUM_ATTS
};

/* The members of a woesid_claims row, before SQL conversion (fmgr_claims.c). */
typedef struct woesid_claims_values
{
	woesid_reason reason;
	const char *mode;			/* NULL for an unknown widget */
	const char *email;			/* normalized */
	size_t		email_len;
	const wj_node *contact_id;
	const wj_node *account_id;
	const wj_doc *claims;		/* JWT payload (NULL: see claims_email) */
	bool		claims_email;	/* claims = {"email": email} (hmac_email) */
	const wj_doc *metadata;		/* object whose members become metadata */
	const wj_name *metadata_skip;	/* member names left out */
	int			metadata_nskip;
	bool		has_times;
	double		iat;
	double		exp;
	const char *key_id;
	size_t		key_id_len;
	const char *widget;			/* the widget verified for */
	size_t		widget_len;
} woesid_claims_values;

Datum		woesid_claims_datum(TupleDesc tupdesc,
								const woesid_claims_values *values);
void		woesid_values_from_jwt(const woesid_jwt *jwt, const char *mode,
								   woesid_claims_values *values);

/* jsonb written straight from a parsed object (fmgr_jsonb.c). */
Datum		woesid_jsonb_from_doc(const wj_doc *doc, const wj_name *skip,
								  int nskip);
Datum		woesid_jsonb_email_object(const char *email, size_t len);

/*
 * A visitor-supplied text or jsonb value as bytes (fmgr_jsonb.c for jsonb).
 * One longer than max is not detoasted: *data is NULL and *len its size,
 * which the core refuses as malformed before reading anything.  NULL is an
 * empty value (missing).
 */
void		woesid_visitor_text(Datum value, bool isnull, size_t max,
								const char **data, size_t *len);
void		woesid_visitor_jsonb(Datum value, bool isnull, size_t max,
								 const char **data, size_t *len);

/* Seconds since the Unix epoch of a timestamptz; +-inf for infinities. */
double		woesid_unix_seconds(TimestampTz ts);

#endif							/* WOESID_FMGR_H */
