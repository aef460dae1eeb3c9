/*
 * fmgr_verify.c
 *		SQL entry points of the pure verifiers: woesid_verify_jwt,
 *		woesid_verify_variables, woesid_hmac_email, woesid_email_hash,
 *		woesid_normalize_email, woesid_trusted, woesid_require.
 *
 * Reads arguments and settings, calls the core once, converts the result.
 * Never raises because of a token or payload: oversized values are refused
 * by their stored size before being detoasted, and every other verdict comes
 * from the core as a reason code.  Never puts a secret or token in a message.
 */
#include "woesid_fmgr.h"

#include "access/detoast.h"
#include "access/htup_details.h"
#include "access/xact.h"
#include "executor/executor.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "email_normalize.h"
#include "stat.h"

PG_FUNCTION_INFO_V1(woesid_verify_jwt);
PG_FUNCTION_INFO_V1(woesid_verify_variables);
PG_FUNCTION_INFO_V1(woesid_hmac_email);
PG_FUNCTION_INFO_V1(woesid_email_hash);
PG_FUNCTION_INFO_V1(woesid_normalize_email);
PG_FUNCTION_INFO_V1(woesid_trusted);
PG_FUNCTION_INFO_V1(woesid_require);

/* A text or bytea argument's bytes (NULL for SQL NULL). */
static void
arg_bytes(FunctionCallInfo fcinfo, int arg, const char **data, size_t *len)
{
	bytea	   *b;

	*data = NULL;
	*len = 0;
	if (PG_ARGISNULL(arg))
		return;
	b = PG_GETARG_BYTEA_PP(arg);
	*data = VARDATA_ANY(b);
	*len = VARSIZE_ANY_EXHDR(b);
}

/* The verification time: the at argument if the call has one, else now. */
static double
verification_time(FunctionCallInfo fcinfo, int at_arg)
{
	if (PG_NARGS() <= at_arg)
		return woesid_unix_seconds(GetCurrentStatementStartTimestamp());
	/* An unknown time can never show a token valid. */
	if (PG_ARGISNULL(at_arg))
		return get_float8_infinity();
	return woesid_unix_seconds(PG_GETARG_TIMESTAMPTZ(at_arg));
}

/*
 * Shared by woesid_verify_jwt (token, secret, audience [, at]) and
 * woesid_verify_variables (token, secret [, at]).
 */
static Datum
verify_token(FunctionCallInfo fcinfo, bool widget)
{
	woesid_call_cache *cache = woesid_cache_get(fcinfo);
	woesid_inputs in = {0};
	woesid_jwt_rules rules = {0};
	woesid_claims_values values = {0};
	woesid_arena arena;
	woesid_jwt	jwt;
	Datum		result;

	woesid_visitor_text(PG_GETARG_DATUM(0), PG_ARGISNULL(0), woesid_max_token_bytes,
						&in.part[0], &in.len[0]);
	arg_bytes(fcinfo, 1, &in.part[1], &in.len[1]);
	if (widget)
		arg_bytes(fcinfo, 2, &in.part[2], &in.len[2]);
	rules.now = verification_time(fcinfo, widget ? 3 : 2);
	rules.clock_skew = woesid_clock_skew;
	rules.max_lifetime = widget ? woesid_jwt_max_lifetime :
		woesid_variables_max_lifetime;
	rules.check_audience = widget;
	rules.audience = in.part[2];
	rules.audience_len = in.len[2];
	rules.require_email = widget;
	in.numbers[0] = rules.now;
	in.numbers[1] = rules.clock_skew;
	in.numbers[2] = rules.max_lifetime;
	in.numbers[3] = woesid_max_token_bytes;
	if (woesid_cache_recall(cache, &in, &result))
		return result;

	woesid_cache_arena(cache, in.part[0] ? woesid_jwt_arena_bound(in.len[0]) : 0,
					   &arena);
	woesid_jwt_verify(in.part[0], in.len[0],
					  woesid_cache_key(cache, in.part[1], in.len[1]),
					  woesid_max_token_bytes, &rules, &arena, &jwt);
	if (jwt.fault)
		woesid_raise_mac_fault();

	woesid_values_from_jwt(&jwt, widget ? "jwt" : "variables", &values);
	if (widget)
	{
		values.widget = in.part[2];
		values.widget_len = in.len[2];
	}
	woesid_stat_count(values.widget, values.widget_len,
					  widget ? WOESID_MODE_JWT : WOESID_MODE_VARIABLES, values.reason,
					  woesid_stat_signed(values.reason) ? values.key_id : NULL,
					  values.key_id_len);
	result = woesid_claims_datum(woesid_cache_tupdesc(cache, fcinfo), &values);
	woesid_cache_remember(cache, &in, result);
	return result;
}

Datum
woesid_verify_jwt(PG_FUNCTION_ARGS)
{
	return verify_token(fcinfo, true);
}

Datum
woesid_verify_variables(PG_FUNCTION_ARGS)
{
	return verify_token(fcinfo, false);
}

/* woesid_hmac_email(identify_payload text, secret bytea) */
Datum
woesid_hmac_email(PG_FUNCTION_ARGS)
{
	woesid_call_cache *cache = woesid_cache_get(fcinfo);
	woesid_inputs in = {0};
	woesid_claims_values values = {0};
	woesid_hmac_result hmac;
	woesid_arena arena;
	Datum		result;

	woesid_visitor_text(PG_GETARG_DATUM(0), PG_ARGISNULL(0), woesid_max_token_bytes,
						&in.part[0], &in.len[0]);
	arg_bytes(fcinfo, 1, &in.part[1], &in.len[1]);
	in.numbers[0] = woesid_max_token_bytes;
	if (woesid_cache_recall(cache, &in, &result))
		PG_RETURN_DATUM(result);

	woesid_cache_arena(cache,
					   in.part[0] ? woesid_hmac_email_arena_bound(in.len[0]) : 0, &arena);
	woesid_hmac_email_verify(in.part[0], in.len[0],
							 woesid_cache_key(cache, in.part[1], in.len[1]),
							 woesid_max_token_bytes, &arena, &hmac);
	if (hmac.fault)
		woesid_raise_mac_fault();

	values.reason = hmac.reason;
	values.mode = "hmac_email";
	values.email = hmac.email;
	values.email_len = hmac.email_len;
	values.claims_email = true;
	if (hmac.parsed)
	{
		values.metadata = &hmac.payload;
		values.metadata_skip = woesid_hmac_signed_members;
		values.metadata_nskip = WOESID_HMAC_SIGNED_MEMBERS;
	}
	woesid_stat_count(NULL, 0, WOESID_MODE_HMAC_EMAIL, values.reason, NULL, 0);
	result = woesid_claims_datum(woesid_cache_tupdesc(cache, fcinfo), &values);
	woesid_cache_remember(cache, &in, result);
	PG_RETURN_DATUM(result);
}

/* woesid_email_hash(email text, secret bytea): the hex HMAC a backend sends */
Datum
woesid_email_hash(PG_FUNCTION_ARGS)
{
	woesid_call_cache *cache = woesid_cache_get(fcinfo);
	text	   *email = PG_GETARG_TEXT_PP(0);
	bytea	   *secret = PG_GETARG_BYTEA_PP(1);
	size_t		len = VARSIZE_ANY_EXHDR(email);
	woesid_mac_key *key;
	char	   *scratch;
	char		hex[2 * WOESID_MAC_LEN];
	text	   *result;

	if (VARSIZE_ANY_EXHDR(secret) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("secret must not be empty")));
	key = woesid_cache_key(cache, VARDATA_ANY(secret), VARSIZE_ANY_EXHDR(secret));
	scratch = palloc(woesid_email_normalize_bound(len));
	if (!woesid_email_hmac_hex(VARDATA_ANY(email), len, key, scratch, hex))
		woesid_raise_mac_fault();
	pfree(scratch);
	result = cstring_to_text_with_len(hex, sizeof(hex));
	woesid_cleanse(hex, sizeof(hex));
	PG_RETURN_TEXT_P(result);
}

/* woesid_normalize_email(email text): JavaScript's trim().toLowerCase() */
Datum
woesid_normalize_email(PG_FUNCTION_ARGS)
{
	text	   *email = PG_GETARG_TEXT_PP(0);
	size_t		len = VARSIZE_ANY_EXHDR(email);
	text	   *result = palloc(VARHDRSZ + woesid_email_normalize_bound(len));

	SET_VARSIZE(result, VARHDRSZ +
				woesid_email_normalize(VARDATA_ANY(email), len, VARDATA(result)));
	PG_RETURN_TEXT_P(result);
}


static bool
identity_verified(HeapTupleHeader identity)
{
	bool		isnull;
	Datum		verified = GetAttributeByNum(identity, WOESID_ATT_VERIFIED + 1, &isnull);

	return !isnull && DatumGetBool(verified);
}

/* woesid_trusted(identity woesid_claims, name text): a verified claim as text */
Datum
woesid_trusted(PG_FUNCTION_ARGS)
{
	HeapTupleHeader identity = PG_GETARG_HEAPTUPLEHEADER(0);
	text	   *name = PG_GETARG_TEXT_PP(1);
	Datum		claims_datum;
	Jsonb	   *claims;
	JsonbValue *v;
	bool		isnull;

	if (!identity_verified(identity))
		PG_RETURN_NULL();
	claims_datum = GetAttributeByNum(identity, WOESID_ATT_CLAIMS + 1, &isnull);
	if (isnull)
		PG_RETURN_NULL();
	claims = DatumGetJsonbP(claims_datum);
	if (!JB_ROOT_IS_OBJECT(claims))
		PG_RETURN_NULL();
	v = getKeyJsonValueFromContainer(&claims->root, VARDATA_ANY(name),
									 VARSIZE_ANY_EXHDR(name), NULL);
	if (v == NULL)
		PG_RETURN_NULL();
	switch (v->type)
	{
		case jbvString:
			PG_RETURN_TEXT_P(cstring_to_text_with_len(v->val.string.val,
													  v->val.string.len));
		case jbvNumeric:
			PG_RETURN_TEXT_P(cstring_to_text(DatumGetCString(DirectFunctionCall1(numeric_out,
																				 NumericGetDatum(v->val.numeric)))));
		case jbvBool:
			PG_RETURN_TEXT_P(cstring_to_text(v->val.boolean ? "true" : "false"));
		case jbvBinary:
			PG_RETURN_TEXT_P(cstring_to_text(JsonbToCString(NULL, v->val.binary.data,
															v->val.binary.len)));
		default:
			PG_RETURN_NULL();
	}
}

/*
 * The reason code a failure field names, as a constant: anyone can build a
 * woesid_claims value, so its text never reaches a message.
 */
static const char *
known_reason_code(const text *failure)
{
	for (int r = 1; r < WOESID_REASON_COUNT; r++)
		if (strlen(woesid_reason_code[r]) == VARSIZE_ANY_EXHDR(failure) &&
			memcmp(woesid_reason_code[r], VARDATA_ANY(failure),
				   VARSIZE_ANY_EXHDR(failure)) == 0)
			return woesid_reason_code[r];
	return "unknown";
}

/* woesid_require(identity woesid_claims): identity, or an error if unverified */
Datum
woesid_require(PG_FUNCTION_ARGS)
{
	HeapTupleHeader identity;
	Datum		failure = (Datum) 0;
	bool		isnull = true;

	if (!PG_ARGISNULL(0))
	{
		identity = PG_GETARG_HEAPTUPLEHEADER(0);
		if (identity_verified(identity))
			PG_RETURN_HEAPTUPLEHEADER(identity);
		failure = GetAttributeByNum(identity, WOESID_ATT_FAILURE + 1, &isnull);
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
			 errmsg("visitor identity is not verified"),
			 errdetail("Reason code: %s.",
					   isnull ? woesid_reason_code[WOESID_MISSING] :
					   known_reason_code(DatumGetTextPP(failure)))));
	PG_RETURN_NULL();
}
