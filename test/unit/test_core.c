/*
 * test_core.c
 *		Unit tests for the verification core against the reference
 *		(docs/reference.md): strict base64url, the MAC layer, widget and
 *		signed-variables JWTs (every reason code, their order, the boundaries,
 *		the outputs), hmac_email, the secret length rule (weak_secret) and
 *		identify payloads opened for each widget mode (missing, malformed,
 *		wrong_mode), with the steps the registry takes one secret at a time.
 *
 * Tokens are built here: header and payload JSON are base64url-encoded and
 * "header.payload" is MACed with the core's own key schedule, so every case
 * is correctly signed unless it is about the signature; the MAC layer itself
 * is checked against OpenSSL's one-shot HMAC().  Every token and payload is
 * verified from an exactly sized malloc'd copy in an arena of exactly the
 * core's bound, so AddressSanitizer catches any read past the input and any
 * write past the bound.
 */
#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "base64url.h"
#include "core.h"
#include "email_normalize.h"
#include "unit.h"

#define lengthof(array) (sizeof(array) / sizeof((array)[0]))

#define NOW 1700000100.0
#define MAX_TOKEN 8192

/* A header and claims that pass every rule under widget_rules. */
#define HDR "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"
#define AUD_EMAIL "\"aud\":\"wpk_test\",\"email\":\"a@example.com\""
#define TIMES "\"iat\":1700000000,\"exp\":1700000600"
#define GOOD "{" AUD_EMAIL "," TIMES "}"

static const char b64_alphabet[] =
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/*
 * The workspace secret: its UTF-8 bytes are the JWT key, its hex-decoded
 * bytes the hmac_email key (the reference's asymmetry).
 */
static const char secret_hex[] =
"8c2f6a1de4b7309f5a6c1e2d3b4f5061728394a5b6c7d8e9f001122334455667";
static uint8_t hmac_secret[32];
static woesid_mac_key *jwt_key;
static woesid_mac_key *hmac_key;
static woesid_mac_key *other_key;

/*
 * Another workspace's secret: long enough (32 bytes or more) that verifying
 * under it is bad_signature, not weak_secret.
 */
#define OTHER_SECRET "not the workspace secret, but long enough"

static const woesid_jwt_rules widget_rules = {
	.now = NOW,
	.clock_skew = 30,
	.max_lifetime = 900,
	.check_audience = true,
	.audience = "wpk_test",
	.audience_len = 8,
	.require_email = true,
};

static const woesid_jwt_rules variables_rules = {
	.now = NOW,
	.clock_skew = 30,
	.max_lifetime = 7 * 86400,
	.check_audience = false,
	.audience = NULL,
	.audience_len = 0,
	.require_email = false,
};

/* The token under construction. */
static char tok[2 * MAX_TOKEN];
static size_t tok_len;

/* The last verification's input copy and arena, kept for its outputs. */
static char *cur_input;
static char *cur_arena_buf;
static woesid_jwt res;
static woesid_hmac_result hres;

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint8_t
rnd_byte(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint8_t) (rng_state >> 24);
}

static void *
xmalloc(size_t n)
{
	void	   *p = malloc(n);

	if (p == NULL && n > 0)
	{
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	return p;
}

static const char *
reason_name(woesid_reason r)
{
	return r == WOESID_OK ? "ok" : woesid_reason_code[r];
}

static bool
same(const char *a, size_t alen, const char *b)
{
	return a != NULL && alen == strlen(b) && memcmp(a, b, alen) == 0;
}

static bool
all_zero(const uint8_t *bytes, size_t n)
{
	uint8_t		any = 0;

	for (size_t i = 0; i < n; i++)
		any |= bytes[i];
	return any == 0;
}

/* Lower- or upper-case hex of n bytes, NUL-terminated. */
static void
to_hex(const uint8_t *bytes, size_t n, bool upper, char *out)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";

	for (size_t i = 0; i < n; i++)
	{
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 15];
	}
	out[2 * n] = '\0';
}

/* OpenSSL's one-shot HMAC-SHA256, the independent reference. */
static void
oneshot_hmac(const uint8_t *key, size_t keylen, const void *msg, size_t len,
			 uint8_t out[WOESID_MAC_LEN])
{
	unsigned int outlen = 0;

	if (HMAC(EVP_sha256(), key, (int) keylen, msg, len, out, &outlen) == NULL ||
		outlen != WOESID_MAC_LEN)
	{
		fprintf(stderr, "HMAC() failed\n");
		exit(2);
	}
}

/* base64url of a C string, NUL-terminated into out. */
static char *
enc(const char *text, char *out)
{
	out[woesid_b64url_encode((const uint8_t *) text, strlen(text), out)] = '\0';
	return out;
}

static void
tok_room(size_t n)
{
	if (n > sizeof(tok) - tok_len)
	{
		fprintf(stderr, "test token too long\n");
		exit(2);
	}
}

static void
tok_raw(const char *s, size_t len)
{
	tok_room(len);
	memcpy(tok + tok_len, s, len);
	tok_len += len;
}

static void
tok_str(const char *s)
{
	tok_raw(s, strlen(s));
}

static void
tok_b64(const uint8_t *bytes, size_t len)
{
	tok_room((len * 4 + 2) / 3);
	tok_len += woesid_b64url_encode(bytes, len, tok + tok_len);
}

/* Appends "." and the signature of everything so far under key. */
static void
tok_sign(woesid_mac_key *key)
{
	uint8_t		mac[WOESID_MAC_LEN];

	CHECK(woesid_mac(key, (const uint8_t *) tok, tok_len, mac));
	tok_str(".");
	tok_b64(mac, sizeof(mac));
}

/* tok = the raw segments "header.payload", signed under key. */
static void
make_raw(const char *header_seg, const char *payload_seg, woesid_mac_key *key)
{
	tok_len = 0;
	tok_str(header_seg);
	tok_str(".");
	tok_str(payload_seg);
	tok_sign(key);
}

/* tok = header and payload JSON, encoded and signed under key. */
static void
make_jwt_key(const char *header, const char *payload, woesid_mac_key *key)
{
	tok_len = 0;
	tok_b64((const uint8_t *) header, strlen(header));
	tok_str(".");
	tok_b64((const uint8_t *) payload, strlen(payload));
	tok_sign(key);
}

static void
make_jwt(const char *header, const char *payload)
{
	make_jwt_key(header, payload, jwt_key);
}

static void
release(void)
{
	free(cur_input);
	free(cur_arena_buf);
	cur_input = NULL;
	cur_arena_buf = NULL;
}

/* An exactly sized copy of text[0..len) and an arena of exactly bound bytes. */
static const char *
prepare(const char *text, size_t len, size_t bound, woesid_arena *arena)
{
	release();
	cur_input = xmalloc(len);
	if (len > 0)
		memcpy(cur_input, text, len);
	cur_arena_buf = xmalloc(bound);
	woesid_arena_init(arena, cur_arena_buf, bound);
	return cur_input;
}

static woesid_reason
verify_tok(woesid_mac_key *key, size_t max, const woesid_jwt_rules *rules)
{
	woesid_arena arena;
	const char *copy = prepare(tok, tok_len, woesid_jwt_arena_bound(tok_len),
							   &arena);

	woesid_jwt_verify(copy, tok_len, key, max, rules, &arena, &res);
	return res.reason;
}

/* Verifies tok; a rejection must leave no identity behind. */
static void
expect_full(const char *what, woesid_mac_key *key, size_t max,
			const woesid_jwt_rules *rules, woesid_reason want)
{
	woesid_reason got = verify_tok(key, max, rules);

	CHECK_MSG(got == want, "%s: got %s, want %s", what, reason_name(got),
			  reason_name(want));
	CHECK_MSG(!res.fault, "%s: fault set", what);
	if (got != WOESID_OK)
		CHECK_MSG(res.email == NULL && res.contact_id == NULL &&
				  res.account_id == NULL, "%s: identity left on failure", what);
}

static void
expect(const char *what, woesid_reason want)
{
	expect_full(what, jwt_key, MAX_TOKEN, &widget_rules, want);
}

/* Signs header.payload and checks the verdict under widget rules. */
static void
jwt_case(const char *what, const char *header, const char *payload,
		 woesid_reason want)
{
	make_jwt(header, payload);
	expect(what, want);
}

/* The default header with payload {aud, email, <claims>}. */
static void
claims_case(const char *what, const char *claims, woesid_reason want)
{
	char		payload[1024];

	snprintf(payload, sizeof(payload), "{" AUD_EMAIL ",%s}", claims);
	jwt_case(what, HDR, payload, want);
}

static void
test_base64url(void)
{
	uint8_t		raw[200];
	uint8_t		one = 0x41;
	char		canon[4];

	/* Round trip, every length, from and into exactly sized buffers. */
	for (size_t len = 0; len <= sizeof(raw); len++)
	{
		size_t		enclen = (len * 4 + 2) / 3;
		char	   *encoded = xmalloc(enclen);
		uint8_t    *decoded;
		size_t		outlen = 0;

		for (size_t i = 0; i < len; i++)
			raw[i] = rnd_byte();
		CHECK_MSG(woesid_b64url_encode(raw, len, encoded) == enclen,
				  "encoded length for %zu bytes", len);
		CHECK_MSG(enclen % 4 != 1, "length 1 mod 4 for %zu bytes", len);
		decoded = xmalloc(woesid_b64url_decoded_bound(enclen));
		CHECK_MSG(woesid_b64url_decode(encoded, enclen, decoded, &outlen) &&
				  outlen == len && (len == 0 || memcmp(decoded, raw, len) == 0),
				  "round trip of %zu bytes", len);
		free(encoded);
		free(decoded);
	}

	/* Which of the 64 final characters are canonical: zero trailing bits. */
	CHECK(woesid_b64url_encode(&one, 1, canon) == 2 && canon[0] == 'Q' &&
		  canon[1] == 'Q');
	for (int v = 0; v < 64; v++)
	{
		char		two[2] = {'Q', b64_alphabet[v]};
		char		three[3] = {'Q', 'U', b64_alphabet[v]};
		uint8_t		out[4];
		size_t		outlen;
		char		back[4];

		CHECK_MSG(woesid_b64url_decode(two, 2, out, &outlen) == (v % 16 == 0),
				  "Q%c", b64_alphabet[v]);
		if (v % 16 == 0)
			CHECK(outlen == 1 && woesid_b64url_encode(out, 1, back) == 2 &&
				  memcmp(back, two, 2) == 0);
		CHECK_MSG(woesid_b64url_decode(three, 3, out, &outlen) == (v % 4 == 0),
				  "QU%c", b64_alphabet[v]);
		if (v % 4 == 0)
			CHECK(outlen == 2 && woesid_b64url_encode(out, 2, back) == 3 &&
				  memcmp(back, three, 3) == 0);
	}

	/* Padding, the standard alphabet, whitespace, 1 mod 4. */
	{
		static const char *const bad[] = {
			"QQ==", "QQ=", "QUE=", "=QQQ", "QUFB====", "ab+d", "ab/d", "+/+/",
			"QU E", " QUF", "QUFB\n", "QUFB\r\n", "QU\tF", "A", "QUFBQ",
			"QUFBQUFBQ", "QR", "QUG",
		};

		for (size_t i = 0; i < lengthof(bad); i++)
		{
			size_t		len = strlen(bad[i]);
			char	   *in = xmalloc(len);
			uint8_t    *out = xmalloc(woesid_b64url_decoded_bound(len));
			size_t		outlen;

			memcpy(in, bad[i], len);
			CHECK_MSG(!woesid_b64url_decode(in, len, out, &outlen),
					  "accepted \"%s\"", bad[i]);
			free(in);
			free(out);
		}
	}

	/*
	 * Every byte outside the alphabet at every position of segments long
	 * enough for the 16-character blocks of the SIMD path and its tail.
	 */
	for (size_t len = 24; len <= 72; len += 23)
	{
		char	   *seg = xmalloc(len);
		uint8_t    *out = xmalloc(woesid_b64url_decoded_bound(len));
		size_t		outlen;

		for (size_t i = 0; i < len; i++)
			seg[i] = b64_alphabet[(i * 7 + len) % 64];
		seg[len - 1] = 'A';		/* canonical whatever len % 4 is */
		CHECK_MSG(woesid_b64url_decode(seg, len, out, &outlen),
				  "valid segment of %zu", len);
		for (int b = 0; b < 256; b++)
		{
			if (b != 0 && strchr(b64_alphabet, b) != NULL)
				continue;
			for (size_t pos = 0; pos < len; pos++)
			{
				char		saved = seg[pos];

				seg[pos] = (char) b;
				CHECK_MSG(!woesid_b64url_decode(seg, len, out, &outlen),
						  "byte 0x%02x at %zu of %zu", b, pos, len);
				seg[pos] = saved;
			}
		}
		free(seg);
		free(out);
	}

	/* Every byte outside the alphabet, in every position. */
	for (int b = 0; b < 256; b++)
	{
		if (b != 0 && strchr(b64_alphabet, b) != NULL)
			continue;
		for (int pos = 0; pos < 4; pos++)
		{
			char		quad[4] = {'Q', 'U', 'F', 'B'};
			char		three[3] = {'Q', 'U', 'E'};
			uint8_t		out[6];
			size_t		outlen;

			quad[pos] = (char) b;
			CHECK_MSG(!woesid_b64url_decode(quad, 4, out, &outlen),
					  "byte 0x%02x at %d of 4", b, pos);
			if (pos < 3)
			{
				three[pos] = (char) b;
				CHECK_MSG(!woesid_b64url_decode(three, 3, out, &outlen),
						  "byte 0x%02x at %d of 3", b, pos);
			}
		}
	}
}

static void
test_mac(void)
{
	static const size_t key_lens[] = {1, 32, 64, 65, 200};
	static const size_t msg_lens[] = {0, 1, 31, 55, 56, 63, 64, 65, 1000};
	uint8_t		keybytes[200];
	uint8_t		msg[1000];
	uint8_t		a[WOESID_MAC_LEN];
	uint8_t		b[WOESID_MAC_LEN];

	for (size_t k = 0; k < lengthof(key_lens); k++)
	{
		woesid_mac_key *key;

		for (size_t i = 0; i < key_lens[k]; i++)
			keybytes[i] = rnd_byte();
		key = woesid_mac_key_new(keybytes, key_lens[k]);
		CHECK(key != NULL);
		/* Several messages per key: the saved states must stay intact. */
		for (size_t m = 0; m < lengthof(msg_lens); m++)
		{
			for (size_t i = 0; i < msg_lens[m]; i++)
				msg[i] = rnd_byte();
			oneshot_hmac(keybytes, key_lens[k], msg, msg_lens[m], b);
			CHECK_MSG(woesid_mac(key, msg, msg_lens[m], a) &&
					  memcmp(a, b, WOESID_MAC_LEN) == 0,
					  "key %zu bytes, message %zu bytes", key_lens[k], msg_lens[m]);
		}
		woesid_mac_key_free(key);
	}

	memcpy(b, a, sizeof(a));
	CHECK(woesid_mac_equal(a, b));
	for (int i = 0; i < WOESID_MAC_LEN; i++)
	{
		b[i] ^= 0x80;
		CHECK_MSG(!woesid_mac_equal(a, b), "differs at byte %d (0x80)", i);
		b[i] ^= 0x81;
		CHECK_MSG(!woesid_mac_equal(a, b), "differs at byte %d (0x01)", i);
		b[i] ^= 0x01;
	}
	CHECK(woesid_mac_equal(a, b));

	/*
	 * After a failure, the reason of OpenSSL's last error (what the fmgr
	 * layer puts in an internal error's detail), then none: the queue is
	 * emptied.  A digest no provider has makes an error.
	 */
	(void) woesid_mac_error_reason();
	CHECK(woesid_mac_error_reason() == NULL);
	CHECK(EVP_MD_fetch(NULL, "woesid-no-such-digest", NULL) == NULL);
	{
		const char *reason = woesid_mac_error_reason();

		CHECK(reason != NULL && reason[0] != '\0');
		CHECK(reason == NULL || strstr(reason, "woesid-no-such-digest") == NULL);
	}
	CHECK(woesid_mac_error_reason() == NULL);
}

/* Rules 1 and 4: three segments of strict base64url of strict JSON objects. */
static void
test_jwt_malformed(void)
{
	char		h[256];
	char		p[1024];
	char		seg[256];
	char		payload_seg[1024];
	size_t		n;

	enc(GOOD, payload_seg);

	make_jwt(HDR, GOOD);
	expect("baseline", WOESID_OK);

	tok_len = 0;
	tok_str("abc");
	expect("no dot", WOESID_MALFORMED);
	tok_len = 0;
	tok_str(enc(HDR, h));
	tok_str(".");
	tok_str(payload_seg);
	expect("two segments", WOESID_MALFORMED);
	make_jwt(HDR, GOOD);
	tok_str(".");
	expect("four segments, last empty", WOESID_MALFORMED);
	make_jwt(HDR, GOOD);
	tok_str(".QQ");
	expect("four segments", WOESID_MALFORMED);
	tok_len = 0;
	tok_str("..");
	expect("three empty segments", WOESID_MALFORMED);
	make_raw("", payload_seg, jwt_key);
	expect("empty header", WOESID_MALFORMED);

	/* Header segment not strict base64url (each correctly signed). */
	n = strlen(enc("{\"alg\":\"HS256\",\"kid\":\"k\"}", h));
	CHECK(n % 4 == 2);
	strcpy(seg, h);
	strcat(seg, "==");
	make_raw(seg, payload_seg, jwt_key);
	expect("header padded", WOESID_MALFORMED);
	strcpy(seg, h);
	seg[n - 1] = b64_alphabet[strchr(b64_alphabet, h[n - 1]) - b64_alphabet + 1];
	make_raw(seg, payload_seg, jwt_key);
	expect("header trailing bits", WOESID_MALFORMED);
	strcpy(seg, h);
	seg[0] = '+';
	make_raw(seg, payload_seg, jwt_key);
	expect("header +", WOESID_MALFORMED);
	seg[0] = '/';
	make_raw(seg, payload_seg, jwt_key);
	expect("header /", WOESID_MALFORMED);
	seg[0] = ' ';
	make_raw(seg, payload_seg, jwt_key);
	expect("header space", WOESID_MALFORMED);
	strcpy(seg, h);
	strcat(seg, "\n");
	make_raw(seg, payload_seg, jwt_key);
	expect("header newline", WOESID_MALFORMED);
	n = strlen(enc(HDR, h));
	CHECK(n % 4 == 0);
	strcat(h, "A");
	make_raw(h, payload_seg, jwt_key);
	expect("header 1 mod 4", WOESID_MALFORMED);

	/* Header not a strict JSON object. */
	jwt_case("header not JSON", "alg HS256", GOOD, WOESID_MALFORMED);
	jwt_case("header array", "[\"HS256\"]", GOOD, WOESID_MALFORMED);
	jwt_case("header string", "\"HS256\"", GOOD, WOESID_MALFORMED);
	jwt_case("header null", "null", GOOD, WOESID_MALFORMED);
	jwt_case("header trailing data", HDR " {}", GOOD, WOESID_MALFORMED);
	jwt_case("header BOM", "\xEF\xBB\xBF" HDR, GOOD, WOESID_MALFORMED);
	jwt_case("header duplicate alg", "{\"alg\":\"HS256\",\"alg\":\"HS256\"}",
			 GOOD, WOESID_MALFORMED);
	jwt_case("header duplicate after unescaping",
			 "{\"alg\":\"HS256\",\"a\\u006cg\":\"none\"}", GOOD, WOESID_MALFORMED);
	jwt_case("header alg with NUL", "{\"alg\":\"HS256\\u0000\"}", GOOD,
			 WOESID_MALFORMED);
	jwt_case("header lone surrogate", "{\"alg\":\"HS256\",\"kid\":\"\\ud800\"}",
			 GOOD, WOESID_MALFORMED);
	jwt_case("header invalid UTF-8", "{\"alg\":\"HS256\",\"kid\":\"\xff\"}",
			 GOOD, WOESID_MALFORMED);

	/* Signature segment not strict base64url. */
	make_jwt(HDR, GOOD);
	tok_str("=");
	expect("signature padded", WOESID_MALFORMED);
	make_jwt(HDR, GOOD);
	tok[tok_len - 1] =
		b64_alphabet[strchr(b64_alphabet, tok[tok_len - 1]) - b64_alphabet + 1];
	expect("signature trailing bits", WOESID_MALFORMED);
	make_jwt(HDR, GOOD);
	tok[tok_len - 5] = '/';
	expect("signature /", WOESID_MALFORMED);
	make_jwt(HDR, GOOD);
	tok_str("AA");
	expect("signature 1 mod 4", WOESID_MALFORMED);

	/* Payload not strict base64url of a JSON object, signature good. */
	strcpy(p, payload_seg);
	n = strlen(p);
	CHECK(n % 4 != 0);
	strcat(p, n % 4 == 2 ? "==" : "=");
	make_raw(enc(HDR, h), p, jwt_key);
	expect("payload padded", WOESID_MALFORMED);
	make_raw(h, p, other_key);
	expect("payload padded, bad signature", WOESID_BAD_SIGNATURE);
	strcpy(p, payload_seg);
	p[3] = '+';
	make_raw(h, p, jwt_key);
	expect("payload +", WOESID_MALFORMED);
	make_raw(h, "QUFBQ", jwt_key);
	expect("payload 1 mod 4", WOESID_MALFORMED);
	make_raw(h, "!!!!", jwt_key);
	expect("payload not base64url", WOESID_MALFORMED);
	make_raw(h, "!!!!", other_key);
	expect("payload not base64url, bad signature", WOESID_BAD_SIGNATURE);
	make_raw(h, "", jwt_key);
	expect("payload empty", WOESID_MALFORMED);
	jwt_case("payload not JSON", HDR, "hello", WOESID_MALFORMED);
	make_jwt_key(HDR, "hello", other_key);
	expect("payload not JSON, bad signature", WOESID_BAD_SIGNATURE);
	jwt_case("payload array", HDR, "[" GOOD "]", WOESID_MALFORMED);
	jwt_case("payload number", HDR, "1700000600", WOESID_MALFORMED);
	jwt_case("payload BOM", HDR, "\xEF\xBB\xBF" GOOD, WOESID_MALFORMED);
	jwt_case("payload trailing data", HDR, GOOD "x", WOESID_MALFORMED);
	jwt_case("payload duplicate exp", HDR,
			 "{" AUD_EMAIL "," TIMES ",\"exp\":1700000600}", WOESID_MALFORMED);
	jwt_case("payload duplicate after unescaping", HDR,
			 "{" AUD_EMAIL "," TIMES ",\"\\u0065xp\":1}", WOESID_MALFORMED);
	jwt_case("payload lone surrogate", HDR,
			 "{" AUD_EMAIL "," TIMES ",\"n\":\"\\udc00\"}", WOESID_MALFORMED);
	jwt_case("payload NUL escape", HDR,
			 "{" AUD_EMAIL "," TIMES ",\"n\":\"a\\u0000\"}", WOESID_MALFORMED);
	jwt_case("payload invalid UTF-8", HDR,
			 "{" AUD_EMAIL "," TIMES ",\"n\":\"\xc3\x28\"}", WOESID_MALFORMED);

	/* Nesting: the outermost object counts 1, 32 levels allowed. */
	for (int depth = 32; depth <= 33; depth++)
	{
		size_t		len;

		len = (size_t) snprintf(p, sizeof(p), "{" AUD_EMAIL "," TIMES ",\"d\":");
		for (int i = 1; i < depth; i++)
			p[len++] = '[';
		for (int i = 1; i < depth; i++)
			p[len++] = ']';
		p[len++] = '}';
		p[len] = '\0';
		jwt_case(depth == 32 ? "depth 32" : "depth 33", HDR, p,
				 depth == 32 ? WOESID_OK : WOESID_MALFORMED);
	}
}

/* Rules 2 and 3. */
static void
test_jwt_header_and_signature(void)
{
	static const char *const bad_alg[] = {
		"{\"typ\":\"JWT\"}",
		"{}",
		"{\"alg\":null}",
		"{\"alg\":256}",
		"{\"alg\":true}",
		"{\"alg\":[\"HS256\"]}",
		"{\"alg\":{\"HS256\":1}}",
		"{\"alg\":\"none\"}",
		"{\"alg\":\"None\"}",
		"{\"alg\":\"\"}",
		"{\"alg\":\"hs256\"}",
		"{\"alg\":\"Hs256\"}",
		"{\"alg\":\"HS256 \"}",
		"{\"alg\":\" HS256\"}",
		"{\"alg\":\"HS25\"}",
		"{\"alg\":\"HS2566\"}",
		"{\"alg\":\"HS384\"}",
		"{\"alg\":\"HS512\"}",
		"{\"alg\":\"RS256\"}",
		"{\"alg\":\"ES256\"}",
		"{\"alg\":\"PS256\"}",
		"{\"ALG\":\"HS256\"}",
	};
	static const char *const bad_header[] = {
		"{\"alg\":\"HS256\",\"crit\":[\"exp\"]}",
		"{\"alg\":\"HS256\",\"crit\":null}",
		"{\"alg\":\"HS256\",\"b64\":false}",
		"{\"alg\":\"HS256\",\"b64\":true}",
		"{\"alg\":\"HS256\",\"cty\":\"JWT\"}",
		"{\"alg\":\"HS256\",\"enc\":\"A128GCM\"}",
		"{\"alg\":\"HS256\",\"typ\":\"JWS\"}",
		"{\"alg\":\"HS256\",\"typ\":\"JWT \"}",
		"{\"alg\":\"HS256\",\"typ\":\"JW\"}",
		"{\"alg\":\"HS256\",\"typ\":\"\"}",
		"{\"alg\":\"HS256\",\"typ\":\"application/jwt\"}",
		"{\"alg\":\"HS256\",\"typ\":null}",
		"{\"alg\":\"HS256\",\"typ\":1}",
		"{\"alg\":\"HS256\",\"typ\":[\"JWT\"]}",
	};
	static const char *const good_header[] = {
		"{\"alg\":\"HS256\"}",
		"{\"alg\":\"HS256\",\"typ\":\"jwt\"}",
		"{\"alg\":\"HS256\",\"typ\":\"jWt\"}",
		"{\"alg\":\"HS\\u0032\\u0035\\u0036\",\"typ\":\"JWT\"}",
		"{\"alg\":\"HS256\",\"kid\":\"k1\"}",
		"{\"alg\":\"HS256\",\"kid\":17}",
		"{\"alg\":\"HS256\",\"jku\":\"https://attacker.example/keys\"}",
		"{\"alg\":\"HS256\",\"x5u\":\"https://attacker.example/cert\"}",
		"{\"alg\":\"HS256\",\"jwk\":{\"kty\":\"oct\",\"k\":\"AAAA\"}}",
		"{\"alg\":\"HS256\",\"x5c\":[\"MIIB\"]}",
		"{\"alg\":\"HS256\",\"foo\":{\"bar\":[1,2]}}",
	};
	uint8_t		mac[WOESID_MAC_LEN + 1];
	size_t		payload_at;
	size_t		sig_start;

	for (size_t i = 0; i < lengthof(bad_alg); i++)
		jwt_case(bad_alg[i], bad_alg[i], GOOD, WOESID_UNSUPPORTED_ALGORITHM);
	for (size_t i = 0; i < lengthof(bad_header); i++)
		jwt_case(bad_header[i], bad_header[i], GOOD, WOESID_UNSUPPORTED_HEADER);
	for (size_t i = 0; i < lengthof(good_header); i++)
		jwt_case(good_header[i], good_header[i], GOOD, WOESID_OK);

	/* Wrong key, or the right key over other bytes. */
	make_jwt_key(HDR, GOOD, other_key);
	expect("other key", WOESID_BAD_SIGNATURE);
	make_jwt(HDR, GOOD);
	payload_at = (size_t) ((char *) memchr(tok, '.', tok_len) - tok) + 1;
	CHECK(tok[payload_at] == 'e');
	tok[payload_at] = 'f';
	expect("payload changed after signing", WOESID_BAD_SIGNATURE);

	/* Signatures of the wrong size, or empty. */
	make_jwt(HDR, GOOD);
	sig_start = tok_len - 43;
	tok_len = sig_start;
	expect("empty signature", WOESID_BAD_SIGNATURE);
	CHECK(woesid_mac(jwt_key, (const uint8_t *) tok, sig_start - 1, mac));
	mac[WOESID_MAC_LEN] = 0;
	tok_b64(mac, WOESID_MAC_LEN - 1);
	expect("31-byte signature (a prefix of the MAC)", WOESID_BAD_SIGNATURE);
	tok_len = sig_start;
	tok_b64(mac, WOESID_MAC_LEN + 1);
	expect("33-byte signature (the MAC and a zero)", WOESID_BAD_SIGNATURE);
	tok_len = sig_start;
	tok_b64(mac, WOESID_MAC_LEN);
	expect("the MAC itself", WOESID_OK);
	memset(mac, 0, sizeof(mac));
	tok_len = sig_start;
	tok_b64(mac, WOESID_MAC_LEN);
	expect("zero signature", WOESID_BAD_SIGNATURE);

	/* A NULL key wins over everything, even an empty token. */
	make_jwt(HDR, GOOD);
	expect_full("NULL key", NULL, MAX_TOKEN, &widget_rules,
				WOESID_MISSING_SECRET);
	tok_len = 0;
	expect_full("NULL key, empty token", NULL, MAX_TOKEN, &widget_rules,
				WOESID_MISSING_SECRET);
	tok_str("garbage");
	expect_full("NULL key, garbage", NULL, MAX_TOKEN, &widget_rules,
				WOESID_MISSING_SECRET);
	tok_len = 0;
	expect("empty token", WOESID_MISSING);
}

/* Rules 5-7 under widget rules. */
/*
 * Each header jws.c recognizes by its encoded bytes verifies as the same
 * header does through the decoder and parser (there with a trailing space,
 * which JSON allows), with no kid, under every verdict that depends on the
 * header: a good token and a bad signature.
 */
static void
test_jwt_common_headers(void)
{
	for (int i = 0; i < WOESID_JWS_COMMON_HEADERS; i++)
	{
		const wj_name *h = &woesid_jws_common_headers[i];
		uint8_t		json[64];
		size_t		json_len = 0;
		char		spaced[72];
		char		what[128];

		CHECK(h->len < sizeof(json) && woesid_b64url_decode(h->name, h->len, json, &json_len));
		snprintf(spaced, sizeof(spaced), "%.*s ", (int) json_len, (const char *) json);
		snprintf(what, sizeof(what), "common header %s", spaced);

		make_jwt(spaced, GOOD);
		CHECK_MSG((size_t) ((char *) memchr(tok, '.', tok_len) - tok) != h->len,
				  "%s: the spaced form takes the full path", what);
		expect(what, WOESID_OK);

		tok_len = 0;
		tok_raw(h->name, h->len);
		tok_str(".");
		tok_b64((const uint8_t *) GOOD, strlen(GOOD));
		tok_sign(jwt_key);
		expect(what, WOESID_OK);
		CHECK_MSG(res.kid == NULL, "%s: no kid", what);
		/* a signature character changed: still base64url, not the MAC */
		tok[tok_len - 10] = tok[tok_len - 10] == 'A' ? 'B' : 'A';
		expect(what, WOESID_BAD_SIGNATURE);
	}
}

static void
test_jwt_claims(void)
{
	woesid_jwt_rules rules;

	/* missing_claim */
	jwt_case("no exp", HDR, "{" AUD_EMAIL ",\"iat\":1700000000}",
			 WOESID_MISSING_CLAIM);
	jwt_case("no iat", HDR, "{" AUD_EMAIL ",\"exp\":1700000600}",
			 WOESID_MISSING_CLAIM);
	jwt_case("no time claims", HDR, "{" AUD_EMAIL "}", WOESID_MISSING_CLAIM);
	jwt_case("empty payload object", HDR, "{}", WOESID_MISSING_CLAIM);
	jwt_case("EXP is not exp", HDR,
			 "{" AUD_EMAIL ",\"iat\":1700000000,\"EXP\":1700000600}",
			 WOESID_MISSING_CLAIM);

	/* invalid_claim: each time claim, each bad form */
	{
		static const char *const bad[] = {
			"-1", "253402300800", "\"123\"", "null", "true", "false", "1e400",
			"-1e400", "[1700000600]", "{}", "-0.5", "253402300799.5",
		};
		char		claims[256];

		for (size_t i = 0; i < lengthof(bad); i++)
		{
			snprintf(claims, sizeof(claims), "\"iat\":1700000000,\"exp\":%s", bad[i]);
			claims_case(claims, claims, WOESID_INVALID_CLAIM);
			snprintf(claims, sizeof(claims), "\"iat\":%s,\"exp\":1700000600", bad[i]);
			claims_case(claims, claims, WOESID_INVALID_CLAIM);
			snprintf(claims, sizeof(claims), TIMES ",\"nbf\":%s", bad[i]);
			claims_case(claims, claims, WOESID_INVALID_CLAIM);
		}
	}

	/* Time claims at the edges of the range are numbers like any other. */
	rules = widget_rules;
	rules.max_lifetime = INFINITY;
	make_jwt(HDR, "{" AUD_EMAIL ",\"iat\":0,\"exp\":253402300799}");
	expect_full("iat 0, exp 253402300799", jwt_key, MAX_TOKEN, &rules, WOESID_OK);
	CHECK(res.iat == 0 && res.exp == 253402300799.0);
	make_jwt(HDR, "{" AUD_EMAIL ",\"iat\":0.0,\"exp\":2.53402300799e11}");
	expect_full("iat 0.0, exp 2.53402300799e11", jwt_key, MAX_TOKEN, &rules,
				WOESID_OK);
	claims_case("exp 0", "\"iat\":0,\"exp\":0", WOESID_EXPIRED);
	claims_case("iat 253402300799", "\"iat\":253402300799,\"exp\":253402300799",
				WOESID_NOT_YET_VALID);
	claims_case("nbf 0", TIMES ",\"nbf\":0", WOESID_OK);
	claims_case("nbf 253402300799", TIMES ",\"nbf\":253402300799",
				WOESID_NOT_YET_VALID);
	claims_case("exp 17000006e2", "\"iat\":1700000000,\"exp\":17000006e2",
				WOESID_OK);
	claims_case("exp 1.7000006E+9", "\"iat\":1700000000,\"exp\":1.7000006E+9",
				WOESID_OK);

	/* Expiry: now >= exp + skew; now = 1700000100, skew 30. */
	claims_case("now == exp + skew", "\"iat\":1699999500,\"exp\":1700000070",
				WOESID_EXPIRED);
	claims_case("now just below exp + skew",
				"\"iat\":1699999500,\"exp\":1700000070.5", WOESID_OK);
	claims_case("now == exp", "\"iat\":1699999500,\"exp\":1700000100", WOESID_OK);
	claims_case("exp long gone", "\"iat\":1000,\"exp\":1500", WOESID_EXPIRED);
	rules = widget_rules;
	rules.now = INFINITY;
	make_jwt(HDR, GOOD);
	expect_full("unknown time", jwt_key, MAX_TOKEN, &rules, WOESID_EXPIRED);

	/* Not yet valid: iat or nbf > now + skew. */
	claims_case("iat == now + skew", "\"iat\":1700000130,\"exp\":1700000600",
				WOESID_OK);
	claims_case("iat just above now + skew",
				"\"iat\":1700000130.5,\"exp\":1700000600", WOESID_NOT_YET_VALID);
	claims_case("iat now + skew + 1", "\"iat\":1700000131,\"exp\":1700000600",
				WOESID_NOT_YET_VALID);
	claims_case("nbf == now + skew", TIMES ",\"nbf\":1700000130", WOESID_OK);
	claims_case("nbf just above now + skew", TIMES ",\"nbf\":1700000130.5",
				WOESID_NOT_YET_VALID);
	claims_case("nbf now + skew + 1", TIMES ",\"nbf\":1700000131",
				WOESID_NOT_YET_VALID);

	/* Lifetime: exp - iat > 900. */
	claims_case("lifetime == max", "\"iat\":1700000000,\"exp\":1700000900",
				WOESID_OK);
	claims_case("lifetime max + 1", "\"iat\":1700000000,\"exp\":1700000901",
				WOESID_LIFETIME_EXCEEDED);
	claims_case("lifetime max + 0.5", "\"iat\":1700000000,\"exp\":1700000900.5",
				WOESID_LIFETIME_EXCEEDED);
	claims_case("exp before iat", "\"iat\":1700000100,\"exp\":1700000090",
				WOESID_OK);

	/* Audience: a string, or an array of strings, byte for byte. */
	{
		static const struct
		{
			const char *aud;
			woesid_reason want;
		}			auds[] = {
			{"\"wpk_test\"", WOESID_OK},
			{"\"wpk\\u005ftest\"", WOESID_OK},
			{"[\"wpk_test\"]", WOESID_OK},
			{"[\"other\",\"wpk_test\"]", WOESID_OK},
			{"[\"wpk_test\",\"wpk_test2\"]", WOESID_OK},
			{"\"wpk_tes\"", WOESID_AUDIENCE_MISMATCH},
			{"\"wpk_test2\"", WOESID_AUDIENCE_MISMATCH},
			{"\"WPK_TEST\"", WOESID_AUDIENCE_MISMATCH},
			{"\" wpk_test\"", WOESID_AUDIENCE_MISMATCH},
			{"\"wpk_test \"", WOESID_AUDIENCE_MISMATCH},
			{"\"\"", WOESID_AUDIENCE_MISMATCH},
			{"null", WOESID_AUDIENCE_MISMATCH},
			{"1", WOESID_AUDIENCE_MISMATCH},
			{"true", WOESID_AUDIENCE_MISMATCH},
			{"{\"wpk_test\":1}", WOESID_AUDIENCE_MISMATCH},
			{"[]", WOESID_AUDIENCE_MISMATCH},
			{"[\"other\"]", WOESID_AUDIENCE_MISMATCH},
			{"[\"wpk_test\",1]", WOESID_AUDIENCE_MISMATCH},
			{"[null,\"wpk_test\"]", WOESID_AUDIENCE_MISMATCH},
			{"[[\"wpk_test\"]]", WOESID_AUDIENCE_MISMATCH},
		};
		char		payload[256];

		for (size_t i = 0; i < lengthof(auds); i++)
		{
			snprintf(payload, sizeof(payload),
					 "{\"aud\":%s,\"email\":\"a@b\"," TIMES "}", auds[i].aud);
			jwt_case(payload, HDR, payload, auds[i].want);
		}
	}
	jwt_case("no aud", HDR, "{\"email\":\"a@b\"," TIMES "}",
			 WOESID_AUDIENCE_MISMATCH);
	rules = widget_rules;
	rules.audience = NULL;
	rules.audience_len = 0;
	make_jwt(HDR, GOOD);
	expect_full("NULL audience", jwt_key, MAX_TOKEN, &rules,
				WOESID_AUDIENCE_MISMATCH);

	/* Email: a string non-empty after normalization. */
	jwt_case("no email", HDR, "{\"aud\":\"wpk_test\"," TIMES "}",
			 WOESID_MISSING_EMAIL);
	jwt_case("user_email does not count", HDR,
			 "{\"aud\":\"wpk_test\",\"user_email\":\"a@b\"," TIMES "}",
			 WOESID_MISSING_EMAIL);
	{
		static const char *const bad[] = {
			"\"\"", "\"   \"", "\"\\t\\n\\r \\u00a0\\u2028\\ufeff\"", "null", "5",
			"true", "[\"a@b\"]", "{\"a\":\"b\"}",
		};
		char		payload[256];

		for (size_t i = 0; i < lengthof(bad); i++)
		{
			snprintf(payload, sizeof(payload),
					 "{\"aud\":\"wpk_test\",\"email\":%s," TIMES "}", bad[i]);
			jwt_case(payload, HDR, payload, WOESID_MISSING_EMAIL);
		}
	}
}

/* The first failing rule, in the reference's order, is the one reported. */
static void
test_jwt_order(void)
{
	char		h[64];
	char		payload_seg[1024];

	make_jwt_key(HDR, "{" AUD_EMAIL ",\"iat\":1000,\"exp\":1500}", other_key);
	expect("bad signature + expired", WOESID_BAD_SIGNATURE);
	make_jwt_key("{\"alg\":\"none\"}", GOOD, other_key);
	expect("alg none + bad signature", WOESID_UNSUPPORTED_ALGORITHM);
	tok_len = 0;
	tok_str(enc("{\"alg\":\"none\"}", h));
	tok_str(".");
	tok_str(enc(GOOD, payload_seg));
	tok_str(".");
	expect("alg none + empty signature", WOESID_UNSUPPORTED_ALGORITHM);
	make_raw(h, "!!!!", other_key);
	expect("alg none + payload not base64url", WOESID_UNSUPPORTED_ALGORITHM);
	make_jwt("{\"alg\":\"none\"}", GOOD);
	tok_str("=");
	expect("alg none + signature not base64url", WOESID_MALFORMED);
	jwt_case("alg none + crit", "{\"alg\":\"none\",\"crit\":[\"b64\"]}", GOOD,
			 WOESID_UNSUPPORTED_ALGORITHM);
	make_jwt_key("{\"alg\":\"HS256\",\"b64\":false}", GOOD, other_key);
	expect("b64 + bad signature", WOESID_UNSUPPORTED_HEADER);
	make_jwt_key(HDR, "{}", other_key);
	expect("bad signature + missing claims", WOESID_BAD_SIGNATURE);
	jwt_case("missing exp + bad aud", HDR,
			 "{\"aud\":\"x\",\"iat\":1700000000}", WOESID_MISSING_CLAIM);
	jwt_case("missing iat + invalid exp", HDR,
			 "{" AUD_EMAIL ",\"exp\":\"soon\"}", WOESID_MISSING_CLAIM);
	claims_case("invalid iat + expired", "\"iat\":\"x\",\"exp\":1500",
				WOESID_INVALID_CLAIM);
	claims_case("invalid nbf + expired", "\"iat\":1000,\"exp\":1500,\"nbf\":-1",
				WOESID_INVALID_CLAIM);
	claims_case("expired + lifetime", "\"iat\":1000,\"exp\":1700000000",
				WOESID_EXPIRED);
	claims_case("expired + not yet valid",
				"\"iat\":1700000200,\"exp\":1700000000", WOESID_EXPIRED);
	claims_case("not yet valid + lifetime",
				"\"iat\":1700000200,\"exp\":1700010000", WOESID_NOT_YET_VALID);
	jwt_case("lifetime + bad aud", HDR,
			 "{\"aud\":\"x\",\"email\":\"a@b\",\"iat\":1700000000,\"exp\":1700010000}",
			 WOESID_LIFETIME_EXCEEDED);
	jwt_case("bad aud + no email", HDR, "{\"aud\":\"x\"," TIMES "}",
			 WOESID_AUDIENCE_MISMATCH);
}

/*
 * A payload of exactly target bytes: prefix, then item as often as fits,
 * then last, spaces and "}".
 */
static size_t
fill_payload(char *buf, size_t target, const char *prefix, const char *item,
			 const char *last)
{
	size_t		len = strlen(prefix);
	size_t		count = 0;

	memcpy(buf, prefix, len);
	while (len + strlen(item) + strlen(last) + 1 <= target)
	{
		memcpy(buf + len, item, strlen(item));
		len += strlen(item);
		count++;
	}
	memcpy(buf + len, last, strlen(last));
	len += strlen(last);
	while (len + 1 < target)
		buf[len++] = ' ';
	buf[len++] = '}';
	buf[len] = '\0';
	return count;
}

/* Rule 1's size limit, checked before the token is read at all. */
static void
test_jwt_size(void)
{
	char		payload[MAX_TOKEN];
	size_t		count;
	static const size_t huge[] = {(size_t) 1 << 40, SIZE_MAX};
	woesid_arena arena;
	char	   *one_byte = xmalloc(1);

	/*
	 * Tokens of exactly the default limit (81 bytes of header, dots and
	 * signature, 8111 of payload segment from 6083 bytes), one as dense in
	 * JSON nodes as can be, one with an email that grows most when
	 * normalized (U+0130, 2 bytes, becomes 3).
	 */
	fill_payload(payload, 6083, "{" AUD_EMAIL "," TIMES ",\"d\":[", "0,", "0]");
	make_jwt(HDR, payload);
	CHECK(tok_len == MAX_TOKEN);
	expect("dense token, len == max", WOESID_OK);
	expect_full("dense token, len == max + 1", jwt_key, MAX_TOKEN - 1,
				&widget_rules, WOESID_MALFORMED);
	count = fill_payload(payload, 6083, "{\"aud\":\"wpk_test\"," TIMES
						 ",\"email\":\"", "\xc4\xb0", "@x\"");
	make_jwt(HDR, payload);
	CHECK(tok_len == MAX_TOKEN);
	expect("long email, len == max", WOESID_OK);
	CHECK(res.email_len == 3 * count + 2 &&
		  memcmp(res.email, "i\xcc\x87", 3) == 0 &&
		  memcmp(res.email + res.email_len - 5, "i\xcc\x87@x", 5) == 0);
	expect_full("long email, len == max + 1", jwt_key, MAX_TOKEN - 1,
				&widget_rules, WOESID_MALFORMED);
	make_jwt(HDR, GOOD);
	expect_full("short token, len == max", jwt_key, tok_len, &widget_rules,
				WOESID_OK);
	expect_full("short token, len == max + 1", jwt_key, tok_len - 1,
				&widget_rules, WOESID_MALFORMED);

	/* A length far beyond the buffer: must be refused unread. */
	one_byte[0] = 'e';
	for (size_t i = 0; i < lengthof(huge); i++)
	{
		release();
		cur_arena_buf = xmalloc(woesid_jwt_arena_bound(MAX_TOKEN));
		woesid_arena_init(&arena, cur_arena_buf, woesid_jwt_arena_bound(MAX_TOKEN));
		woesid_jwt_verify(one_byte, huge[i], jwt_key, MAX_TOKEN, &widget_rules,
						  &arena, &res);
		CHECK_MSG(res.reason == WOESID_MALFORMED, "len %zu: got %s", huge[i],
				  reason_name(res.reason));
		CHECK(arena.used == 0);
	}
	free(one_byte);
}

/* Compares an id output with want (NULL: none). */
static void
check_id(const char *what, const wj_node *node, const char *want)
{
	if (want == NULL)
		CHECK_MSG(node == NULL, "%s: id set", what);
	else
		CHECK_MSG(node != NULL && same(node->str, node->len, want),
				  "%s: want %s", what, want);
}

/* Rule 8: what a verified token yields. */
static void
test_jwt_outputs(void)
{
	static const struct
	{
		const char *json;
		const char *text;		/* NULL: not usable as an id */
	}			ids[] = {
		{"\"c-1\"", "c-1"},
		{"\"c\\u002d\\u00e9\"", "c-\xc3\xa9"},
		{"42", "42"},
		{"0", "0"},
		{"-7", "-7"},
		{"12345678901234567890", "12345678901234567890"},
		{"1.5", NULL},
		{"1.0", NULL},
		{"1e3", NULL},
		{"1E3", NULL},
		{"true", NULL},
		{"false", NULL},
		{"null", NULL},
		{"{}", NULL},
		{"{\"id\":1}", NULL},
		{"[1]", NULL},
	};
	char		payload[512];

	make_jwt("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"k1\"}",
			 "{\"aud\":[\"wpk_test\"],\"email\":\"  Alice@Example.COM\\t\","
			 "\"iat\":1700000000.25,\"exp\":1700000600.75,\"name\":\"Alice\","
			 "\"contact_external_id\":\"c-1\",\"account_external_id\":42}");
	expect("full token", WOESID_OK);
	CHECK(same(res.email, res.email_len, "alice@example.com"));
	CHECK(res.kid != NULL && res.kid->type == WJ_STRING &&
		  same(res.kid->str, res.kid->len, "k1"));
	CHECK(res.iat == 1700000000.25);
	CHECK(res.exp == 1700000600.75);
	CHECK(res.contact_id != NULL && res.contact_id->type == WJ_STRING);
	check_id("contact", res.contact_id, "c-1");
	CHECK(res.account_id != NULL && res.account_id->type == WJ_NUMBER);
	check_id("account", res.account_id, "42");
	CHECK(res.payload.n > 0 && res.payload.nodes[0].type == WJ_OBJECT &&
		  res.payload.nodes[0].count == 7);

	jwt_case("no kid", HDR, GOOD, WOESID_OK);
	CHECK(res.kid == NULL);
	CHECK(res.contact_id == NULL && res.account_id == NULL);
	jwt_case("kid a number", "{\"alg\":\"HS256\",\"kid\":7}", GOOD, WOESID_OK);
	CHECK(res.kid != NULL && res.kid->type == WJ_NUMBER);	/* present: names no secret */
	jwt_case("kid null", "{\"alg\":\"HS256\",\"kid\":null}", GOOD, WOESID_OK);
	CHECK(res.kid != NULL && res.kid->type == WJ_NULL);
	jwt_case("email in Unicode", HDR,
			 "{\"aud\":\"wpk_test\",\"email\":\"\\u00a0\xc3\x89MILE@CAF\xc3\x89.FR\\u2028\","
			 TIMES "}", WOESID_OK);
	CHECK(same(res.email, res.email_len, "\xc3\xa9mile@caf\xc3\xa9.fr"));

	for (size_t i = 0; i < lengthof(ids); i++)
	{
		snprintf(payload, sizeof(payload), "{" AUD_EMAIL "," TIMES
				 ",\"contact_external_id\":%s,\"account_external_id\":%s}",
				 ids[i].json, ids[i].json);
		jwt_case(payload, HDR, payload, WOESID_OK);
		check_id(ids[i].json, res.contact_id, ids[i].text);
		check_id(ids[i].json, res.account_id, ids[i].text);
	}
}

/* woesid_verify_variables: no audience, no email required, email fallback. */
static void
test_variables(void)
{
	static const struct
	{
		const char *claims;
		const char *email;		/* NULL: no email */
	}			cases[] = {
		{"\"tier\":\"gold\"", NULL},
		{"\"email\":\" A@X.com \",\"user_email\":\"b@y.com\"", "a@x.com"},
		{"\"user_email\":\"b@y.com\",\"email\":\"A@X.com\"", "a@x.com"},
		{"\"user_email\":\" B@Y.com\\n\"", "b@y.com"},
		{"\"email\":5,\"user_email\":\"b@y.com\"", "b@y.com"},
		{"\"email\":null,\"user_email\":\"b@y.com\"", "b@y.com"},
		{"\"email\":[\"a@x.com\"],\"user_email\":\"b@y.com\"", "b@y.com"},
		{"\"email\":\"  \",\"user_email\":\"b@y.com\"", NULL},
		{"\"email\":\"\",\"user_email\":\"b@y.com\"", NULL},
		{"\"user_email\":\" \"", NULL},
		{"\"user_email\":7", NULL},
		{"\"email\":{},\"user_email\":null", NULL},
		{"\"aud\":\"other\",\"email\":\"a@x.com\"", "a@x.com"},
		{"\"aud\":5", NULL},
		{"\"aud\":[\"x\",1],\"user_email\":\"b@y.com\"", "b@y.com"},
	};
	char		payload[512];

	for (size_t i = 0; i < lengthof(cases); i++)
	{
		snprintf(payload, sizeof(payload), "{%s," TIMES "}", cases[i].claims);
		make_jwt(HDR, payload);
		expect_full(payload, jwt_key, MAX_TOKEN, &variables_rules, WOESID_OK);
		if (cases[i].email == NULL)
			CHECK_MSG(res.email == NULL && res.email_len == 0, "%s: email set",
					  payload);
		else
			CHECK_MSG(same(res.email, res.email_len, cases[i].email),
					  "%s: want %s", payload, cases[i].email);
	}

	make_jwt(HDR, "{\"iat\":1700000000,\"exp\":1700604800}");
	expect_full("variables lifetime == 7 days", jwt_key, MAX_TOKEN,
				&variables_rules, WOESID_OK);
	make_jwt(HDR, "{\"iat\":1700000000,\"exp\":1700604801}");
	expect_full("variables lifetime 7 days + 1", jwt_key, MAX_TOKEN,
				&variables_rules, WOESID_LIFETIME_EXCEEDED);
	make_jwt(HDR, "{\"iat\":1699000000,\"exp\":1700000070}");
	expect_full("variables expired", jwt_key, MAX_TOKEN, &variables_rules,
				WOESID_EXPIRED);
	make_jwt(HDR, "{\"user_email\":\"b@y.com\",\"exp\":1700000600}");
	expect_full("variables without iat", jwt_key, MAX_TOKEN, &variables_rules,
				WOESID_MISSING_CLAIM);
	make_jwt_key(HDR, "{" TIMES "}", other_key);
	expect_full("variables bad signature", jwt_key, MAX_TOKEN, &variables_rules,
				WOESID_BAD_SIGNATURE);
}

/* No single-byte change to a valid token, nor a prefix of it, verifies. */
static void
test_mutations(void)
{
	static const uint8_t values[] = {
		0x00, '.', 'A', 'Q', 'g', 'w', '_', '-', '=', '+', ' ', 0x80, 0xFF,
	};
	static const uint8_t flips[] = {0x01, 0x20};	/* neighbour, case */
	char		good[1024];
	size_t		len;

	make_jwt("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"k1\"}", GOOD);
	expect("mutation baseline", WOESID_OK);
	len = tok_len;
	memcpy(good, tok, len);

	for (size_t pos = 0; pos < len; pos++)
	{
		for (size_t v = 0; v < lengthof(values) + lengthof(flips); v++)
		{
			uint8_t		c = v < lengthof(values) ? values[v] :
				(uint8_t) (good[pos] ^ flips[v - lengthof(values)]);

			if (c == (uint8_t) good[pos])
				continue;
			memcpy(tok, good, len);
			tok[pos] = (char) c;
			tok_len = len;
			CHECK_MSG(verify_tok(jwt_key, MAX_TOKEN, &widget_rules) != WOESID_OK,
					  "byte %zu set to 0x%02x verified", pos, c);
		}
	}
	memcpy(tok, good, len);
	for (tok_len = 0; tok_len < len; tok_len++)
		CHECK_MSG(verify_tok(jwt_key, MAX_TOKEN, &widget_rules) != WOESID_OK,
				  "prefix of %zu bytes verified", tok_len);
}

static woesid_reason
verify_hmac(const char *payload, size_t len, woesid_mac_key *key, size_t max)
{
	woesid_arena arena;
	const char *copy = prepare(payload, len,
							   woesid_hmac_email_arena_bound(len), &arena);

	woesid_hmac_email_verify(copy, len, key, max, &arena, &hres);
	return hres.reason;
}

static void
hmac_case(const char *what, const char *payload, woesid_mac_key *key,
		  woesid_reason want)
{
	woesid_reason got = verify_hmac(payload, strlen(payload), key, MAX_TOKEN);

	CHECK_MSG(got == want, "hmac %s: got %s, want %s", what, reason_name(got),
			  reason_name(want));
	CHECK_MSG(!hres.fault, "hmac %s: fault set", what);
	CHECK_MSG(all_zero(hres.sent, sizeof(hres.sent)), "hmac %s: hash not wiped",
			  what);
	if (got != WOESID_OK)
		CHECK_MSG(hres.email == NULL, "hmac %s: email left on failure", what);
}

/* woesid_hmac_email_verify: reasons in the reference's order, then success. */
static void
test_hmac_email(void)
{
	uint8_t		mac[WOESID_MAC_LEN];
	char		lower[2 * WOESID_MAC_LEN + 1];
	char		upper[2 * WOESID_MAC_LEN + 1];
	char		mixed[2 * WOESID_MAC_LEN + 1];
	char		wrong[2 * WOESID_MAC_LEN + 1];
	char		p[512];
	size_t		len;
	static const size_t huge[] = {(size_t) 1 << 40, SIZE_MAX};
	woesid_arena arena;
	char	   *one_byte = xmalloc(1);

	oneshot_hmac(hmac_secret, sizeof(hmac_secret), "alice@example.com", 17, mac);
	to_hex(mac, sizeof(mac), false, lower);
	to_hex(mac, sizeof(mac), true, upper);
	for (size_t i = 0; i < sizeof(mixed); i++)
		mixed[i] = i % 2 ? upper[i] : lower[i];
	strcpy(wrong, lower);
	wrong[63] = wrong[63] == '0' ? '1' : '0';

	hmac_case("NULL key", "{\"email\":\"a@b\"}", NULL, WOESID_MISSING_SECRET);
	hmac_case("NULL key, empty", "", NULL, WOESID_MISSING_SECRET);
	hmac_case("empty", "", hmac_key, WOESID_MISSING);
	hmac_case("array", "[]", hmac_key, WOESID_MALFORMED);
	hmac_case("string", "\"alice@example.com\"", hmac_key, WOESID_MALFORMED);
	hmac_case("number", "1", hmac_key, WOESID_MALFORMED);
	hmac_case("invalid JSON", "{\"email\":", hmac_key, WOESID_MALFORMED);
	hmac_case("whitespace only", " ", hmac_key, WOESID_MALFORMED);
	hmac_case("trailing data", "{} {}", hmac_key, WOESID_MALFORMED);
	hmac_case("duplicate email", "{\"email\":\"a@b\",\"email\":\"c@d\"}",
			  hmac_key, WOESID_MALFORMED);
	hmac_case("NUL escape", "{\"email\":\"a\\u0000@b\"}", hmac_key,
			  WOESID_MALFORMED);
	hmac_case("no email_hash", "{\"email\":\"alice@example.com\"}", hmac_key,
			  WOESID_MISSING);
	hmac_case("empty object", "{}", hmac_key, WOESID_MISSING);
	hmac_case("no email_hash, email not a string", "{\"email\":5}", hmac_key,
			  WOESID_MISSING);

	{
		static const char *const bad_hash[] = {
			"null", "5", "true", "[]", "\"\"", "\"abc\"",
		};

		for (size_t i = 0; i < lengthof(bad_hash); i++)
		{
			snprintf(p, sizeof(p), "{\"email\":\"alice@example.com\","
					 "\"email_hash\":%s}", bad_hash[i]);
			hmac_case(p, p, hmac_key, WOESID_MALFORMED);
		}
	}
	snprintf(p, sizeof(p), "{\"email\":\"alice@example.com\",\"email_hash\":\"%.63s\"}",
			 lower);
	hmac_case("63 hex digits", p, hmac_key, WOESID_MALFORMED);
	snprintf(p, sizeof(p), "{\"email\":\"alice@example.com\",\"email_hash\":\"%s0\"}",
			 lower);
	hmac_case("65 hex digits", p, hmac_key, WOESID_MALFORMED);
	snprintf(p, sizeof(p), "{\"email\":\"alice@example.com\",\"email_hash\":\"%.63sg\"}",
			 lower);
	hmac_case("a g", p, hmac_key, WOESID_MALFORMED);
	snprintf(p, sizeof(p), "{\"email\":\"alice@example.com\",\"email_hash\":\" %.63s\"}",
			 lower);
	hmac_case("a space", p, hmac_key, WOESID_MALFORMED);
	snprintf(p, sizeof(p), "{\"email\":5,\"email_hash\":\"%s\"}", lower);
	hmac_case("email a number", p, hmac_key, WOESID_MALFORMED);
	snprintf(p, sizeof(p), "{\"email\":null,\"email_hash\":\"%s\"}", lower);
	hmac_case("email null", p, hmac_key, WOESID_MALFORMED);
	hmac_case("bad hash, no email", "{\"email_hash\":\"x\"}", hmac_key,
			  WOESID_MALFORMED);
	snprintf(p, sizeof(p), "{\"email_hash\":\"%s\"}", lower);
	hmac_case("no email", p, hmac_key, WOESID_MISSING_EMAIL);
	snprintf(p, sizeof(p), "{\"email\":\" \\t\",\"email_hash\":\"%s\"}", wrong);
	hmac_case("blank email, wrong hash", p, hmac_key, WOESID_MISSING_EMAIL);
	snprintf(p, sizeof(p), "{\"email\":\"\",\"email_hash\":\"%s\"}", lower);
	hmac_case("empty email", p, hmac_key, WOESID_MISSING_EMAIL);
	snprintf(p, sizeof(p), "{\"email\":\"alice@example.com\",\"email_hash\":\"%s\"}",
			 wrong);
	hmac_case("wrong hash", p, hmac_key, WOESID_BAD_SIGNATURE);
	snprintf(p, sizeof(p), "{\"email\":\"alice@example.com\",\"email_hash\":\"%s\"}",
			 lower);
	hmac_case("other key", p, other_key, WOESID_BAD_SIGNATURE);
	hmac_case("jwt key (secret not hex-decoded)", p, jwt_key,
			  WOESID_BAD_SIGNATURE);

	/* Success: the hash of the normalized email, any case of hex. */
	snprintf(p, sizeof(p), "{\"email\":\"  Alice@Example.COM\\n\",\"email_hash\":"
			 "\"%s\",\"name\":\"Alice\",\"id\":7}", lower);
	hmac_case("lower-case hex", p, hmac_key, WOESID_OK);
	CHECK(hres.parsed && same(hres.email, hres.email_len, "alice@example.com"));
	CHECK(hres.parsed && hres.payload.nodes[0].type == WJ_OBJECT &&
		  hres.payload.nodes[0].count == 4);
	snprintf(p, sizeof(p), "{\"email_hash\":\"%s\",\"email\":\"ALICE@example.com\"}",
			 upper);
	hmac_case("upper-case hex", p, hmac_key, WOESID_OK);
	snprintf(p, sizeof(p), "{\"email\":\"alice@example.com\",\"email_hash\":\"%s\"}",
			 mixed);
	hmac_case("mixed-case hex", p, hmac_key, WOESID_OK);

	/*
	 * Every byte at every position of the hash: a hex digit of the same
	 * value (either case) verifies, another digit is a bad signature, and
	 * any other byte makes the payload malformed.
	 */
	{
		int			bad = 0;
		char		q[512];
		size_t		qlen;

		for (int pos = 0; pos < 2 * WOESID_MAC_LEN; pos++)
			for (int b = 0; b < 256; b++)
			{
				char		hash[2 * WOESID_MAC_LEN + 1];
				const char *digit = b == 0 ? NULL : strchr("0123456789abcdef", tolower(b));
				woesid_reason want = digit == NULL ? WOESID_MALFORMED :
					*digit == lower[pos] ? WOESID_OK : WOESID_BAD_SIGNATURE;

				memcpy(hash, lower, sizeof(hash));
				hash[pos] = (char) b;
				qlen = (size_t) snprintf(q, sizeof(q), "{\"email\":\"alice@example.com\","
										 "\"email_hash\":\"%s\"}", lower);
				memcpy(strstr(q, lower), hash, 2 * WOESID_MAC_LEN);
				if (verify_hmac(q, qlen, hmac_key, MAX_TOKEN) != want)
					bad++;
			}
		CHECK_MSG(bad == 0, "%d bytes in the hash decoded wrongly", bad);
	}

	/* The size limit, checked before anything is read. */
	len = strlen(p);
	CHECK(verify_hmac(p, len, hmac_key, len) == WOESID_OK);
	CHECK(verify_hmac(p, len, hmac_key, len - 1) == WOESID_MALFORMED);
	one_byte[0] = '{';
	for (size_t i = 0; i < lengthof(huge); i++)
	{
		release();
		cur_arena_buf = xmalloc(woesid_hmac_email_arena_bound(MAX_TOKEN));
		woesid_arena_init(&arena, cur_arena_buf,
						  woesid_hmac_email_arena_bound(MAX_TOKEN));
		woesid_hmac_email_verify(one_byte, huge[i], hmac_key, MAX_TOKEN, &arena,
								 &hres);
		CHECK_MSG(hres.reason == WOESID_MALFORMED, "hmac len %zu: got %s",
				  huge[i], reason_name(hres.reason));
	}
	free(one_byte);
}

/*
 * An hmac_email payload of exactly the limit, dense in JSON nodes, with an
 * email that grows when normalized (U+0130 becomes "i" U+0307).
 */
static void
test_hmac_email_at_limit(void)
{
	char		prefix[4096];
	char		payload[MAX_TOKEN + 1];
	char		normalized[3 * 1000 + 3];
	uint8_t		mac[WOESID_MAC_LEN];
	char		hex[2 * WOESID_MAC_LEN + 1];
	size_t		len;

	for (int i = 0; i < 1000; i++)
		memcpy(normalized + 3 * i, "i\xcc\x87", 3);
	strcpy(normalized + 3 * 1000, "@x");
	oneshot_hmac(hmac_secret, sizeof(hmac_secret), normalized,
				 strlen(normalized), mac);
	to_hex(mac, sizeof(mac), false, hex);

	len = (size_t) snprintf(prefix, sizeof(prefix),
							"{\"email_hash\":\"%s\",\"email\":\"", hex);
	for (int i = 0; i < 1000; i++)
	{
		memcpy(prefix + len, "\xc4\xb0", 2);
		len += 2;
	}
	strcpy(prefix + len, "@x\",\"d\":[");
	fill_payload(payload, MAX_TOKEN, prefix, "0,", "0]");

	CHECK(verify_hmac(payload, MAX_TOKEN, hmac_key, MAX_TOKEN) == WOESID_OK);
	CHECK(same(hres.email, hres.email_len, normalized));
	CHECK(verify_hmac(payload, MAX_TOKEN, hmac_key, MAX_TOKEN - 1) ==
		  WOESID_MALFORMED);
}

/* woesid_email_hmac_hex is the lower-case one-shot HMAC of the normalized email. */
static void
test_email_hmac_hex(void)
{
	static const struct
	{
		const char *email;
		const char *normalized;
	}			cases[] = {
		{"alice@example.com", "alice@example.com"},
		{"  Alice@Example.COM\t\n", "alice@example.com"},
		{"", ""},
		{" \xc2\xa0", ""},
		{" \xc3\x89mile@Caf\xc3\x89.fr\xc2\xa0", "\xc3\xa9mile@caf\xc3\xa9.fr"},
		{"\xc4\xb0stanbul@x.tr", "i\xcc\x87stanbul@x.tr"},
		{"\xce\x9f\xce\x94\xce\x9f\xce\xa3@x.gr",
		"\xce\xbf\xce\xb4\xce\xbf\xcf\x82@x.gr"},
	};

	for (size_t i = 0; i < lengthof(cases); i++)
	{
		size_t		len = strlen(cases[i].email);
		char	   *in = xmalloc(len);
		char	   *scratch = xmalloc(woesid_email_normalize_bound(len));
		char	   *hex = xmalloc(2 * WOESID_MAC_LEN);
		uint8_t		mac[WOESID_MAC_LEN];
		char		want[2 * WOESID_MAC_LEN + 1];

		if (len > 0)
			memcpy(in, cases[i].email, len);
		oneshot_hmac(hmac_secret, sizeof(hmac_secret), cases[i].normalized,
					 strlen(cases[i].normalized), mac);
		to_hex(mac, sizeof(mac), false, want);
		CHECK_MSG(woesid_email_hmac_hex(in, len, hmac_key, scratch, hex) &&
				  memcmp(hex, want, 2 * WOESID_MAC_LEN) == 0,
				  "email_hmac_hex case %zu", i);
		free(in);
		free(scratch);
		free(hex);
	}
}

/* Bytes for keys of any length up to 200; a NULL key for len -1. */
static uint8_t key_bytes[200];

static woesid_mac_key *
key_of_len(int len)
{
	woesid_mac_key *key;

	if (len < 0)
		return NULL;
	key = woesid_mac_key_new(key_bytes, (size_t) len);
	if (key == NULL)
	{
		fprintf(stderr, "woesid_mac_key_new failed\n");
		exit(2);
	}
	return key;
}

/* What a test input is: given bytes, or signed under the key or another. */
enum
{
	INPUT_RAW,
	INPUT_BY_KEY,
	INPUT_BY_OTHER,
};

typedef struct key_input
{
	const char *what;
	int			kind;
	const char *text;			/* INPUT_RAW */
	woesid_reason want;			/* under a usable key */
} key_input;

/*
 * woesid_key_reason, and its place in both one-key verifiers: no key
 * (missing_secret) wins over everything, then a key shorter than 32 bytes
 * (weak_secret) over any verdict on the input, even on an empty or
 * unreadable one.
 */
static void
test_key_reason(void)
{
	static const struct
	{
		int			len;		/* -1: NULL */
		woesid_reason want;
	}			keys[] = {
		{-1, WOESID_MISSING_SECRET},
		{0, WOESID_MISSING_SECRET},
		{1, WOESID_WEAK_SECRET},
		{16, WOESID_WEAK_SECRET},
		{31, WOESID_WEAK_SECRET},
		{32, WOESID_OK},
		{33, WOESID_OK},
		{64, WOESID_OK},
		{65, WOESID_OK},
		{200, WOESID_OK},
	};
	static const key_input tokens[] = {
		{"empty token", INPUT_RAW, "", WOESID_MISSING},
		{"garbage", INPUT_RAW, "garbage", WOESID_MALFORMED},
		{"three dots", INPUT_RAW, "...", WOESID_MALFORMED},
		{"signed by the key", INPUT_BY_KEY, NULL, WOESID_OK},
		{"signed by another key", INPUT_BY_OTHER, NULL, WOESID_BAD_SIGNATURE},
	};
	static const key_input payloads[] = {
		{"empty payload", INPUT_RAW, "", WOESID_MISSING},
		{"array", INPUT_RAW, "[]", WOESID_MALFORMED},
		{"BOM", INPUT_RAW, "\xEF\xBB\xBF{}", WOESID_MALFORMED},
		{"no email_hash", INPUT_RAW, "{\"email\":\"alice@example.com\"}",
		WOESID_MISSING},
		{"hashed under the key", INPUT_BY_KEY, NULL, WOESID_OK},
		{"hashed under another key", INPUT_BY_OTHER, NULL, WOESID_BAD_SIGNATURE},
	};
	static const size_t unreadable[] = {MAX_TOKEN + 1, (size_t) 1 << 40, SIZE_MAX};

	CHECK(WOESID_MIN_SECRET_BYTES == 32);
	for (size_t i = 0; i < sizeof(key_bytes); i++)
		key_bytes[i] = rnd_byte();

	for (size_t k = 0; k < lengthof(keys); k++)
	{
		woesid_mac_key *key = key_of_len(keys[k].len);
		char		what[128];

		CHECK_MSG(woesid_key_reason(key) == keys[k].want, "%d-byte key: got %s",
				  keys[k].len, reason_name(woesid_key_reason(key)));
		if (key != NULL)
			CHECK(woesid_mac_key_secret_len(key) == (size_t) keys[k].len);

		for (size_t t = 0; t < lengthof(tokens); t++)
		{
			woesid_reason want = keys[k].want != WOESID_OK ? keys[k].want :
				tokens[t].want;

			if (tokens[t].kind == INPUT_RAW)
			{
				tok_len = 0;
				tok_str(tokens[t].text);
			}
			else
				make_jwt_key(HDR, GOOD, tokens[t].kind == INPUT_BY_OTHER ? other_key :
							 key != NULL ? key : jwt_key);
			snprintf(what, sizeof(what), "%d-byte key, %s", keys[k].len,
					 tokens[t].what);
			expect_full(what, key, MAX_TOKEN, &widget_rules, want);
			expect_full(what, key, MAX_TOKEN, &variables_rules, want);
		}

		for (size_t p = 0; p < lengthof(payloads); p++)
		{
			woesid_reason want = keys[k].want != WOESID_OK ? keys[k].want :
				payloads[p].want;
			uint8_t		mac[WOESID_MAC_LEN];
			char		hex[2 * WOESID_MAC_LEN + 1];
			char		payload[256];

			if (payloads[p].kind == INPUT_RAW)
				snprintf(payload, sizeof(payload), "%s", payloads[p].text);
			else
			{
				if (payloads[p].kind == INPUT_BY_OTHER)
					oneshot_hmac((const uint8_t *) OTHER_SECRET, strlen(OTHER_SECRET),
								 "alice@example.com", 17, mac);
				else if (key == NULL)
					oneshot_hmac(hmac_secret, sizeof(hmac_secret),
								 "alice@example.com", 17, mac);
				else
					oneshot_hmac(key_bytes, (size_t) keys[k].len,
								 "alice@example.com", 17, mac);
				to_hex(mac, sizeof(mac), false, hex);
				snprintf(payload, sizeof(payload),
						 "{\"email\":\"alice@example.com\",\"email_hash\":\"%s\"}", hex);
			}
			snprintf(what, sizeof(what), "%d-byte key, %s", keys[k].len,
					 payloads[p].what);
			hmac_case(what, payload, key, want);
		}

		/* The key is judged before the length: nothing is read. */
		for (size_t u = 0; u < lengthof(unreadable) && keys[k].want != WOESID_OK; u++)
		{
			woesid_arena arena;

			release();
			cur_arena_buf = xmalloc(64);
			woesid_arena_init(&arena, cur_arena_buf, 64);
			woesid_jwt_verify(NULL, unreadable[u], key, MAX_TOKEN, &widget_rules,
							  &arena, &res);
			CHECK_MSG(res.reason == keys[k].want && arena.used == 0,
					  "%d-byte key, token of %zu bytes: got %s", keys[k].len,
					  unreadable[u], reason_name(res.reason));
			woesid_hmac_email_verify(NULL, unreadable[u], key, MAX_TOKEN, &arena,
									 &hres);
			CHECK_MSG(hres.reason == keys[k].want && !hres.parsed && arena.used == 0,
					  "%d-byte key, payload of %zu bytes: got %s", keys[k].len,
					  unreadable[u], reason_name(hres.reason));
		}
		woesid_mac_key_free(key);
	}
}

/* woesid_mode_from_name reads name[0..len) and nothing else. */
static void
test_mode_names(void)
{
	static const struct
	{
		const char *name;
		size_t		len;		/* bytes of name passed */
		int			want;		/* a woesid_mode, or -1: not a mode */
	}			names[] = {
		{"off", 3, WOESID_MODE_OFF},
		{"jwt", 3, WOESID_MODE_JWT},
		{"hmac_email", 10, WOESID_MODE_HMAC_EMAIL},
		{"variables", 9, WOESID_MODE_VARIABLES},
		{"jwtx", 3, WOESID_MODE_JWT},
		{"offset", 3, WOESID_MODE_OFF},
		{"", 0, -1},
		{"jwt", 2, -1},
		{"jwtx", 4, -1},
		{"JWT", 3, -1},
		{"Off", 3, -1},
		{"OFF", 3, -1},
		{"jwt ", 4, -1},
		{" jwt", 4, -1},
		{"hmac", 4, -1},
		{"hmac_emai", 9, -1},
		{"hmac-email", 10, -1},
		{"HMAC_EMAIL", 10, -1},
		{"hmac_email\0", 11, -1},
		{"variable", 8, -1},
		{"Variables", 9, -1},
		{"signedVariables", 15, -1},
		{"email_hash", 10, -1},
		{"none", 4, -1},
		{"unknown", 7, -1},
	};
	static const struct
	{
		woesid_mode mode;
		const char *members[2];	/* the covered names, in order */
		int			n;
	}			covered[] = {
		{WOESID_MODE_OFF, {NULL, NULL}, 0},
		{WOESID_MODE_JWT, {"jwt", NULL}, 1},
		{WOESID_MODE_HMAC_EMAIL, {"email", "email_hash"}, 2},
		{WOESID_MODE_VARIABLES, {"signedVariables", NULL}, 1},
	};

	for (size_t i = 0; i < lengthof(names); i++)
	{
		char	   *copy = xmalloc(names[i].len);
		woesid_mode out = WOESID_MODE_COUNT;
		bool		found;

		if (names[i].len > 0)
			memcpy(copy, names[i].name, names[i].len);
		found = woesid_mode_from_name(copy, names[i].len, &out);
		if (names[i].want < 0)
			CHECK_MSG(!found && out == WOESID_MODE_COUNT, "\"%.*s\" is a mode",
					  (int) names[i].len, names[i].name);
		else
			CHECK_MSG(found && out == (woesid_mode) names[i].want,
					  "\"%.*s\" is not mode %s", (int) names[i].len, names[i].name,
					  woesid_mode_name[names[i].want]);
		free(copy);
	}
	for (int m = 0; m < WOESID_MODE_COUNT; m++)
	{
		woesid_mode out = WOESID_MODE_COUNT;

		CHECK(woesid_mode_from_name(woesid_mode_name[m], strlen(woesid_mode_name[m]),
									&out) && out == (woesid_mode) m);
	}

	CHECK(lengthof(covered) == WOESID_MODE_COUNT);
	for (size_t i = 0; i < lengthof(covered); i++)
	{
		const woesid_covered *c = &woesid_mode_covered[covered[i].mode];

		CHECK_MSG(c->n == covered[i].n, "%s covers %d members",
				  woesid_mode_name[covered[i].mode], c->n);
		for (int j = 0; j < c->n && j < covered[i].n; j++)
			CHECK_MSG(same(c->names[j].name, c->names[j].len, covered[i].members[j]),
					  "%s covers %s", woesid_mode_name[covered[i].mode],
					  covered[i].members[j]);
	}
}

/* A string literal's bytes and length, NULs inside included. */
#define BYTES(lit) lit, sizeof(lit) - 1

/* Lengths no buffer has: must be refused before a byte is read. */
static const size_t unreadable_lens[] = {MAX_TOKEN + 1, (size_t) 1 << 40, SIZE_MAX};

/* woesid_payload_parse: the strict reader every payload goes through. */
static void
test_payload_parse(void)
{
	static const struct
	{
		const char *what;
		const char *text;
		size_t		len;
		woesid_reason want;
	}			cases[] = {
		{"empty", BYTES(""), WOESID_MISSING},
		{"empty object", BYTES("{}"), WOESID_OK},
		{"members", BYTES("{\"a\":[1,{\"b\":null}],\"c\":\"d\",\"e\":-1.5e3}"), WOESID_OK},
		{"JSON whitespace around", BYTES(" \t\r\n{\"a\":1}\n "), WOESID_OK},
		{"escaped names", BYTES("{\"\\u006a\\u0077\\u0074\":\"t\"}"), WOESID_OK},
		{"not JSON", BYTES("jwt=x.y.z"), WOESID_MALFORMED},
		{"unterminated", BYTES("{\"a\":1"), WOESID_MALFORMED},
		{"missing value", BYTES("{\"a\":}"), WOESID_MALFORMED},
		{"single quotes", BYTES("{'a':1}"), WOESID_MALFORMED},
		{"unquoted name", BYTES("{a:1}"), WOESID_MALFORMED},
		{"comment", BYTES("{/**/}"), WOESID_MALFORMED},
		{"trailing comma", BYTES("{\"a\":1,}"), WOESID_MALFORMED},
		{"whitespace only", BYTES(" "), WOESID_MALFORMED},
		{"NUL only", BYTES("\0"), WOESID_MALFORMED},
		{"array", BYTES("[]"), WOESID_MALFORMED},
		{"array of an object", BYTES("[{\"jwt\":\"t\"}]"), WOESID_MALFORMED},
		{"string", BYTES("\"{}\""), WOESID_MALFORMED},
		{"number", BYTES("1"), WOESID_MALFORMED},
		{"null", BYTES("null"), WOESID_MALFORMED},
		{"true", BYTES("true"), WOESID_MALFORMED},
		{"duplicate members", BYTES("{\"a\":1,\"a\":1}"), WOESID_MALFORMED},
		{"duplicate after unescaping", BYTES("{\"jwt\":\"t\",\"j\\u0077t\":\"u\"}"),
		WOESID_MALFORMED},
		{"duplicate nested", BYTES("{\"a\":{\"b\":1,\"b\":2}}"), WOESID_MALFORMED},
		{"BOM", BYTES("\xEF\xBB\xBF{}"), WOESID_MALFORMED},
		{"BOM after", BYTES("{}\xEF\xBB\xBF"), WOESID_MALFORMED},
		{"trailing data", BYTES("{}x"), WOESID_MALFORMED},
		{"two objects", BYTES("{} {}"), WOESID_MALFORMED},
		{"trailing NUL", BYTES("{}\0"), WOESID_MALFORMED},
		{"NUL escape", BYTES("{\"a\":\"\\u0000\"}"), WOESID_MALFORMED},
		{"raw NUL in a string", BYTES("{\"a\":\"\0\"}"), WOESID_MALFORMED},
		{"lone surrogate", BYTES("{\"a\":\"\\ud800\"}"), WOESID_MALFORMED},
		{"invalid UTF-8", BYTES("{\"a\":\"\xff\"}"), WOESID_MALFORMED},
		{"overlong UTF-8", BYTES("{\"a\":\"\xc0\xaf\"}"), WOESID_MALFORMED},
	};
	char		deep[128];
	woesid_arena arena;
	wj_doc		doc;
	char	   *one_byte;

	for (size_t i = 0; i < lengthof(cases); i++)
	{
		size_t		len = cases[i].len;
		size_t		bound = woesid_payload_arena_bound(len);
		const char *copy = prepare(cases[i].text, len, bound, &arena);
		woesid_reason got = woesid_payload_parse(copy, len, MAX_TOKEN, &arena, &doc);

		CHECK_MSG(got == cases[i].want, "parse %s: got %s, want %s", cases[i].what,
				  reason_name(got), reason_name(cases[i].want));
		CHECK_MSG(arena.used <= bound, "parse %s: arena %zu > %zu", cases[i].what,
				  arena.used, bound);
		if (got == WOESID_OK)
			CHECK_MSG(doc.n > 0 && doc.nodes[0].type == WJ_OBJECT,
					  "parse %s: root not an object", cases[i].what);
		if (len == 0)
			CHECK(arena.used == 0);

		/* The limit: len bytes allowed, len - 1 refused before reading. */
		if (len > 0)
		{
			copy = prepare(cases[i].text, len, bound, &arena);
			CHECK_MSG(woesid_payload_parse(copy, len, len, &arena, &doc) == cases[i].want,
					  "parse %s, max == len", cases[i].what);
			woesid_arena_init(&arena, cur_arena_buf, bound);
			CHECK_MSG(woesid_payload_parse(copy, len, len - 1, &arena, &doc) ==
					  WOESID_MALFORMED && arena.used == 0,
					  "parse %s, max == len - 1", cases[i].what);
		}
	}

	/* Nesting: the payload object counts 1, 32 levels allowed. */
	for (int depth = 31; depth <= 34; depth++)
	{
		size_t		len = (size_t) snprintf(deep, sizeof(deep), "{\"d\":");
		woesid_reason want = depth <= 32 ? WOESID_OK : WOESID_MALFORMED;
		woesid_reason got;

		for (int i = 1; i < depth; i++)
			deep[len++] = '[';
		for (int i = 1; i < depth; i++)
			deep[len++] = ']';
		deep[len++] = '}';
		got = woesid_payload_parse(prepare(deep, len, woesid_payload_arena_bound(len),
										   &arena),
								   len, MAX_TOKEN, &arena, &doc);
		CHECK_MSG(got == want, "parse depth %d: got %s", depth, reason_name(got));
	}

	/*
	 * Lengths beyond any buffer, from NULL and from a one-byte buffer: too
	 * long before anything is read, and the arena untouched.
	 */
	one_byte = xmalloc(1);
	one_byte[0] = '{';
	release();
	cur_arena_buf = xmalloc(woesid_payload_arena_bound(MAX_TOKEN));
	for (size_t i = 0; i < lengthof(unreadable_lens); i++)
	{
		woesid_arena_init(&arena, cur_arena_buf, woesid_payload_arena_bound(MAX_TOKEN));
		CHECK_MSG(woesid_payload_parse(NULL, unreadable_lens[i], MAX_TOKEN, &arena,
									   &doc) == WOESID_MALFORMED && arena.used == 0,
				  "parse NULL, len %zu", unreadable_lens[i]);
		CHECK_MSG(woesid_payload_parse(one_byte, unreadable_lens[i], MAX_TOKEN, &arena,
									   &doc) == WOESID_MALFORMED && arena.used == 0,
				  "parse one byte, len %zu", unreadable_lens[i]);
	}
	woesid_arena_init(&arena, cur_arena_buf, woesid_payload_arena_bound(MAX_TOKEN));
	CHECK(woesid_payload_parse(NULL, 0, MAX_TOKEN, &arena, &doc) == WOESID_MISSING);
	CHECK(woesid_payload_parse(NULL, 2, MAX_TOKEN, &arena, &doc) == WOESID_MALFORMED);
	CHECK(woesid_payload_parse(one_byte, 1, 0, &arena, &doc) == WOESID_MALFORMED);
	CHECK(arena.used == 0);
	free(one_byte);
}

static woesid_payload pres;

/*
 * Opens text[0..len) for mode from an exact copy in an arena of exactly
 * woesid_payload_arena_bound(len); token is the string the token must be
 * (NULL: no token).
 */
static void
open_case(const char *what, woesid_mode mode, const char *text, size_t len,
		  size_t max, woesid_reason want, const char *token)
{
	size_t		bound = woesid_payload_arena_bound(len);
	woesid_arena arena;
	const char *copy = prepare(text, len, bound, &arena);
	const char *name = woesid_mode_name[mode];
	bool		parsed = len > 0 && want != WOESID_MALFORMED;

	woesid_payload_open(copy, len, max, mode, &arena, &pres);
	CHECK_MSG(pres.reason == want, "%s %s: got %s, want %s", name, what,
			  reason_name(pres.reason), reason_name(want));
	CHECK_MSG(pres.parsed == parsed, "%s %s: parsed %d", name, what, pres.parsed);
	if (pres.parsed)
		CHECK_MSG(pres.doc.n > 0 && pres.doc.nodes[0].type == WJ_OBJECT,
				  "%s %s: root not an object", name, what);
	CHECK_MSG(arena.used <= bound, "%s %s: arena %zu > %zu", name, what,
			  arena.used, bound);
	if (token == NULL)
		CHECK_MSG(pres.token == NULL, "%s %s: token set", name, what);
	else
		CHECK_MSG(pres.token != NULL && pres.token->type == WJ_STRING &&
				  same(pres.token->str, pres.token->len, token),
				  "%s %s: token is not %s", name, what, token);
}

/* woesid_payload_open: the member each mode needs, or why not. */
static void
test_payload_open(void)
{
	/* The same verdict in every mode. */
	static const struct
	{
		const char *what;
		const char *text;
		size_t		len;
		woesid_reason want;
	}			common[] = {
		{"empty", BYTES(""), WOESID_MISSING},
		{"array", BYTES("[]"), WOESID_MALFORMED},
		{"array of a payload",
			BYTES("[{\"jwt\":\"t\",\"email_hash\":\"h\",\"signedVariables\":\"t\"}]"),
		WOESID_MALFORMED},
		{"not JSON", BYTES("jwt=x.y.z"), WOESID_MALFORMED},
		{"token as a string", BYTES("\"x.y.z\""), WOESID_MALFORMED},
		{"duplicate jwt", BYTES("{\"jwt\":\"t\",\"jwt\":\"t\"}"), WOESID_MALFORMED},
		{"duplicate email_hash", BYTES("{\"email_hash\":\"h\",\"email_hash\":\"h\"}"),
		WOESID_MALFORMED},
		{"duplicate signedVariables",
			BYTES("{\"signedVariables\":\"t\",\"signedV\\u0061riables\":\"t\"}"),
		WOESID_MALFORMED},
		{"BOM", BYTES("\xEF\xBB\xBF{\"jwt\":\"t\"}"), WOESID_MALFORMED},
		{"trailing data", BYTES("{\"jwt\":\"t\"}x"), WOESID_MALFORMED},
		{"trailing NUL", BYTES("{\"jwt\":\"t\"}\0"), WOESID_MALFORMED},
	};
	static const struct
	{
		woesid_mode mode;
		const char *text;
		woesid_reason want;
		const char *token;
	}			cases[] = {
		{WOESID_MODE_JWT, "{\"jwt\":\"x.y.z\"}", WOESID_OK, "x.y.z"},
		{WOESID_MODE_JWT, "{\"jwt\":\"x\\u002ey.z\"}", WOESID_OK, "x.y.z"},
		{WOESID_MODE_JWT, "{\"j\\u0077t\":\"t\"}", WOESID_OK, "t"},
		{WOESID_MODE_JWT, "{\"jwt\":\" \"}", WOESID_OK, " "},
		{WOESID_MODE_JWT, "{\"name\":\"A\",\"jwt\":\"t\",\"id\":[1]}", WOESID_OK, "t"},
		{WOESID_MODE_JWT, "{\"jwt\":\"t\",\"email_hash\":\"h\"}", WOESID_OK, "t"},
		{WOESID_MODE_JWT, "{\"email_hash\":\"h\",\"signedVariables\":\"u\",\"jwt\":\"t\"}",
		WOESID_OK, "t"},
		{WOESID_MODE_JWT, "{\"email\":\"a\",\"email_hash\":\"0123\"}", WOESID_WRONG_MODE, NULL},
		{WOESID_MODE_JWT, "{\"email_hash\":5}", WOESID_WRONG_MODE, NULL},
		{WOESID_MODE_JWT, "{\"signedVariables\":\"t\",\"variables\":{}}",
		WOESID_WRONG_MODE, NULL},
		{WOESID_MODE_JWT, "{}", WOESID_MISSING, NULL},
		{WOESID_MODE_JWT, "{\"email\":\"a\"}", WOESID_MISSING, NULL},
		{WOESID_MODE_JWT, "{\"variables\":{}}", WOESID_MISSING, NULL},
		{WOESID_MODE_JWT, "{\"jwt\":5}", WOESID_MISSING, NULL},
		{WOESID_MODE_JWT, "{\"jwt\":null}", WOESID_MISSING, NULL},
		{WOESID_MODE_JWT, "{\"jwt\":true}", WOESID_MISSING, NULL},
		{WOESID_MODE_JWT, "{\"jwt\":[\"x.y.z\"]}", WOESID_MISSING, NULL},
		{WOESID_MODE_JWT, "{\"jwt\":{\"jwt\":\"x.y.z\"}}", WOESID_MISSING, NULL},
		{WOESID_MODE_JWT, "{\"jwt\":\"\"}", WOESID_MISSING, NULL},
		{WOESID_MODE_JWT, "{\"jwt\":5,\"email_hash\":\"h\"}", WOESID_MISSING, NULL},
		{WOESID_MODE_JWT, "{\"jwt\":\"\",\"signedVariables\":\"t\"}", WOESID_MISSING, NULL},
		{WOESID_MODE_JWT, "{\"JWT\":\"t\"}", WOESID_MISSING, NULL},
		{WOESID_MODE_JWT, "{\"jwt \":\"t\"}", WOESID_MISSING, NULL},
		{WOESID_MODE_JWT, "{\"a\":{\"jwt\":\"t\"}}", WOESID_MISSING, NULL},
		{WOESID_MODE_JWT, "{\"a\":{\"email_hash\":\"h\"}}", WOESID_MISSING, NULL},
		{WOESID_MODE_JWT, "{\"a\":[\"email_hash\"]}", WOESID_MISSING, NULL},

		{WOESID_MODE_HMAC_EMAIL, "{\"email\":\"a\",\"email_hash\":\"h\"}", WOESID_OK, NULL},
		{WOESID_MODE_HMAC_EMAIL, "{\"email_hash\":\"h\"}", WOESID_OK, NULL},
		{WOESID_MODE_HMAC_EMAIL, "{\"email_hash\":5}", WOESID_OK, NULL},
		{WOESID_MODE_HMAC_EMAIL, "{\"email_hash\":\"\"}", WOESID_OK, NULL},
		{WOESID_MODE_HMAC_EMAIL, "{\"email_hash\":\"h\",\"jwt\":\"t\"}", WOESID_OK, NULL},
		{WOESID_MODE_HMAC_EMAIL, "{\"jwt\":\"t\"}", WOESID_WRONG_MODE, NULL},
		{WOESID_MODE_HMAC_EMAIL, "{\"jwt\":null}", WOESID_WRONG_MODE, NULL},
		{WOESID_MODE_HMAC_EMAIL, "{\"email\":\"a\",\"jwt\":\"t\"}", WOESID_WRONG_MODE, NULL},
		{WOESID_MODE_HMAC_EMAIL, "{\"email\":\"a\",\"signedVariables\":\"t\"}",
		WOESID_WRONG_MODE, NULL},
		{WOESID_MODE_HMAC_EMAIL, "{\"email\":\"a\"}", WOESID_MISSING, NULL},
		{WOESID_MODE_HMAC_EMAIL, "{\"email\":\"a\",\"hash\":\"h\"}", WOESID_MISSING, NULL},
		{WOESID_MODE_HMAC_EMAIL, "{}", WOESID_MISSING, NULL},
		{WOESID_MODE_HMAC_EMAIL, "{\"a\":{\"jwt\":\"t\"}}", WOESID_MISSING, NULL},

		{WOESID_MODE_VARIABLES, "{\"signedVariables\":\"t\",\"variables\":{}}",
		WOESID_OK, "t"},
		{WOESID_MODE_VARIABLES, "{\"signedVariables\":\"x.y.z\"}", WOESID_OK, "x.y.z"},
		{WOESID_MODE_VARIABLES, "{\"signedVariables\":\"t\",\"jwt\":\"u\"}", WOESID_OK, "t"},
		{WOESID_MODE_VARIABLES, "{\"jwt\":\"t\"}", WOESID_WRONG_MODE, NULL},
		{WOESID_MODE_VARIABLES, "{\"jwt\":\"t\",\"variables\":{}}", WOESID_WRONG_MODE, NULL},
		{WOESID_MODE_VARIABLES, "{\"email\":\"a\",\"email_hash\":\"h\"}",
		WOESID_WRONG_MODE, NULL},
		{WOESID_MODE_VARIABLES, "{}", WOESID_MISSING, NULL},
		{WOESID_MODE_VARIABLES, "{\"variables\":{}}", WOESID_MISSING, NULL},
		{WOESID_MODE_VARIABLES, "{\"variables\":{\"jwt\":\"t\"}}", WOESID_MISSING, NULL},
		{WOESID_MODE_VARIABLES, "{\"signedVariables\":\"\"}", WOESID_MISSING, NULL},
		{WOESID_MODE_VARIABLES, "{\"signedVariables\":{}}", WOESID_MISSING, NULL},
		{WOESID_MODE_VARIABLES, "{\"signedVariables\":7,\"jwt\":\"t\"}", WOESID_MISSING, NULL},
		{WOESID_MODE_VARIABLES, "{\"signedvariables\":\"t\"}", WOESID_MISSING, NULL},
		{WOESID_MODE_VARIABLES, "{\"signed_variables\":\"t\"}", WOESID_MISSING, NULL},

		{WOESID_MODE_OFF, "{}", WOESID_OK, NULL},
		{WOESID_MODE_OFF, "{\"name\":\"A\"}", WOESID_OK, NULL},
		{WOESID_MODE_OFF, "{\"jwt\":\"t\"}", WOESID_OK, NULL},
		{WOESID_MODE_OFF, "{\"email\":\"a\",\"email_hash\":\"h\"}", WOESID_OK, NULL},
		{WOESID_MODE_OFF, "{\"signedVariables\":\"t\",\"variables\":{}}", WOESID_OK, NULL},
	};
	/* Every mode's member, after a payload dense in nodes. */
	static const char *const dense_prefix =
		"{\"jwt\":\"x.y.z\",\"email_hash\":\"h\",\"signedVariables\":\"x.y.z\",\"d\":[";
	char	   *dense = xmalloc(MAX_TOKEN + 1);
	int			per_mode[WOESID_MODE_COUNT] = {0};

	for (size_t i = 0; i < lengthof(cases); i++)
	{
		size_t		len = strlen(cases[i].text);

		per_mode[cases[i].mode]++;
		open_case(cases[i].text, cases[i].mode, cases[i].text, len, MAX_TOKEN,
				  cases[i].want, cases[i].token);
		/* The limit, in every mode: len bytes allowed, len - 1 refused. */
		open_case(cases[i].text, cases[i].mode, cases[i].text, len, len,
				  cases[i].want, cases[i].token);
		open_case(cases[i].text, cases[i].mode, cases[i].text, len, len - 1,
				  WOESID_MALFORMED, NULL);
	}
	for (int m = 0; m < WOESID_MODE_COUNT; m++)
	{
		bool		token = m == WOESID_MODE_JWT || m == WOESID_MODE_VARIABLES;

		CHECK_MSG(per_mode[m] >= 5, "few cases for %s", woesid_mode_name[m]);
		for (size_t i = 0; i < lengthof(common); i++)
			open_case(common[i].what, (woesid_mode) m, common[i].text, common[i].len,
					  MAX_TOKEN, common[i].want, NULL);

		fill_payload(dense, MAX_TOKEN, dense_prefix, "0,", "0]");
		open_case("dense, len == max", (woesid_mode) m, dense, MAX_TOKEN, MAX_TOKEN,
				  WOESID_OK, token ? "x.y.z" : NULL);
		open_case("dense, len == max + 1", (woesid_mode) m, dense, MAX_TOKEN,
				  MAX_TOKEN - 1, WOESID_MALFORMED, NULL);

		/* Unreadable lengths: refused unread, nothing parsed. */
		for (size_t i = 0; i < lengthof(unreadable_lens); i++)
		{
			woesid_arena arena;

			release();
			cur_arena_buf = xmalloc(64);
			woesid_arena_init(&arena, cur_arena_buf, 64);
			woesid_payload_open(NULL, unreadable_lens[i], MAX_TOKEN, (woesid_mode) m,
								&arena, &pres);
			CHECK_MSG(pres.reason == WOESID_MALFORMED && !pres.parsed &&
					  pres.token == NULL && arena.used == 0,
					  "%s NULL, len %zu: got %s", woesid_mode_name[m],
					  unreadable_lens[i], reason_name(pres.reason));
			woesid_payload_open(NULL, 0, MAX_TOKEN, (woesid_mode) m, &arena, &pres);
			CHECK_MSG(pres.reason == WOESID_MISSING && !pres.parsed &&
					  pres.token == NULL && arena.used == 0,
					  "%s NULL, len 0: got %s", woesid_mode_name[m],
					  reason_name(pres.reason));
		}
	}
	free(dense);
}

/* One secret tried after another, as the registry tries a widget's. */
typedef struct key_try
{
	const char *what;
	woesid_mac_key **keys[3];	/* tried in order until one signed */
	int			n;
	int			signer;			/* index of the key that signed, or -1 */
} key_try;

/*
 * The hmac_email steps the registry takes: the payload read once
 * (woesid_hmac_email_read), each secret tried on it
 * (woesid_hmac_email_signed_by), the hash wiped (woesid_hmac_email_forget).
 */
static void
test_hmac_email_split(void)
{
	static const key_try tries[] = {
		{"right key", {&hmac_key}, 1, 0},
		{"wrong then right", {&other_key, &hmac_key}, 2, 1},
		{"two wrong then right", {&jwt_key, &other_key, &hmac_key}, 3, 2},
		{"wrong only", {&other_key, &jwt_key}, 2, -1},
	};
	/* read's verdict on a parsed object; %s is the right hash. */
	static const struct
	{
		const char *format;
		woesid_reason want;
		const char *normalized;	/* when OK */
	}			reads[] = {
		{"{\"email\":\"  Alice@Example.COM\\n\",\"email_hash\":\"%s\",\"name\":\"A\"}",
		WOESID_OK, "alice@example.com"},
		{"{\"email_hash\":\"%s\",\"email\":\"alice@example.com\"}", WOESID_OK,
		"alice@example.com"},
		{"{\"email\":\"alice@example.com\"}", WOESID_MISSING, NULL},
		{"{}", WOESID_MISSING, NULL},
		{"{\"email\":\"alice@example.com\",\"email_hash\":\"%.63s\"}", WOESID_MALFORMED, NULL},
		{"{\"email\":\"alice@example.com\",\"email_hash\":5}", WOESID_MALFORMED, NULL},
		{"{\"email\":5,\"email_hash\":\"%s\"}", WOESID_MALFORMED, NULL},
		{"{\"email_hash\":\"%s\"}", WOESID_MISSING_EMAIL, NULL},
		{"{\"email\":\" \\t\",\"email_hash\":\"%s\"}", WOESID_MISSING_EMAIL, NULL},
	};
	uint8_t		mac[WOESID_MAC_LEN];
	char		hex[2 * WOESID_MAC_LEN + 1];
	char		payload[512];
	woesid_hmac_result r;

	oneshot_hmac(hmac_secret, sizeof(hmac_secret), "alice@example.com", 17, mac);
	to_hex(mac, sizeof(mac), false, hex);

	for (size_t i = 0; i < lengthof(reads); i++)
	{
		size_t		len = (size_t) snprintf(payload, sizeof(payload), reads[i].format, hex);
		size_t		bound = woesid_hmac_email_arena_bound(len);
		woesid_arena arena;
		const char *copy = prepare(payload, len, bound, &arena);
		woesid_reason got;

		woesid_payload_open(copy, len, MAX_TOKEN, WOESID_MODE_HMAC_EMAIL, &arena, &pres);
		CHECK_MSG(pres.parsed, "read %s: not parsed", payload);
		if (!pres.parsed)
			continue;
		memset(&r, 0, sizeof(r));
		got = woesid_hmac_email_read(&pres.doc, &arena, &r);
		CHECK_MSG(got == reads[i].want, "read %s: got %s, want %s", payload,
				  reason_name(got), reason_name(reads[i].want));
		CHECK_MSG(r.parsed && r.payload.nodes == pres.doc.nodes,
				  "read %s: payload not kept", payload);
		CHECK_MSG(r.email == NULL, "read %s: email set before any MAC", payload);
		CHECK_MSG(arena.used <= bound, "read %s: arena %zu > %zu", payload,
				  arena.used, bound);
		if (reads[i].normalized != NULL)
			CHECK_MSG(same(r.normalized, r.normalized_len, reads[i].normalized) &&
					  memcmp(r.sent, mac, sizeof(mac)) == 0,
					  "read %s: normalized or hash", payload);
		woesid_hmac_email_forget(&r);
		CHECK(all_zero(r.sent, sizeof(r.sent)));
	}

	snprintf(payload, sizeof(payload), reads[0].format, hex);
	for (size_t t = 0; t < lengthof(tries); t++)
	{
		size_t		len = strlen(payload);
		woesid_arena arena;
		const char *copy = prepare(payload, len, woesid_hmac_email_arena_bound(len),
								   &arena);
		int			signer = -1;

		woesid_payload_open(copy, len, MAX_TOKEN, WOESID_MODE_HMAC_EMAIL, &arena, &pres);
		memset(&r, 0, sizeof(r));
		CHECK(pres.reason == WOESID_OK &&
			  woesid_hmac_email_read(&pres.doc, &arena, &r) == WOESID_OK);
		for (int k = 0; k < tries[t].n && signer < 0; k++)
		{
			bool		ok = woesid_hmac_email_signed_by(&r, *tries[t].keys[k]);

			CHECK_MSG(!r.fault, "%s, key %d: fault", tries[t].what, k);
			CHECK_MSG(ok == (k == tries[t].signer), "%s, key %d: signed %d",
					  tries[t].what, k, ok);
			if (ok)
			{
				signer = k;
				CHECK_MSG(r.reason == WOESID_OK &&
						  same(r.email, r.email_len, "alice@example.com"),
						  "%s, key %d: no email", tries[t].what, k);
			}
			else
				CHECK_MSG(r.reason == WOESID_BAD_SIGNATURE && r.email == NULL &&
						  r.email_len == 0, "%s, key %d: got %s", tries[t].what, k,
						  reason_name(r.reason));
		}
		CHECK_MSG(signer == tries[t].signer, "%s: signer %d", tries[t].what, signer);

		/* Wiped: the right key no longer matches what is left. */
		CHECK(!all_zero(r.sent, sizeof(r.sent)));
		woesid_hmac_email_forget(&r);
		CHECK_MSG(all_zero(r.sent, sizeof(r.sent)), "%s: hash not wiped",
				  tries[t].what);
		memset(&r.email, 0, sizeof(r.email));
		r.email_len = 0;
		CHECK_MSG(!woesid_hmac_email_signed_by(&r, hmac_key) &&
				  r.reason == WOESID_BAD_SIGNATURE && r.email == NULL,
				  "%s: the wiped hash still verifies", tries[t].what);
	}
}

int
main(void)
{
	for (size_t i = 0; i < sizeof(hmac_secret); i++)
		CHECK(sscanf(secret_hex + 2 * i, "%2hhx", &hmac_secret[i]) == 1);
	jwt_key = woesid_mac_key_new((const uint8_t *) secret_hex,
								 strlen(secret_hex));
	hmac_key = woesid_mac_key_new(hmac_secret, sizeof(hmac_secret));
	other_key = woesid_mac_key_new((const uint8_t *) OTHER_SECRET,
								   strlen(OTHER_SECRET));
	if (jwt_key == NULL || hmac_key == NULL || other_key == NULL)
	{
		fprintf(stderr, "woesid_mac_key_new failed\n");
		return 2;
	}

	test_base64url();
	test_mac();
	test_jwt_malformed();
	test_jwt_header_and_signature();
	test_jwt_common_headers();
	test_jwt_claims();
	test_jwt_order();
	test_jwt_size();
	test_jwt_outputs();
	test_variables();
	test_mutations();
	test_hmac_email();
	test_hmac_email_at_limit();
	test_email_hmac_hex();
	test_key_reason();
	test_mode_names();
	test_payload_parse();
	test_payload_open();
	test_hmac_email_split();

	release();
	woesid_mac_key_free(jwt_key);
	woesid_mac_key_free(hmac_key);
	woesid_mac_key_free(other_key);
	return unit_summary("core");
}
