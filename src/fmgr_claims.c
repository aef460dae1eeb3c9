/*
 * fmgr_claims.c
 *		Builds woesid_claims rows from core results.
 *
 * The one place where fail-closed is enforced for every caller: unless the
 * reason is WOESID_OK, email, the ids, claims, issued_at, expires_at and
 * key_id are NULL whatever the caller passed.  jsonb values are written
 * straight from the parsed nodes (fmgr_jsonb.c); the JSON reader already
 * refused anything jsonb could not store, so nothing here can raise because
 * of visitor input.
 */
#include "woesid_fmgr.h"

#include <math.h>

#include "access/htup_details.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

/* Seconds between 1970-01-01 and PostgreSQL's epoch, 2000-01-01. */
#define UNIX_TO_POSTGRES_SECONDS \
	((double) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY)

double
woesid_unix_seconds(TimestampTz ts)
{
	if (TIMESTAMP_IS_NOBEGIN(ts))
		return -get_float8_infinity();
	if (TIMESTAMP_IS_NOEND(ts))
		return get_float8_infinity();
	return (double) ts / USECS_PER_SEC + UNIX_TO_POSTGRES_SECONDS;
}

static TimestampTz
timestamptz_from_unix(double seconds)
{
	return (TimestampTz) llround((seconds - UNIX_TO_POSTGRES_SECONDS) * USECS_PER_SEC);
}

/*
 * mode and failure take a handful of constant values (mode names and reason
 * codes, all string constants): each is made into a text value once per
 * backend instead of once per row.  The row builder copies it.
 */
static Datum
constant_text(const char *str)
{
	static struct
	{
		const char *str;
		text	   *value;
	}			made[WOESID_REASON_COUNT + 8];
	static int	nmade;
	MemoryContext old;

	for (int i = 0; i < nmade; i++)
		if (made[i].str == str)
			return PointerGetDatum(made[i].value);
	if (nmade == lengthof(made))
		return CStringGetTextDatum(str);
	old = MemoryContextSwitchTo(TopMemoryContext);
	made[nmade].value = cstring_to_text(str);
	MemoryContextSwitchTo(old);
	made[nmade].str = str;
	return PointerGetDatum(made[nmade++].value);
}

static Datum
text_datum(const char *str, size_t len)
{
	return PointerGetDatum(cstring_to_text_with_len(str, (int) len));
}

static void
set_id(Datum *values, bool *nulls, int att, const wj_node *node)
{
	if (node == NULL)
		return;
	values[att] = text_datum(node->str, node->len);
	nulls[att] = false;
}

void
woesid_values_from_jwt(const woesid_jwt *jwt, const char *mode,
					   woesid_claims_values *values)
{
	values->reason = jwt->reason;
	values->mode = mode;
	values->email = jwt->email;
	values->email_len = jwt->email_len;
	values->contact_id = jwt->contact_id;
	values->account_id = jwt->account_id;
	values->claims = &jwt->payload;
	values->has_times = true;
	values->iat = jwt->iat;
	values->exp = jwt->exp;
	if (jwt->kid != NULL && jwt->kid->type == WJ_STRING)
	{
		values->key_id = jwt->kid->str;
		values->key_id_len = jwt->kid->len;
	}
}

Datum
woesid_claims_datum(TupleDesc tupdesc, const woesid_claims_values *in)
{
	Datum		values[WOESID_NUM_ATTS];
	bool		nulls[WOESID_NUM_ATTS];
	bool		verified = in->reason == WOESID_OK;

	/* Until ALTER EXTENSION UPDATE, the type lacks the 0.2.0 attribute. */
	Assert(tupdesc->natts == WOESID_NUM_ATTS || tupdesc->natts == WOESID_ATT_WIDGET);
	memset(nulls, true, sizeof(nulls));

	values[WOESID_ATT_VERIFIED] = BoolGetDatum(verified);
	nulls[WOESID_ATT_VERIFIED] = false;
	if (in->mode != NULL)
	{
		values[WOESID_ATT_MODE] = constant_text(in->mode);
		nulls[WOESID_ATT_MODE] = false;
	}
	if (in->metadata != NULL)
	{
		values[WOESID_ATT_METADATA] = woesid_jsonb_from_doc(in->metadata, in->metadata_skip,
													 in->metadata_nskip);
		nulls[WOESID_ATT_METADATA] = false;
	}

	if (!verified)
	{
		values[WOESID_ATT_FAILURE] = constant_text(woesid_reason_code[in->reason]);
		nulls[WOESID_ATT_FAILURE] = false;
		return HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
	}

	if (in->email != NULL)
	{
		values[WOESID_ATT_EMAIL] = text_datum(in->email, in->email_len);
		nulls[WOESID_ATT_EMAIL] = false;
	}
	set_id(values, nulls, WOESID_ATT_CONTACT_ID, in->contact_id);
	set_id(values, nulls, WOESID_ATT_ACCOUNT_ID, in->account_id);
	if (in->claims != NULL)
	{
		values[WOESID_ATT_CLAIMS] = woesid_jsonb_from_doc(in->claims, NULL, 0);
		nulls[WOESID_ATT_CLAIMS] = false;
	}
	else if (in->claims_email)
	{
		values[WOESID_ATT_CLAIMS] = woesid_jsonb_email_object(in->email, in->email_len);
		nulls[WOESID_ATT_CLAIMS] = false;
	}
	if (in->has_times)
	{
		values[WOESID_ATT_ISSUED_AT] = TimestampTzGetDatum(timestamptz_from_unix(in->iat));
		values[WOESID_ATT_EXPIRES_AT] = TimestampTzGetDatum(timestamptz_from_unix(in->exp));
		nulls[WOESID_ATT_ISSUED_AT] = false;
		nulls[WOESID_ATT_EXPIRES_AT] = false;
	}
	if (in->key_id != NULL)
	{
		values[WOESID_ATT_KEY_ID] = text_datum(in->key_id, in->key_id_len);
		nulls[WOESID_ATT_KEY_ID] = false;
	}
	if (in->widget != NULL)
	{
		values[WOESID_ATT_WIDGET] = text_datum(in->widget, in->widget_len);
		nulls[WOESID_ATT_WIDGET] = false;
	}
	return HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
}
