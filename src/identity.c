/*
 * identity.c
 *		The transaction's identity, kept in backend memory.
 *
 * Only woesid_authenticate sets it (through woesid_identity_set); no SET,
 * set_config or GUC can, since none of them reaches this memory.  It is
 * cleared when the top-level transaction ends, commit or abort, so nothing
 * leaks to the next client of a transaction-mode pooler; and whatever a
 * subtransaction did to it is undone when that subtransaction rolls back.
 * It ends with its token: woesid_identity_get, the one way to read it,
 * hides it once the statement's time reaches its expiry plus the skew, so
 * holding a transaction open never stretches a token's life.
 *
 * Undo works with a stack of saved values: the first change inside a
 * subtransaction level saves the value it replaces, tagged with the level.
 * Rolling the level back restores the saved value; committing it hands the
 * saved value to the parent level unless the parent already saved an older
 * one.  Never allocates in an abort callback.
 */
#include "identity.h"

#include "citus.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "utils/datum.h"
#include "utils/memutils.h"

typedef struct saved_identity
{
	int			level;			/* subtransaction nesting level that saved it */
	woesid_identity *value;		/* the identity before that level changed it */
	struct saved_identity *next;
} saved_identity;

static woesid_identity *current;	/* in TopMemoryContext, or NULL */
static saved_identity *saved;

static void
free_identity(woesid_identity *value)
{
	if (value == NULL)
		return;
	pfree(value->claims);
	if (value->tenant != NULL)
		pfree(value->tenant);
	pfree(value);
}

static woesid_identity *
new_identity(HeapTupleHeader claims, const char *tenant, TimestampTz expires_at)
{
	Size		len = HeapTupleHeaderGetDatumLength(claims);
	woesid_identity *identity = MemoryContextAlloc(TopMemoryContext,
												   sizeof(woesid_identity));

	identity->claims = MemoryContextAlloc(TopMemoryContext, len);
	memcpy(identity->claims, claims, len);
	identity->tenant = tenant != NULL ?
		MemoryContextStrdup(TopMemoryContext, tenant) : NULL;
	identity->expires_at = expires_at;
	return identity;
}

void
woesid_identity_set(HeapTupleHeader claims, const char *tenant,
					TimestampTz expires_at)
{
	int			level = GetCurrentTransactionNestLevel();
	woesid_identity *next = claims != NULL ?
		new_identity(claims, tenant, expires_at) : NULL;

	if (saved == NULL || saved->level < level)
	{
		saved_identity *s = MemoryContextAlloc(TopMemoryContext, sizeof(saved_identity));

		s->level = level;
		s->value = current;
		s->next = saved;
		saved = s;
	}
	else
		free_identity(current);
	current = next;
}

const woesid_identity *
woesid_identity_get(woesid_reason *reason)
{
	/* on a Citus worker, the identity the coordinator forwarded */
	const woesid_identity *identity = current != NULL ? current :
		woesid_citus_forwarded();

	*reason = WOESID_MISSING;
	if (identity == NULL)
		return NULL;
	if (!TIMESTAMP_IS_NOEND(identity->expires_at) &&
		GetCurrentStatementStartTimestamp() >=
		identity->expires_at + (TimestampTz) woesid_clock_skew * USECS_PER_SEC)
	{
		*reason = WOESID_EXPIRED;
		return NULL;
	}
	*reason = WOESID_OK;
	return identity;
}

static void
forget_all(void)
{
	free_identity(current);
	current = NULL;
	while (saved != NULL)
	{
		saved_identity *s = saved;

		saved = s->next;
		free_identity(s->value);
		pfree(s);
	}
}

static void
identity_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			forget_all();
			break;
		default:
			break;
	}
}

static void
identity_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						  SubTransactionId parentSubid, void *arg)
{
	int			level = GetCurrentTransactionNestLevel();

	if (saved == NULL || saved->level != level)
		return;
	if (event == SUBXACT_EVENT_ABORT_SUB)
	{
		saved_identity *s = saved;

		free_identity(current);
		current = s->value;
		saved = s->next;
		pfree(s);
	}
	else if (event == SUBXACT_EVENT_COMMIT_SUB)
	{
		saved_identity *s = saved;

		if (s->next != NULL && s->next->level == level - 1)
		{
			/* The parent level already saved an older value: keep that. */
			saved = s->next;
			free_identity(s->value);
			pfree(s);
		}
		else
			s->level = level - 1;
	}
}

void
woesid_identity_init(void)
{
	RegisterXactCallback(identity_xact_callback, NULL);
	RegisterSubXactCallback(identity_subxact_callback, NULL);
}
