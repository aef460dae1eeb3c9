/*
 * fuzz_payload.c
 *		libFuzzer harness for identify payloads opened for a widget's mode
 *		(woesid_payload_open, src/payload.c) and the steps the registry takes
 *		after it, one secret at a time: for jwt and variables widgets
 *		woesid_jws_open on the token, woesid_jws_signed_by with two fixed
 *		keys and woesid_jwt_check_claims; for hmac_email widgets
 *		woesid_hmac_email_read and woesid_hmac_email_signed_by.
 *
 * Input: one byte, then the payload.  The byte's low two bits pick the mode
 * (woesid_mode order: off, jwt, hmac_email, variables); bit 2 set makes the
 * size limit one byte less than the payload, so it must be refused unread;
 * the other bits are ignored.
 *
 * Properties (abort on violation): every step's reason is one that step may
 * give; the payload verdict is the one the reference (docs/reference.md)
 * gives, recomputed from an independent parse and a plain member scan (so
 * wrong_mode only when another signed mode's member is present and the mode's
 * own is not); parsed implies the root is an object; a token exactly when jwt
 * or variables is ok, and it is the mode's member; the split steps agree with
 * the one-key verifiers (woesid_jwt_verify, woesid_hmac_email_verify);
 * woesid_jws_signed_by agrees with OpenSSL's one-shot HMAC; a rejection
 * carries no identity; the hash read is wiped by woesid_hmac_email_forget.
 * Each payload is opened from an exact copy in an arena of exactly
 * woesid_payload_arena_bound(len), then again, for the later steps, in one
 * arena of exactly that plus what they need (woesid_jwt_arena_bound of the
 * token, or the rest of woesid_hmac_email_arena_bound), and no step may use
 * more than its part.
 * The registry's arena (identify_arena_bound in src/fmgr_identify.c, sized
 * from the payload's length alone) is never smaller than that.
 */
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core.h"
#include "fuzz_util.h"

#define MAX_PAYLOAD 8192

#define R(reason) (1u << (reason))

/* What each step may answer. */
#define OPEN_REASONS \
	(R(WOESID_OK) | R(WOESID_MISSING) | R(WOESID_MALFORMED) | R(WOESID_WRONG_MODE))
#define JWS_OPEN_REASONS \
	(R(WOESID_OK) | R(WOESID_MALFORMED) | R(WOESID_UNSUPPORTED_ALGORITHM) | \
	 R(WOESID_UNSUPPORTED_HEADER) | R(WOESID_BAD_SIGNATURE))
#define VARIABLES_CLAIM_REASONS \
	(R(WOESID_OK) | R(WOESID_MALFORMED) | R(WOESID_MISSING_CLAIM) | \
	 R(WOESID_INVALID_CLAIM) | R(WOESID_EXPIRED) | R(WOESID_NOT_YET_VALID) | \
	 R(WOESID_LIFETIME_EXCEEDED))
#define WIDGET_CLAIM_REASONS \
	(VARIABLES_CLAIM_REASONS | R(WOESID_AUDIENCE_MISMATCH) | R(WOESID_MISSING_EMAIL))
#define HMAC_READ_REASONS \
	(R(WOESID_OK) | R(WOESID_MALFORMED) | R(WOESID_MISSING_EMAIL))

/* The member carrying each signed mode's signature (not the core's table). */
static const char *const own_member[WOESID_MODE_COUNT] = {
	NULL, "jwt", "email_hash", "signedVariables",
};

/*
 * Keys as secrets: the workspace secret's UTF-8 bytes (jwt and variables)
 * and its hex-decoded bytes (hmac_email), and another workspace's secret;
 * index 0 is the workspace's.
 */
typedef struct signer
{
	const uint8_t *secret;
	size_t		len;
	woesid_mac_key *key;
} signer;

static uint8_t hmac_secret[WOESID_MAC_LEN];
static signer string_keys[2];
static signer hmac_keys[2];

static void
make_signer(signer *s, const void *secret, size_t len)
{
	s->secret = secret;
	s->len = len;
	s->key = woesid_mac_key_new(secret, len);
	FUZZ_ASSERT(s->key != NULL && woesid_key_reason(s->key) == WOESID_OK);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void) argc;
	(void) argv;
	fuzz_secret_bytes(hmac_secret);
	make_signer(&string_keys[0], FUZZ_SECRET, strlen(FUZZ_SECRET));
	make_signer(&string_keys[1], FUZZ_OTHER_SECRET, strlen(FUZZ_OTHER_SECRET));
	make_signer(&hmac_keys[0], hmac_secret, sizeof(hmac_secret));
	make_signer(&hmac_keys[1], FUZZ_OTHER_SECRET, strlen(FUZZ_OTHER_SECRET));
	return 0;
}

static bool
one_of(woesid_reason reason, uint32_t allowed)
{
	return reason < WOESID_REASON_COUNT && (allowed & R(reason)) != 0;
}

static bool
all_zero(const uint8_t *bytes, size_t n)
{
	uint8_t		any = 0;

	for (size_t i = 0; i < n; i++)
		any |= bytes[i];
	return any == 0;
}

/*
 * What the reference says of payload[0..len) for mode, from a parse of its
 * own and a plain scan for the members; *object tells whether it is one.
 */
static woesid_reason
expected_open(const char *payload, size_t len, size_t max, woesid_mode mode,
			  bool *object)
{
	size_t		bound = wj_arena_bound(len);
	char	   *buf;
	woesid_arena arena;
	wj_doc		doc;
	uint32_t	own;
	bool		other = false;
	woesid_reason reason;

	*object = false;
	if (len == 0)
		return WOESID_MISSING;
	if (len > max)
		return WOESID_MALFORMED;
	buf = fuzz_alloc(bound);
	woesid_arena_init(&arena, buf, bound);
	if (!wj_parse(payload, len, &arena, &doc) || doc.nodes[0].type != WJ_OBJECT)
	{
		free(buf);
		return WOESID_MALFORMED;
	}
	*object = true;
	if (mode == WOESID_MODE_OFF)
	{
		free(buf);
		return WOESID_OK;
	}
	own = fuzz_member(&doc, 0, own_member[mode], strlen(own_member[mode]));
	for (int m = 1; m < WOESID_MODE_COUNT; m++)
		if (m != (int) mode &&
			fuzz_member(&doc, 0, own_member[m], strlen(own_member[m])) != 0)
			other = true;
	if (own == 0)
		reason = other ? WOESID_WRONG_MODE : WOESID_MISSING;
	else if (mode != WOESID_MODE_HMAC_EMAIL &&
			 (doc.nodes[own].type != WJ_STRING || doc.nodes[own].len == 0))
		reason = WOESID_MISSING;
	else
		reason = WOESID_OK;
	free(buf);
	return reason;
}

/* Opens payload[0..len) in arena; checks what always holds of the result. */
static void
open_payload(const char *payload, size_t len, size_t max, woesid_mode mode,
			 woesid_arena *arena, woesid_payload *out)
{
	size_t		before = arena->used;
	bool		object;
	woesid_reason want = expected_open(payload, len, max, mode, &object);
	bool		own = false;
	bool		other = false;

	woesid_payload_open(payload, len, max, mode, arena, out);
	FUZZ_ASSERT(one_of(out->reason, OPEN_REASONS));
	FUZZ_ASSERT(mode != WOESID_MODE_OFF || out->reason != WOESID_WRONG_MODE);
	FUZZ_ASSERT(out->reason == want);
	FUZZ_ASSERT(out->parsed == object);
	FUZZ_ASSERT(arena->used - before <= woesid_payload_arena_bound(len));
	if (!out->parsed)
	{
		/* too long or empty: refused before the arena was touched */
		if (len == 0 || len > max)
			FUZZ_ASSERT(arena->used == before);
		FUZZ_ASSERT(out->token == NULL);
		return;
	}
	FUZZ_ASSERT(out->doc.n > 0 && out->doc.nodes[0].type == WJ_OBJECT);

	for (int m = 1; m < WOESID_MODE_COUNT; m++)
	{
		bool		present = fuzz_member(&out->doc, 0, own_member[m],
										  strlen(own_member[m])) != 0;

		if (m == (int) mode)
			own = present;
		else
			other |= present;
	}
	if (out->reason == WOESID_WRONG_MODE)
		FUZZ_ASSERT(other && !own);

	if (out->reason == WOESID_OK &&
		(mode == WOESID_MODE_JWT || mode == WOESID_MODE_VARIABLES))
	{
		uint32_t	member = fuzz_member(&out->doc, 0, own_member[mode],
										 strlen(own_member[mode]));

		FUZZ_ASSERT(out->token != NULL && out->token == &out->doc.nodes[member]);
		FUZZ_ASSERT(out->token->type == WJ_STRING && out->token->len > 0);
	}
	else
		FUZZ_ASSERT(out->token == NULL);
}

/* The one-key pipeline on an exact copy of the token: the split's verdict. */
static woesid_reason
verify_whole(const wj_node *token, const signer *s, const woesid_jwt_rules *rules)
{
	size_t		bound = woesid_jwt_arena_bound(token->len);
	char	   *copy = fuzz_copy(token->str, token->len);
	char	   *buf = fuzz_alloc(bound);
	woesid_arena arena;
	woesid_jwt	jwt;

	woesid_arena_init(&arena, buf, bound);
	woesid_jwt_verify(copy, token->len, s->key, MAX_PAYLOAD, rules, &arena, &jwt);
	FUZZ_ASSERT(!jwt.fault && arena.used <= bound);
	free(buf);
	free(copy);
	return jwt.reason;
}

/* Whether s signed the JWS, by OpenSSL's one-shot HMAC. */
static bool
reference_signed(const woesid_jws *jws, const signer *s)
{
	uint8_t		mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;

	FUZZ_ASSERT(HMAC(EVP_sha256(), s->secret, (int) s->len,
					 (const uint8_t *) jws->signing_input, jws->signing_input_len,
					 mac, &maclen) != NULL && maclen == WOESID_MAC_LEN);
	return memcmp(mac, jws->signature, WOESID_MAC_LEN) == 0;
}

/* jwt and variables: the token opened once, each key tried on it. */
static void
check_token(const woesid_payload *pay, woesid_mode mode, woesid_arena *arena)
{
	const woesid_jwt_rules *rules = mode == WOESID_MODE_JWT ? &widget_rules :
		&variables_rules;
	uint32_t	claim_reasons = mode == WOESID_MODE_JWT ? WIDGET_CLAIM_REASONS :
		VARIABLES_CLAIM_REASONS;
	const wj_node *token = pay->token;
	size_t		start = arena->used;
	woesid_jws	jws;
	woesid_reason opened;
	woesid_reason split[2];
	int			signed_by[2];

	opened = woesid_jws_open(token->str, token->len, MAX_PAYLOAD, arena, &jws);
	FUZZ_ASSERT(one_of(opened, JWS_OPEN_REASONS));
	if (opened != WOESID_OK)
	{
		FUZZ_ASSERT(arena->used - start <= woesid_jwt_arena_bound(token->len));
		FUZZ_ASSERT(verify_whole(token, &string_keys[0], rules) == opened);
		return;
	}
	FUZZ_ASSERT(jws.signing_input == token->str &&
				jws.signing_input_len < token->len);

	for (int k = 0; k < 2; k++)
	{
		signed_by[k] = woesid_jws_signed_by(&jws, string_keys[k].key);
		FUZZ_ASSERT(signed_by[k] == 0 || signed_by[k] == 1);
		FUZZ_ASSERT(signed_by[k] == reference_signed(&jws, &string_keys[k]));
		split[k] = WOESID_BAD_SIGNATURE;
	}
	FUZZ_ASSERT(!(signed_by[0] && signed_by[1]));

	for (int k = 0; k < 2; k++)
	{
		woesid_jwt	jwt;

		if (!signed_by[k])
			continue;
		memset(&jwt, 0, sizeof(jwt));	/* check_claims leaves fault as it is */
		woesid_jwt_check_claims(&jws, rules, arena, &jwt);
		split[k] = jwt.reason;
		FUZZ_ASSERT(one_of(jwt.reason, claim_reasons));
		FUZZ_ASSERT(!jwt.fault && jwt.kid == jws.kid);
		if (jwt.reason != WOESID_OK)
			FUZZ_ASSERT(jwt.email == NULL && jwt.contact_id == NULL &&
						jwt.account_id == NULL);
		else
		{
			FUZZ_ASSERT(jwt.payload.nodes[0].type == WJ_OBJECT);
			FUZZ_ASSERT(rules->now < jwt.exp + rules->clock_skew &&
						jwt.iat <= rules->now + rules->clock_skew &&
						jwt.exp - jwt.iat <= rules->max_lifetime);
			if (rules->require_email)
				FUZZ_ASSERT(jwt.email != NULL && jwt.email_len > 0);
		}
	}
	FUZZ_ASSERT(arena->used - start <= woesid_jwt_arena_bound(token->len));
	FUZZ_ASSERT(verify_whole(token, &string_keys[0], rules) == split[0]);
}

/* hmac_email: the payload read once, the wrong key tried, then the right one. */
static void
check_hmac(const char *payload, size_t len, const woesid_payload *pay,
		   woesid_arena *arena)
{
	woesid_hmac_result r;
	woesid_hmac_result whole;
	woesid_reason read;
	size_t		bound = woesid_hmac_email_arena_bound(len);
	char	   *buf = fuzz_alloc(bound);
	woesid_arena whole_arena;
	woesid_reason split;
	bool		signed_by[2] = {false, false};

	memset(&r, 0, sizeof(r));
	read = woesid_hmac_email_read(&pay->doc, arena, &r);
	FUZZ_ASSERT(one_of(read, HMAC_READ_REASONS));
	FUZZ_ASSERT(r.parsed && r.payload.nodes == pay->doc.nodes && r.email == NULL);
	FUZZ_ASSERT(arena->used <= bound);
	split = read;
	if (read == WOESID_OK)
	{
		FUZZ_ASSERT(r.normalized != NULL && r.normalized_len > 0);
		/* other's key first, as if it were an older secret of the widget */
		for (int k = 1; k >= 0 && !signed_by[1]; k--)
		{
			signed_by[k] = woesid_hmac_email_signed_by(&r, hmac_keys[k].key);
			FUZZ_ASSERT(!r.fault);
			if (signed_by[k])
				FUZZ_ASSERT(r.reason == WOESID_OK && r.email == r.normalized &&
							r.email_len == r.normalized_len);
			else
				FUZZ_ASSERT(r.reason == WOESID_BAD_SIGNATURE && r.email == NULL &&
							r.email_len == 0);
		}
		split = signed_by[0] ? WOESID_OK : WOESID_BAD_SIGNATURE;
	}
	woesid_hmac_email_forget(&r);
	FUZZ_ASSERT(all_zero(r.sent, sizeof(r.sent)));

	/* The one-key verifier agrees, and leaves the hash wiped too. */
	woesid_arena_init(&whole_arena, buf, bound);
	woesid_hmac_email_verify(payload, len, hmac_keys[0].key, MAX_PAYLOAD,
							 &whole_arena, &whole);
	FUZZ_ASSERT(!whole.fault && whole_arena.used <= bound);
	FUZZ_ASSERT(whole.reason == split);
	FUZZ_ASSERT(all_zero(whole.sent, sizeof(whole.sent)));
	if (split == WOESID_OK)
		FUZZ_ASSERT(whole.email_len == r.email_len && r.email_len > 0 &&
					memcmp(whole.email, r.email, r.email_len) == 0);
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	woesid_mode mode;
	size_t		len;
	size_t		max;
	size_t		open_bound;
	size_t		bound;
	char	   *payload;
	char	   *buf;
	woesid_arena arena;
	woesid_payload first;
	woesid_payload pay;

	if (size == 0)
		return 0;
	mode = (woesid_mode) (data[0] & 3);
	len = size - 1;
	max = (data[0] & 4) && len > 0 ? len - 1 : MAX_PAYLOAD;
	payload = fuzz_copy(data + 1, len);

	/* The payload alone, in exactly its bound. */
	open_bound = woesid_payload_arena_bound(len);
	buf = fuzz_alloc(open_bound);
	woesid_arena_init(&arena, buf, open_bound);
	open_payload(payload, len, max, mode, &arena, &first);

	/* Again, in one arena with room for exactly what comes next. */
	bound = open_bound;
	if (first.token != NULL)
		bound += woesid_jwt_arena_bound(first.token->len);
	else if (mode == WOESID_MODE_HMAC_EMAIL && first.reason == WOESID_OK)
		bound = woesid_hmac_email_arena_bound(len);
	free(buf);
	buf = fuzz_alloc(bound);
	woesid_arena_init(&arena, buf, bound);
	open_payload(payload, len, max, mode, &arena, &pay);
	FUZZ_ASSERT(pay.reason == first.reason && pay.parsed == first.parsed);
	FUZZ_ASSERT(!pay.parsed || pay.doc.n == first.doc.n);

	if (pay.token != NULL)
		check_token(&pay, mode, &arena);
	else if (mode == WOESID_MODE_HMAC_EMAIL && pay.reason == WOESID_OK)
		check_hmac(payload, len, &pay, &arena);

	free(buf);
	free(payload);
	return 0;
}
