/*
 * stat.c
 *		woesid_stat: verifications counted per (widget, mode, outcome, key
 *		id), the view's and the reset's SQL entry points, and the key usage
 *		behind woesid_widget_keys.last_used_at.
 *
 * Two halves.  Each backend counts in a local hash table, with no lock and
 * no shared memory touched on the verification path; at the end of every
 * transaction (commit, abort, prepare; a parallel worker's too) it adds its
 * counts to a shared table under one LWLock and empties its own.  The
 * shared table is a fixed array of woesid.stat_max entries, a hash index
 * and a least-recently-used list: when it is full, the entry published
 * least recently is evicted.
 *
 * The shared table lives in the main shared memory when woesid is in
 * shared_preload_libraries (PostgreSQL 15 and later: shmem_request_hook),
 * or else, on 17 and later, in a dynamic shared memory segment found
 * through the DSM registry by the first backend that counts.  On 15 and 16
 * without the preload nothing is counted, and the view says so once per
 * session.
 *
 * Must never: record anything a visitor sent (callers pass only the
 * registry's public key, an audience the caller chose, a registry key id
 * or a signed kid; no token, payload, email or secret reaches this file);
 * take a lock or touch shared memory while counting (publishing at the
 * end of a transaction, or when this backend's table alone is as large as
 * the shared one, is the only writer); raise from a transaction callback.
 */
#include "woesid_fmgr.h"

#include "access/xact.h"
#include "common/hashfn.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "storage/dsm.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"
#if PG_VERSION_NUM >= 170000
#include "storage/dsm_registry.h"
#endif

#include "stat.h"

PG_FUNCTION_INFO_V1(woesid_stat);
PG_FUNCTION_INFO_V1(woesid_stat_reset);
PG_FUNCTION_INFO_V1(woesid_key_last_used);

#define STAT_NAME "woesid_stat"

/*
 * A parallel worker that loads woesid applies the configuration file's
 * woesid.stat_max again: allowed from 17 on, where the flag exists.
 */
#ifdef GUC_ALLOW_IN_PARALLEL
#define STAT_MAX_FLAGS GUC_ALLOW_IN_PARALLEL
#else
#define STAT_MAX_FLAGS 0
#endif
#define STAT_TEXT_MAX 127		/* bytes of a public key or key id kept */

int			woesid_stat_max = 5000;

/*
 * What is counted.  Compared and hashed on its first bytes and the used
 * parts of pk and kid only.
 */
typedef struct stat_key
{
	uint8		mode;			/* 0: none; else woesid_mode + 1 */
	uint8		reason;			/* woesid_reason; WOESID_OK is "verified" */
	uint8		pk_len;
	uint8		kid_len;
	bool		has_pk;
	bool		has_kid;
	char		pk[STAT_TEXT_MAX];
	char		kid[STAT_TEXT_MAX];
} stat_key;

#define STAT_KEY_HEAD offsetof(stat_key, pk)

typedef struct stat_counts
{
	int64		calls;
	TimestampTz first_at;
	TimestampTz last_at;
} stat_counts;

/* This backend's counts since its last publication. */
typedef struct local_entry
{
	stat_key	key;			/* hash key: first */
	uint32		hash;
	stat_counts counts;
} local_entry;

/* The shared table: a header, max entries, then nbuckets bucket heads. */
typedef struct stat_entry
{
	stat_key	key;
	uint32		hash;
	int32		chain;			/* next in bucket, or in the free list */
	int32		newer;			/* LRU neighbours, -1 at the ends */
	int32		older;
	stat_counts counts;
} stat_entry;

typedef struct stat_table
{
	int			max;
	int			nbuckets;		/* a power of 2 */
	int			count;
	int32		free_head;
	int32		lru_newest;
	int32		lru_oldest;
	int64		evicted;
	/* stat_entry entries[max]; int32 buckets[nbuckets]; */
} stat_table;

#define TABLE_ENTRIES(t) \
	((stat_entry *) ((char *) (t) + MAXALIGN(sizeof(stat_table))))
#define TABLE_BUCKETS(t) \
	((int32 *) (TABLE_ENTRIES(t) + (t)->max))

/*
 * Without the preload (17 and later): a small named segment holding the
 * lock and the handle of the table's own segment, sized by the woesid.
 * stat_max of the backend that created it, so that a backend that reads a
 * different value later still finds the same table.
 */
typedef struct stat_control
{
	LWLock		lock;
	dsm_handle	table_handle;
} stat_control;

typedef enum stat_state
{
	STAT_UNKNOWN,				/* not looked for yet */
	STAT_READY,
	STAT_UNAVAILABLE			/* 15 and 16 without the preload */
} stat_state;

static stat_state state = STAT_UNKNOWN;
static bool preloaded = false;
static stat_table *table;		/* shared */
static LWLock *table_lock;
static HTAB *local;
static int	local_count;
static local_entry *local_last; /* the entry counted last: a fast path */
static bool notice_given = false;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

/* --- keys */

static uint32
key_hash(const stat_key *k)
{
	uint32		h = hash_bytes((const unsigned char *) k, STAT_KEY_HEAD);

	h = hash_combine(h, hash_bytes((const unsigned char *) k->pk, k->pk_len));
	return hash_combine(h, hash_bytes((const unsigned char *) k->kid, k->kid_len));
}

static bool
key_equal(const stat_key *a, const stat_key *b)
{
	return memcmp(a, b, STAT_KEY_HEAD) == 0 &&
		memcmp(a->pk, b->pk, a->pk_len) == 0 &&
		memcmp(a->kid, b->kid, a->kid_len) == 0;
}

static void
key_copy(stat_key *to, const stat_key *from)
{
	memcpy(to, from, STAT_KEY_HEAD);
	memcpy(to->pk, from->pk, from->pk_len);
	memcpy(to->kid, from->kid, from->kid_len);
}

static uint32
local_hash_fn(const void *key, Size keysize)
{
	return key_hash((const stat_key *) key);
}

static int
local_match_fn(const void *a, const void *b, Size keysize)
{
	return key_equal((const stat_key *) a, (const stat_key *) b) ? 0 : 1;
}

static void *
local_copy_fn(void *dest, const void *src, Size keysize)
{
	key_copy((stat_key *) dest, (const stat_key *) src);
	return dest;
}

/* At most STAT_TEXT_MAX bytes of a UTF8 string, cut between characters. */
static uint8
text_part(char *to, const char *from, size_t len)
{
	int			n = (int) Min(len, (size_t) STAT_TEXT_MAX);

	if ((size_t) n < len)
		n = pg_mbcliplen(from, n, n);
	memcpy(to, from, n);
	return (uint8) n;
}

/* --- the shared table (callers hold table_lock exclusively) */

static Size
table_size(int max)
{
	int			nbuckets = 1;

	while (nbuckets < 2 * max)
		nbuckets <<= 1;
	return add_size(add_size(MAXALIGN(sizeof(stat_table)),
							 mul_size(max, sizeof(stat_entry))),
					mul_size(nbuckets, sizeof(int32)));
}

static void
table_clear(stat_table *t)
{
	stat_entry *entries = TABLE_ENTRIES(t);
	int32	   *buckets = TABLE_BUCKETS(t);

	for (int i = 0; i < t->max; i++)
		entries[i].chain = i + 1 < t->max ? i + 1 : -1;
	for (int i = 0; i < t->nbuckets; i++)
		buckets[i] = -1;
	t->free_head = 0;
	t->count = 0;
	t->lru_newest = -1;
	t->lru_oldest = -1;
}

static void
table_init(stat_table *t, int max)
{
	int			nbuckets = 1;

	while (nbuckets < 2 * max)
		nbuckets <<= 1;
	t->max = max;
	t->nbuckets = nbuckets;
	t->evicted = 0;
	table_clear(t);
}

static void
lru_unlink(stat_table *t, int32 i)
{
	stat_entry *entries = TABLE_ENTRIES(t);
	stat_entry *e = &entries[i];

	if (e->newer >= 0)
		entries[e->newer].older = e->older;
	else
		t->lru_newest = e->older;
	if (e->older >= 0)
		entries[e->older].newer = e->newer;
	else
		t->lru_oldest = e->newer;
}

static void
lru_push_newest(stat_table *t, int32 i)
{
	stat_entry *entries = TABLE_ENTRIES(t);

	entries[i].newer = -1;
	entries[i].older = t->lru_newest;
	if (t->lru_newest >= 0)
		entries[t->lru_newest].newer = i;
	t->lru_newest = i;
	if (t->lru_oldest < 0)
		t->lru_oldest = i;
}

static void
table_evict_oldest(stat_table *t)
{
	stat_entry *entries = TABLE_ENTRIES(t);
	int32	   *buckets = TABLE_BUCKETS(t);
	int32		i = t->lru_oldest;
	int32	   *link = &buckets[entries[i].hash & (t->nbuckets - 1)];

	while (*link != i)
		link = &entries[*link].chain;
	*link = entries[i].chain;
	lru_unlink(t, i);
	entries[i].chain = t->free_head;
	t->free_head = i;
	t->count--;
	t->evicted++;
}

/* Adds counts under key (hash h), the entry becoming the most recent. */
static void
table_add(stat_table *t, const stat_key *key, uint32 h, const stat_counts *c)
{
	stat_entry *entries = TABLE_ENTRIES(t);
	int32	   *buckets = TABLE_BUCKETS(t);
	int32	   *bucket = &buckets[h & (t->nbuckets - 1)];
	int32		i;
	stat_entry *e;

	for (i = *bucket; i >= 0; i = entries[i].chain)
		if (entries[i].hash == h && key_equal(&entries[i].key, key))
			break;
	if (i >= 0)
	{
		e = &entries[i];
		e->counts.calls += c->calls;
		e->counts.first_at = Min(e->counts.first_at, c->first_at);
		e->counts.last_at = Max(e->counts.last_at, c->last_at);
		lru_unlink(t, i);
		lru_push_newest(t, i);
		return;
	}

	if (t->free_head < 0)
		table_evict_oldest(t);
	i = t->free_head;
	e = &entries[i];
	t->free_head = e->chain;
	key_copy(&e->key, key);
	e->hash = h;
	e->counts = *c;
	e->chain = *bucket;
	*bucket = i;
	lru_push_newest(t, i);
	t->count++;
}

/* --- finding the shared table */

static void
stat_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(table_size(woesid_stat_max));
	RequestNamedLWLockTranche(STAT_NAME, 1);
}

static void
stat_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	table = ShmemInitStruct(STAT_NAME, table_size(woesid_stat_max), &found);
	if (!found)
		table_init(table, woesid_stat_max);
	table_lock = &(GetNamedLWLockTranche(STAT_NAME))->lock;
	LWLockRelease(AddinShmemInitLock);
}

#if PG_VERSION_NUM >= 170000
static void
stat_control_init(void *ptr)
{
	stat_control *control = (stat_control *) ptr;
	dsm_segment *seg;

	LWLockInitialize(&control->lock, LWLockNewTrancheId());
	seg = dsm_create(table_size(woesid_stat_max), 0);
	table_init(dsm_segment_address(seg), woesid_stat_max);
	dsm_pin_segment(seg);
	dsm_pin_mapping(seg);
	control->table_handle = dsm_segment_handle(seg);
}

static void
attach_dsm(void)
{
	bool		found;
	stat_control *control = GetNamedDSMSegment(STAT_NAME, sizeof(stat_control),
											   stat_control_init, &found);
	dsm_segment *seg = dsm_find_mapping(control->table_handle);

	if (seg == NULL)
	{
		seg = dsm_attach(control->table_handle);
		if (seg == NULL)
			elog(ERROR, "could not map dynamic shared memory segment");
		dsm_pin_mapping(seg);
	}
	LWLockRegisterTranche(control->lock.tranche, STAT_NAME);
	table = dsm_segment_address(seg);
	table_lock = &control->lock;
}
#endif

/* Finds the shared table once per backend; false when there is none. */
static bool
stat_attach(void)
{
	if (state != STAT_UNKNOWN)
		return state == STAT_READY;
	if (preloaded && table != NULL)
		state = STAT_READY;
	else
	{
#if PG_VERSION_NUM >= 170000
		attach_dsm();
		state = STAT_READY;
#else
		state = STAT_UNAVAILABLE;
#endif
	}
	return state == STAT_READY;
}

/* --- counting and publishing */

static void publish(void);

void
woesid_stat_count(const char *public_key, size_t public_key_len, int mode,
				  woesid_reason reason, const char *key_id, size_t key_id_len)
{
	stat_key	key;
	local_entry *e;
	bool		found;
	uint32		h;
	TimestampTz now;

	if (state != STAT_READY && !stat_attach())
		return;

	key.mode = (uint8) (mode + 1);
	key.reason = (uint8) reason;
	key.has_pk = public_key != NULL;
	key.pk_len = key.has_pk ? text_part(key.pk, public_key, public_key_len) : 0;
	key.has_kid = key_id != NULL;
	key.kid_len = key.has_kid ? text_part(key.kid, key_id, key_id_len) : 0;
	now = GetCurrentStatementStartTimestamp();

	if (local_last != NULL && key_equal(&local_last->key, &key))
		e = local_last;
	else
	{
		if (local == NULL)
		{
			HASHCTL		ctl;

			ctl.keysize = sizeof(stat_key);
			ctl.entrysize = sizeof(local_entry);
			ctl.hash = local_hash_fn;
			ctl.match = local_match_fn;
			ctl.keycopy = local_copy_fn;
			ctl.hcxt = TopMemoryContext;
			local = hash_create("woesid_stat local counts", 16, &ctl,
								HASH_ELEM | HASH_FUNCTION | HASH_COMPARE |
								HASH_KEYCOPY | HASH_CONTEXT);
		}
		/* This backend alone as large as the shared table: publish first. */
		if (local_count >= table->max)
			publish();
		h = key_hash(&key);
		e = hash_search_with_hash_value(local, &key, h, HASH_ENTER, &found);
		if (!found)
		{
			e->hash = h;
			e->counts.calls = 0;
			e->counts.first_at = now;
			local_count++;
		}
		local_last = e;
	}
	e->counts.calls++;
	e->counts.last_at = now;
}

/* Adds this backend's counts to the shared table and forgets them. */
static void
publish(void)
{
	HASH_SEQ_STATUS status;
	local_entry *e;

	local_last = NULL;
	if (local_count == 0)
		return;
	LWLockAcquire(table_lock, LW_EXCLUSIVE);
	hash_seq_init(&status, local);
	while ((e = hash_seq_search(&status)) != NULL)
	{
		table_add(table, &e->key, e->hash, &e->counts);
		hash_search_with_hash_value(local, &e->key, e->hash, HASH_REMOVE, NULL);
	}
	LWLockRelease(table_lock);
	local_count = 0;
}

/* Forgets this backend's counts unpublished (woesid_stat_reset). */
static void
forget_local(void)
{
	HASH_SEQ_STATUS status;
	local_entry *e;

	local_last = NULL;
	if (local_count == 0)
		return;
	hash_seq_init(&status, local);
	while ((e = hash_seq_search(&status)) != NULL)
		hash_search_with_hash_value(local, &e->key, e->hash, HASH_REMOVE, NULL);
	local_count = 0;
}

static void
stat_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			publish();
			break;
		default:
			break;
	}
}

void
woesid_stat_init(void)
{
	/*
	 * It sizes shared memory: read at server start with the preload, else
	 * by the first backend that counts after a start (on 17 and later), and
	 * in force until the next restart either way.  PostgreSQL refuses a
	 * PGC_POSTMASTER setting from a library loaded after startup, so it is
	 * PGC_SIGHUP (set in the configuration file) there.
	 */
	DefineCustomIntVariable("woesid.stat_max",
							"Most (widget, mode, outcome, key id) entries woesid_stat keeps.",
							"When full, the entry counted least recently is evicted.  "
							"Takes effect at the next server start.",
							&woesid_stat_max,
							5000, 100, 100000,
							process_shared_preload_libraries_in_progress ?
							PGC_POSTMASTER : PGC_SIGHUP, STAT_MAX_FLAGS,
							NULL, NULL, NULL);
	RegisterXactCallback(stat_xact_callback, NULL);
	if (process_shared_preload_libraries_in_progress)
	{
		preloaded = true;
		prev_shmem_request_hook = shmem_request_hook;
		shmem_request_hook = stat_shmem_request;
		prev_shmem_startup_hook = shmem_startup_hook;
		shmem_startup_hook = stat_shmem_startup;
	}
}

/* --- SQL */

/* Whether counts can be read; if not, says why once per session. */
static bool
stat_readable(void)
{
	if (stat_attach())
		return true;
	if (!notice_given)
	{
		notice_given = true;
		ereport(NOTICE,
				(errmsg("woesid is not counting verifications"),
				 errdetail("Before PostgreSQL 17, woesid counts only when it is in shared_preload_libraries."),
				 errhint("Add woesid to shared_preload_libraries and restart the server, or use PostgreSQL 17 or later.")));
	}
	return false;
}

/* A copy of the shared entries, most recently counted first. */
static stat_entry *
snapshot(int *n)
{
	stat_entry *copy;
	stat_entry *entries = TABLE_ENTRIES(table);
	int			k = 0;

	copy = palloc(sizeof(stat_entry) * table->max);
	LWLockAcquire(table_lock, LW_SHARED);
	for (int32 i = table->lru_newest; i >= 0; i = entries[i].older)
		copy[k++] = entries[i];
	LWLockRelease(table_lock);
	*n = k;
	return copy;
}

static void
begin_materialized(FunctionCallInfo fcinfo)
{
#if PG_VERSION_NUM >= 160000
	InitMaterializedSRF(fcinfo, 0);
#else
	SetSingleFuncCall(fcinfo, 0);
#endif
}

static Datum
key_text(const char *s, int len)
{
	return PointerGetDatum(cstring_to_text_with_len(s, len));
}

/*
 * woesid_stat(): public_key, mode, outcome, key_id, calls, first_at, last_at.
 * This backend's own counts of the current transaction are not there yet.
 */
Datum
woesid_stat(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	stat_entry *copy;
	int			n;

	begin_materialized(fcinfo);
	if (!stat_readable())
		return (Datum) 0;
	copy = snapshot(&n);
	for (int i = 0; i < n; i++)
	{
		const stat_entry *e = &copy[i];
		Datum		values[7];
		bool		nulls[7] = {0};

		nulls[0] = !e->key.has_pk;
		if (e->key.has_pk)
			values[0] = key_text(e->key.pk, e->key.pk_len);
		nulls[1] = e->key.mode == 0;
		if (e->key.mode != 0)
			values[1] = CStringGetTextDatum(woesid_mode_name[e->key.mode - 1]);
		values[2] = CStringGetTextDatum(e->key.reason == WOESID_OK ? "verified" :
										woesid_reason_code[e->key.reason]);
		nulls[3] = !e->key.has_kid;
		if (e->key.has_kid)
			values[3] = key_text(e->key.kid, e->key.kid_len);
		values[4] = Int64GetDatum(e->counts.calls);
		values[5] = TimestampTzGetDatum(e->counts.first_at);
		values[6] = TimestampTzGetDatum(e->counts.last_at);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* woesid_stat_reset(): clears the counts, this backend's unpublished ones too */
Datum
woesid_stat_reset(PG_FUNCTION_ARGS)
{
	if (!stat_readable())
		PG_RETURN_VOID();
	forget_local();
	LWLockAcquire(table_lock, LW_EXCLUSIVE);
	table_clear(table);
	LWLockRelease(table_lock);
	PG_RETURN_VOID();
}

/*
 * woesid_key_last_used(): (public_key, key_id, last_used_at) of every
 * counted verified verification through the registry, for
 * woesid_widget_keys.last_used_at.  Executable by everyone, since a view
 * calls functions with its reader's privileges and the readers of
 * woesid_widget_keys are whoever its owner granted it to; so it answers
 * only roles that may read that view or woesid_stat.
 */
Datum
woesid_key_last_used(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			nsp = get_func_namespace(fcinfo->flinfo->fn_oid);
	Oid			keys_view = get_relname_relid("woesid_widget_keys", nsp);
	Oid			stat_view = get_relname_relid("woesid_stat", nsp);
	stat_entry *copy;
	int			n;

	if (!(OidIsValid(keys_view) &&
		  pg_class_aclcheck(keys_view, GetUserId(), ACL_SELECT) == ACLCHECK_OK) &&
		!(OidIsValid(stat_view) &&
		  pg_class_aclcheck(stat_view, GetUserId(), ACL_SELECT) == ACLCHECK_OK))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for view %s", "woesid_widget_keys")));
	begin_materialized(fcinfo);
	if (!stat_attach())
		return (Datum) 0;
	copy = snapshot(&n);
	for (int i = 0; i < n; i++)
	{
		const stat_entry *e = &copy[i];
		Datum		values[3];
		bool		nulls[3] = {0};

		if (e->key.reason != WOESID_OK || !e->key.has_pk || !e->key.has_kid)
			continue;
		values[0] = key_text(e->key.pk, e->key.pk_len);
		values[1] = key_text(e->key.kid, e->key.kid_len);
		values[2] = TimestampTzGetDatum(e->counts.last_at);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
