/*
 * fmgr_cache.c
 *		Per-call-site state kept in fn_extra: the blessed woesid_claims
 *		descriptor, MAC keys for the last few secrets, and a reusable arena.
 *
 * Pays the key schedule once per distinct secret per call site instead of
 * once per row.  Bounded: a fixed number of keys and an arena no larger
 * than the largest accepted token needs.  A reset callback on fn_mcxt frees
 * the OpenSSL states and wipes the secret copies when the query ends or
 * aborts, so nothing leaks and no secret lingers in freed memory.
 */
#include "woesid_fmgr.h"

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/typcache.h"
#include "utils/datum.h"
#include "utils/memutils.h"

#define KEY_SLOTS 8

typedef struct key_slot
{
	char	   *secret;			/* copy, compared to find the slot */
	size_t		len;
	woesid_mac_key *key;
} key_slot;

struct woesid_call_cache
{
	MemoryContext mcxt;
	TupleDesc	tupdesc;
	key_slot	keys[KEY_SLOTS];
	int			next_victim;
	char	   *arena;
	size_t		arena_size;
	/* where the previous call's inputs were, and whether they were there twice */
	const char *seen[WOESID_INPUT_PARTS];
	bool		seen_twice;
	/* the remembered call's inputs (copied; they include a secret) and result */
	woesid_inputs last;
	char	   *last_bytes;
	size_t		last_bytes_size;
	Datum		last_result;
	bool		has_last;
	MemoryContextCallback release;
};

/*
 * OpenSSL's failures are reported as internal errors, as pgcrypto reports
 * them, with the library's reason (which names no data: see mac.h) in the
 * detail.  Call right after the failure, before anything else uses OpenSSL.
 */
void
woesid_raise_mac_key_fault(void)
{
	const char *reason = woesid_mac_error_reason();

	ereport(ERROR,
			(errcode(ERRCODE_INTERNAL_ERROR),
			 errmsg("could not initialize HMAC-SHA256 key"),
			 reason != NULL ? errdetail("OpenSSL error: %s.", reason) :
			 errdetail("OpenSSL reported no error.")));
}

void
woesid_raise_mac_fault(void)
{
	const char *reason = woesid_mac_error_reason();

	ereport(ERROR,
			(errcode(ERRCODE_INTERNAL_ERROR),
			 errmsg("could not compute HMAC-SHA256"),
			 reason != NULL ? errdetail("OpenSSL error: %s.", reason) :
			 errdetail("OpenSSL reported no error.")));
}

woesid_mac_key *
woesid_mac_key_or_raise(const uint8_t *secret, size_t len)
{
	woesid_mac_key *key = woesid_mac_key_new(secret, len);

	if (key == NULL)
		woesid_raise_mac_key_fault();
	return key;
}

static void
forget_key(key_slot *slot)
{
	woesid_mac_key_free(slot->key);
	if (slot->secret != NULL)
	{
		woesid_cleanse(slot->secret, slot->len);
		pfree(slot->secret);
	}
	slot->key = NULL;
	slot->secret = NULL;
	slot->len = 0;
}

static void
forget_last(woesid_call_cache *cache)
{
	if (cache->last_bytes != NULL)
		woesid_cleanse(cache->last_bytes, cache->last_bytes_size);
	if (cache->has_last)
		pfree(DatumGetPointer(cache->last_result));
	cache->has_last = false;
}

static void
release_cache(void *arg)
{
	woesid_call_cache *cache = (woesid_call_cache *) arg;

	for (int i = 0; i < KEY_SLOTS; i++)
		forget_key(&cache->keys[i]);
	forget_last(cache);
}

woesid_call_cache *
woesid_cache_get(FunctionCallInfo fcinfo)
{
	woesid_call_cache *cache = (woesid_call_cache *) fcinfo->flinfo->fn_extra;

	if (cache == NULL)
	{
		MemoryContext mcxt = fcinfo->flinfo->fn_mcxt;

		cache = MemoryContextAllocZero(mcxt, sizeof(woesid_call_cache));
		cache->mcxt = mcxt;
		cache->release.func = release_cache;
		cache->release.arg = cache;
		MemoryContextRegisterResetCallback(mcxt, &cache->release);
		fcinfo->flinfo->fn_extra = cache;
	}
	return cache;
}

TupleDesc
woesid_cache_tupdesc(woesid_call_cache *cache, FunctionCallInfo fcinfo)
{
	if (cache->tupdesc == NULL)
	{
		TupleDesc	tupdesc;
		MemoryContext old;

		if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "return type must be a row type");
		old = MemoryContextSwitchTo(cache->mcxt);
		cache->tupdesc = BlessTupleDesc(CreateTupleDescCopy(tupdesc));
		MemoryContextSwitchTo(old);
	}
	return cache->tupdesc;
}

/*
 * The blessed descriptor of row type typid if it is the woesid_claims type
 * of the schema woesid_fn lives in; NULL if it is any other type.
 */
TupleDesc
woesid_cache_rowtype(woesid_call_cache *cache, Oid typid, Oid woesid_fn)
{
	if (cache->tupdesc == NULL)
	{
		Oid			claims = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
											 CStringGetDatum("woesid_claims"),
											 ObjectIdGetDatum(get_func_namespace(woesid_fn)));
		MemoryContext old;

		if (typid != claims)
			return NULL;
		old = MemoryContextSwitchTo(cache->mcxt);
		cache->tupdesc = BlessTupleDesc(lookup_rowtype_tupdesc_copy(typid, -1));
		MemoryContextSwitchTo(old);
	}
	return cache->tupdesc;
}

woesid_mac_key *
woesid_cache_key(woesid_call_cache *cache, const char *secret, size_t len)
{
	key_slot   *slot;

	if (len == 0)
		return NULL;
	for (int i = 0; i < KEY_SLOTS; i++)
	{
		slot = &cache->keys[i];
		if (slot->key != NULL && slot->len == len &&
			memcmp(slot->secret, secret, len) == 0)
			return slot->key;
	}

	slot = &cache->keys[cache->next_victim];
	cache->next_victim = (cache->next_victim + 1) % KEY_SLOTS;
	forget_key(slot);
	slot->secret = MemoryContextAlloc(cache->mcxt, len);
	memcpy(slot->secret, secret, len);
	slot->len = len;
	slot->key = woesid_mac_key_or_raise((const uint8_t *) secret, len);
	return slot->key;
}

void
woesid_cache_arena(woesid_call_cache *cache, size_t need, woesid_arena *arena)
{
	if (cache->arena_size < need)
	{
		if (cache->arena != NULL)
			pfree(cache->arena);
		cache->arena = NULL;
		cache->arena_size = 0;
		cache->arena = MemoryContextAlloc(cache->mcxt, need);
		cache->arena_size = need;
	}
	woesid_arena_init(arena, cache->arena, cache->arena_size);
}

static bool
same_inputs(const woesid_inputs *a, const woesid_inputs *b)
{
	for (int i = 0; i < WOESID_INPUT_PARTS; i++)
		if (a->len[i] != b->len[i] || (a->part[i] == NULL) != (b->part[i] == NULL) ||
			(a->part[i] != NULL && memcmp(a->part[i], b->part[i], a->len[i]) != 0))
			return false;
	return memcmp(a->numbers, b->numbers, sizeof(a->numbers)) == 0;
}

/*
 * The remembered result (copied into the caller's context) when this call
 * has exactly the same inputs: the same token on every row of a scan, as an
 * RLS policy or a join against one visitor gives, is verified once.
 *
 * Inputs are remembered only once seen twice in a row at the same
 * addresses, which a constant argument is on every row and a column of
 * distinct tokens is not, so a scan over distinct tokens pays for neither
 * copying nor wiping them.  Equality is always decided on the bytes.
 */
bool
woesid_cache_recall(woesid_call_cache *cache, const woesid_inputs *in, Datum *result)
{
	if (memcmp(cache->seen, in->part, sizeof(cache->seen)) != 0)
	{
		memcpy(cache->seen, in->part, sizeof(cache->seen));
		cache->seen_twice = false;
		return false;
	}
	cache->seen_twice = true;
	if (!cache->has_last || !same_inputs(&cache->last, in))
		return false;
	*result = datumCopy(cache->last_result, false, -1);
	return true;
}

/* Remembers result for inputs woesid_cache_recall saw twice in a row. */
void
woesid_cache_remember(woesid_call_cache *cache, const woesid_inputs *in, Datum result)
{
	size_t		need = 0;
	char	   *p;
	MemoryContext old;

	if (!cache->seen_twice)
		return;
	for (int i = 0; i < WOESID_INPUT_PARTS; i++)
		if (in->part[i] == NULL && in->len[i] != 0)
			return;				/* an input too large to have been read */
	forget_last(cache);
	for (int i = 0; i < WOESID_INPUT_PARTS; i++)
		need += in->len[i];
	if (cache->last_bytes_size < need)
	{
		if (cache->last_bytes != NULL)
			pfree(cache->last_bytes);
		cache->last_bytes = NULL;
		cache->last_bytes_size = 0;
		cache->last_bytes = MemoryContextAlloc(cache->mcxt, Max(need, 1));
		cache->last_bytes_size = Max(need, 1);
	}
	p = cache->last_bytes;
	cache->last = *in;
	for (int i = 0; i < WOESID_INPUT_PARTS; i++)
		if (in->part[i] != NULL)
		{
			memcpy(p, in->part[i], in->len[i]);
			cache->last.part[i] = p;
			p += in->len[i];
		}
	old = MemoryContextSwitchTo(cache->mcxt);
	cache->last_result = datumCopy(result, false, -1);
	MemoryContextSwitchTo(old);
	cache->has_last = true;
}
