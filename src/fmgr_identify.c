/*
 * fmgr_identify.c
 *		Verification through the widget registry: woesid_identify and
 *		woesid_authenticate (text and jsonb payloads), the woesid_current*
 *		accessors and the woesid_identify_trigger trigger function.
 *
 * Looks the widget up, opens the payload once with the core's strict reader
 * (a jsonb payload is turned into text first: one reader for every path),
 * and hands the mode's member to the core.  A JWT's kid selects the secret;
 * a kid that names no active secret of the widget is unknown_key; otherwise
 * every active secret is tried and key_id reports the one that matched.  A
 * verified identity carries the widget it was verified for, so it can never
 * pass for another workspace's.  Like the pure verifiers, nothing a visitor
 * sends can raise.
 */
#include "woesid_fmgr.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/inval.h"
#include "utils/rel.h"

#include "citus.h"
#include "email_normalize.h"
#include "identity.h"
#include "registry.h"
#include "stat.h"

PG_FUNCTION_INFO_V1(woesid_identify);
PG_FUNCTION_INFO_V1(woesid_identify_text);
PG_FUNCTION_INFO_V1(woesid_authenticate);
PG_FUNCTION_INFO_V1(woesid_authenticate_text);
PG_FUNCTION_INFO_V1(woesid_current);
PG_FUNCTION_INFO_V1(woesid_current_email);
PG_FUNCTION_INFO_V1(woesid_current_contact_id);
PG_FUNCTION_INFO_V1(woesid_current_account_id);
PG_FUNCTION_INFO_V1(woesid_current_widget);
PG_FUNCTION_INFO_V1(woesid_current_tenant);
PG_FUNCTION_INFO_V1(woesid_identify_trigger);
PG_FUNCTION_INFO_V1(woesid_registry_changed);

/* What one identify call needs besides the key and payload. */
typedef struct identify_call
{
	woesid_call_cache *cache;
	TupleDesc	tupdesc;
	Oid			registry_fn;	/* a woesid function: locates the registry */
	TimestampTz now;
	const woesid_widget *widget;	/* set by identify: the widget, or NULL */
} identify_call;

/* Everything a verification's result points into, owned by identify(). */
typedef struct identify_state
{
	woesid_arena arena;
	woesid_payload payload;
	woesid_jwt	jwt;
	woesid_hmac_result hmac;
	woesid_claims_values values;
} identify_state;

/*
 * Arena bytes for a payload of len bytes: its parse, then a token's or an
 * email's.  The core refuses anything longer than woesid.max_token_bytes
 * before touching the arena, so a huge visitor value makes no huge
 * allocation either.
 */
static size_t
identify_arena_bound(size_t len)
{
	size_t		n = len <= (size_t) woesid_max_token_bytes ? len : 0;

	return woesid_payload_arena_bound(n) + woesid_jwt_arena_bound(n) +
		woesid_email_normalize_bound(n) + 16;
}

/* Whether key can verify in mode at time now. */
static bool
key_usable(const woesid_widget_key *key, woesid_mode mode, TimestampTz now)
{
	return woesid_key_active(key, now) &&
		(mode != WOESID_MODE_HMAC_EMAIL || key->hmac_key != NULL);
}

static bool
has_usable_key(const woesid_widget *w, TimestampTz now)
{
	for (int i = 0; i < w->nkeys; i++)
		if (key_usable(&w->keys[i], w->mode, now))
			return true;
	return false;
}

/*
 * Whether a token's kid names the key: only a string can, so a kid of
 * another type is present and names no secret.
 */
static bool
kid_names(const wj_node *kid, const char *key_id)
{
	return kid->type == WJ_STRING &&
		wj_name_equal(kid, key_id, (uint32_t) strlen(key_id));
}

/*
 * Untrusted metadata: the payload's members its mode's signature does not
 * cover.  off and hmac_email keep an empty object; jwt and variables give
 * NULL when the payload held nothing but the token.
 */
static void
set_metadata(identify_state *st, woesid_mode mode)
{
	const woesid_covered *covered = &woesid_mode_covered[mode];
	uint32_t	found[WOESID_HMAC_SIGNED_MEMBERS] = {0};
	uint32_t	present = 0;

	if (!st->payload.parsed)
		return;
	if (covered->n > 0)
		wj_members(&st->payload.doc, 0, covered->names, covered->n, found);
	for (int i = 0; i < covered->n; i++)
		present += found[i] != 0;
	if ((mode == WOESID_MODE_JWT || mode == WOESID_MODE_VARIABLES) &&
		st->payload.doc.nodes[0].count == present)
		return;
	st->values.metadata = &st->payload.doc;
	st->values.metadata_skip = covered->names;
	st->values.metadata_nskip = covered->n;
}

/* jwt and variables modes: the token in the payload's member. */
static void
verify_token(identify_call *call, const woesid_widget *w, identify_state *st)
{
	bool		variables = w->mode == WOESID_MODE_VARIABLES;
	const woesid_widget_key *matched = NULL;
	bool		named = false;
	woesid_jwt_rules rules = {0};
	woesid_jws	jws;

	st->values.reason = woesid_jws_open(st->payload.token->str, st->payload.token->len,
										woesid_max_token_bytes, &st->arena, &jws);
	if (st->values.reason != WOESID_OK)
		return;

	for (int i = 0; i < w->nkeys && matched == NULL; i++)
	{
		const woesid_widget_key *key = &w->keys[i];
		int			signed_by;

		if (!key_usable(key, w->mode, call->now) ||
			(jws.kid != NULL && !kid_names(jws.kid, key->key_id)))
			continue;
		named = true;
		signed_by = woesid_jws_signed_by(&jws, key->jwt_key);
		if (signed_by < 0)
			woesid_raise_mac_fault();
		if (signed_by == 1)
			matched = key;
	}
	if (matched == NULL)
	{
		st->values.reason = jws.kid != NULL && !named ?
			WOESID_UNKNOWN_KEY : WOESID_BAD_SIGNATURE;
		return;
	}

	rules.now = woesid_unix_seconds(call->now);
	rules.clock_skew = woesid_clock_skew;
	rules.max_lifetime = variables ? woesid_variables_max_lifetime :
		woesid_jwt_max_lifetime;
	rules.check_audience = !variables;
	rules.audience = w->public_key;
	rules.audience_len = strlen(w->public_key);
	rules.require_email = !variables;
	woesid_jwt_check_claims(&jws, &rules, &st->arena, &st->jwt);

	woesid_values_from_jwt(&st->jwt, woesid_mode_name[w->mode], &st->values);
	st->values.key_id = matched->key_id;
	st->values.key_id_len = strlen(matched->key_id);
}

/* hmac_email mode: the payload as woesid_hmac_email takes it. */
static void
verify_hmac_email(identify_call *call, const woesid_widget *w, identify_state *st)
{
	const woesid_widget_key *matched = NULL;

	st->values.claims_email = true;
	st->values.reason = woesid_hmac_email_read(&st->payload.doc, &st->arena, &st->hmac);
	for (int i = 0; i < w->nkeys && st->values.reason == WOESID_OK && matched == NULL; i++)
	{
		const woesid_widget_key *key = &w->keys[i];

		if (!key_usable(key, w->mode, call->now))
			continue;
		if (woesid_hmac_email_signed_by(&st->hmac, key->hmac_key))
			matched = key;
		else if (st->hmac.fault)
		{
			woesid_hmac_email_forget(&st->hmac);
			woesid_raise_mac_fault();
		}
	}
	woesid_hmac_email_forget(&st->hmac);
	if (st->values.reason != WOESID_OK)
		return;
	if (matched == NULL)
	{
		st->values.reason = WOESID_BAD_SIGNATURE;
		return;
	}
	st->values.email = st->hmac.email;
	st->values.email_len = st->hmac.email_len;
	st->values.key_id = matched->key_id;
	st->values.key_id_len = strlen(matched->key_id);
}

/*
 * Verifies payload[0..len) (NULL with a length: too large to have been
 * read) for the widget registered under public_key.
 */
static Datum
identify(identify_call *call, text *public_key, const char *payload, size_t len)
{
	const woesid_widget *w = NULL;
	identify_state st;

	memset(&st, 0, sizeof(st));
	if (public_key != NULL)
		w = woesid_registry_lookup(VARDATA_ANY(public_key),
								   VARSIZE_ANY_EXHDR(public_key), call->registry_fn);
	call->widget = w;
	if (w == NULL)
	{
		st.values.reason = WOESID_UNKNOWN_WIDGET;
		woesid_stat_count(NULL, 0, WOESID_STAT_NO_MODE, st.values.reason, NULL, 0);
		return woesid_claims_datum(call->tupdesc, &st.values);
	}

	st.values.mode = woesid_mode_name[w->mode];
	woesid_cache_arena(call->cache, identify_arena_bound(len), &st.arena);
	woesid_payload_open(payload, len, woesid_max_token_bytes, w->mode, &st.arena,
						&st.payload);
	set_metadata(&st, w->mode);

	if (w->mode == WOESID_MODE_OFF)
		st.values.reason = WOESID_NOT_SIGNED;
	else if (!has_usable_key(w, call->now))
		st.values.reason = WOESID_MISSING_SECRET;
	else if (st.payload.reason != WOESID_OK)
		st.values.reason = st.payload.reason;
	else if (w->mode == WOESID_MODE_HMAC_EMAIL)
		verify_hmac_email(call, w, &st);
	else
		verify_token(call, w, &st);

	st.values.widget = w->public_key;
	st.values.widget_len = strlen(w->public_key);
	woesid_stat_count(st.values.widget, st.values.widget_len, w->mode, st.values.reason,
					  st.values.key_id, st.values.key_id_len);
	return woesid_claims_datum(call->tupdesc, &st.values);
}

/* Everything but the result descriptor, which callers find their own way. */
static void
init_call(identify_call *call, FunctionCallInfo fcinfo)
{
	call->cache = woesid_cache_get(fcinfo);
	call->registry_fn = fcinfo->flinfo->fn_oid;
	call->now = GetCurrentStatementStartTimestamp();
	call->widget = NULL;
}

/* (public_key text, payload text or jsonb) */
static Datum
identify_from_args(FunctionCallInfo fcinfo, bool jsonb, identify_call *call)
{
	const char *payload;
	size_t		len;

	init_call(call, fcinfo);
	call->tupdesc = woesid_cache_tupdesc(call->cache, fcinfo);
	if (jsonb)
		woesid_visitor_jsonb(PG_GETARG_DATUM(1), PG_ARGISNULL(1),
							 woesid_max_token_bytes, &payload, &len);
	else
		woesid_visitor_text(PG_GETARG_DATUM(1), PG_ARGISNULL(1),
							woesid_max_token_bytes, &payload, &len);
	return identify(call, PG_ARGISNULL(0) ? NULL : PG_GETARG_TEXT_PP(0), payload, len);
}

/* identify, then set (verified) or clear the transaction's identity */
static Datum
authenticate(FunctionCallInfo fcinfo, bool jsonb)
{
	identify_call call;
	Datum		result = identify_from_args(fcinfo, jsonb, &call);
	HeapTupleHeader claims = DatumGetHeapTupleHeader(result);
	bool		isnull;
	Datum		expires_at;

	if (!DatumGetBool(GetAttributeByNum(claims, WOESID_ATT_VERIFIED + 1, &isnull)))
	{
		woesid_identity_set(NULL, NULL, DT_NOEND);
		woesid_citus_forward(NULL, NULL, DT_NOEND, call.registry_fn);
		PG_RETURN_DATUM(result);
	}
	expires_at = GetAttributeByNum(claims, WOESID_ATT_EXPIRES_AT + 1, &isnull);
	woesid_identity_set(claims, call.widget->tenant,
						isnull ? DT_NOEND : DatumGetTimestampTz(expires_at));
	woesid_citus_forward(claims, call.widget->tenant,
						 isnull ? DT_NOEND : DatumGetTimestampTz(expires_at),
						 call.registry_fn);
	PG_RETURN_DATUM(result);
}

Datum
woesid_identify(PG_FUNCTION_ARGS)
{
	identify_call call;

	PG_RETURN_DATUM(identify_from_args(fcinfo, true, &call));
}

Datum
woesid_identify_text(PG_FUNCTION_ARGS)
{
	identify_call call;

	PG_RETURN_DATUM(identify_from_args(fcinfo, false, &call));
}

Datum
woesid_authenticate(PG_FUNCTION_ARGS)
{
	return authenticate(fcinfo, true);
}

Datum
woesid_authenticate_text(PG_FUNCTION_ARGS)
{
	return authenticate(fcinfo, false);
}

/* woesid_current(): the transaction's identity, or an unverified row saying why not */
Datum
woesid_current(PG_FUNCTION_ARGS)
{
	woesid_claims_values values = {0};
	const woesid_identity *identity = woesid_identity_get(&values.reason);

	if (identity != NULL)
		PG_RETURN_DATUM(datumCopy(PointerGetDatum(identity->claims), false, -1));
	PG_RETURN_DATUM(woesid_claims_datum(woesid_cache_tupdesc(woesid_cache_get(fcinfo),
															 fcinfo),
										&values));
}

static Datum
current_field(FunctionCallInfo fcinfo, int att)
{
	woesid_reason reason;
	const woesid_identity *identity = woesid_identity_get(&reason);
	Datum		value;
	bool		isnull;

	if (identity == NULL)
		PG_RETURN_NULL();
	value = GetAttributeByNum(identity->claims, att + 1, &isnull);
	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(datumCopy(value, false, -1));
}

Datum
woesid_current_email(PG_FUNCTION_ARGS)
{
	return current_field(fcinfo, WOESID_ATT_EMAIL);
}

Datum
woesid_current_contact_id(PG_FUNCTION_ARGS)
{
	return current_field(fcinfo, WOESID_ATT_CONTACT_ID);
}

Datum
woesid_current_account_id(PG_FUNCTION_ARGS)
{
	return current_field(fcinfo, WOESID_ATT_ACCOUNT_ID);
}

Datum
woesid_current_widget(PG_FUNCTION_ARGS)
{
	return current_field(fcinfo, WOESID_ATT_WIDGET);
}

Datum
woesid_current_tenant(PG_FUNCTION_ARGS)
{
	woesid_reason reason;
	const woesid_identity *identity = woesid_identity_get(&reason);

	if (identity == NULL || identity->tenant == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(identity->tenant));
}

/* The attribute number of the column a trigger argument names. */
static int
trigger_column(Relation rel, const char *name)
{
	int			attnum = SPI_fnumber(RelationGetDescr(rel), name);

	if (attnum <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" of relation \"%s\" does not exist",
						name, RelationGetRelationName(rel))));
	return attnum;
}

static Oid
column_type(Relation rel, int attnum)
{
	return TupleDescAttr(RelationGetDescr(rel), attnum - 1)->atttypid;
}

/* Whether column attnum holds the same value in both tuples. */
static bool
same_column(TupleDesc desc, int attnum, HeapTuple a, HeapTuple b)
{
	Form_pg_attribute att = TupleDescAttr(desc, attnum - 1);
	bool		a_null,
				b_null;
	Datum		a_value = heap_getattr(a, attnum, desc, &a_null);
	Datum		b_value = heap_getattr(b, attnum, desc, &b_null);

	if (a_null || b_null)
		return a_null && b_null;
	return datum_image_eq(a_value, b_value, att->attbyval, att->attlen);
}

/*
 * BEFORE INSERT OR UPDATE FOR EACH ROW EXECUTE FUNCTION
 *   woesid_identify_trigger(key_column, payload_column, result_column)
 */
Datum
woesid_identify_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Relation	rel;
	TupleDesc	desc;
	HeapTuple	tuple;
	identify_call call;
	int			key_att,
				payload_att,
				result_att;
	Datum		key,
				payload,
				result;
	bool		key_null,
				payload_null,
				result_null = false;
	const char *payload_bytes;
	size_t		payload_len;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		TRIGGER_FIRED_BY_DELETE(trigdata->tg_event) ||
		TRIGGER_FIRED_BY_TRUNCATE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired BEFORE INSERT OR UPDATE FOR EACH ROW",
						"woesid_identify_trigger")));
	if (trigdata->tg_trigger->tgnargs != 3)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" takes three arguments",
						"woesid_identify_trigger"),
				 errhint("Name the key, payload and result columns.")));

	rel = trigdata->tg_relation;
	desc = RelationGetDescr(rel);
	key_att = trigger_column(rel, trigdata->tg_trigger->tgargs[0]);
	payload_att = trigger_column(rel, trigdata->tg_trigger->tgargs[1]);
	result_att = trigger_column(rel, trigdata->tg_trigger->tgargs[2]);
	if (column_type(rel, key_att) != TEXTOID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("key column \"%s\" must be of type text",
						trigdata->tg_trigger->tgargs[0])));
	if (column_type(rel, payload_att) != JSONBOID &&
		column_type(rel, payload_att) != TEXTOID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("payload column \"%s\" must be of type jsonb or text",
						trigdata->tg_trigger->tgargs[1])));
	init_call(&call, fcinfo);
	call.tupdesc = woesid_cache_rowtype(call.cache, column_type(rel, result_att),
										fcinfo->flinfo->fn_oid);
	if (call.tupdesc == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("result column \"%s\" must be of type woesid_claims",
						trigdata->tg_trigger->tgargs[2])));

	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
	{
		tuple = trigdata->tg_newtuple;
		/* The same key and payload: the stored verdict stands, unchanged. */
		if (same_column(desc, key_att, trigdata->tg_trigtuple, tuple) &&
			same_column(desc, payload_att, trigdata->tg_trigtuple, tuple))
		{
			result = heap_getattr(trigdata->tg_trigtuple, result_att, desc, &result_null);
			return PointerGetDatum(heap_modify_tuple_by_cols(tuple, desc, 1, &result_att,
															 &result, &result_null));
		}
	}
	else
		tuple = trigdata->tg_trigtuple;

	key = heap_getattr(tuple, key_att, desc, &key_null);
	payload = heap_getattr(tuple, payload_att, desc, &payload_null);
	if (column_type(rel, payload_att) == JSONBOID)
		woesid_visitor_jsonb(payload, payload_null, woesid_max_token_bytes,
							 &payload_bytes, &payload_len);
	else
		woesid_visitor_text(payload, payload_null, woesid_max_token_bytes,
							&payload_bytes, &payload_len);
	result = identify(&call, key_null ? NULL : DatumGetTextPP(key),
					  payload_bytes, payload_len);

	return PointerGetDatum(heap_modify_tuple_by_cols(tuple, desc, 1, &result_att,
													 &result, &result_null));
}

/* Row and TRUNCATE triggers on the registry tables: flush every backend's cache. */
Datum
woesid_registry_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired by a trigger",
						"woesid_registry_changed")));
	CacheInvalidateRelcache(trigdata->tg_relation);
	return PointerGetDatum(NULL);
}
