/*
 * fuzz_hmac_email.c
 *		libFuzzer harness for hmac_email verification
 *		(woesid_hmac_email_verify, src/hmac_email.c).
 *
 * Input: one flag byte, then bytes.  Flag bit 0 clear: the bytes are an
 * identify payload, verified as sent; its verdict must be the one the
 * reference's rules (docs/reference.md) give for the parsed payload
 * (recomputed here with OpenSSL's one-shot HMAC), a rejection must carry no
 * email, verifying twice must agree, and under a 31-byte key it is
 * weak_secret.
 * Flag bit 0 set: the bytes are an email; the harness builds the payload a
 * backend would send ({"email": ..., "email_hash": hex HMAC of the
 * normalized email}, upper-case hex when bit 1 is set), which must verify
 * exactly when the email is valid UTF-8 without NUL and not empty after
 * normalization; then changing one hex digit, or verifying under another
 * key, must give bad_signature.  Payloads are verified from exact copies in
 * arenas of exactly woesid_hmac_email_arena_bound().
 */
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core.h"
#include "email_normalize.h"
#include "fuzz_util.h"

#define MAX_PAYLOAD 8192

static uint8_t secret[WOESID_MAC_LEN];
static woesid_mac_key *key;
static woesid_mac_key *other_key;
static woesid_mac_key *weak_key;

typedef struct run
{
	char	   *input;
	char	   *arena_buf;
	woesid_hmac_result res;
} run;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void) argc;
	(void) argv;
	fuzz_secret_bytes(secret);
	key = woesid_mac_key_new(secret, sizeof(secret));
	other_key = woesid_mac_key_new((const uint8_t *) FUZZ_OTHER_SECRET,
								   strlen(FUZZ_OTHER_SECRET));
	weak_key = woesid_mac_key_new((const uint8_t *) FUZZ_WEAK_SECRET,
								  strlen(FUZZ_WEAK_SECRET));
	FUZZ_ASSERT(key != NULL && other_key != NULL && weak_key != NULL);
	FUZZ_ASSERT(woesid_key_reason(other_key) == WOESID_OK &&
				woesid_key_reason(weak_key) == WOESID_WEAK_SECRET);
	return 0;
}

/* The reference MAC of already normalized bytes, as hex. */
static void
reference_hex(const char *normalized, size_t len, bool upper, char hex[64])
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	uint8_t		mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;

	FUZZ_ASSERT(HMAC(EVP_sha256(), secret, sizeof(secret),
					 (const uint8_t *) normalized, len,
					 mac, &maclen) != NULL && maclen == WOESID_MAC_LEN);
	for (int i = 0; i < WOESID_MAC_LEN; i++)
	{
		hex[2 * i] = digits[mac[i] >> 4];
		hex[2 * i + 1] = digits[mac[i] & 15];
	}
}

/* Normalizes into a malloc'd buffer of exactly the bound. */
static char *
normalize(const char *email, size_t len, size_t *outlen)
{
	char	   *copy = fuzz_copy(email, len);
	char	   *out = fuzz_alloc(woesid_email_normalize_bound(len));

	*outlen = woesid_email_normalize(copy, len, out);
	free(copy);
	return out;
}

/* What the reference says of a payload that parsed as an object. */
static woesid_reason
expected_reason(const wj_doc *doc)
{
	uint32_t	hash = fuzz_member(doc, 0, "email_hash", 10);
	uint32_t	email = fuzz_member(doc, 0, "email", 5);
	const wj_node *h = &doc->nodes[hash];
	char		hex[64];
	char	   *normalized;
	size_t		len;
	woesid_reason reason = WOESID_OK;

	if (hash == 0)
		return WOESID_MISSING;
	if (h->type != WJ_STRING || h->len != 64 ||
		(email != 0 && doc->nodes[email].type != WJ_STRING))
		return WOESID_MALFORMED;
	for (int i = 0; i < 64; i++)
		if (hex_value(h->str[i]) < 0)
			return WOESID_MALFORMED;
	if (email == 0)
		return WOESID_MISSING_EMAIL;
	normalized = normalize(doc->nodes[email].str, doc->nodes[email].len, &len);
	reference_hex(normalized, len, false, hex);
	if (len == 0)
		reason = WOESID_MISSING_EMAIL;
	else
		for (int i = 0; i < 64; i++)
			if (hex_value(h->str[i]) != hex_value(hex[i]))
				reason = WOESID_BAD_SIGNATURE;
	free(normalized);
	return reason;
}

/* Verifies payload[0..len) from an exact copy; checks what always holds. */
static void
verify(run *r, const char *payload, size_t len, woesid_mac_key *k)
{
	size_t		bound = woesid_hmac_email_arena_bound(len);
	woesid_arena arena;
	woesid_hmac_result *res = &r->res;

	r->input = fuzz_copy(payload, len);
	r->arena_buf = fuzz_alloc(bound);
	woesid_arena_init(&arena, r->arena_buf, bound);
	woesid_hmac_email_verify(r->input, len, k, MAX_PAYLOAD, &arena, res);

	FUZZ_ASSERT(!res->fault);
	FUZZ_ASSERT(arena.used <= bound);
	FUZZ_ASSERT((len == 0) == (res->reason == WOESID_MISSING && !res->parsed));
	if (res->reason != WOESID_OK)
		FUZZ_ASSERT(res->email == NULL && res->email_len == 0);
	else
		FUZZ_ASSERT(res->email != NULL && res->email_len > 0);
	if (res->parsed)
	{
		FUZZ_ASSERT(len <= MAX_PAYLOAD && res->payload.nodes[0].type == WJ_OBJECT);
		if (k == key)
			FUZZ_ASSERT(res->reason == expected_reason(&res->payload));
	}
	else if (len > 0)
		FUZZ_ASSERT(res->reason == WOESID_MALFORMED);
}

static void
release(run *r)
{
	free(r->input);
	free(r->arena_buf);
}

static bool
same_verdict(const run *a, const run *b)
{
	return a->res.reason == b->res.reason && a->res.parsed == b->res.parsed &&
		a->res.email_len == b->res.email_len &&
		(a->res.email_len == 0 ||
		 memcmp(a->res.email, b->res.email, a->res.email_len) == 0);
}

/* A 31-byte key is weak_secret whatever the payload, which is not read. */
static void
check_weak(const char *payload, size_t len)
{
	char		buf[8];
	woesid_arena arena;
	woesid_hmac_result res;

	woesid_arena_init(&arena, buf, sizeof(buf));
	woesid_hmac_email_verify(payload, len, weak_key, MAX_PAYLOAD, &arena, &res);
	FUZZ_ASSERT(res.reason == WOESID_WEAK_SECRET && arena.used == 0 &&
				!res.parsed && res.email == NULL && !res.fault);
}

/* The payload as sent: verdict by the rules, twice the same. */
static void
check_raw(const char *payload, size_t len)
{
	run			first;
	run			second;

	check_weak(payload, len);
	verify(&first, payload, len, key);
	verify(&second, payload, len, key);
	FUZZ_ASSERT(same_verdict(&first, &second));
	if (first.res.reason == WOESID_OK)
	{
		uint32_t	email = fuzz_member(&first.res.payload, 0, "email", 5);
		size_t		n;
		char	   *normalized = normalize(first.res.payload.nodes[email].str,
										   first.res.payload.nodes[email].len, &n);

		FUZZ_ASSERT(n == first.res.email_len &&
					memcmp(normalized, first.res.email, n) == 0);
		free(normalized);
	}
	release(&second);
	release(&first);
}

/* Appends email as the body of a JSON string. */
static size_t
escape(const uint8_t *email, size_t len, char *out)
{
	size_t		n = 0;

	for (size_t i = 0; i < len; i++)
	{
		if (email[i] == '"' || email[i] == '\\')
		{
			out[n++] = '\\';
			out[n++] = (char) email[i];
		}
		else if (email[i] < 0x20)
			n += (size_t) snprintf(out + n, 7, "\\u%04x", email[i]);
		else
			out[n++] = (char) email[i];
	}
	return n;
}

/* A backend's payload for email: must verify unless the email cannot. */
static void
check_built(const uint8_t *email, size_t len, bool upper)
{
	size_t		normalized_len;
	char	   *normalized = normalize((const char *) email, len, &normalized_len);
	char	   *scratch = fuzz_alloc(woesid_email_normalize_bound(len));
	char	   *copy = fuzz_copy(email, len);
	char		hex[64];
	char		core_hex[64];
	char	   *payload = fuzz_alloc(6 * len + 128);
	size_t		n = 0;
	bool		sendable;
	woesid_reason want;
	run			first;
	run			second;

	reference_hex(normalized, normalized_len, upper, hex);
	FUZZ_ASSERT(woesid_email_hmac_hex(copy, len, key, scratch, core_hex));
	for (int i = 0; i < 64; i++)
		FUZZ_ASSERT(core_hex[i] == (upper ? hex[i] | 0x20 : hex[i]));

	memcpy(payload, "{\"email\":\"", 10);
	n = 10 + escape(email, len, payload + 10);
	memcpy(payload + n, "\",\"email_hash\":\"", 16);
	n += 16;
	memcpy(payload + n, hex, 64);
	n += 64;
	memcpy(payload + n, "\"}", 2);
	n += 2;

	sendable = fuzz_utf8_valid(email, len) && memchr(email, 0, len) == NULL &&
		n <= MAX_PAYLOAD;
	want = !sendable ? WOESID_MALFORMED :
		normalized_len == 0 ? WOESID_MISSING_EMAIL : WOESID_OK;

	verify(&first, payload, n, key);
	FUZZ_ASSERT(first.res.reason == want);
	if (want == WOESID_OK)
	{
		size_t		digit = n - 2 - 64 + len % 64;

		FUZZ_ASSERT(first.res.email_len == normalized_len &&
					memcmp(first.res.email, normalized, normalized_len) == 0);
		verify(&second, payload, n, key);
		FUZZ_ASSERT(same_verdict(&first, &second));
		release(&second);

		verify(&second, payload, n, other_key);
		FUZZ_ASSERT(second.res.reason == WOESID_BAD_SIGNATURE);
		release(&second);

		payload[digit] = payload[digit] == '0' ? '1' : '0';
		verify(&second, payload, n, key);
		FUZZ_ASSERT(second.res.reason == WOESID_BAD_SIGNATURE);
		release(&second);
	}
	release(&first);
	free(payload);
	free(copy);
	free(scratch);
	free(normalized);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] & 1)
		check_built(data + 1, size - 1, (data[0] & 2) != 0);
	else
		check_raw((const char *) data + 1, size - 1);
	return 0;
}
