/*
 * registry.c
 *		The widget registry, cached per backend with MAC keys precomputed.
 *
 * A widget is loaded with SPI the first time a backend asks for it (as the
 * registry's owner: every caller is SECURITY DEFINER) and kept, with its
 * secrets turned into MAC keys, until the registry changes: a statement
 * trigger on both tables sends a relcache invalidation that every backend
 * (hot standbys included, through WAL) turns into a flush, checked at every
 * lookup, even inside an open transaction.  Widgets are read with the latest
 * snapshot, never an older one the caller's transaction holds, so a retired
 * secret cannot live on in a long-lived backend.  Bounded: past
 * MAX_WIDGETS entries the whole cache is flushed.  Unknown public keys are
 * cached too, so a flood of made-up keys costs one lookup each, not more.
 * Secrets are wiped from every buffer this file allocates.
 */
#include "registry.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#define MAX_WIDGETS 4096

static MemoryContext registry_cxt;
static HTAB *widgets;
static Oid	widget_rel = InvalidOid;
static Oid	secret_rel = InvalidOid;
static bool registry_stale = false;
static bool flush_at_xact_end = false;	/* loaded under the query's snapshot */

static void
flush_registry(void)
{
	HASH_SEQ_STATUS status;
	woesid_widget *w;

	if (widgets != NULL)
	{
		hash_seq_init(&status, widgets);
		while ((w = hash_seq_search(&status)) != NULL)
			for (int i = 0; i < w->nkeys; i++)
			{
				woesid_mac_key_free(w->keys[i].jwt_key);
				woesid_mac_key_free(w->keys[i].hmac_key);
			}
	}
	widgets = NULL;
	if (registry_cxt != NULL)
		MemoryContextReset(registry_cxt);
	registry_stale = false;
}

static void
registry_relcache_callback(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == widget_rel || relid == secret_rel)
		registry_stale = true;
}

/* What was loaded under a possibly old snapshot must not outlive the transaction. */
static void
registry_xact_callback(XactEvent event, void *arg)
{
	if (flush_at_xact_end)
	{
		registry_stale = true;
		flush_at_xact_end = false;
	}
}

void
woesid_registry_init(void)
{
	CacheRegisterRelcacheCallback(registry_relcache_callback, (Datum) 0);
	RegisterXactCallback(registry_xact_callback, NULL);
}

/*
 * The secret's bytes hex-decoded into a palloc'd buffer the caller wipes.
 * The table's CHECK constraint guarantees whole hex bytes.
 */
static uint8_t *
decode_secret(const char *hex, size_t len, size_t *out_len)
{
	uint8_t    *out = palloc(len / 2);

	*out_len = hex_decode(hex, len, (char *) out);
	return out;
}

/* Finds the registry tables' OIDs in the schema of function fn. */
static const char *
registry_schema(Oid fn)
{
	Oid			nsp = get_func_namespace(fn);

	widget_rel = get_relname_relid("woesid_widget", nsp);
	secret_rel = get_relname_relid("woesid_widget_secret", nsp);
	return quote_identifier(get_namespace_name(nsp));
}

/* Loads one widget and its secrets into w (allocated in registry_cxt). */
static void
load_widget(woesid_widget *w, const char *public_key, Oid fn)
{
	const char *schema = registry_schema(fn);
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1];
	StringInfoData query;

	args[0] = CStringGetTextDatum(public_key);
	initStringInfo(&query);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	/*
	 * The cache outlives this transaction, so read the registry as it is
	 * now, not as the caller's snapshot shows it (a REPEATABLE READ
	 * transaction's may predate invalidations already processed).  Parallel
	 * mode cannot take a new snapshot: read with the query's, and flush what
	 * was read when the transaction ends.
	 */
	if (IsInParallelMode())
	{
		PushActiveSnapshot(GetActiveSnapshot());
		flush_at_xact_end = true;
	}
	else
		PushActiveSnapshot(GetLatestSnapshot());

	/*
	 * Schema-qualified names and operator: this runs as the registry's
	 * owner, so nothing may resolve through the caller's search_path.
	 */
	appendStringInfo(&query,
					 "SELECT mode FROM %s.woesid_widget "
					 "WHERE public_key OPERATOR(pg_catalog.=) $1",
					 schema);
	if (SPI_execute_with_args(query.data, 1, argtypes, args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the widget registry");
	w->exists = SPI_processed == 1;
	w->nkeys = 0;
	w->keys = NULL;
	if (w->exists)
		strlcpy(w->mode, SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1),
				sizeof(w->mode));

	resetStringInfo(&query);
	appendStringInfo(&query,
					 "SELECT key_id, secret, coalesce(not_after, 'infinity') "
					 "FROM %s.woesid_widget_secret "
					 "WHERE public_key OPERATOR(pg_catalog.=) $1 "
					 "ORDER BY created_at DESC, key_id",
					 schema);
	if (w->exists &&
		SPI_execute_with_args(query.data, 1, argtypes, args, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the widget registry");
	if (w->exists && SPI_processed > 0)
	{
		w->keys = MemoryContextAllocZero(registry_cxt,
										 sizeof(woesid_widget_key) * SPI_processed);
		for (uint64 i = 0; i < SPI_processed; i++)
		{
			HeapTuple	tuple = SPI_tuptable->vals[i];
			TupleDesc	desc = SPI_tuptable->tupdesc;
			woesid_widget_key *key = &w->keys[w->nkeys];
			bool		isnull;
			char	   *secret = SPI_getvalue(tuple, desc, 2);
			size_t		secret_len = strlen(secret);
			size_t		bytes_len;
			uint8_t    *bytes = decode_secret(secret, secret_len, &bytes_len);

			key->key_id = MemoryContextStrdup(registry_cxt, SPI_getvalue(tuple, desc, 1));
			key->not_after = DatumGetTimestampTz(SPI_getbinval(tuple, desc, 3, &isnull));
			key->jwt_key = woesid_mac_key_new((const uint8_t *) secret, secret_len);
			key->hmac_key = woesid_mac_key_new(bytes, bytes_len);
			w->nkeys++;
			/* Wipe every copy within reach before anything can raise. */
			woesid_cleanse(secret, secret_len);
			woesid_cleanse(bytes, bytes_len);
			woesid_cleanse(tuple->t_data, tuple->t_len);
			if (key->jwt_key == NULL || key->hmac_key == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_OUT_OF_MEMORY),
						 errmsg("could not initialize HMAC-SHA256 key")));
		}
	}
	PopActiveSnapshot();
	SPI_finish();
}

const woesid_widget *
woesid_registry_lookup(const char *public_key, size_t len, Oid registry_fn)
{
	char		key[WOESID_PUBLIC_KEY_MAX + 1] = {0};
	woesid_widget *w;
	bool		found;

	if (len == 0 || len > WOESID_PUBLIC_KEY_MAX || memchr(public_key, '\0', len))
		return NULL;
	memcpy(key, public_key, len);

	/* Registry changes committed since the last lookup, even mid-transaction. */
	AcceptInvalidationMessages();
	if (registry_stale ||
		(widgets != NULL && hash_get_num_entries(widgets) >= MAX_WIDGETS))
		flush_registry();
	if (widgets == NULL)
	{
		HASHCTL		ctl;

		if (registry_cxt == NULL)
			registry_cxt = AllocSetContextCreate(TopMemoryContext, "woesid registry",
												 ALLOCSET_SMALL_SIZES);
		ctl.keysize = sizeof(key);
		ctl.entrysize = sizeof(woesid_widget);
		ctl.hcxt = registry_cxt;
		widgets = hash_create("woesid widgets", 64, &ctl,
							  HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	}

	w = hash_search(widgets, key, HASH_FIND, NULL);
	if (w == NULL)
	{
		/*
		 * Load into a local entry first: an ERROR while loading must not
		 * leave a half-built entry (or unreachable MAC keys) in the cache.
		 */
		woesid_widget loaded = {0};

		PG_TRY();
		{
			load_widget(&loaded, key, registry_fn);
		}
		PG_CATCH();
		{
			for (int i = 0; i < loaded.nkeys; i++)
			{
				woesid_mac_key_free(loaded.keys[i].jwt_key);
				woesid_mac_key_free(loaded.keys[i].hmac_key);
			}
			PG_RE_THROW();
		}
		PG_END_TRY();
		w = hash_search(widgets, key, HASH_ENTER, &found);
		memcpy(w->mode, loaded.mode, sizeof(w->mode));
		w->exists = loaded.exists;
		w->nkeys = loaded.nkeys;
		w->keys = loaded.keys;
	}
	return w->exists ? w : NULL;
}
