/*
 * fuzz_jwt.c
 *		libFuzzer harness for JWT verification (woesid_jwt_verify, src/jws.c
 *		and src/jwt.c) with a fixed key, a fixed time and fixed rules.
 *
 * Input: one flag byte, then bytes.  Flag bit 0 picks the rules: widget
 * identity (clear) or signed variables (set).  Flag bit 1 clear: the bytes
 * are a token, verified as received.  Flag bit 1 set: twelve bytes choose
 * four single-byte flips (position low, position high, xor), and the rest
 * is header JSON, a NUL, and payload JSON (no NUL: the payload alone, under
 * {"alg":"HS256","typ":"JWT"}); the harness encodes them and signs
 * "header.payload" with woesid_mac, so the verdict can never be
 * bad_signature; another key must give bad_signature when woesid_jws_open
 * accepts the token, else the very reason it gave; and if the token
 * verifies, none of the four flipped tokens may.
 *
 * Every verdict, on either path: verifying again gives the same result; a
 * rejection carries no identity; a 31-byte key gives weak_secret; a verdict past the signature check means
 * the token is three canonical base64url segments (decoding and re-encoding
 * each gives it back) whose signature is OpenSSL's one-shot HMAC of
 * "header.payload"; a verified token meets the time rules, and a widget
 * token has an email.  Tokens are verified from exact copies in arenas of
 * exactly woesid_jwt_arena_bound().
 */
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "base64url.h"
#include "core.h"
#include "fuzz_util.h"

#define MAX_TOKEN 8192
#define FLIPS 4
#define DEFAULT_HEADER "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"

typedef struct signer
{
	const char *secret;
	woesid_mac_key *key;
} signer;

typedef struct run
{
	char	   *input;
	char	   *arena_buf;
	woesid_jwt	jwt;
} run;

static signer workspace = {FUZZ_SECRET, NULL};
static signer other = {FUZZ_OTHER_SECRET, NULL};
static signer weak = {FUZZ_WEAK_SECRET, NULL};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void) argc;
	(void) argv;
	workspace.key = woesid_mac_key_new((const uint8_t *) workspace.secret,
									   strlen(workspace.secret));
	other.key = woesid_mac_key_new((const uint8_t *) other.secret,
								   strlen(other.secret));
	weak.key = woesid_mac_key_new((const uint8_t *) weak.secret,
								  strlen(weak.secret));
	FUZZ_ASSERT(workspace.key != NULL && other.key != NULL && weak.key != NULL);
	FUZZ_ASSERT(woesid_key_reason(other.key) == WOESID_OK &&
				woesid_key_reason(weak.key) == WOESID_WEAK_SECRET);
	return 0;
}

/* Decoding seg and re-encoding it must give seg back; returns the bytes. */
static size_t
check_canonical(const char *seg, size_t len)
{
	uint8_t    *bytes = fuzz_alloc(woesid_b64url_decoded_bound(len));
	size_t		n = SIZE_MAX;
	char	   *again;

	FUZZ_ASSERT(woesid_b64url_decode(seg, len, bytes, &n));
	again = fuzz_alloc((n * 4 + 2) / 3);
	FUZZ_ASSERT(woesid_b64url_encode(bytes, n, again) == len);
	FUZZ_ASSERT(len == 0 || memcmp(again, seg, len) == 0);
	free(again);
	free(bytes);
	return n;
}

/* The token is three canonical segments signed by s (OpenSSL's own HMAC). */
static void
check_signed(const char *token, size_t len, const signer *s)
{
	const char *dot1 = memchr(token, '.', len);
	const char *dot2;
	const char *sig;
	size_t		sig_len;
	uint8_t		mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	uint8_t    *sig_bytes;
	size_t		n;

	FUZZ_ASSERT(dot1 != NULL);
	dot2 = memchr(dot1 + 1, '.', len - (size_t) (dot1 + 1 - token));
	FUZZ_ASSERT(dot2 != NULL);
	sig = dot2 + 1;
	sig_len = len - (size_t) (sig - token);
	FUZZ_ASSERT(memchr(sig, '.', sig_len) == NULL);

	check_canonical(token, (size_t) (dot1 - token));
	check_canonical(dot1 + 1, (size_t) (dot2 - dot1 - 1));
	FUZZ_ASSERT(check_canonical(sig, sig_len) == WOESID_MAC_LEN);

	FUZZ_ASSERT(HMAC(EVP_sha256(), s->secret, (int) strlen(s->secret),
					 (const uint8_t *) token, (size_t) (dot2 - token),
					 mac, &maclen) != NULL && maclen == WOESID_MAC_LEN);
	sig_bytes = fuzz_alloc(woesid_b64url_decoded_bound(sig_len));
	FUZZ_ASSERT(woesid_b64url_decode(sig, sig_len, sig_bytes, &n));
	FUZZ_ASSERT(memcmp(sig_bytes, mac, WOESID_MAC_LEN) == 0);
	free(sig_bytes);
}

/* Verifies token[0..len) from an exact copy; checks what always holds. */
static void
verify(run *r, const char *token, size_t len, const signer *s,
	   const woesid_jwt_rules *rules)
{
	size_t		bound = woesid_jwt_arena_bound(len);
	woesid_arena arena;
	woesid_jwt *jwt = &r->jwt;

	r->input = fuzz_copy(token, len);
	r->arena_buf = fuzz_alloc(bound);
	woesid_arena_init(&arena, r->arena_buf, bound);
	woesid_jwt_verify(r->input, len, s->key, MAX_TOKEN, rules, &arena, jwt);

	FUZZ_ASSERT(!jwt->fault);
	FUZZ_ASSERT(arena.used <= bound);
	FUZZ_ASSERT(jwt->reason < WOESID_UNKNOWN_WIDGET &&
				jwt->reason != WOESID_MISSING_SECRET &&
				jwt->reason != WOESID_WEAK_SECRET &&
				jwt->reason != WOESID_WRONG_MODE &&
				jwt->reason != WOESID_UNKNOWN_KEY);
	FUZZ_ASSERT((len == 0) == (jwt->reason == WOESID_MISSING));
	if (len > MAX_TOKEN)
		FUZZ_ASSERT(jwt->reason == WOESID_MALFORMED);
	if (jwt->reason == WOESID_OK || jwt->reason > WOESID_BAD_SIGNATURE)
		check_signed(token, len, s);
	if (jwt->reason != WOESID_OK)
	{
		FUZZ_ASSERT(jwt->email == NULL && jwt->contact_id == NULL &&
					jwt->account_id == NULL);
		return;
	}
	FUZZ_ASSERT(jwt->iat >= 0 && jwt->exp <= WOESID_MAX_TIME_CLAIM);
	FUZZ_ASSERT(rules->now < jwt->exp + rules->clock_skew);
	FUZZ_ASSERT(jwt->iat <= rules->now + rules->clock_skew);
	FUZZ_ASSERT(jwt->exp - jwt->iat <= rules->max_lifetime);
	FUZZ_ASSERT(jwt->payload.nodes[0].type == WJ_OBJECT);
	if (rules->require_email)
		FUZZ_ASSERT(jwt->email != NULL && jwt->email_len > 0);
	if (jwt->contact_id != NULL)
		FUZZ_ASSERT(jwt->contact_id->type == WJ_STRING ||
					wj_number_is_integer(jwt->contact_id));
}

static void
release(run *r)
{
	free(r->input);
	free(r->arena_buf);
}

static bool
same_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

static bool
same_node(const wj_node *a, const wj_node *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return a->type == b->type && same_bytes(a->str, a->len, b->str, b->len);
}

/* (a) Determinism: a second verification of the token agrees entirely. */
static void
check_again(const run *first, const char *token, size_t len,
			const woesid_jwt_rules *rules)
{
	run			second;
	const woesid_jwt *a = &first->jwt;
	const woesid_jwt *b;

	verify(&second, token, len, &workspace, rules);
	b = &second.jwt;
	FUZZ_ASSERT(a->reason == b->reason);
	if (a->reason == WOESID_OK)
	{
		FUZZ_ASSERT(a->iat == b->iat && a->exp == b->exp);
		FUZZ_ASSERT(a->payload.n == b->payload.n);
		FUZZ_ASSERT((a->email == NULL) == (b->email == NULL));
		FUZZ_ASSERT(same_bytes(a->email, a->email_len, b->email, b->email_len));
		FUZZ_ASSERT(same_node(a->contact_id, b->contact_id));
		FUZZ_ASSERT(same_node(a->account_id, b->account_id));
		FUZZ_ASSERT(same_node(a->kid, b->kid));
	}
	release(&second);
}

/* A 31-byte key is weak_secret whatever the token, which is not read. */
static void
check_weak(const char *token, size_t len, const woesid_jwt_rules *rules)
{
	char		buf[8];
	woesid_arena arena;
	woesid_jwt	jwt;

	woesid_arena_init(&arena, buf, sizeof(buf));
	woesid_jwt_verify(token, len, weak.key, MAX_TOKEN, rules, &arena, &jwt);
	FUZZ_ASSERT(jwt.reason == WOESID_WEAK_SECRET && arena.used == 0 &&
				jwt.email == NULL && !jwt.fault);
}

/* A token as received. */
static void
check_raw(const char *token, size_t len, const woesid_jwt_rules *rules)
{
	run			first;

	check_weak(token, len, rules);
	verify(&first, token, len, &workspace, rules);
	check_again(&first, token, len, rules);
	release(&first);
}

/* Appends base64url of bytes[0..n) at out; returns the characters written. */
static size_t
append_b64(const void *bytes, size_t n, char *out)
{
	return woesid_b64url_encode((const uint8_t *) bytes, n, out);
}

/* What woesid_jws_open, which needs no key, says of the token. */
static woesid_reason
open_reason(const char *token, size_t len)
{
	size_t		bound = woesid_jwt_arena_bound(len);
	char	   *copy = fuzz_copy(token, len);
	char	   *arena_buf = fuzz_alloc(bound);
	woesid_arena arena;
	woesid_jws	jws;
	woesid_reason reason;

	woesid_arena_init(&arena, arena_buf, bound);
	reason = woesid_jws_open(copy, len, MAX_TOKEN, &arena, &jws);
	free(arena_buf);
	free(copy);
	return reason;
}

/* A correctly signed token for header and payload, then its flips. */
static void
check_built(const uint8_t *flips, const char *header, size_t header_len,
			const char *payload, size_t payload_len,
			const woesid_jwt_rules *rules)
{
	char	   *token = fuzz_alloc((header_len * 4 + 2) / 3 +
								   (payload_len * 4 + 2) / 3 + 2 + 43);
	size_t		len;
	uint8_t		mac[WOESID_MAC_LEN];
	run			first;
	run			wrong;
	woesid_reason opened;

	len = append_b64(header, header_len, token);
	token[len++] = '.';
	len += append_b64(payload, payload_len, token + len);
	FUZZ_ASSERT(woesid_mac(workspace.key, (const uint8_t *) token, len, mac));
	token[len++] = '.';
	len += append_b64(mac, sizeof(mac), token + len);

	verify(&first, token, len, &workspace, rules);
	FUZZ_ASSERT(first.jwt.reason != WOESID_BAD_SIGNATURE);
	check_again(&first, token, len, rules);

	verify(&wrong, token, len, &other, rules);
	opened = open_reason(token, len);
	if (opened == WOESID_OK)
		FUZZ_ASSERT(wrong.jwt.reason == WOESID_BAD_SIGNATURE);
	else
		FUZZ_ASSERT(wrong.jwt.reason == opened && first.jwt.reason == opened);
	release(&wrong);

	/* (b) No single-byte change of a verified token verifies. */
	if (first.jwt.reason == WOESID_OK)
	{
		for (int i = 0; i < FLIPS; i++)
		{
			size_t		pos = ((size_t) flips[3 * i] |
							   (size_t) flips[3 * i + 1] << 8) % len;
			uint8_t		mask = flips[3 * i + 2] != 0 ? flips[3 * i + 2] : 0x01;
			run			flipped;

			token[pos] ^= (char) mask;
			verify(&flipped, token, len, &workspace, rules);
			FUZZ_ASSERT(flipped.jwt.reason != WOESID_OK);
			release(&flipped);
			token[pos] ^= (char) mask;
		}
	}
	release(&first);
	free(token);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const woesid_jwt_rules *rules;
	const char *rest;
	size_t		rest_len;
	const char *nul;

	if (size == 0)
		return 0;
	rules = (data[0] & 1) ? &variables_rules : &widget_rules;
	if ((data[0] & 2) == 0)
	{
		check_raw((const char *) data + 1, size - 1, rules);
		return 0;
	}
	if (size < 1 + 3 * FLIPS)
		return 0;
	rest = (const char *) data + 1 + 3 * FLIPS;
	rest_len = size - 1 - 3 * FLIPS;
	nul = memchr(rest, '\0', rest_len);
	if (nul == NULL)
		check_built(data + 1, DEFAULT_HEADER, strlen(DEFAULT_HEADER),
					rest, rest_len, rules);
	else
		check_built(data + 1, rest, (size_t) (nul - rest), nul + 1,
					rest_len - (size_t) (nul + 1 - rest), rules);
	return 0;
}
