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
	MemoryContextCallback release;
};

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
release_cache(void *arg)
{
	woesid_call_cache *cache = (woesid_call_cache *) arg;

	for (int i = 0; i < KEY_SLOTS; i++)
		forget_key(&cache->keys[i]);
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
	slot->key = woesid_mac_key_new((const uint8_t *) secret, len);
	if (slot->key == NULL)
	{
		forget_key(slot);
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("could not initialize HMAC-SHA256 key")));
	}
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
