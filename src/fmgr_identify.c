/*
 * fmgr_identify.c
 *		Verification through the widget registry: woesid_identify,
 *		woesid_authenticate, the woesid_current* accessors and the
 *		woesid_identify_trigger trigger function.
 *
 * Dispatches on the widget's mode and hands the work to the core; the
 * payload is the browser's identify JSON.  A JWT's kid selects the secret
 * (a kid that is not a string names none); otherwise every active secret
 * is tried and key_id reports the one that matched.  Like the pure
 * verifiers, nothing a visitor sends can raise.
 */
#include "woesid_fmgr.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/typcache.h"
#include "executor/spi.h"
#include "utils/datum.h"
#include "utils/inval.h"

#include "identity.h"
#include "registry.h"

PG_FUNCTION_INFO_V1(woesid_identify);
PG_FUNCTION_INFO_V1(woesid_authenticate);
PG_FUNCTION_INFO_V1(woesid_current);
PG_FUNCTION_INFO_V1(woesid_current_email);
PG_FUNCTION_INFO_V1(woesid_current_contact_id);
PG_FUNCTION_INFO_V1(woesid_current_account_id);
PG_FUNCTION_INFO_V1(woesid_identify_trigger);
PG_FUNCTION_INFO_V1(woesid_registry_changed);

/* What one identify call needs besides the payload. */
typedef struct identify_call
{
	woesid_call_cache *cache;
	TupleDesc	tupdesc;
	Oid			registry_fn;	/* a woesid function: locates the registry */
	TimestampTz now;
} identify_call;

/*
 * Untrusted metadata straight from the payload: every member but skip (if
 * given), or NULL when nothing is left.
 */
static Jsonb *
payload_metadata(Jsonb *payload, const char *skip)
{
	if (payload == NULL || !JB_ROOT_IS_OBJECT(payload))
		return NULL;
	if (skip == NULL)
		return payload;
	if (JB_ROOT_COUNT(payload) <= 1)
		return NULL;
	return DatumGetJsonbP(DirectFunctionCall2(jsonb_delete, JsonbPGetDatum(payload),
											  CStringGetTextDatum(skip)));
}

/*
 * The length to size an arena for: the core refuses anything longer than
 * woesid.max_token_bytes before touching the arena, so a huge visitor
 * value must not make a huge allocation either.
 */
static size_t
arena_len(size_t len)
{
	return len <= (size_t) woesid_max_token_bytes ? len : 0;
}

static int
active_keys(const woesid_widget *w, TimestampTz now)
{
	int			n = 0;

	for (int i = 0; i < w->nkeys; i++)
		n += woesid_key_active(&w->keys[i], now);
	return n;
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

/* jwt mode: the token is the payload's string member "jwt". */
static Datum
identify_jwt(identify_call *call, const woesid_widget *w, const char *public_key,
			 Jsonb *payload)
{
	woesid_claims_values values = {0};
	woesid_jwt_rules rules = {0};
	const woesid_widget_key *matched = NULL;
	JsonbValue *token = NULL;
	woesid_arena arena;
	woesid_jws	jws;
	woesid_jwt	jwt = {0};

	values.mode = "jwt";
	values.metadata_jsonb = payload_metadata(payload, "jwt");
	if (payload != NULL && JB_ROOT_IS_OBJECT(payload))
		token = getKeyJsonValueFromContainer(&payload->root, "jwt", 3, NULL);
	woesid_cache_arena(call->cache,
					   woesid_jwt_arena_bound(arena_len(token && token->type == jbvString ?
														(size_t) token->val.string.len : 0)),
					   &arena);

	if (active_keys(w, call->now) == 0)
		values.reason = WOESID_MISSING_SECRET;
	else if (token == NULL || token->type != jbvString || token->val.string.len == 0)
		values.reason = WOESID_MISSING;
	else
		values.reason = woesid_jws_open(token->val.string.val, token->val.string.len,
										woesid_max_token_bytes, &arena, &jws);
	if (values.reason != WOESID_OK)
		return woesid_claims_datum(call->tupdesc, &values);

	for (int i = 0; i < w->nkeys && matched == NULL; i++)
	{
		const woesid_widget_key *key = &w->keys[i];
		int			signed_by;

		if (!woesid_key_active(key, call->now) ||
			(jws.kid != NULL && !kid_names(jws.kid, key->key_id)))
			continue;
		signed_by = woesid_jws_signed_by(&jws, key->jwt_key);
		if (signed_by < 0)
			woesid_raise_mac_fault();
		if (signed_by == 1)
			matched = key;
	}
	if (matched == NULL)
	{
		values.reason = WOESID_BAD_SIGNATURE;
		return woesid_claims_datum(call->tupdesc, &values);
	}

	rules.now = woesid_unix_seconds(call->now);
	rules.clock_skew = woesid_clock_skew;
	rules.max_lifetime = woesid_jwt_max_lifetime;
	rules.check_audience = true;
	rules.audience = public_key;
	rules.audience_len = strlen(public_key);
	rules.require_email = true;
	woesid_jwt_check_claims(&jws, &rules, &arena, &jwt);

	woesid_values_from_jwt(&jwt, "jwt", &values);
	values.key_id = matched->key_id;
	values.key_id_len = strlen(matched->key_id);
	return woesid_claims_datum(call->tupdesc, &values);
}

/* hmac_email mode: the payload as woesid_hmac_email takes it. */
static Datum
identify_hmac_email(identify_call *call, const woesid_widget *w, Jsonb *payload)
{
	woesid_claims_values values = {0};
	woesid_hmac_result result = {0};
	const woesid_widget_key *matched = NULL;
	woesid_arena arena;
	const char *text = NULL;
	size_t		len = 0;

	values.mode = "hmac_email";
	values.claims_email = true;
	if (payload != NULL)
	{
		text = JsonbToCString(NULL, &payload->root, VARSIZE(payload));
		len = strlen(text);
	}
	if (active_keys(w, call->now) == 0)
		result.reason = WOESID_MISSING_SECRET;
	else
	{
		for (int i = 0; i < w->nkeys && matched == NULL; i++)
		{
			const woesid_widget_key *key = &w->keys[i];

			if (!woesid_key_active(key, call->now))
				continue;
			woesid_cache_arena(call->cache,
							   woesid_hmac_email_arena_bound(arena_len(len)), &arena);
			woesid_hmac_email_verify(text, len, key->hmac_key, woesid_max_token_bytes,
									 &arena, &result);
			if (result.fault)
				woesid_raise_mac_fault();
			if (result.reason == WOESID_OK)
				matched = key;
			else if (result.reason != WOESID_BAD_SIGNATURE)
				break;			/* the same for every key */
		}
	}

	values.reason = result.reason;
	values.email = result.email;
	values.email_len = result.email_len;
	if (result.parsed)
	{
		values.metadata = &result.payload;
		values.metadata_skip = woesid_hmac_signed_members;
		values.metadata_nskip = WOESID_HMAC_SIGNED_MEMBERS;
	}
	if (matched != NULL)
	{
		values.key_id = matched->key_id;
		values.key_id_len = strlen(matched->key_id);
	}
	return woesid_claims_datum(call->tupdesc, &values);
}

/* off mode, and unknown widgets: nothing is verified. */
static Datum
identify_unsigned(identify_call *call, const char *mode, woesid_reason reason,
				  Jsonb *payload)
{
	woesid_claims_values values = {0};

	values.mode = mode;
	values.reason = reason;
	if (mode != NULL)
		values.metadata_jsonb = payload_metadata(payload, NULL);
	return woesid_claims_datum(call->tupdesc, &values);
}

static Datum
identify(identify_call *call, text *public_key_text, Jsonb *payload)
{
	char	   *public_key;
	const woesid_widget *w = NULL;

	if (public_key_text == NULL)
		return identify_unsigned(call, NULL, WOESID_UNKNOWN_WIDGET, payload);
	public_key = text_to_cstring(public_key_text);
	w = woesid_registry_lookup(VARDATA_ANY(public_key_text),
							   VARSIZE_ANY_EXHDR(public_key_text), call->registry_fn);
	if (w == NULL)
		return identify_unsigned(call, NULL, WOESID_UNKNOWN_WIDGET, payload);
	if (strcmp(w->mode, "jwt") == 0)
		return identify_jwt(call, w, public_key, payload);
	if (strcmp(w->mode, "hmac_email") == 0)
		return identify_hmac_email(call, w, payload);
	return identify_unsigned(call, "off", WOESID_NOT_SIGNED, payload);
}

static Datum
identify_from_args(FunctionCallInfo fcinfo)
{
	identify_call call;

	call.cache = woesid_cache_get(fcinfo);
	call.tupdesc = woesid_cache_tupdesc(call.cache, fcinfo);
	call.registry_fn = fcinfo->flinfo->fn_oid;
	call.now = GetCurrentStatementStartTimestamp();
	return identify(&call,
					PG_ARGISNULL(0) ? NULL : PG_GETARG_TEXT_PP(0),
					PG_ARGISNULL(1) ? NULL : PG_GETARG_JSONB_P(1));
}

/* woesid_identify(public_key text, payload jsonb) */
Datum
woesid_identify(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(identify_from_args(fcinfo));
}

/* woesid_authenticate: identify, then set or clear the transaction's identity */
Datum
woesid_authenticate(PG_FUNCTION_ARGS)
{
	Datum		result = identify_from_args(fcinfo);
	HeapTupleHeader claims = DatumGetHeapTupleHeader(result);
	bool		isnull;

	woesid_identity_set(DatumGetBool(GetAttributeByNum(claims, 1, &isnull)) ?
						claims : NULL);
	PG_RETURN_DATUM(result);
}

/* woesid_current(): the transaction's identity, or an unverified "missing" */
Datum
woesid_current(PG_FUNCTION_ARGS)
{
	HeapTupleHeader current = woesid_identity_get();
	woesid_claims_values values = {0};

	if (current != NULL)
		PG_RETURN_DATUM(datumCopy(PointerGetDatum(current), false, -1));
	values.reason = WOESID_MISSING;
	PG_RETURN_DATUM(woesid_claims_datum(woesid_cache_tupdesc(woesid_cache_get(fcinfo),
															 fcinfo),
										&values));
}

static Datum
current_field(FunctionCallInfo fcinfo, int attnum)
{
	HeapTupleHeader current = woesid_identity_get();
	Datum		value;
	bool		isnull;

	if (current == NULL)
		PG_RETURN_NULL();
	value = GetAttributeByNum(current, attnum, &isnull);
	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(datumCopy(value, false, -1));
}

Datum
woesid_current_email(PG_FUNCTION_ARGS)
{
	return current_field(fcinfo, 3);
}

Datum
woesid_current_contact_id(PG_FUNCTION_ARGS)
{
	return current_field(fcinfo, 4);
}

Datum
woesid_current_account_id(PG_FUNCTION_ARGS)
{
	return current_field(fcinfo, 5);
}

/* The attribute number of the trigger argument naming a column of rel. */
static int
trigger_column(Relation rel, const char *name, Oid want_type, const char *role)
{
	int			attnum = SPI_fnumber(RelationGetDescr(rel), name);

	if (attnum <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" of relation \"%s\" does not exist",
						name, RelationGetRelationName(rel))));
	if (want_type != InvalidOid &&
		TupleDescAttr(RelationGetDescr(rel), attnum - 1)->atttypid != want_type)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s column \"%s\" must be of type %s",
						role, name, format_type_be(want_type))));
	return attnum;
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

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		TRIGGER_FIRED_BY_DELETE(trigdata->tg_event) ||
		TRIGGER_FIRED_BY_TRUNCATE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("woesid_identify_trigger must be fired BEFORE INSERT OR UPDATE FOR EACH ROW")));
	if (trigdata->tg_trigger->tgnargs != 3)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("woesid_identify_trigger takes three arguments: key_column, payload_column, result_column")));

	rel = trigdata->tg_relation;
	desc = RelationGetDescr(rel);
	tuple = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ?
		trigdata->tg_newtuple : trigdata->tg_trigtuple;
	key_att = trigger_column(rel, trigdata->tg_trigger->tgargs[0], TEXTOID, "key");
	payload_att = trigger_column(rel, trigdata->tg_trigger->tgargs[1], JSONBOID, "payload");
	result_att = trigger_column(rel, trigdata->tg_trigger->tgargs[2], InvalidOid, "result");

	call.cache = woesid_cache_get(fcinfo);
	call.tupdesc = woesid_cache_rowtype(call.cache,
										TupleDescAttr(desc, result_att - 1)->atttypid,
										fcinfo->flinfo->fn_oid);
	if (call.tupdesc == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("result column \"%s\" must be of type woesid_claims",
						trigdata->tg_trigger->tgargs[2])));
	call.registry_fn = fcinfo->flinfo->fn_oid;
	call.now = GetCurrentStatementStartTimestamp();

	key = heap_getattr(tuple, key_att, desc, &key_null);
	payload = heap_getattr(tuple, payload_att, desc, &payload_null);
	result = identify(&call, key_null ? NULL : DatumGetTextPP(key),
					  payload_null ? NULL : DatumGetJsonbP(payload));

	return PointerGetDatum(heap_modify_tuple_by_cols(tuple, desc, 1, &result_att,
													 &result, &result_null));
}

/* Statement trigger on the registry tables: flush every backend's cache. */
Datum
woesid_registry_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("woesid_registry_changed must be called as a trigger")));
	CacheInvalidateRelcache(trigdata->tg_relation);
	return PointerGetDatum(NULL);
}
