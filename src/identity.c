/*
 * identity.c
 *		The transaction's identity, kept in backend memory.
 *
 * Only woesid_authenticate sets it (through woesid_identity_set); no SET,
 * set_config or GUC can, since none of them reaches this memory.  It is
 * cleared when the top-level transaction ends, commit or abort, so nothing
 * leaks to the next client of a transaction-mode pooler; and whatever a
 * subtransaction did to it is undone when that subtransaction rolls back.
 *
 * Undo works with a stack of saved values: the first change inside a
 * subtransaction level saves the value it replaces, tagged with the level.
 * Rolling the level back restores the saved value; committing it hands the
 * saved value to the parent level unless the parent already saved an older
 * one.  Never allocates in an abort callback.
 */
#include "identity.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "utils/datum.h"
#include "utils/memutils.h"

typedef struct saved_identity
{
	int			level;			/* subtransaction nesting level that saved it */
	HeapTupleHeader value;		/* the identity before that level changed it */
	struct saved_identity *next;
} saved_identity;

static HeapTupleHeader current;	/* in TopMemoryContext, or NULL */
static saved_identity *saved;

static void
free_identity(HeapTupleHeader value)
{
	if (value != NULL)
		pfree(value);
}

static HeapTupleHeader
copy_identity(HeapTupleHeader value)
{
	Size		len = HeapTupleHeaderGetDatumLength(value);
	HeapTupleHeader copy = MemoryContextAlloc(TopMemoryContext, len);

	memcpy(copy, value, len);
	return copy;
}

void
woesid_identity_set(HeapTupleHeader claims)
{
	int			level = GetCurrentTransactionNestLevel();
	HeapTupleHeader next = claims != NULL ? copy_identity(claims) : NULL;

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

HeapTupleHeader
woesid_identity_get(void)
{
	return current;
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
