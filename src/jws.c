/*
 * jws.c
 *		Compact JWS (RFC 7515) opening and HS256 signature checking.
 *
 * Enforces rules 1-3 of SPEC.md: size before anything else, exactly three
 * strict base64url segments, a JSON-object header with alg exactly "HS256"
 * and no header this verifier does not implement, a 32-byte signature.  The
 * payload is left encoded: it is decoded only once the signature is good
 * (jwt.c).  Never dereferences jku, x5u or any other URL, never reads past
 * the token's length.
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

/* True when the header is one this verifier implements (rule 2, second part). */
static bool
header_supported(const wj_doc *header)
{
	static const char *const unsupported[] = {"crit", "b64", "cty", "enc"};
	uint32_t	typ;

	for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++)
		if (wj_find(header, 0, unsupported[i], strlen(unsupported[i])) != 0)
			return false;

	typ = WJ_MEMBER(header, 0, "typ");
	if (typ != 0)
	{
		const wj_node *t = &header->nodes[typ];

		if (t->type != WJ_STRING || t->len != 3 ||
			(t->str[0] | 0x20) != 'j' || (t->str[1] | 0x20) != 'w' ||
			(t->str[2] | 0x20) != 't')
			return false;
	}
	return true;
}

woesid_reason
woesid_jws_open(const char *token, size_t len, size_t max_token_bytes,
				woesid_arena *arena, woesid_jws *jws)
{
	const char *dot1,
			   *dot2;
	const char *sig;
	size_t		header_b64_len,
				sig_b64_len,
				header_len,
				sig_len;
	uint8_t    *header_bytes;
	uint8_t    *sig_bytes;
	uint32_t	alg,
				kid;

	if (len == 0)
		return WOESID_MISSING;
	if (len > max_token_bytes)
		return WOESID_MALFORMED;

	/* Exactly two dots: three segments. */
	dot1 = memchr(token, '.', len);
	if (dot1 == NULL)
		return WOESID_MALFORMED;
	dot2 = memchr(dot1 + 1, '.', len - (size_t) (dot1 + 1 - token));
	if (dot2 == NULL ||
		memchr(dot2 + 1, '.', len - (size_t) (dot2 + 1 - token)) != NULL)
		return WOESID_MALFORMED;

	header_b64_len = (size_t) (dot1 - token);
	sig = dot2 + 1;
	sig_b64_len = len - (size_t) (sig - token);

	header_bytes = woesid_arena_alloc(arena,
									  woesid_b64url_decoded_bound(header_b64_len));
	if (header_bytes == NULL ||
		!woesid_b64url_decode(token, header_b64_len, header_bytes, &header_len) ||
		!wj_parse((const char *) header_bytes, header_len, arena, &jws->header) ||
		jws->header.nodes[0].type != WJ_OBJECT)
		return WOESID_MALFORMED;

	sig_bytes = woesid_arena_alloc(arena, woesid_b64url_decoded_bound(sig_b64_len));
	if (sig_bytes == NULL ||
		!woesid_b64url_decode(sig, sig_b64_len, sig_bytes, &sig_len))
		return WOESID_MALFORMED;

	alg = WJ_MEMBER(&jws->header, 0, "alg");
	if (alg == 0 || !is_string(&jws->header.nodes[alg], "HS256", 5))
		return WOESID_UNSUPPORTED_ALGORITHM;
	if (!header_supported(&jws->header))
		return WOESID_UNSUPPORTED_HEADER;

	if (sig_len != WOESID_MAC_LEN)
		return WOESID_BAD_SIGNATURE;
	memcpy(jws->signature, sig_bytes, WOESID_MAC_LEN);

	kid = WJ_MEMBER(&jws->header, 0, "kid");
	jws->kid = kid != 0 && jws->header.nodes[kid].type == WJ_STRING ?
		&jws->header.nodes[kid] : NULL;
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
