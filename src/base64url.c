/*
 * base64url.c
 *		Strict base64url decoding (and the encoding the tests need).
 *
 * Rejects anything a lenient decoder would paper over: padding, whitespace,
 * the standard alphabet's + and /, a length of 1 mod 4, and non-zero
 * trailing bits (so each byte string has exactly one accepted encoding).
 * Must never read before in or past in + len.
 */
#include "base64url.h"

static const char encode_table[64] =
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/*
 * decode_at[k][c]: the bits character c contributes at position k of a
 * 4-character group (its value shifted into place), or INVALID_BITS for a
 * byte outside the alphabet.  OR-ing a group's four entries gives its 24
 * bits, with INVALID_BITS set if any character was invalid.  Built from
 * encode_table on first use.
 */
#define INVALID_BITS 0xFF000000u
static uint32_t decode_at[4][256];
static bool decode_ready;

static void
build_decode_tables(void)
{
	for (int k = 0; k < 4; k++)
		for (int c = 0; c < 256; c++)
			decode_at[k][c] = INVALID_BITS;
	for (uint32_t v = 0; v < 64; v++)
		for (int k = 0; k < 4; k++)
			decode_at[k][(uint8_t) encode_table[v]] = v << (18 - 6 * k);
	decode_ready = true;
}

bool
woesid_b64url_decode(const char *in, size_t len, uint8_t *out, size_t *outlen)
{
	const uint8_t *p = (const uint8_t *) in;
	size_t		full = len / 4;
	size_t		rest = len % 4;
	uint8_t    *o = out;
	uint32_t	v;

	if (rest == 1)
		return false;
	if (!decode_ready)
		build_decode_tables();

	for (size_t i = 0; i < full; i++, p += 4, o += 3)
	{
		v = decode_at[0][p[0]] | decode_at[1][p[1]] |
			decode_at[2][p[2]] | decode_at[3][p[3]];
		if (v & INVALID_BITS)
			return false;
		o[0] = (uint8_t) (v >> 16);
		o[1] = (uint8_t) (v >> 8);
		o[2] = (uint8_t) v;
	}

	if (rest != 0)
	{
		v = decode_at[0][p[0]] | decode_at[1][p[1]] |
			(rest == 3 ? decode_at[2][p[2]] : 0);
		if (v & INVALID_BITS)
			return false;
		/* The bits past the last whole byte must be zero. */
		if (rest == 2 ? (v & 0xFFFF) != 0 : (v & 0xFF) != 0)
			return false;
		*o++ = (uint8_t) (v >> 16);
		if (rest == 3)
			*o++ = (uint8_t) (v >> 8);
	}

	*outlen = (size_t) (o - out);
	return true;
}

size_t
woesid_b64url_encode(const uint8_t *in, size_t len, char *out)
{
	char	   *o = out;
	size_t		i = 0;

	for (; i + 3 <= len; i += 3)
	{
		uint32_t	v = (uint32_t) in[i] << 16 | (uint32_t) in[i + 1] << 8 | in[i + 2];

		*o++ = encode_table[v >> 18];
		*o++ = encode_table[(v >> 12) & 63];
		*o++ = encode_table[(v >> 6) & 63];
		*o++ = encode_table[v & 63];
	}
	if (len - i == 1)
	{
		*o++ = encode_table[in[i] >> 2];
		*o++ = encode_table[(in[i] & 3) << 4];
	}
	else if (len - i == 2)
	{
		uint32_t	v = (uint32_t) in[i] << 8 | in[i + 1];

		*o++ = encode_table[v >> 10];
		*o++ = encode_table[(v >> 4) & 63];
		*o++ = encode_table[(v & 15) << 2];
	}
	return (size_t) (o - out);
}
