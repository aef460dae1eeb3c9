/*
 * jwt.c
 *		JWT claim rules (rules 4-7 of the reference, docs/reference.md) for
 *		widget identity tokens and signed variables, and the one-key
 *		verification pipeline.
 *
 * Runs only on a payload whose signature has been checked; until then the
 * payload is not even decoded.  Reason codes are decided in the reference's
 * order.
 * Never trusts a claim's type: every member is checked before it is read.
 */
#include <math.h>
#include <string.h>

#include "base64url.h"
#include "core.h"
#include "email_normalize.h"

size_t
woesid_jwt_arena_bound(size_t token_len)
{
	size_t		decoded = woesid_b64url_decoded_bound(token_len);

	/* header, signature and payload bytes, both parses, the email, slack */
	return 3 * decoded + 2 * wj_arena_bound(decoded) +
		woesid_email_normalize_bound(decoded) + 64;
}

/* A time claim's value, or false when it is not a number in range. */
static bool
time_claim(const wj_doc *doc, uint32_t index, double *out)
{
	const wj_node *node = &doc->nodes[index];

	return node->type == WJ_NUMBER && wj_number_double(node, out) &&
		*out >= 0 && *out <= WOESID_MAX_TIME_CLAIM;
}

/* Rule 6: aud is the audience, or an array of strings holding it. */
static bool
audience_matches(const wj_doc *doc, uint32_t aud, const woesid_jwt_rules *rules)
{
	const wj_node *node = &doc->nodes[aud];
	bool		found = false;

	if (aud == 0 || rules->audience == NULL)
		return false;
	if (node->type == WJ_STRING)
		return node->len == rules->audience_len &&
			memcmp(node->str, rules->audience, node->len) == 0;
	if (node->type != WJ_ARRAY)
		return false;
	for (uint32_t i = aud + 1; i < node->next; i = doc->nodes[i].next)
	{
		const wj_node *item = &doc->nodes[i];

		if (item->type != WJ_STRING)
			return false;
		if (item->len == rules->audience_len &&
			memcmp(item->str, rules->audience, item->len) == 0)
			found = true;
	}
	return found;
}

/* The normalized string at index into the arena; false if it is not one. */
static bool
normalized_email(const wj_doc *doc, uint32_t index, woesid_arena *arena,
				 woesid_jwt *out)
{
	const wj_node *node = &doc->nodes[index];
	char	   *buf;

	if (index == 0 || node->type != WJ_STRING)
		return false;
	buf = woesid_arena_alloc(arena, woesid_email_normalize_bound(node->len));
	if (buf == NULL)
		return false;
	out->email_len = woesid_email_normalize(node->str, node->len, buf);
	out->email = out->email_len > 0 ? buf : NULL;
	return true;
}

/* An id claim usable as text: a string or an integer. */
static const wj_node *
id_claim(const wj_doc *doc, uint32_t index)
{
	const wj_node *node = &doc->nodes[index];

	if (index == 0)
		return NULL;
	if (node->type == WJ_STRING || wj_number_is_integer(node))
		return node;
	return NULL;
}

/* The payload members the rules read, found in one pass. */
enum
{
	CLAIM_EXP,
	CLAIM_IAT,
	CLAIM_NBF,
	CLAIM_AUD,
	CLAIM_EMAIL,
	CLAIM_USER_EMAIL,
	CLAIM_CONTACT_ID,
	CLAIM_ACCOUNT_ID,
	CLAIM_COUNT
};

static const wj_name claim_names[CLAIM_COUNT] = {
	WJ_NAME("exp"), WJ_NAME("iat"), WJ_NAME("nbf"), WJ_NAME("aud"),
	WJ_NAME("email"), WJ_NAME("user_email"),
	WJ_NAME("contact_external_id"), WJ_NAME("account_external_id"),
};

static woesid_reason
check_claims(const woesid_jws *jws, const woesid_jwt_rules *rules,
			 woesid_arena *arena, woesid_jwt *out)
{
	const wj_doc *doc = &out->payload;
	uint8_t    *payload;
	size_t		payload_len;
	uint32_t	claim[CLAIM_COUNT],
				exp,
				iat,
				nbf;
	double		nbf_value = 0;

	payload = woesid_arena_alloc(arena,
								 woesid_b64url_decoded_bound(jws->payload_b64_len));
	if (payload == NULL ||
		!woesid_b64url_decode(jws->payload_b64, jws->payload_b64_len,
							  payload, &payload_len) ||
		!wj_parse((const char *) payload, payload_len, arena, &out->payload) ||
		doc->nodes[0].type != WJ_OBJECT)
		return WOESID_MALFORMED;

	wj_members(doc, 0, claim_names, CLAIM_COUNT, claim);
	exp = claim[CLAIM_EXP];
	iat = claim[CLAIM_IAT];
	nbf = claim[CLAIM_NBF];
	if (exp == 0 || iat == 0)
		return WOESID_MISSING_CLAIM;
	if (!time_claim(doc, exp, &out->exp) || !time_claim(doc, iat, &out->iat) ||
		(nbf != 0 && !time_claim(doc, nbf, &nbf_value)))
		return WOESID_INVALID_CLAIM;

	if (rules->now >= out->exp + rules->clock_skew)
		return WOESID_EXPIRED;
	if (out->iat > rules->now + rules->clock_skew ||
		(nbf != 0 && nbf_value > rules->now + rules->clock_skew))
		return WOESID_NOT_YET_VALID;
	if (out->exp - out->iat > rules->max_lifetime)
		return WOESID_LIFETIME_EXCEEDED;

	if (rules->check_audience &&
		!audience_matches(doc, claim[CLAIM_AUD], rules))
		return WOESID_AUDIENCE_MISMATCH;

	/* Widget JWTs sign "email"; signed variables may use "user_email". */
	if (!normalized_email(doc, claim[CLAIM_EMAIL], arena, out) &&
		!rules->require_email)
		normalized_email(doc, claim[CLAIM_USER_EMAIL], arena, out);
	if (rules->require_email && out->email == NULL)
		return WOESID_MISSING_EMAIL;

	out->contact_id = id_claim(doc, claim[CLAIM_CONTACT_ID]);
	out->account_id = id_claim(doc, claim[CLAIM_ACCOUNT_ID]);
	return WOESID_OK;
}

void
woesid_jwt_check_claims(const woesid_jws *jws, const woesid_jwt_rules *rules,
						woesid_arena *arena, woesid_jwt *out)
{
	out->email = NULL;
	out->email_len = 0;
	out->contact_id = NULL;
	out->account_id = NULL;
	out->kid = jws->kid;
	out->fault = false;
	out->reason = check_claims(jws, rules, arena, out);
}

void
woesid_jwt_verify(const char *token, size_t len, woesid_mac_key *key,
				  size_t max_token_bytes, const woesid_jwt_rules *rules,
				  woesid_arena *arena, woesid_jwt *out)
{
	woesid_jws	jws;
	int			signed_by;

	memset(out, 0, sizeof(*out));
	out->reason = woesid_key_reason(key);
	if (out->reason != WOESID_OK)
		return;
	out->reason = woesid_jws_open(token, len, max_token_bytes, arena, &jws);
	if (out->reason != WOESID_OK)
		return;
	signed_by = woesid_jws_signed_by(&jws, key);
	if (signed_by != 1)
	{
		out->reason = WOESID_BAD_SIGNATURE;
		out->fault = signed_by < 0;
		return;
	}
	woesid_jwt_check_claims(&jws, rules, arena, out);
}
