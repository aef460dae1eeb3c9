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

enum
{
	ATT_VERIFIED,
	ATT_MODE,
	ATT_EMAIL,
	ATT_CONTACT_ID,
	ATT_ACCOUNT_ID,
	ATT_CLAIMS,
	ATT_METADATA,
	ATT_ISSUED_AT,
	ATT_EXPIRES_AT,
	ATT_KEY_ID,
	ATT_FAILURE,
	NUM_ATTS
};

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
	Datum		values[NUM_ATTS];
	bool		nulls[NUM_ATTS];
	bool		verified = in->reason == WOESID_OK;

	Assert(tupdesc->natts == NUM_ATTS);
	memset(nulls, true, sizeof(nulls));

	values[ATT_VERIFIED] = BoolGetDatum(verified);
	nulls[ATT_VERIFIED] = false;
	if (in->mode != NULL)
	{
		values[ATT_MODE] = constant_text(in->mode);
		nulls[ATT_MODE] = false;
	}
	if (in->metadata_jsonb != NULL)
	{
		values[ATT_METADATA] = JsonbPGetDatum(in->metadata_jsonb);
		nulls[ATT_METADATA] = false;
	}
	else if (in->metadata != NULL)
	{
		values[ATT_METADATA] = woesid_jsonb_from_doc(in->metadata, in->metadata_skip,
													 in->metadata_nskip);
		nulls[ATT_METADATA] = false;
	}

	if (!verified)
	{
		values[ATT_FAILURE] = constant_text(woesid_reason_code[in->reason]);
		nulls[ATT_FAILURE] = false;
		return HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
	}

	if (in->email != NULL)
	{
		values[ATT_EMAIL] = text_datum(in->email, in->email_len);
		nulls[ATT_EMAIL] = false;
	}
	set_id(values, nulls, ATT_CONTACT_ID, in->contact_id);
	set_id(values, nulls, ATT_ACCOUNT_ID, in->account_id);
	if (in->claims != NULL)
	{
		values[ATT_CLAIMS] = woesid_jsonb_from_doc(in->claims, NULL, 0);
		nulls[ATT_CLAIMS] = false;
	}
	else if (in->claims_email)
	{
		values[ATT_CLAIMS] = woesid_jsonb_email_object(in->email, in->email_len);
		nulls[ATT_CLAIMS] = false;
	}
	if (in->has_times)
	{
		values[ATT_ISSUED_AT] = TimestampTzGetDatum(timestamptz_from_unix(in->iat));
		values[ATT_EXPIRES_AT] = TimestampTzGetDatum(timestamptz_from_unix(in->exp));
		nulls[ATT_ISSUED_AT] = false;
		nulls[ATT_EXPIRES_AT] = false;
	}
	if (in->key_id != NULL)
	{
		values[ATT_KEY_ID] = text_datum(in->key_id, in->key_id_len);
		nulls[ATT_KEY_ID] = false;
	}
	return HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
}
