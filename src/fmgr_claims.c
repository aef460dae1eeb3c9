/*
 * fmgr_claims.c
 *		Builds woesid_claims rows from core results.
 *
 * The one place where fail-closed is enforced for every caller: unless the
 * reason is WOESID_OK, email, the ids, claims, issued_at, expires_at and
 * key_id are NULL whatever the caller passed.  jsonb values are built
 * straight from the parsed nodes (no re-parsing of text); the JSON reader
 * already refused anything jsonb could not store, so nothing here can raise
 * because of visitor input.
 */
#include "woesid_fmgr.h"

#include <math.h>

#include "access/htup_details.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

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

static Datum
text_datum(const char *str, size_t len)
{
	return PointerGetDatum(cstring_to_text_with_len(str, (int) len));
}

/* A NUMBER node as numeric: integer literals skip numeric_in's parser. */
static Numeric
numeric_value(const wj_node *node)
{
	if (node->len <= 18 && woesid_json_is_integer(node))
	{
		int64		value = 0;
		bool		negative = node->str[0] == '-';

		for (uint32_t i = negative; i < node->len; i++)
			value = value * 10 + (node->str[i] - '0');
#if PG_VERSION_NUM >= 140000
		return int64_to_numeric(negative ? -value : value);
#else
		return DatumGetNumeric(DirectFunctionCall1(int8_numeric,
												   Int64GetDatum(negative ? -value : value)));
#endif
	}
	/* The JSON reader only accepts numbers numeric can store. */
	return DatumGetNumeric(DirectFunctionCall3(numeric_in,
											   CStringGetDatum(pnstrdup(node->str, node->len)),
											   ObjectIdGetDatum(InvalidOid),
											   Int32GetDatum(-1)));
}

static void
string_value(const char *str, size_t len, JsonbValue *v)
{
	v->type = jbvString;
	v->val.string.val = (char *) str;
	v->val.string.len = (int) len;
}

/* jsonb's key order (shorter first, then bytewise), as uniqueifyJsonbObject. */
static int
key_order(const void *a, const void *b)
{
	const JsonbValue *ka = &((const JsonbPair *) a)->key;
	const JsonbValue *kb = &((const JsonbPair *) b)->key;

	if (ka->val.string.len != kb->val.string.len)
		return ka->val.string.len < kb->val.string.len ? -1 : 1;
	return memcmp(ka->val.string.val, kb->val.string.val, ka->val.string.len);
}

static void
sort_pairs(JsonbPair *pairs, int n)
{
	if (n > 16)
	{
		qsort(pairs, n, sizeof(JsonbPair), key_order);
		return;
	}
	for (int i = 1; i < n; i++)
	{
		JsonbPair	p = pairs[i];
		int			j = i;

		for (; j > 0 && key_order(&pairs[j - 1], &p) > 0; j--)
			pairs[j] = pairs[j - 1];
		pairs[j] = p;
	}
}

static bool
skipped(const wj_node *key, const char *const *skip)
{
	for (; skip != NULL && *skip != NULL; skip++)
		if (strlen(*skip) == key->len && memcmp(*skip, key->str, key->len) == 0)
			return true;
	return false;
}

/*
 * Builds the JsonbValue of the node at index straight from the parse, with
 * object keys in jsonb's order (the reader already refused duplicates), so
 * no pushJsonbValue pass re-sorts them.  Object members named in skip are
 * left out.  Returns the index past the node's subtree.
 */
static uint32_t
build_value(const wj_doc *doc, uint32_t index, const char *const *skip, JsonbValue *v)
{
	const wj_node *node = &doc->nodes[index];
	uint32_t	i;
	int			n = 0;

	switch ((wj_type) node->type)
	{
		case WJ_NULL:
			v->type = jbvNull;
			break;
		case WJ_FALSE:
		case WJ_TRUE:
			v->type = jbvBool;
			v->val.boolean = node->type == WJ_TRUE;
			break;
		case WJ_NUMBER:
			v->type = jbvNumeric;
			v->val.numeric = numeric_value(node);
			break;
		case WJ_STRING:
			string_value(node->str, node->len, v);
			break;
		case WJ_OBJECT:
			v->type = jbvObject;
			v->val.object.pairs = palloc(sizeof(JsonbPair) * Max(node->count, 1));
			for (i = index + 1; i < node->next; i = doc->nodes[i + 1].next)
			{
				JsonbPair  *pair = &v->val.object.pairs[n];

				if (skipped(&doc->nodes[i], skip))
					continue;
				string_value(doc->nodes[i].str, doc->nodes[i].len, &pair->key);
				pair->order = n++;
				build_value(doc, i + 1, NULL, &pair->value);
			}
			sort_pairs(v->val.object.pairs, n);
			v->val.object.nPairs = n;
			break;
		case WJ_ARRAY:
			v->type = jbvArray;
			v->val.array.rawScalar = false;
			v->val.array.elems = palloc(sizeof(JsonbValue) * Max(node->count, 1));
			for (i = index + 1; i < node->next; n++)
				i = build_value(doc, i, NULL, &v->val.array.elems[n]);
			v->val.array.nElems = n;
			break;
	}
	return node->next;
}

static Datum
jsonb_from_doc(const wj_doc *doc, const char *const *skip)
{
	JsonbValue	root;

	/* Only objects reach here: a root scalar would need a raw-scalar array. */
	Assert(doc->nodes[0].type == WJ_OBJECT);
	build_value(doc, 0, skip, &root);
	return JsonbPGetDatum(JsonbValueToJsonb(&root));
}

static Datum
jsonb_email_object(const char *email, size_t len)
{
	JsonbPair	pair;
	JsonbValue	root;

	string_value("email", 5, &pair.key);
	string_value(email, len, &pair.value);
	pair.order = 0;
	root.type = jbvObject;
	root.val.object.nPairs = 1;
	root.val.object.pairs = &pair;
	return JsonbPGetDatum(JsonbValueToJsonb(&root));
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
	if (jwt->kid != NULL)
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
		values[ATT_MODE] = CStringGetTextDatum(in->mode);
		nulls[ATT_MODE] = false;
	}
	if (in->metadata_jsonb != NULL)
	{
		values[ATT_METADATA] = JsonbPGetDatum(in->metadata_jsonb);
		nulls[ATT_METADATA] = false;
	}
	else if (in->metadata != NULL)
	{
		values[ATT_METADATA] = jsonb_from_doc(in->metadata, in->metadata_skip);
		nulls[ATT_METADATA] = false;
	}

	if (!verified)
	{
		values[ATT_FAILURE] = CStringGetTextDatum(woesid_reason_code[in->reason]);
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
		values[ATT_CLAIMS] = jsonb_from_doc(in->claims, NULL);
		nulls[ATT_CLAIMS] = false;
	}
	else if (in->claims_email)
	{
		values[ATT_CLAIMS] = jsonb_email_object(in->email, in->email_len);
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
