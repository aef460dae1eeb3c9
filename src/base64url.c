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

/* One more than each base64url character's value; 0 for every other byte. */
static const uint8_t decode_table[256] = {
	['A'] = 1, ['B'] = 2, ['C'] = 3, ['D'] = 4, ['E'] = 5, ['F'] = 6,
	['G'] = 7, ['H'] = 8, ['I'] = 9, ['J'] = 10, ['K'] = 11, ['L'] = 12,
	['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16, ['Q'] = 17, ['R'] = 18,
	['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23, ['X'] = 24,
	['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30,
	['e'] = 31, ['f'] = 32, ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36,
	['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41, ['p'] = 42,
	['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48,
	['w'] = 49, ['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54,
	['2'] = 55, ['3'] = 56, ['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60,
	['8'] = 61, ['9'] = 62, ['-'] = 63, ['_'] = 64,
};

static const char encode_table[64] =
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

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

	for (size_t i = 0; i < full; i++, p += 4)
	{
		uint8_t		a = decode_table[p[0]],
					b = decode_table[p[1]],
					c = decode_table[p[2]],
					d = decode_table[p[3]];

		if (a == 0 || b == 0 || c == 0 || d == 0)
			return false;
		v = (uint32_t) (a - 1) << 18 | (uint32_t) (b - 1) << 12 |
			(uint32_t) (c - 1) << 6 | (uint32_t) (d - 1);
		o[0] = (uint8_t) (v >> 16);
		o[1] = (uint8_t) (v >> 8);
		o[2] = (uint8_t) v;
		o += 3;
	}

	if (rest != 0)
	{
		uint8_t		a = decode_table[p[0]],
					b = decode_table[p[1]],
					c = rest == 3 ? decode_table[p[2]] : 1;

		if (a == 0 || b == 0 || c == 0)
			return false;
		v = (uint32_t) (a - 1) << 18 | (uint32_t) (b - 1) << 12 |
			(uint32_t) (c - 1) << 6;
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
