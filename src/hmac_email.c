/*
 * hmac_email.c
 *		hmac_email mode: the browser's identify payload carries the email and
 *		the backend's hex HMAC-SHA256 of its normalized form.
 *
 * Decides the reasons in the reference's order, in two steps so the
 * registry reads a payload once and tries each secret on it.  Only the email
 * is signed; every other member is left for the caller to show as untrusted
 * metadata.  The MAC is compared in constant time and wiped afterwards.
 */
#include <string.h>

#include "core.h"
#include "email_normalize.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

static const char hex_digits[] = "0123456789abcdef";

const wj_name woesid_hmac_signed_members[WOESID_HMAC_SIGNED_MEMBERS] = {
	WJ_NAME("email"), WJ_NAME("email_hash"),
};

size_t
woesid_hmac_email_arena_bound(size_t payload_len)
{
	return wj_arena_bound(payload_len) +
		woesid_email_normalize_bound(payload_len) + 16;
}

#ifdef __SSE2__
/*
 * 32 hex digits, any case, into 16 bytes; false if one is not a hex digit.
 * Unsigned range checks (a saturating subtraction is zero) select each
 * digit's value, then each pair of nibbles is joined within its 16-bit lane.
 */
static bool
decode_hex16(const uint8_t *hex, uint8_t *out)
{
	const __m128i zero = _mm_setzero_si128();
	__m128i		values[2];
	int			valid = 0xFFFF;

	for (int half = 0; half < 2; half++)
	{
		__m128i		c = _mm_loadu_si128((const __m128i *) (hex + 16 * half));
		__m128i		digit = _mm_sub_epi8(c, _mm_set1_epi8('0'));
		__m128i		letter = _mm_sub_epi8(_mm_or_si128(c, _mm_set1_epi8(0x20)),
										  _mm_set1_epi8('a'));
		__m128i		is_digit = _mm_cmpeq_epi8(_mm_subs_epu8(digit, _mm_set1_epi8(9)), zero);
		__m128i		is_letter = _mm_cmpeq_epi8(_mm_subs_epu8(letter, _mm_set1_epi8(5)), zero);
		__m128i		v = _mm_or_si128(_mm_and_si128(is_digit, digit),
									 _mm_and_si128(is_letter,
												   _mm_add_epi8(letter, _mm_set1_epi8(10))));

		valid &= _mm_movemask_epi8(_mm_or_si128(is_digit, is_letter));
		/* lane = first | second << 8; byte = first << 4 | second */
		values[half] = _mm_or_si128(_mm_and_si128(_mm_slli_epi16(v, 4), _mm_set1_epi16(0xF0)),
									_mm_srli_epi16(v, 8));
	}
	_mm_storeu_si128((__m128i *) out, _mm_packus_epi16(values[0], values[1]));
	return valid == 0xFFFF;
}

/* 64 hex digits, any case, into 32 bytes; false if it is not that. */
static bool
decode_hex_mac(const wj_node *node, uint8_t mac[WOESID_MAC_LEN])
{
	const uint8_t *hex = (const uint8_t *) node->str;
	bool		first,
				second;

	if (node->type != WJ_STRING || node->len != 2 * WOESID_MAC_LEN)
		return false;
	first = decode_hex16(hex, mac);
	second = decode_hex16(hex + WOESID_MAC_LEN, mac + WOESID_MAC_LEN / 2);
	return first && second;
}
#else

/*
 * A hex digit's value plus one, 0 for any other byte: looked up without a
 * branch, since whether a digit of a MAC is a letter is a coin toss.
 */
static const uint8_t hex_plus_one[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5,
	['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

/* 64 hex digits, any case, into 32 bytes; false if it is not that. */
static bool
decode_hex_mac(const wj_node *node, uint8_t mac[WOESID_MAC_LEN])
{
	const uint8_t *hex = (const uint8_t *) node->str;
	bool		bad = false;

	if (node->type != WJ_STRING || node->len != 2 * WOESID_MAC_LEN)
		return false;
	for (int i = 0; i < WOESID_MAC_LEN; i++)
	{
		uint8_t		hi = hex_plus_one[hex[2 * i]];
		uint8_t		lo = hex_plus_one[hex[2 * i + 1]];

		bad |= (hi == 0) | (lo == 0);
		mac[i] = (uint8_t) ((hi - 1u) << 4 | (lo - 1u));
	}
	return !bad;
}
#endif

woesid_reason
woesid_hmac_email_read(const wj_doc *doc, woesid_arena *arena,
					   woesid_hmac_result *out)
{
	uint32_t	member[WOESID_HMAC_SIGNED_MEMBERS],
				hash,
				email;
	char	   *normalized;

	out->payload = *doc;
	out->parsed = true;
	out->email = NULL;
	out->email_len = 0;
	out->normalized = NULL;
	out->normalized_len = 0;
	out->fault = false;
	wj_members(doc, 0, woesid_hmac_signed_members, WOESID_HMAC_SIGNED_MEMBERS,
			   member);
	email = member[0];
	hash = member[1];
	if (hash == 0)
		return WOESID_MISSING;
	if (!decode_hex_mac(&doc->nodes[hash], out->sent) ||
		(email != 0 && doc->nodes[email].type != WJ_STRING))
		return WOESID_MALFORMED;
	if (email == 0)
		return WOESID_MISSING_EMAIL;

	normalized = woesid_arena_alloc(arena,
									woesid_email_normalize_bound(doc->nodes[email].len));
	if (normalized == NULL)
		return WOESID_MALFORMED;
	out->normalized_len = woesid_email_normalize(doc->nodes[email].str,
												 doc->nodes[email].len, normalized);
	if (out->normalized_len == 0)
		return WOESID_MISSING_EMAIL;
	out->normalized = normalized;
	return WOESID_OK;
}

bool
woesid_hmac_email_signed_by(woesid_hmac_result *result, woesid_mac_key *key)
{
	uint8_t		computed[WOESID_MAC_LEN];
	bool		equal;

	/* only a payload read as OK has an email to check */
	if (result->normalized == NULL)
	{
		result->fault = false;
		result->reason = WOESID_BAD_SIGNATURE;
		return false;
	}
	result->fault = !woesid_mac(key, (const uint8_t *) result->normalized,
								result->normalized_len, computed);
	equal = !result->fault && woesid_mac_equal(result->sent, computed);
	woesid_cleanse(computed, sizeof(computed));
	result->reason = equal ? WOESID_OK : WOESID_BAD_SIGNATURE;
	if (equal)
	{
		result->email = result->normalized;
		result->email_len = result->normalized_len;
	}
	else
	{
		result->email = NULL;
		result->email_len = 0;
	}
	return equal;
}

void
woesid_hmac_email_forget(woesid_hmac_result *result)
{
	woesid_cleanse(result->sent, sizeof(result->sent));
}

void
woesid_hmac_email_verify(const char *payload, size_t len, woesid_mac_key *key,
						 size_t max_payload_bytes, woesid_arena *arena,
						 woesid_hmac_result *out)
{
	wj_doc		doc;

	memset(out, 0, sizeof(*out));
	out->reason = woesid_key_reason(key);
	if (out->reason == WOESID_OK)
		out->reason = woesid_payload_parse(payload, len, max_payload_bytes, arena, &doc);
	if (out->reason == WOESID_OK)
		out->reason = woesid_hmac_email_read(&doc, arena, out);
	if (out->reason == WOESID_OK)
		woesid_hmac_email_signed_by(out, key);
	woesid_hmac_email_forget(out);
}

bool
woesid_email_hmac_hex(const char *email, size_t len, woesid_mac_key *key,
				  char *scratch, char hex[2 * WOESID_MAC_LEN])
{
	uint8_t		mac[WOESID_MAC_LEN];
	size_t		normalized_len = woesid_email_normalize(email, len, scratch);

	if (!woesid_mac(key, (const uint8_t *) scratch, normalized_len, mac))
	{
		woesid_cleanse(mac, sizeof(mac));
		return false;
	}
	woesid_hex_encode(mac, sizeof(mac), hex);
	woesid_cleanse(mac, sizeof(mac));
	return true;
}

void
woesid_hex_encode(const uint8_t *bytes, size_t len, char *hex)
{
	for (size_t i = 0; i < len; i++)
	{
		hex[2 * i] = hex_digits[bytes[i] >> 4];
		hex[2 * i + 1] = hex_digits[bytes[i] & 15];
	}
}
