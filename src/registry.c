/*
 * registry.c
 *		The widget registry, cached per backend with MAC keys precomputed.
 *
 * A widget is loaded with SPI the first time a backend asks for it (as the
 * registry's owner: every caller is SECURITY DEFINER) and kept, with its
 * secrets turned into MAC keys, until the registry changes: row and
 * TRUNCATE triggers on both tables, enabled ALWAYS so logical replication
 * apply and session_replication_role = replica fire them too, send a
 * relcache invalidation that every backend (hot standbys included, through
 * WAL) turns into a flush, checked at every lookup, even inside an open
 * transaction.  As a backstop for changes no trigger saw (triggers disabled
 * for a restore), an entry older than woesid.registry_cache_ttl is read
 * again.  Widgets are read with the latest snapshot, never an older one the
 * caller's transaction holds, so a retired secret cannot live on in a
 * long-lived backend.  Bounded: past MAX_WIDGETS entries the whole cache is
 * flushed.  Unknown public keys are cached too, so a flood of made-up keys
 * costs one lookup each, not more.  Secrets are wiped from every buffer
 * this file allocates, and no secret byte ever reaches a message.
 */
#include "registry.h"

#include "citus.h"

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
#include "utils/syscache.h"
#include "catalog/pg_class.h"
#include "miscadmin.h"

#define MAX_WIDGETS 4096

static MemoryContext registry_cxt;
static HTAB *widgets;
static Oid	widget_rel = InvalidOid;
static Oid	secret_rel = InvalidOid;

/*
 * The relations a change to the registry invalidates: the tables, and on a
 * Citus cluster the local placements read instead (their triggers fire).
 */
#define REGISTRY_RELS 6
static Oid	registry_rels[REGISTRY_RELS];

/* The Citus cluster key (citus.c), loaded with the registry, or NULL. */
static woesid_mac_key *cluster_key;
static bool cluster_key_loaded = false;
static bool registry_stale = false;
static bool flush_at_xact_end = false;	/* loaded under the query's snapshot */

/* Frees what a cached entry owns (its key states, key ids and tenant). */
static void
forget_widget(woesid_widget *w)
{
	for (int i = 0; i < w->nkeys; i++)
	{
		woesid_mac_key_free(w->keys[i].jwt_key);
		woesid_mac_key_free(w->keys[i].hmac_key);
		if (w->keys[i].key_id != NULL)
			pfree(w->keys[i].key_id);
	}
	if (w->keys != NULL)
		pfree(w->keys);
	if (w->tenant != NULL)
		pfree(w->tenant);
	w->keys = NULL;
	w->nkeys = 0;
	w->tenant = NULL;
}

static void
flush_registry(void)
{
	HASH_SEQ_STATUS status;
	woesid_widget *w;

	if (widgets != NULL)
	{
		hash_seq_init(&status, widgets);
		while ((w = hash_seq_search(&status)) != NULL)
			forget_widget(w);
	}
	widgets = NULL;
	woesid_mac_key_free(cluster_key);
	cluster_key = NULL;
	cluster_key_loaded = false;
	if (registry_cxt != NULL)
		MemoryContextReset(registry_cxt);
	registry_stale = false;
}

static void
registry_relcache_callback(Datum arg, Oid relid)
{
	if (relid == InvalidOid)
		registry_stale = true;
	for (int i = 0; i < REGISTRY_RELS; i++)
		if (relid == registry_rels[i])
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
 * The secret's hex-decoded bytes into out (room for len / 2), or -1 when it
 * is not whole hex bytes (the owner's plain DML can store anything the
 * table's CHECK allows).  PostgreSQL's hex_decode would quote the offending
 * character, a byte of the secret, in its error.
 */
static int
hex_digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -1;
}

static int
decode_secret(const char *hex, size_t len, uint8_t *out)
{
	int			bad = len % 2;

	for (size_t i = 0; i + 1 < len; i += 2)
	{
		int			hi = hex_digit_value(hex[i]);
		int			lo = hex_digit_value(hex[i + 1]);

		bad |= (hi < 0) | (lo < 0);
		out[i / 2] = (uint8_t) ((hi << 4) | (lo & 15));
	}
	return bad ? -1 : (int) (len / 2);
}

/* Finds the registry tables' OIDs in the schema of function fn. */
static Oid
registry_schema(Oid fn)
{
	Oid			nsp = get_func_namespace(fn);

	widget_rel = get_relname_relid("woesid_widget", nsp);
	secret_rel = get_relname_relid("woesid_widget_secret", nsp);
	return nsp;
}

/*
 * The qualified name of the relation that holds registry table rel's rows
 * on this node (a Citus placement, or rel itself), remembered at slot for
 * invalidation.  Runs inside an SPI connection.
 */
static char *
readable_relation(Oid rel, int slot)
{
	Oid			read = woesid_citus_placement(rel);

	registry_rels[2 * slot] = rel;
	registry_rels[2 * slot + 1] = read;
	return quote_qualified_identifier(get_namespace_name(get_rel_namespace(read)),
									  get_rel_name(read));
}

/* Turns the secret in column 2 of tuple into key's MAC keys, then wipes it. */
static void
load_key(woesid_widget_key *key, HeapTuple tuple, TupleDesc desc)
{
	bool		isnull;
	char	   *secret = SPI_getvalue(tuple, desc, 2);
	size_t		secret_len = strlen(secret);
	uint8_t    *bytes = palloc(secret_len / 2 + 1);
	int			bytes_len = decode_secret(secret, secret_len, bytes);

	key->key_id = MemoryContextStrdup(registry_cxt, SPI_getvalue(tuple, desc, 1));
	key->not_after = DatumGetTimestampTz(SPI_getbinval(tuple, desc, 3, &isnull));
	key->jwt_key = woesid_mac_key_new((const uint8_t *) secret, secret_len);
	key->hmac_key = bytes_len >= WOESID_MIN_SECRET_BYTES ?
		woesid_mac_key_new(bytes, bytes_len) : NULL;
	/* Wipe every copy within reach before anything can raise. */
	woesid_cleanse(secret, secret_len);
	woesid_cleanse(bytes, secret_len / 2 + 1);
	woesid_cleanse(tuple->t_data, tuple->t_len);
	if (key->jwt_key == NULL ||
		(key->hmac_key == NULL && bytes_len >= WOESID_MIN_SECRET_BYTES))
		woesid_raise_mac_key_fault();
}

/* Loads one widget and its secrets into w (allocated in registry_cxt). */
static void
load_widget(woesid_widget *w, const char *public_key, Oid fn)
{
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1];
	StringInfoData query;
	const char *widgets_rel,
			   *secrets_rel;

	registry_schema(fn);
	args[0] = CStringGetTextDatum(public_key);
	initStringInfo(&query);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	widgets_rel = readable_relation(widget_rel, 0);
	secrets_rel = readable_relation(secret_rel, 1);

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
	 * owner, so nothing may resolve through the caller's search_path.  The
	 * tenant column is 0.2.0's: a 0.1.0 installation not yet updated has
	 * none.
	 */
	appendStringInfo(&query,
					 "SELECT mode, %s FROM %s "
					 "WHERE public_key OPERATOR(pg_catalog.=) $1",
					 get_attnum(widget_rel, "tenant") != InvalidAttrNumber ?
					 "tenant" : "NULL::pg_catalog.text", widgets_rel);
	if (SPI_execute_with_args(query.data, 1, argtypes, args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the widget registry");
	w->exists = SPI_processed == 1;
	w->nkeys = 0;
	w->keys = NULL;
	w->tenant = NULL;
	w->loaded_at = GetCurrentStatementStartTimestamp();
	if (w->exists)
	{
		char	   *mode = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		char	   *tenant = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);

		/* an unknown mode (the owner's DML cannot store one) signs nothing */
		if (!woesid_mode_from_name(mode, strlen(mode), &w->mode))
			w->mode = WOESID_MODE_OFF;
		if (tenant != NULL)
			w->tenant = MemoryContextStrdup(registry_cxt, tenant);
	}

	resetStringInfo(&query);
	appendStringInfo(&query,
					 "SELECT key_id, secret, coalesce(not_after, 'infinity') "
					 "FROM %s "
					 "WHERE public_key OPERATOR(pg_catalog.=) $1 "
					 "ORDER BY created_at DESC, key_id",
					 secrets_rel);
	if (w->exists &&
		SPI_execute_with_args(query.data, 1, argtypes, args, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the widget registry");
	if (w->exists && SPI_processed > 0)
	{
		w->keys = MemoryContextAllocZero(registry_cxt,
										 sizeof(woesid_widget_key) * SPI_processed);
		for (uint64 i = 0; i < SPI_processed; i++)
			load_key(&w->keys[w->nkeys++], SPI_tuptable->vals[i], SPI_tuptable->tupdesc);
	}
	PopActiveSnapshot();
	SPI_finish();
}

/* Whether a cached entry is older than woesid.registry_cache_ttl allows. */
static bool
entry_expired(const woesid_widget *w)
{
	return GetCurrentStatementStartTimestamp() - w->loaded_at >=
		(TimestampTz) woesid_registry_cache_ttl * USECS_PER_SEC;
}

const woesid_widget *
woesid_registry_lookup(const char *public_key, size_t len, Oid registry_fn)
{
	char		key[WOESID_PUBLIC_KEY_MAX + 1] = {0};
	woesid_widget *w;
	woesid_widget loaded = {0};
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
	if (w != NULL && !entry_expired(w))
		return w->exists ? w : NULL;

	/*
	 * Load into a local entry first: an ERROR while loading must not leave a
	 * half-built entry (or unreachable MAC keys) in the cache.
	 */
	PG_TRY();
	{
		load_widget(&loaded, key, registry_fn);
	}
	PG_CATCH();
	{
		forget_widget(&loaded);
		PG_RE_THROW();
	}
	PG_END_TRY();
	w = hash_search(widgets, key, HASH_ENTER, &found);
	if (found)
		forget_widget(w);
	strlcpy(loaded.public_key, key, sizeof(loaded.public_key));
	*w = loaded;
	return w->exists ? w : NULL;
}

static void read_cluster_key(Oid rel);

/* The owner of relation rel. */
static Oid
relation_owner(Oid rel)
{
	HeapTuple	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(rel));
	Oid			owner;

	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for relation %u", rel);
	owner = ((Form_pg_class) GETSTRUCT(tuple))->relowner;
	ReleaseSysCache(tuple);
	return owner;
}

/*
 * Reads the cluster key from its table (or placement) in schema nsp, as the
 * table's owner: a Citus worker checks a forwarded identity in whatever
 * role the shard query runs as, which may read no secret itself.
 */
static void
load_cluster_key(Oid nsp)
{
	Oid			rel = get_relname_relid("woesid_cluster_key", nsp);
	Oid			saved_user;
	int			saved_context;

	cluster_key_loaded = true;
	if (!OidIsValid(rel))
		return;
	GetUserIdAndSecContext(&saved_user, &saved_context);
	SetUserIdAndSecContext(relation_owner(rel),
						   saved_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	PG_TRY();
	{
		read_cluster_key(rel);
	}
	PG_FINALLY();
	{
		SetUserIdAndSecContext(saved_user, saved_context);
	}
	PG_END_TRY();
}

static void
read_cluster_key(Oid rel)
{
	char	   *query;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	PushActiveSnapshot(GetLatestSnapshot());
	query = psprintf("SELECT key FROM %s ORDER BY created_at LIMIT 1",
					 readable_relation(rel, 2));
	if (SPI_execute(query, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the cluster key");
	if (SPI_processed == 1)
	{
		HeapTuple	tuple = SPI_tuptable->vals[0];
		char	   *hex = SPI_getvalue(tuple, SPI_tuptable->tupdesc, 1);
		size_t		len = strlen(hex);
		uint8_t    *bytes = palloc(len / 2 + 1);
		int			n = decode_secret(hex, len, bytes);

		if (n >= WOESID_MIN_SECRET_BYTES)
			cluster_key = woesid_mac_key_new(bytes, n);
		woesid_cleanse(hex, len);
		woesid_cleanse(bytes, len / 2 + 1);
		woesid_cleanse(tuple->t_data, tuple->t_len);
		if (n >= WOESID_MIN_SECRET_BYTES && cluster_key == NULL)
			woesid_raise_mac_key_fault();
	}
	PopActiveSnapshot();
	SPI_finish();
}

woesid_mac_key *
woesid_registry_cluster_key(Oid nsp)
{
	AcceptInvalidationMessages();
	if (registry_stale)
		flush_registry();
	if (!cluster_key_loaded)
	{
		if (registry_cxt == NULL)
			registry_cxt = AllocSetContextCreate(TopMemoryContext, "woesid registry",
												 ALLOCSET_SMALL_SIZES);
		load_cluster_key(nsp);
	}
	return cluster_key;
}
