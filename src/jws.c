/*
 * jws.c
 *		Compact JWS (RFC 7515) opening and HS256 signature checking.
 *
 * Enforces JWT rules 1-3 of the reference (docs/reference.md): size before
 * anything else, exactly three strict base64url segments, a JSON-object
 * header with alg exactly "HS256" and no header this verifier does not
 * implement, a 32-byte signature.  The payload is left encoded: it is
 * decoded only once the signature is good (jwt.c).  Never dereferences jku,
 * x5u or any other URL, never reads past the token's length.
 */
#include <string.h>

#include "base64url.h"
#include "core.h"

static bool
is_string(const wj_node *node, const char *lit, size_t len)
{
	return node->type == WJ_STRING && node->len == len &&
		memcmp(node->str, lit, len) == 0;
}

/* The header members the rules read, found in one pass. */
enum
{
	HEADER_ALG,
	HEADER_TYP,
	HEADER_KID,
	HEADER_CRIT,				/* from here on: members never supported */
	HEADER_B64,
	HEADER_CTY,
	HEADER_ENC,
	HEADER_COUNT
};

static const wj_name header_names[HEADER_COUNT] = {
	WJ_NAME("alg"), WJ_NAME("typ"), WJ_NAME("kid"),
	WJ_NAME("crit"), WJ_NAME("b64"), WJ_NAME("cty"), WJ_NAME("enc"),
};

/* True when the header is one this verifier implements (rule 2, second part). */
static bool
header_supported(const wj_doc *header, const uint32_t *member)
{
	for (int i = HEADER_CRIT; i < HEADER_COUNT; i++)
		if (member[i] != 0)
			return false;

	if (member[HEADER_TYP] != 0)
	{
		const wj_node *t = &header->nodes[member[HEADER_TYP]];

		if (t->type != WJ_STRING || t->len != 3 ||
			(t->str[0] | 0x20) != 'j' || (t->str[1] | 0x20) != 'w' ||
			(t->str[2] | 0x20) != 't')
			return false;
	}
	return true;
}

/*
 * Headers that mainstream HS256 signers write, byte for byte, as they arrive
 * encoded: jsonwebtoken's {"alg":"HS256","typ":"JWT"}, PyJWT's and
 * php-jwt's {"typ":"JWT","alg":"HS256"}, and jose's {"alg":"HS256"}.  A
 * header segment equal to one of them is supported and has no kid, so it is
 * neither decoded nor parsed (test_core.c checks each against the full path).
 */
const wj_name woesid_jws_common_headers[WOESID_JWS_COMMON_HEADERS] = {
	WJ_NAME("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"),
	WJ_NAME("eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9"),
	WJ_NAME("eyJhbGciOiJIUzI1NiJ9"),
};

static bool
common_header(const char *b64, size_t len)
{
	for (int i = 0; i < WOESID_JWS_COMMON_HEADERS; i++)
		if (woesid_jws_common_headers[i].len == len &&
			memcmp(woesid_jws_common_headers[i].name, b64, len) == 0)
			return true;
	return false;
}

/*
 * Rule 2 for the header segment b64[0..len): MALFORMED, UNSUPPORTED_ALGORITHM,
 * UNSUPPORTED_HEADER or OK, with *kid the kid member (of any type: only
 * a string names a key, but any kid is present) or NULL.
 */
static woesid_reason
read_header(const char *b64, size_t len, woesid_arena *arena, const wj_node **kid)
{
	uint8_t    *bytes;
	size_t		bytes_len;
	wj_doc		header;
	uint32_t	member[HEADER_COUNT];

	*kid = NULL;
	if (common_header(b64, len))
		return WOESID_OK;
	bytes = woesid_arena_alloc(arena, woesid_b64url_decoded_bound(len));
	if (bytes == NULL ||
		!woesid_b64url_decode(b64, len, bytes, &bytes_len) ||
		!wj_parse((const char *) bytes, bytes_len, arena, &header) ||
		header.nodes[0].type != WJ_OBJECT)
		return WOESID_MALFORMED;

	wj_members(&header, 0, header_names, HEADER_COUNT, member);
	if (member[HEADER_ALG] == 0 ||
		!is_string(&header.nodes[member[HEADER_ALG]], "HS256", 5))
		return WOESID_UNSUPPORTED_ALGORITHM;
	if (!header_supported(&header, member))
		return WOESID_UNSUPPORTED_HEADER;
	if (member[HEADER_KID] != 0)
		*kid = &header.nodes[member[HEADER_KID]];
	return WOESID_OK;
}

woesid_reason
woesid_jws_open(const char *token, size_t len, size_t max_token_bytes,
				woesid_arena *arena, woesid_jws *jws)
{
	const char *dot1,
			   *dot2;
	const char *sig;
	size_t		sig_b64_len,
				sig_len;
	uint8_t    *sig_bytes;
	woesid_reason header;

	if (len == 0)
		return WOESID_MISSING;
	if (len > max_token_bytes)
		return WOESID_MALFORMED;

	/*
	 * Exactly two dots: three segments.  A third dot needs no search of its
	 * own: it is outside the alphabet of the signature segment, whose
	 * decoding below then fails.
	 */
	dot1 = memchr(token, '.', len);
	if (dot1 == NULL)
		return WOESID_MALFORMED;
	dot2 = memchr(dot1 + 1, '.', len - (size_t) (dot1 + 1 - token));
	if (dot2 == NULL)
		return WOESID_MALFORMED;

	/* A malformed segment wins over an unsupported header. */
	header = read_header(token, (size_t) (dot1 - token), arena, &jws->kid);
	if (header == WOESID_MALFORMED)
		return WOESID_MALFORMED;
	sig = dot2 + 1;
	sig_b64_len = len - (size_t) (sig - token);
	sig_bytes = woesid_arena_alloc(arena, woesid_b64url_decoded_bound(sig_b64_len));
	if (sig_bytes == NULL ||
		!woesid_b64url_decode(sig, sig_b64_len, sig_bytes, &sig_len))
		return WOESID_MALFORMED;
	if (header != WOESID_OK)
		return header;

	if (sig_len != WOESID_MAC_LEN)
		return WOESID_BAD_SIGNATURE;
	memcpy(jws->signature, sig_bytes, WOESID_MAC_LEN);

	jws->signing_input = token;
	jws->signing_input_len = (size_t) (dot2 - token);
	jws->payload_b64 = dot1 + 1;
	jws->payload_b64_len = (size_t) (dot2 - dot1 - 1);
	return WOESID_OK;
}

int
woesid_jws_signed_by(const woesid_jws *jws, woesid_mac_key *key)
{
	uint8_t		mac[WOESID_MAC_LEN];
	int			result;

	if (!woesid_mac(key, (const uint8_t *) jws->signing_input,
					jws->signing_input_len, mac))
		result = -1;
	else
		result = woesid_mac_equal(mac, jws->signature) ? 1 : 0;
	woesid_cleanse(mac, sizeof(mac));
	return result;
}
